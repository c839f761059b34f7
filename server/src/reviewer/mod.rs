//! The reviewer's previews (`/api/reviewer/…`): the version in preview of an offer, for
//! the reviewers its allow-list names and for the offer's publisher, and test deployments of
//! its disks. A preview serves the package the Packaging step wrote, as the catalogue will.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use portal_domain::api::{
    DeployedDisk, PortRule, PreviewList, PreviewSummary, TestDeployment, TestDeploymentRequest,
};
use portal_domain::catalogue::CatalogueEntry;

use crate::accounts::Principal;
use crate::catalogue::{self, Package, Whose};
use crate::db::from_ms;
use crate::error::{ApiError, ApiResult};
use crate::extract::{JsonBody, OfferPath};
use crate::offers::{self, Slot};
use crate::publishing::disks;
use crate::routes::ApiRoute;
use crate::state::AppState;

/// The routes of this feature.
pub fn routes() -> Vec<ApiRoute> {
    vec![
        ApiRoute::get(
            "/api/reviewer/previews",
            "listPreviews",
            "Previews this token may open: a reviewer's allow-listed ones, a publisher's own.",
            list_previews,
        ),
        ApiRoute::get(
            "/api/reviewer/previews/{publisher}/{offer}",
            "getPreview",
            "The catalogue entry of the version in preview (404 unless allow-listed).",
            get_preview,
        ),
        ApiRoute::get(
            "/api/reviewer/previews/{publisher}/{offer}/page",
            "getPreviewPage",
            "The static product page in preview (text/html, no scripts).",
            get_preview_page,
        ),
        ApiRoute::get(
            "/api/reviewer/previews/{publisher}/{offer}/assets/{name}",
            "getPreviewAsset",
            "A logo or screenshot of the preview.",
            get_preview_asset,
        ),
        ApiRoute::post(
            "/api/reviewer/previews/{publisher}/{offer}/test-deployments",
            "testDeployment",
            "Describe a test deployment of a SKU's disk version to a region (409 when a disk is not replicated there yet).",
            post_test_deployment,
        )
        .success("200")
        .body("TestDeploymentRequest"),
    ]
}

/// `GET /api/reviewer/previews`: the previews this principal may open (a reviewer: those
/// allow-listing its subscription id; a publisher: its own offers in preview).
async fn list_previews(
    State(state): State<AppState>,
    principal: Principal,
) -> ApiResult<Json<PreviewList>> {
    let mut rows = Vec::new();
    let whose = principal
        .subscriptions
        .iter()
        .map(|s| Whose::AllowListing(s))
        .chain(
            principal
                .memberships
                .iter()
                .map(|m| Whose::Of(&m.publisher_id)),
        );
    for w in whose {
        for r in catalogue::store::in_slot(&state.db, Slot::Preview, w).await? {
            let seen = rows
                .iter()
                .any(|x: &Package| x.publisher_id == r.publisher_id && x.offer_id == r.offer_id);
            if !seen && may_see(&principal, &r) {
                rows.push(r);
            }
        }
    }
    let regions = state.region_names();
    let items = rows
        .into_iter()
        .map(|r| PreviewSummary {
            version: u64::try_from(r.version).unwrap_or(0),
            title: r.entry.title,
            summary: r.entry.summary,
            regions: regions.clone(),
            available_since: from_ms(r.created_ms),
            publisher_id: r.publisher_id,
            offer_id: r.offer_id,
        })
        .collect();
    Ok(Json(PreviewList { items }))
}

/// `GET /api/reviewer/previews/{publisher}/{offer}`: the catalogue entry of the version in
/// preview.
async fn get_preview(
    State(state): State<AppState>,
    principal: Principal,
    path: OfferPath,
) -> ApiResult<Json<CatalogueEntry>> {
    Ok(Json(preview(&state, &principal, &path).await?.entry))
}

/// `GET /api/reviewer/previews/{publisher}/{offer}/page`: the static product page in preview.
async fn get_preview_page(
    State(state): State<AppState>,
    principal: Principal,
    path: OfferPath,
) -> ApiResult<Response> {
    let row = preview(&state, &principal, &path).await?;
    catalogue::page(&state, &row).await
}

/// `GET /api/reviewer/previews/{publisher}/{offer}/assets/{name}`.
async fn get_preview_asset(
    State(state): State<AppState>,
    principal: Principal,
    path: OfferPath,
    Path(params): Path<Vec<(String, String)>>,
) -> ApiResult<Response> {
    let row = preview(&state, &principal, &path).await?;
    catalogue::asset(&state, &row, &params).await
}

/// Whether a principal may open a preview: a reviewer whose subscription it allow-lists, or a
/// member of its publisher (a key limited to some offers: only theirs).
fn may_see(principal: &Principal, r: &Package) -> bool {
    principal.subscriptions.iter().any(|s| r.allows(s))
        || (principal.belongs_to(&r.publisher_id)
            && principal
                .offer_limit(&r.publisher_id)
                .is_none_or(|o| o.contains(&r.offer_id)))
}

/// The version in preview, when this principal may see it; 404 otherwise (the same answer
/// as for an offer that does not exist, so a reviewer learns nothing about other offers).
async fn preview(state: &AppState, principal: &Principal, path: &OfferPath) -> ApiResult<Package> {
    let (p, o) = (path.publisher.as_str(), path.offer.as_str());
    let row = catalogue::store::in_slot_of(&state.db, Slot::Preview, p, o).await?;
    row.filter(|r| may_see(principal, r)).ok_or_else(|| {
        ApiError::NotFound(format!(
            "No preview of offer `{o}` of publisher `{p}` is available to you."
        ))
    })
}

/// `POST /api/reviewer/previews/{publisher}/{offer}/test-deployments`: a test deployment of a
/// SKU's disk version to a region. Every disk of that version must be present and verified
/// (its manifest written after the checksum matched) in the region; the answer describes the
/// deployment: disk locations and sizes, the recommended VM size and the open ports.
async fn post_test_deployment(
    State(state): State<AppState>,
    principal: Principal,
    path: OfferPath,
    JsonBody(req): JsonBody<TestDeploymentRequest>,
) -> ApiResult<Json<TestDeployment>> {
    let row = preview(&state, &principal, &path).await?;
    let doc = offers::store::version(&state.db, &row.publisher_id, &row.offer_id, row.version)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the preview's version is missing"))?
        .document;
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
    for d in disks::of(&doc)
        .into_iter()
        .filter(|d| d.sku == req.sku_id && d.version == req.disk_version)
    {
        let key = d.key(&row.publisher_id, &row.offer_id);
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
