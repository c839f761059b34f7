//! The public catalogue (`/api/catalogue`, no sign-in): the live versions' catalogue entries
//! and static product pages that the Packaging step wrote ([`store`] records them). The
//! reviewer's previews ([`crate::reviewer`]) serve the same packages, so a preview is exactly
//! what goes live.

pub mod store;

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use object_store::path::Path as StorePath;
use portal_domain::catalogue::CatalogueEntry;
use serde_json::Value;

use crate::error::{ApiError, ApiResult};
use crate::extract::OfferPath;
use crate::offers::Slot;
use crate::routes::ApiRoute;
use crate::state::AppState;

/// A packaged version: its catalogue entry and where its page and assets are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// Publisher namespace.
    pub publisher_id: String,
    /// Offer id.
    pub offer_id: String,
    /// The version packaged.
    pub version: i64,
    /// The catalogue entry.
    pub entry: CatalogueEntry,
    /// Key prefix of the page and its assets in the site store (`contoso/vm/v3/`).
    pub prefix: String,
    /// The version's preview subscription ids, lower case.
    pub allowed_subscriptions: Vec<String>,
    /// When it was packaged.
    pub created_ms: i64,
}

impl Package {
    /// Whether the preview is allow-listed for this subscription id (lower case).
    pub fn allows(&self, subscription: &str) -> bool {
        self.allowed_subscriptions.iter().any(|s| s == subscription)
    }
}

/// Whose packages [`store::in_slot`] lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whose<'a> {
    /// Every publisher's.
    All,
    /// Those whose preview allow-list holds this subscription id (lower case).
    AllowListing(&'a str),
    /// One publisher's.
    Of(&'a str),
}

/// The routes of this feature.
pub fn routes() -> Vec<ApiRoute> {
    vec![
        ApiRoute::get(
            "/api/catalogue",
            "listCatalogue",
            "Live offers' catalogue entries (public).",
            list_catalogue,
        )
        .public(),
        ApiRoute::get(
            "/api/catalogue/{publisher}/{offer}",
            "getCatalogueEntry",
            "A live offer's catalogue entry (public).",
            get_catalogue_entry,
        )
        .public(),
        ApiRoute::get(
            "/api/catalogue/{publisher}/{offer}/page",
            "getCataloguePage",
            "A live offer's static product page (public).",
            get_catalogue_page,
        )
        .public(),
        ApiRoute::get(
            "/api/catalogue/{publisher}/{offer}/assets/{name}",
            "getCatalogueAsset",
            "A live offer's logo or screenshot (public).",
            get_catalogue_asset,
        )
        .public(),
    ]
}

/// `GET /api/catalogue`: every live offer's catalogue entry, newest first.
async fn list_catalogue(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let rows = store::in_slot(&state.db, Slot::Production, Whose::All).await?;
    let items: Vec<&CatalogueEntry> = rows.iter().map(|r| &r.entry).collect();
    Ok(Json(serde_json::json!({ "items": items })))
}

/// `GET /api/catalogue/{publisher}/{offer}`: a live offer's catalogue entry.
async fn get_catalogue_entry(
    State(state): State<AppState>,
    path: OfferPath,
) -> ApiResult<Json<CatalogueEntry>> {
    Ok(Json(live(&state, &path).await?.entry))
}

/// `GET /api/catalogue/{publisher}/{offer}/page`: a live offer's static product page.
async fn get_catalogue_page(State(state): State<AppState>, path: OfferPath) -> ApiResult<Response> {
    let row = live(&state, &path).await?;
    page(&state, &row).await
}

/// `GET /api/catalogue/{publisher}/{offer}/assets/{name}`: a live offer's logo or screenshot.
async fn get_catalogue_asset(
    State(state): State<AppState>,
    path: OfferPath,
    Path(params): Path<Vec<(String, String)>>,
) -> ApiResult<Response> {
    let row = live(&state, &path).await?;
    asset(&state, &row, &params).await
}

async fn live(state: &AppState, path: &OfferPath) -> ApiResult<Package> {
    let (p, o) = (path.publisher.as_str(), path.offer.as_str());
    store::in_slot_of(&state.db, Slot::Production, p, o)
        .await?
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "No live offer `{o}` of publisher `{p}` in the catalogue."
            ))
        })
}

/// The static product page of a package.
pub(crate) async fn page(state: &AppState, row: &Package) -> ApiResult<Response> {
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

/// A logo or screenshot of a package, by the `name` path parameter.
pub(crate) async fn asset(
    state: &AppState,
    row: &Package,
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
