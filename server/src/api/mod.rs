//! The JSON API under `/api`: routes, the `api-version` check and the envelope fallbacks.

pub mod catalogue;
pub mod extract;
pub mod image_checks;
pub mod notifications;
pub mod offers;
pub mod openapi;
pub mod operations;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use portal_domain::api::API_VERSION;

use crate::error::ApiError;
use crate::state::AppState;

/// Every route of the API as `(method, path)`, the list the OpenAPI document is checked
/// against.
pub const ROUTES: &[(&str, &str)] = &[
    ("get", "/api/health"),
    ("get", "/api/openapi.json"),
    ("get", "/api/publishers/{publisher}/offers"),
    ("get", "/api/publishers/{publisher}/offers/{offer}"),
    ("put", "/api/publishers/{publisher}/offers/{offer}"),
    (
        "get",
        "/api/publishers/{publisher}/offers/{offer}/versions/{version}",
    ),
    (
        "get",
        "/api/publishers/{publisher}/offers/{offer}/slot/{slot}",
    ),
    ("post", "/api/publishers/{publisher}/offers/{offer}/publish"),
    ("post", "/api/publishers/{publisher}/offers/{offer}/golive"),
    ("post", "/api/publishers/{publisher}/offers/{offer}/cancel"),
    ("get", "/api/publishers/{publisher}/offers/{offer}/status"),
    (
        "get",
        "/api/publishers/{publisher}/offers/{offer}/submissions",
    ),
    (
        "get",
        "/api/publishers/{publisher}/offers/{offer}/operations/{operation}",
    ),
    ("get", "/api/publishers/{publisher}/offers/{offer}/events"),
    (
        "post",
        "/api/publishers/{publisher}/offers/{offer}/image-checks",
    ),
    ("get", "/api/publishers/{publisher}/notifications"),
    ("get", "/api/me"),
    ("get", "/api/reviewer/previews"),
    ("get", "/api/reviewer/previews/{publisher}/{offer}"),
    ("get", "/api/reviewer/previews/{publisher}/{offer}/page"),
    (
        "get",
        "/api/reviewer/previews/{publisher}/{offer}/assets/{name}",
    ),
    (
        "post",
        "/api/reviewer/previews/{publisher}/{offer}/test-deployments",
    ),
    ("get", "/api/catalogue"),
    ("get", "/api/catalogue/{publisher}/{offer}"),
    ("get", "/api/catalogue/{publisher}/{offer}/page"),
    ("get", "/api/catalogue/{publisher}/{offer}/assets/{name}"),
];

/// The `/api` router (to be nested at `/api`).
pub fn router(state: AppState) -> Router {
    let offer = "/publishers/{publisher}/offers/{offer}";
    Router::new()
        .route("/health", get(get_health))
        .route("/openapi.json", get(openapi::get_openapi))
        .route("/publishers/{publisher}/offers", get(offers::list_offers))
        .route(offer, get(offers::get_offer).put(offers::put_offer))
        .route(
            &format!("{offer}/versions/{{version}}"),
            get(offers::get_offer_version),
        )
        .route(
            &format!("{offer}/slot/{{slot}}"),
            get(offers::get_offer_slot),
        )
        .route(&format!("{offer}/publish"), post(operations::publish_offer))
        .route(&format!("{offer}/golive"), post(operations::go_live))
        .route(&format!("{offer}/cancel"), post(operations::cancel_publish))
        .route(&format!("{offer}/status"), get(operations::get_status))
        .route(
            &format!("{offer}/submissions"),
            get(operations::list_submissions),
        )
        .route(
            &format!("{offer}/submissions/"),
            get(operations::list_submissions),
        )
        .route(
            &format!("{offer}/operations/{{operation}}"),
            get(operations::get_operation),
        )
        .route(
            &format!("{offer}/events"),
            get(operations::stream_offer_events),
        )
        .route(
            &format!("{offer}/image-checks"),
            post(image_checks::check_image_now),
        )
        .route(
            "/publishers/{publisher}/notifications",
            get(notifications::list_notifications),
        )
        .route("/me", get(catalogue::get_me))
        .route("/reviewer/previews", get(catalogue::list_previews))
        .route(
            "/reviewer/previews/{publisher}/{offer}",
            get(catalogue::get_preview),
        )
        .route(
            "/reviewer/previews/{publisher}/{offer}/page",
            get(catalogue::get_preview_page),
        )
        .route(
            "/reviewer/previews/{publisher}/{offer}/assets/{name}",
            get(catalogue::get_preview_asset),
        )
        .route(
            "/reviewer/previews/{publisher}/{offer}/test-deployments",
            post(catalogue::post_test_deployment),
        )
        .route("/catalogue", get(catalogue::list_catalogue))
        .route(
            "/catalogue/{publisher}/{offer}",
            get(catalogue::get_catalogue_entry),
        )
        .route(
            "/catalogue/{publisher}/{offer}/page",
            get(catalogue::get_catalogue_page),
        )
        .route(
            "/catalogue/{publisher}/{offer}/assets/{name}",
            get(catalogue::get_catalogue_asset),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(extract::BODY_LIMIT))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            invalidate_status_after_writes,
        ))
        .layer(middleware::from_fn(check_api_version))
        .with_state(state)
}

/// `GET /api/health`: no authentication.
pub async fn get_health() -> impl IntoResponse {
    axum::Json(serde_json::json!({"status": "ok", "apiVersion": API_VERSION}))
}

async fn not_found() -> ApiError {
    ApiError::NotFound("No such API resource.".into())
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// After a successful write to an offer (PUT, publish, go live, cancel), drops its cached
/// status answers and its publisher's list so the next read shows the change.
async fn invalidate_status_after_writes(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let write = !matches!(
        *req.method(),
        axum::http::Method::GET | axum::http::Method::HEAD
    );
    let target = write.then(|| offer_of_path(req.uri().path())).flatten();
    let response = next.run(req).await;
    if let Some((publisher, offer)) = target
        && response.status().is_success()
    {
        state.answers.invalidate(&publisher, &offer);
    }
    response
}

/// `(publisher, offer)` of a path `…/publishers/{p}/offers/{o}[/…]`.
fn offer_of_path(path: &str) -> Option<(String, String)> {
    let mut segments = path.split('/').skip_while(|s| *s != "publishers").skip(1);
    let publisher = segments.next()?;
    (segments.next()? == "offers").then_some(())?;
    let offer = segments.next()?;
    Some((publisher.to_owned(), offer.to_owned()))
}

/// Refuses any `api-version` other than the supported one (absent is accepted).
async fn check_api_version(req: Request, next: Next) -> Response {
    let query = req.uri().query().unwrap_or("");
    let bad = url::form_urlencoded::parse(query.as_bytes())
        .any(|(k, v)| k == "api-version" && v != API_VERSION);
    if bad {
        return ApiError::InvalidApiVersion.into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::offer_of_path;

    #[test]
    fn offer_paths_are_recognized() {
        let pair = |p: &str, o: &str| Some((p.to_owned(), o.to_owned()));
        assert_eq!(
            offer_of_path("/publishers/contoso/offers/vm"),
            pair("contoso", "vm")
        );
        assert_eq!(
            offer_of_path("/api/publishers/contoso/offers/vm/publish"),
            pair("contoso", "vm")
        );
        assert_eq!(offer_of_path("/publishers/contoso/notifications"), None);
        assert_eq!(offer_of_path("/health"), None);
    }
}
