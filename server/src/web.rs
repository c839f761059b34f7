//! Serves the built web app with SPA fallback to `index.html`, or a page explaining how to
//! build it when the directory is missing.

use std::path::Path;

use axum::Router;
use axum::response::Html;
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
        Router::new().fallback_service(files)
    } else {
        Router::new().fallback(|| async { Html(NOT_BUILT) })
    }
}
