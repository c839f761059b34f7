//! "Check image now": runs the certification tests of one disk image on demand and answers
//! the report, so a publisher can fix an image before publishing.

use axum::Json;
use axum::extract::State;
use portal_vhd::{DiskKind, DiskReport, OsFamily};
use serde::Deserialize;

use super::check_image;
use crate::accounts::ManagedOffer;
use crate::error::{ApiError, ApiResult};
use crate::extract::JsonBody;
use crate::offers;
use crate::routes::ApiRoute;
use crate::state::AppState;

/// The routes of this feature.
pub fn routes() -> Vec<ApiRoute> {
    vec![
        ApiRoute::post(
            "/api/publishers/{publisher}/offers/{offer}/image-checks",
            "checkImage",
            "Check image now: runs the certification tests on one disk image and answers the DiskReport (400 naming the field on bad input).",
            check_image_now,
        )
        .success("200")
        .body("ImageCheckRequest"),
    ]
}

/// The body of `POST …/image-checks`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ImageCheckRequest {
    /// The SAS URL of the VHD blob.
    url: Option<String>,
    /// `os` or `data`.
    kind: Option<String>,
    /// `Linux` or `Windows`, required for an OS disk.
    os_family: Option<String>,
}

fn invalid(message: String) -> ApiError {
    ApiError::bad_request("InvalidImageCheck", message)
}

impl ImageCheckRequest {
    /// The URL and disk kind, or a 400 naming the field.
    fn parse(self) -> ApiResult<(String, DiskKind)> {
        let url = self
            .url
            .map(|u| u.trim().to_owned())
            .filter(|u| !u.is_empty())
            .ok_or_else(|| invalid("`url` is required: the SAS URL of the VHD blob.".into()))?;
        if url.len() > 4096 {
            return Err(invalid("`url` is longer than 4096 characters.".into()));
        }
        let kind = match self.kind.as_deref().map(str::trim) {
            Some("os") => {
                let raw = self.os_family.as_deref().unwrap_or_default();
                let family = OsFamily::parse(raw).ok_or_else(|| {
                    invalid(format!(
                        "`osFamily` must be `Linux` or `Windows` for an OS disk (got `{raw}`)."
                    ))
                })?;
                DiskKind::Os { family }
            }
            Some("data") => DiskKind::Data { lun: 0 },
            other => {
                return Err(invalid(format!(
                    "`kind` must be `os` or `data` (got `{}`).",
                    other.unwrap_or_default()
                )));
            }
        };
        Ok((url, kind))
    }
}

/// `POST /api/publishers/{publisher}/offers/{offer}/image-checks`: certifies one image now
/// (never a stored result) and answers its report.
async fn check_image_now(
    State(state): State<AppState>,
    ManagedOffer { path, .. }: ManagedOffer,
    JsonBody(body): JsonBody<ImageCheckRequest>,
) -> ApiResult<Json<DiskReport>> {
    offers::load(&state, &path).await?;
    let (url, kind) = body.parse()?;
    let check = check_image(&state, &url, kind, false).await?;
    Ok(Json(check.report))
}
