//! The baseline for API benchmarks: a bare axum handler answering a file's bytes from memory,
//! with no database, authentication or serialization. `docs/benchmarks.md` compares
//! `GET status` and the offers list against it.
//!
//! Usage: `bare ADDR FILE` (for example `bare 127.0.0.1:9090 status.json`).

use axum::Router;
use axum::body::Bytes;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:9090".into());
    let file = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: bare ADDR FILE"))?;
    let body = Bytes::from(std::fs::read(&file)?);
    let app = Router::new().fallback(get(move || {
        let body = body.clone();
        async move { ([(header::CONTENT_TYPE, "application/json")], body).into_response() }
    }));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("bare handler serving {file} on http://{addr}");
    axum::serve(listener, app).await?;
    Ok(())
}
