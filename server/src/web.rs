//! Serves the built web app with SPA fallback to `index.html`, or a page explaining how to
//! build it when the directory is missing.

use std::convert::Infallible;
use std::path::Path;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use tower::{ServiceExt, service_fn};
use tower_http::services::{ServeDir, ServeFile};

const NOT_BUILT: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Partner Portal</title></head>\
<body><h1>Partner Portal</h1><p>The API is running at <a href=\"/api/health\">/api</a>, but the web app has not been built.</p>\
<p>Build it with <code>scripts/build-web.sh</code> in the repository root (it writes <code>dist/</code>), or start the server with \
<code>--web-dir DIR</code> pointing at a built copy.</p></body></html>";

/// The router for everything outside `/api`.
pub fn router(web_dir: &Path) -> Router {
    let app = if web_dir.join("index.html").is_file() {
        let index = ServeFile::new(web_dir.join("index.html"));
        // A path naming a file (`/app-…/chunk_7.wasm`) that is not there is a 404: a browser
        // asking for a page's code must not get the app's HTML in its place. Everything else
        // is a deep link into the app.
        let fallback = service_fn(move |req: Request| {
            let index = index.clone();
            async move {
                if names_a_file(req.uri().path()) {
                    Ok::<_, Infallible>(StatusCode::NOT_FOUND.into_response())
                } else {
                    Ok(index.oneshot(req).await.into_response())
                }
            }
        });
        // `F.br` / `F.gz` next to a file, when the build wrote them, are sent instead of
        // compressing on every request.
        let files = ServeDir::new(web_dir)
            .precompressed_br()
            .precompressed_gzip()
            .fallback(fallback);
        Router::new()
            .fallback_service(files)
            .layer(middleware::from_fn(cache_control))
    } else {
        Router::new().fallback(|| async { Html(NOT_BUILT) })
    };
    app.layer(middleware::from_fn(security_headers))
}

/// What the app may load, for its page and everything around it. Scripts come from the
/// portal only (`scripts/build-web.sh` writes no inline script) and may compile WebAssembly;
/// images may also come from any https host (the Editor previews and measures the
/// publisher's logos where they are) and from loopback http (a local install's images);
/// nothing may frame the portal. An offer's description is sanitized on the server before the
/// app shows it; this is the second line, should markup ever slip through.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; \
script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self' 'unsafe-inline'; \
img-src 'self' https: data: blob: http://localhost:* http://127.0.0.1:*; \
connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// The app's security headers: the policy above, no content-type sniffing, and no referrer
/// to other sites (the portal's addresses carry offer ids).
async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    res
}

/// Whether the last segment of `path` has an extension, as files do and the app's routes
/// (offer and publisher ids: letters, digits and dashes) do not.
fn names_a_file(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'))
}

/// Files of a build never change: they live in the build's own directory `app-<16 hex>/`
/// (`scripts/build-web.sh`), or carry the hash in their name (`app-<16 hex>.wasm`, as
/// `trunk build` writes them). They are cached for a year, immutable. Everything else
/// (`index.html`, deep links) is revalidated on every load, so a new build is picked up at once.
async fn cache_control(req: Request, next: Next) -> Response {
    let hashed = is_hashed_asset(req.uri().path());
    let mut res = next.run(req).await;
    let value = if hashed && res.status().is_success() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    res
}

/// Whether `path` is in a build directory `/name-<16 hex>/…`, or its last segment is
/// `name-<16 hex>[_bg].ext`.
fn is_hashed_asset(path: &str) -> bool {
    let has_hash = |name: &str| {
        name.rsplit_once('-').is_some_and(|(_, hash)| {
            hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit())
        })
    };
    let mut segments = path.trim_start_matches('/').split('/');
    let first = segments.next().unwrap_or("");
    if segments.next().is_some() {
        return has_hash(first);
    }
    let Some((stem, _ext)) = first.rsplit_once('.') else {
        return false;
    };
    has_hash(stem.strip_suffix("_bg").unwrap_or(stem))
}

#[cfg(test)]
mod tests {
    use super::{is_hashed_asset, names_a_file};

    #[test]
    fn hashed_build_files_are_recognized() {
        for yes in [
            "/partner-portal-19a91d1e38a522d2_bg.wasm",
            "/partner-portal-19a91d1e38a522d2.js",
            "/main-93a670c0bd0fe3bb.css",
            "/app-19a91d1e38a522d2/partner-portal_bg.wasm",
            "/app-19a91d1e38a522d2/chunk_7.wasm",
        ] {
            assert!(is_hashed_asset(yes), "{yes}");
        }
        for no in [
            "/",
            "/index.html",
            "/favicon.svg",
            "/offers/contoso/o1/editor",
            "/app-notahexhashxxxx.js",
            "/app-19a91d1e.js",
            "/app-19a91d1e/chunk_7.wasm",
            "/catalogue/contoso/contoso-analytics",
        ] {
            assert!(!is_hashed_asset(no), "{no}");
        }
    }

    #[test]
    fn files_are_told_from_the_apps_routes() {
        for file in [
            "/favicon.svg",
            "/app-19a91d1e38a522d2/chunk_7.wasm",
            "/x.js",
        ] {
            assert!(names_a_file(file), "{file}");
        }
        for route in [
            "/",
            "/offers/contoso-vm/editor",
            "/catalogue/contoso/o1",
            "/signin",
        ] {
            assert!(!names_a_file(route), "{route}");
        }
    }
}
