//! The JSON API under `/api`: one route table, gathered from the features, drives the router
//! and the OpenAPI document ([`crate::openapi`]); plus the `api-version` check, the envelope
//! fallbacks and the cache invalidation after writes.

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::handler::Handler;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use portal_domain::api::API_VERSION;

use crate::error::ApiError;
use crate::extract;
use crate::state::AppState;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone (health, the OpenAPI document, the public catalogue).
    Public,
    /// A signed-in principal: a bearer token; the handler's extractor decides what it may do.
    SignedIn,
}

/// One route of the API: what the router serves and what the OpenAPI document says of it.
#[derive(Debug)]
pub struct ApiRoute {
    /// `get`, `put`, `patch`, `post` or `delete`.
    pub method: &'static str,
    /// The full path, `/api/…`, with `{param}` segments.
    pub path: &'static str,
    /// The OpenAPI `operationId`.
    pub operation_id: &'static str,
    /// One line for the OpenAPI document.
    pub summary: &'static str,
    /// The status of a successful answer.
    pub success: &'static str,
    /// The schema of the request body, when there is one.
    pub body: Option<&'static str>,
    /// Who may call it.
    pub access: Access,
    /// Whether the OpenAPI document lists it (an alias such as a trailing slash is not).
    pub documented: bool,
    handler: MethodRouter<AppState>,
}

impl ApiRoute {
    fn new(
        method: &'static str,
        path: &'static str,
        operation_id: &'static str,
        summary: &'static str,
        handler: MethodRouter<AppState>,
    ) -> Self {
        Self {
            method,
            path,
            operation_id,
            summary,
            success: if method == "post" { "202" } else { "200" },
            body: None,
            access: Access::SignedIn,
            documented: true,
            handler,
        }
    }

    /// A `GET` route, for signed-in callers.
    pub fn get<H: Handler<T, AppState>, T: 'static>(
        path: &'static str,
        operation_id: &'static str,
        summary: &'static str,
        handler: H,
    ) -> Self {
        Self::new(
            "get",
            path,
            operation_id,
            summary,
            axum::routing::get(handler),
        )
    }

    /// A `PUT` route, for signed-in callers.
    pub fn put<H: Handler<T, AppState>, T: 'static>(
        path: &'static str,
        operation_id: &'static str,
        summary: &'static str,
        handler: H,
    ) -> Self {
        Self::new(
            "put",
            path,
            operation_id,
            summary,
            axum::routing::put(handler),
        )
    }

    /// A `PATCH` route, for signed-in callers.
    pub fn patch<H: Handler<T, AppState>, T: 'static>(
        path: &'static str,
        operation_id: &'static str,
        summary: &'static str,
        handler: H,
    ) -> Self {
        Self::new(
            "patch",
            path,
            operation_id,
            summary,
            axum::routing::patch(handler),
        )
    }

    /// A `DELETE` route (answering 204), for signed-in callers.
    pub fn delete<H: Handler<T, AppState>, T: 'static>(
        path: &'static str,
        operation_id: &'static str,
        summary: &'static str,
        handler: H,
    ) -> Self {
        Self::new(
            "delete",
            path,
            operation_id,
            summary,
            axum::routing::delete(handler),
        )
        .success("204")
    }

    /// A `POST` route (answering 202 unless [`Self::success`] says otherwise), for signed-in
    /// callers.
    pub fn post<H: Handler<T, AppState>, T: 'static>(
        path: &'static str,
        operation_id: &'static str,
        summary: &'static str,
        handler: H,
    ) -> Self {
        Self::new(
            "post",
            path,
            operation_id,
            summary,
            axum::routing::post(handler),
        )
    }

    /// Open to anyone.
    pub fn public(mut self) -> Self {
        self.access = Access::Public;
        self
    }

    /// The status of a successful answer.
    pub fn success(mut self, status: &'static str) -> Self {
        self.success = status;
        self
    }

    /// The schema of the request body.
    pub fn body(mut self, schema: &'static str) -> Self {
        self.body = Some(schema);
        self
    }

    /// Served, but not listed in the OpenAPI document.
    pub fn undocumented(mut self) -> Self {
        self.documented = false;
        self
    }
}

/// Every route of the API, feature by feature.
pub fn all() -> Vec<ApiRoute> {
    let own = vec![
        ApiRoute::get(
            "/api/health",
            "getHealth",
            "Liveness check (no authentication).",
            get_health,
        )
        .public(),
        ApiRoute::get(
            "/api/openapi.json",
            "getOpenapi",
            "This document.",
            crate::openapi::get_openapi,
        )
        .public(),
    ];
    [
        own,
        crate::offers::routes(),
        crate::publishing::routes(),
        crate::images::routes(),
        crate::notifications::routes(),
        crate::accounts::routes(),
        crate::audit::routes(),
        crate::reviewer::routes(),
        crate::catalogue::routes(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The `/api` router (to be nested at `/api`), built from [`all`].
pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for route in all() {
        let path = route.path.strip_prefix("/api").unwrap_or(route.path);
        // Routes of one path with different methods merge into one method router.
        router = router.route(path, route.handler);
    }
    router
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
async fn get_health() -> impl IntoResponse {
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
    use super::{all, offer_of_path};

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

    #[test]
    fn every_route_is_under_api_once_with_a_unique_operation_id() {
        let routes = all();
        let mut seen = std::collections::HashSet::new();
        let mut ids = std::collections::HashSet::new();
        for r in &routes {
            assert!(r.path.starts_with("/api/"), "{}", r.path);
            assert!(
                seen.insert((r.method, r.path)),
                "{} {} twice",
                r.method,
                r.path
            );
            if r.documented {
                assert!(ids.insert(r.operation_id), "{} twice", r.operation_id);
            }
        }
    }
}
