//! The public catalogue (`/api/catalogue`, no token) and the previews (`/api/reviewer/…`, for
//! allow-listed reviewers and the offer's publisher). Both serve the catalogue entries and
//! product pages the Packaging step wrote, so a preview is exactly what goes live.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use object_store::path::Path as StorePath;
use portal_domain::api::{
    DeployedDisk, PortRule, PreviewList, PreviewSummary, TestDeployment, TestDeploymentRequest,
};
use serde_json::Value;

use crate::api::extract::OfferPath;
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{PackageRow, Packages, Slot, from_ms};

/// `GET /api/me`: who the token belongs to.
pub async fn get_me(principal: Principal) -> Json<portal_domain::api::Principal> {
    Json(principal.view())
}

/// `GET /api/catalogue`: every live offer's catalogue entry, newest first.
pub async fn list_catalogue(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let rows = state
        .store
        .packages_in_slot(Slot::Production, Packages::All)
        .await?;
    let items = rows.iter().map(entry).collect::<ApiResult<Vec<_>>>()?;
    Ok(Json(serde_json::json!({ "items": items })))
}

/// `GET /api/catalogue/{publisher}/{offer}`: a live offer's catalogue entry.
pub async fn get_catalogue_entry(
    State(state): State<AppState>,
    path: OfferPath,
) -> ApiResult<Json<Value>> {
    let row = live(&state, &path).await?;
    Ok(Json(entry(&row)?))
}

/// `GET /api/catalogue/{publisher}/{offer}/page`: a live offer's static product page.
pub async fn get_catalogue_page(
    State(state): State<AppState>,
    path: OfferPath,
) -> ApiResult<Response> {
    let row = live(&state, &path).await?;
    page(&state, &row).await
}

/// `GET /api/catalogue/{publisher}/{offer}/assets/{name}`: a live offer's logo or screenshot.
pub async fn get_catalogue_asset(
    State(state): State<AppState>,
    path: OfferPath,
    Path(params): Path<Vec<(String, String)>>,
) -> ApiResult<Response> {
    let row = live(&state, &path).await?;
    asset(&state, &row, &params).await
}

/// `GET /api/reviewer/previews`: the previews this principal may open (a reviewer: those
/// allow-listing its subscription id; a publisher: its own offers in preview).
pub async fn list_previews(
    State(state): State<AppState>,
    principal: Principal,
) -> ApiResult<Json<PreviewList>> {
    let whose = match &principal {
        Principal::Reviewer { subscription_id } => Packages::AllowListing(subscription_id),
        Principal::Publisher { publisher_id } => Packages::Of(publisher_id),
    };
    let rows = state.store.packages_in_slot(Slot::Preview, whose).await?;
    let regions = state.region_names();
    let items = rows
        .iter()
        .map(|r| {
            let e = entry(r)?;
            let text = |k: &str| e.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
            Ok(PreviewSummary {
                publisher_id: r.publisher_id.clone(),
                offer_id: r.offer_id.clone(),
                version: u64::try_from(r.version).unwrap_or(0),
                title: text("title"),
                summary: text("summary"),
                regions: regions.clone(),
                available_since: from_ms(r.created_ms),
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(Json(PreviewList { items }))
}

/// `GET /api/reviewer/previews/{publisher}/{offer}`: the catalogue entry of the version in
/// preview.
pub async fn get_preview(
    State(state): State<AppState>,
    principal: Principal,
    path: OfferPath,
) -> ApiResult<Json<Value>> {
    let row = preview(&state, &principal, &path).await?;
    Ok(Json(entry(&row)?))
}

/// `GET /api/reviewer/previews/{publisher}/{offer}/page`: the static product page in preview.
pub async fn get_preview_page(
    State(state): State<AppState>,
    principal: Principal,
    path: OfferPath,
) -> ApiResult<Response> {
    let row = preview(&state, &principal, &path).await?;
    page(&state, &row).await
}

/// `GET /api/reviewer/previews/{publisher}/{offer}/assets/{name}`.
pub async fn get_preview_asset(
    State(state): State<AppState>,
    principal: Principal,
    path: OfferPath,
    Path(params): Path<Vec<(String, String)>>,
) -> ApiResult<Response> {
    let row = preview(&state, &principal, &path).await?;
    asset(&state, &row, &params).await
}

async fn live(state: &AppState, path: &OfferPath) -> ApiResult<PackageRow> {
    state
        .store
        .package_in_slot(
            Slot::Production,
            path.publisher.as_str(),
            path.offer.as_str(),
        )
        .await?
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "No live offer `{}` of publisher `{}` in the catalogue.",
                path.offer.as_str(),
                path.publisher.as_str()
            ))
        })
}

/// The version in preview, when this principal may see it; 404 otherwise (the same answer
/// as for an offer that does not exist, so a reviewer learns nothing about other offers).
pub async fn preview(
    state: &AppState,
    principal: &Principal,
    path: &OfferPath,
) -> ApiResult<PackageRow> {
    let row = state
        .store
        .package_in_slot(Slot::Preview, path.publisher.as_str(), path.offer.as_str())
        .await?;
    let allowed = |r: &PackageRow| match principal {
        Principal::Reviewer { subscription_id } => r
            .allowed_subscriptions
            .contains(&format!(",{subscription_id},")),
        Principal::Publisher { .. } => principal.can_manage(&r.publisher_id),
    };
    row.filter(allowed).ok_or_else(|| {
        ApiError::NotFound(format!(
            "No preview of offer `{}` of publisher `{}` is available to you.",
            path.offer.as_str(),
            path.publisher.as_str()
        ))
    })
}

