//! "Check image now": runs the certification tests of one disk image on demand and answers
//! the report, so a publisher can fix an image before publishing.

use axum::Json;
use axum::extract::State;
use portal_domain::api::ImageCheckRequest;
use portal_vhd::{DiskKind, DiskReport, OsFamily};

use super::check_image;
use crate::accounts::{ManagedOffer, need};
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

fn invalid(message: String) -> ApiError {
    ApiError::bad_request("InvalidImageCheck", message)
}

/// The URL and disk kind of a request, or a 400 naming the field.
fn parse(req: ImageCheckRequest) -> ApiResult<(String, DiskKind)> {
    let url = req.url.trim().to_owned();
    if url.is_empty() {
        return Err(invalid(
            "`url` is required: the SAS URL of the VHD blob.".into(),
        ));
    }
    if url.len() > 4096 {
        return Err(invalid("`url` is longer than 4096 characters.".into()));
    }
    let kind = match req.kind.trim() {
        "os" => {
            let raw = req.os_family.as_deref().unwrap_or_default();
            let family = OsFamily::parse(raw).ok_or_else(|| {
                invalid(format!(
                    "`osFamily` must be `Linux` or `Windows` for an OS disk (got `{raw}`)."
                ))
            })?;
            DiskKind::Os { family }
        }
        "data" => DiskKind::Data { lun: 0 },
        other => {
            return Err(invalid(format!(
                "`kind` must be `os` or `data` (got `{other}`)."
            )));
        }
    };
    Ok((url, kind))
}

/// `POST /api/publishers/{publisher}/offers/{offer}/image-checks`: certifies one image now
/// (never a stored result) and answers its report.
async fn check_image_now(
    State(state): State<AppState>,
    ManagedOffer { path, .. }: ManagedOffer<need::Edit>,
    JsonBody(body): JsonBody<ImageCheckRequest>,
) -> ApiResult<Json<DiskReport>> {
    offers::load(&state, &path).await?;
    let (url, kind) = parse(body)?;
    let check = check_image(&state, &url, kind, false).await?;
    Ok(Json(check.report))
}
