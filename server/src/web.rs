//! Serves the built web app with SPA fallback to `index.html`, or a page explaining how to
//! build it when the directory is missing.

use std::path::Path;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{Html, Response};
use tower_http::services::{ServeDir, ServeFile};

const NOT_BUILT: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Partner Portal</title></head>\
<body><h1>Partner Portal</h1><p>The API is running at <a href=\"/api/health\">/api</a>, but the web app has not been built.</p>\
<p>Build it with <code>trunk build --release</code> in the repository root (it writes <code>dist/</code>), or start the server with \
<code>--web-dir DIR</code> pointing at a built copy.</p></body></html>";

/// The router for everything outside `/api`.
pub fn router(web_dir: &Path) -> Router {
    if web_dir.join("index.html").is_file() {
        let index = ServeFile::new(web_dir.join("index.html"));
        // `F.br` / `F.gz` next to a file, when the build wrote them, are sent instead of
        // compressing on every request.
        let files = ServeDir::new(web_dir)
            .precompressed_br()
            .precompressed_gzip()
            .fallback(index);
        Router::new()
            .fallback_service(files)
            .layer(middleware::from_fn(cache_control))
    } else {
        Router::new().fallback(|| async { Html(NOT_BUILT) })
    }
}

/// Files whose names carry the build's content hash (`app-<16 hex>.wasm`) never change: a
/// year, immutable. Everything else (`index.html`, deep links) is revalidated on every load,
/// so a new build is picked up at once.
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

/// Whether the last segment of `path` is `name-<16 hex digits>[_bg].ext`, as Trunk names the
/// bundle's files.
fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or("");
    let Some((stem, _ext)) = file.rsplit_once('.') else {
        return false;
    };
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::is_hashed_asset;

    #[test]
    fn trunks_hashed_file_names_are_recognized() {
        for yes in [
            "/partner-portal-19a91d1e38a522d2_bg.wasm",
            "/partner-portal-19a91d1e38a522d2.js",
            "/main-93a670c0bd0fe3bb.css",
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
        ] {
            assert!(!is_hashed_asset(no), "{no}");
        }
    }
}