fn entry(row: &PackageRow) -> ApiResult<Value> {
    Ok(serde_json::from_str(&row.entry).map_err(anyhow::Error::from)?)
}

async fn page(state: &AppState, row: &PackageRow) -> ApiResult<Response> {
    let bytes = read_site(state, &format!("{}index.html", row.prefix)).await?;
    let mut res = Body::from(bytes).into_response();
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    // The page is static: no scripts at all, images and styles from itself only.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
        ),
    );
    Ok(res)
}

async fn asset(
    state: &AppState,
    row: &PackageRow,
    params: &[(String, String)],
) -> ApiResult<Response> {
    let name = params
        .iter()
        .find(|(k, _)| k == "name")
        .map_or("", |(_, v)| v.as_str());
    let valid = !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b));
    let content_type = match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        _ => "",
    };
    if !valid || content_type.is_empty() {
        return Err(ApiError::NotFound(format!("No asset `{name}`.")));
    }
    let bytes = read_site(state, &format!("{}assets/{name}", row.prefix)).await?;
    let mut res = Body::from(bytes).into_response();
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(res)
}

async fn read_site(state: &AppState, key: &str) -> ApiResult<bytes::Bytes> {
    let path = StorePath::parse(key).map_err(|e| ApiError::NotFound(e.to_string()))?;
    match state.site.get(&path).await {
        Ok(got) => Ok(got.bytes().await.map_err(anyhow::Error::from)?),
        Err(object_store::Error::NotFound { .. }) => Err(ApiError::NotFound(format!(
            "`{key}` is not in the site store."
        ))),
        Err(e) => Err(ApiError::Internal(e.into())),
    }
}

/// `POST /api/reviewer/previews/{publisher}/{offer}/test-deployments`: a test deployment of a
/// SKU's disk version to a region. Every disk of that version must be present and verified
/// (its manifest written after the checksum matched) in the region; the answer describes the
/// deployment: disk locations and sizes, the recommended VM size and the open ports.
pub async fn post_test_deployment(
    State(state): State<AppState>,
    principal: Principal,
    path: OfferPath,
    crate::api::extract::JsonBody(req): crate::api::extract::JsonBody<TestDeploymentRequest>,
) -> ApiResult<Json<TestDeployment>> {
    let row = preview(&state, &principal, &path).await?;
    let version = state
        .store
        .version(&row.publisher_id, &row.offer_id, row.version)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the preview's version is missing"))?;
    let doc: portal_domain::OfferDocument =
        serde_json::from_str(&version.document).map_err(anyhow::Error::from)?;
    let invalid = |field: &str, message: String| ApiError::Unprocessable {
        code: "InvalidTestDeployment",
        message: message.clone(),
        details: vec![portal_domain::validation::FindingDetail {
            field: field.to_owned(),
            code: "invalid".to_owned(),
            message,
        }],
    };
    let Some(plan) = doc
        .definition
        .plans
        .iter()
        .find(|p| p.plan_id.as_deref() == Some(req.sku_id.as_str()))
    else {
        return Err(invalid(
            "skuId",
            format!("The preview has no SKU `{}`.", req.sku_id),
        ));
    };
    if !plan
        .vm_images
        .as_ref()
        .is_some_and(|m| m.contains_key(&req.disk_version))
    {
        return Err(invalid(
            "diskVersion",
            format!(
                "SKU `{}` has no disk version `{}`.",
                req.sku_id, req.disk_version
            ),
        ));
    }
    let Some(region) = state.regions.iter().find(|r| r.name == req.region) else {
        return Err(invalid(
            "region",
            format!(
                "There is no region `{}`; the regions are {}.",
                req.region,
                state.region_names().join(", ")
            ),
        ));
    };
    let mut disks = Vec::new();
    for d in crate::engine::certification::disks(&doc)
        .into_iter()
        .filter(|d| d.sku == req.sku_id && d.version == req.disk_version)
    {
        let key = crate::engine::provisioning::disk_key(&row.publisher_id, &row.offer_id, &d);
        let replica = portal_replicate::find_replica(region, &key)
            .await
            .map_err(|e| anyhow::anyhow!(e.message()))?;
        let (kind, lun) = match d.kind {
            portal_vhd::DiskKind::Data { lun } => ("data", Some(lun)),
            portal_vhd::DiskKind::Os { .. } => ("os", None),
        };
        let Some(replica) = replica else {
            let which = lun.map_or_else(
                || "The OS disk".to_owned(),
                |l| format!("Data disk LUN {l}"),
            );
            return Err(ApiError::Conflict {
                code: "DiskNotReplicated",
                message: format!(
                    "{which} of disk version {} is not present and verified in region {}. \
                     Provisioning copies it; try again when the Provisioning step is complete.",
                    req.disk_version, req.region
                ),
            });
        };
        disks.push(DeployedDisk {
            kind: kind.to_owned(),
            lun,
            location: replica.location,
            size_bytes: replica.size,
            sha256: replica.sha256,
        });
    }
    Ok(Json(TestDeployment {
        sku_id: req.sku_id.clone(),
        disk_version: req.disk_version.clone(),
        region: req.region.clone(),
        disks,
        recommended_vm_size: plan
            .recommended_vm_sizes
            .as_ref()
            .and_then(|s| s.first().cloned()),
        open_ports: plan
            .open_ports
            .iter()
            .flatten()
            .map(|p| PortRule {
                name: p.name.clone().unwrap_or_default(),
                protocol: p.protocol.clone().unwrap_or_default(),
                port: p.port.unwrap_or(0),
            })
            .collect(),
    }))
}
