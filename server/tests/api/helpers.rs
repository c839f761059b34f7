//! `api_test!`: every API test runs twice, on SQLite and on PostgreSQL, each time with a
//! fresh database of its own; `TestApp`: starts the server in-process and offers a typed
//! client; `VhdServer`: a tiny image host with range support (and broken variants).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use portal_domain::OfferDocument;
use portal_server::db::Db;
use portal_server::{Server, ServerConfig};
use portal_vhd::testimage::missing;
use reqwest::{Method, RequestBuilder, Response};
use serde_json::Value;

pub const V: &str = "api-version=2017-10-31";

/// Runs the async test function `NAME` on both databases, as the tests `NAME::sqlite` and
/// `NAME::postgres` (a module and a function may share a name). Both compare against the same
/// snapshots, so their answers must be the same. A function never named here is dead code,
/// which the lints refuse.
macro_rules! api_test {
    ($name:ident) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                $crate::helpers::on($crate::helpers::Backend::Sqlite, super::$name()).await
            }

            #[tokio::test]
            async fn postgres() {
                $crate::helpers::on($crate::helpers::Backend::Postgres, super::$name()).await
            }
        }
    };
}

/// The database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file in the test's temporary directory.
    Sqlite,
    /// A new database on the PostgreSQL server of `PORTAL_TEST_DATABASE_URL`.
    Postgres,
}

tokio::task_local! {
    static BACKEND: Backend;
}

/// The PostgreSQL server the tests create their databases on.
fn postgres_admin_url() -> Option<String> {
    std::env::var("PORTAL_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// Runs a test body with every [`TestDb`] it makes on `backend`. Without a PostgreSQL
/// server the PostgreSQL run is a failure under CI and a reported skip elsewhere.
pub async fn on(backend: Backend, test: impl std::future::Future<Output = ()>) {
    if backend == Backend::Postgres && postgres_admin_url().is_none() {
        missing(
            "PostgreSQL",
            "set PORTAL_TEST_DATABASE_URL=postgres://user@host:port/db; scripts/test.sh uses one answering on 127.0.0.1:5432",
        );
        return;
    }
    let mut snapshots = insta::Settings::clone_current();
    // One snapshot per assertion name, shared by both databases' runs.
    snapshots.set_prepend_module_to_snapshot(false);
    snapshots.bind_async(BACKEND.scope(backend, test)).await;
}

/// A fresh database: a SQLite file in a temporary directory, or a new PostgreSQL database.
pub struct TestDb {
    pub url: String,
    pub dir: tempfile::TempDir,
    /// `(admin URL, database name)` of a PostgreSQL database to drop afterwards.
    pub pg: Option<(String, String)>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin, name)) = self.pg.take() else {
            return;
        };
        // Best effort, on its own thread and runtime: the test's runtime is shutting down.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            rt.block_on(async {
                use sqlx::Connection;
                let mut conn = sqlx::AnyConnection::connect(&admin).await?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn)
                    .await?;
                Ok::<_, anyhow::Error>(())
            })
        })
        .join();
    }
}

impl TestDb {
    /// A fresh database on the backend of the running [`api_test!`].
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let backend = BACKEND
            .try_with(|b| *b)
            .expect("TestDb::new outside api_test!: which database?");
        match backend {
            Backend::Postgres => {
                let admin = postgres_admin_url().expect("checked by `on`");
                let (url, name) = create_pg_database(&admin).await;
                Self {
                    url,
                    dir,
                    pg: Some((admin, name)),
                }
            }
            Backend::Sqlite => {
                let url = format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("portal.db").display()
                );
                Self { url, dir, pg: None }
            }
        }
    }
}

async fn create_pg_database(admin: &str) -> (String, String) {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::AnyConnection::connect(admin)
        .await
        .expect("admin connection");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create database");
    let mut url = url::Url::parse(admin).expect("admin url");
    url.set_path(&format!("/{name}"));
    (url.to_string(), name)
}

/// A server configuration for tests: its site store and three regions live in `dir`.
pub fn config(url: &str, dir: &std::path::Path) -> ServerConfig {
    ServerConfig {
        listen: "127.0.0.1:0".parse().expect("addr"),
        database_url: url.to_owned().into(),
        demo: false,
        allow_private_network: true,
        min_step: Duration::ZERO,
        web_dir: "does-not-exist".into(),
        lease: Duration::from_secs(10),
        workers: 2,
        // Only the demo writes there; the demo test sets its own.
        data_dir: std::env::temp_dir().join("portal-server-tests-data"),
        site_store: dir.join("site").display().to_string(),
        // No replication unless a test asks for regions (each copy is a 1 GiB image).
        regions: String::new(),
        smtp_url: None,
        smtp_from: "Partner Portal <portal@localhost>".into(),
        smtp_first_retry: Duration::from_millis(20),
        public_url: None,
        session_idle: Duration::from_secs(8 * 3600),
        session_max: Duration::from_secs(7 * 24 * 3600),
    }
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub token: String,
    pub client: reqwest::Client,
    /// The server's database, for looking behind the API.
    pub store: Db,
    pub db: TestDb,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(change: impl FnOnce(&mut ServerConfig)) -> Self {
        let db = TestDb::new().await;
        let mut cfg = config(&db.url, db.dir.path());
        change(&mut cfg);
        let server = Server::build(cfg).await.expect("server");
        let store = server.db();
        let addr = server.addr;
        tokio::spawn(server.run());
        let token = portal_server::accounts::create_token(
            &store,
            &portal_server::accounts::TokenFor::Publisher("contoso".into()),
            Some("tests"),
        )
        .await
        .expect("token");
        Self {
            addr,
            token,
            client: reqwest::Client::new(),
            store,
            db,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A request with the bearer token.
    pub fn req(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(&self.token)
    }

    pub fn offer_path(offer: &str) -> String {
        format!("/api/publishers/contoso/offers/{offer}")
    }

    pub async fn put_offer(&self, offer: &str, doc: &Value, if_match: Option<&str>) -> Response {
        let mut r = self
            .req(Method::PUT, &format!("{}?{V}", Self::offer_path(offer)))
            .json(doc);
        if let Some(tag) = if_match {
            r = r.header("If-Match", tag);
        }
        r.send().await.expect("put")
    }

    pub async fn get_offer(&self, offer: &str) -> Response {
        self.req(Method::GET, &format!("{}?{V}", Self::offer_path(offer)))
            .send()
            .await
            .expect("get")
    }

    pub async fn publish(&self, offer: &str, emails: &str) -> Response {
        self.req(
            Method::POST,
            &format!("{}/publish?{V}", Self::offer_path(offer)),
        )
        .json(&serde_json::json!({"metadata": {"notification-emails": emails}}))
        .send()
        .await
        .expect("publish")
    }

    pub async fn post(&self, offer: &str, action: &str) -> Response {
        self.req(
            Method::POST,
            &format!("{}/{action}?{V}", Self::offer_path(offer)),
        )
        .send()
        .await
        .expect("post")
    }

    pub async fn get_json(&self, path: &str) -> (StatusCode, Value) {
        let res = self.req(Method::GET, path).send().await.expect("get");
        let status = StatusCode::from_u16(res.status().as_u16()).expect("status");
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn status(&self, offer: &str) -> Value {
        let (code, body) = self
            .get_json(&format!("{}/status?{V}", Self::offer_path(offer)))
            .await;
        assert_eq!(code, StatusCode::OK, "{body}");
        body
    }

    /// Polls the status until `done` holds, failing after `secs`.
    pub async fn wait_status(
        &self,
        offer: &str,
        secs: u64,
        done: impl Fn(&Value) -> bool,
    ) -> Value {
        wait_for(&self.url(""), &self.token, offer, secs, done).await
    }

    /// Creates `offer` from `doc`, publishes it, and waits until it is at sign-off or failed.
    pub async fn publish_until_settled(&self, offer: &str, doc: &Value) -> Value {
        assert_eq!(self.put_offer(offer, doc, None).await.status(), 201);
        assert_eq!(self.publish(offer, "a@x.com").await.status(), 202);
        self.wait_status(offer, 120, |v| {
            matches!(offer_status(v), "waitingForPublisherReview" | "failed")
        })
        .await
    }

    /// Creates a complete offer whose images are served by `vhds` under `prefix`.
    pub async fn create_offer(&self, offer: &str, vhds: &VhdServer, prefix: &str) -> Value {
        let doc = vhds.offer(offer, prefix);
        let res = self.put_offer(offer, &doc, None).await;
        assert_eq!(res.status(), 201);
        res.json().await.expect("json")
    }
}

/// Creates `offer` from `doc` and publishes it on a server at `base` (one started as its own
/// process), asserting 201 and 202.
pub async fn put_and_publish(base: &str, token: &str, offer: &str, doc: &Value) {
    let client = reqwest::Client::new();
    let path = format!("{base}/api/publishers/contoso/offers/{offer}");
    let put = client
        .put(format!("{path}?{V}"))
        .bearer_auth(token)
        .json(doc)
        .send()
        .await
        .expect("put");
    assert_eq!(put.status(), 201);
    let res = client
        .post(format!("{path}/publish?{V}"))
        .bearer_auth(token)
        .json(&serde_json::json!({"metadata": {"notification-emails": "a@x.com"}}))
        .send()
        .await
        .expect("publish");
    assert_eq!(res.status(), 202);
}

/// Polls the status of an offer on a server at `base` until `done` holds.
pub async fn wait_for(
    base: &str,
    token: &str,
    offer: &str,
    secs: u64,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut last = Value::Null;
    while Instant::now() < deadline {
        let url = format!("{base}/api/publishers/contoso/offers/{offer}/status?{V}");
        if let Ok(res) = client.get(url).bearer_auth(token).send().await
            && let Ok(v) = res.json::<Value>().await
        {
            if done(&v) {
                return v;
            }
            last = v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("condition not reached within {secs}s; last status: {last}");
}

pub fn offer_status(v: &Value) -> &str {
    v["status"].as_str().unwrap_or("")
}

/// The images the test hosts serve, built once per test process with `portal_vhd::testimage`
/// (`None` when `mkfs.ext4` is missing, reported by [`missing`] for each test that needs them): `{root}/ok/vhds/` holds a
/// passing Linux OS disk and a data disk under the names the sample offer uses,
/// `{root}/bad/vhds/` a failing OS disk (no agent, `ClientAliveInterval 600`) and the data disk.
pub fn image_root() -> Option<&'static std::path::Path> {
    use portal_vhd::testimage::{self, GIB, MIB};
    static ROOT: OnceLock<Option<PathBuf>> = OnceLock::new();
    let root = ROOT.get_or_init(|| {
        testimage::mkfs()?;
        let root = std::env::temp_dir().join(format!("portal-server-tests-{}", std::process::id()));
        let work = root.join("work");
        std::fs::create_dir_all(&work).unwrap();
        let pass = testimage::passing_linux_vhd(&work, "pass", GIB).unwrap();
        let fail = testimage::failing_linux_vhd(&work, "fail", GIB).unwrap();
        let data = testimage::data_vhd(&work, "data", 32 * MIB).unwrap();
        for (dir, os) in [("ok", &pass), ("bad", &fail)] {
            let vhds = root.join(dir).join("vhds");
            std::fs::create_dir_all(&vhds).unwrap();
            std::fs::hard_link(os, vhds.join("standard-1.0.0-os.vhd")).unwrap();
            std::fs::hard_link(&data, vhds.join("standard-1.0.0-data0.vhd")).unwrap();
        }
        Some(root)
    });
    if root.is_none() {
        missing("mkfs.ext4", "install e2fsprogs (apt-get install e2fsprogs)");
    }
    root.as_deref()
}

/// What an image host was asked.
#[derive(Debug, Default)]
pub struct Requests {
    /// GETs with a `Range` header.
    pub ranged: AtomicU64,
    /// HEADs.
    pub head: AtomicU64,
    /// GETs of a whole image (no `Range`): replication's downloads.
    pub full: AtomicU64,
}

/// An image host: `/ok/…` and `/bad/…` serve the built images (see [`image_root`]) with
/// range support, `/missing/…` answers 404, `/norange/…` ignores ranges, `/badsize/…`
/// reports a size that is not a fixed VHD. Counts its requests.
pub struct VhdServer {
    pub base: String,
    pub requests: Arc<Requests>,
}

impl VhdServer {
    /// A host on 127.0.0.1:0, or `None` without `mkfs.ext4` (reported: the caller returns,
    /// and under CI the test has already failed).
    pub async fn spawn() -> Option<Self> {
        async fn missing() -> StatusCode {
            StatusCode::NOT_FOUND
        }
        async fn norange() -> axum::response::Response {
            (StatusCode::OK, vec![0u8; 2048]).into_response()
        }
        async fn badsize() -> axum::response::Response {
            (
                StatusCode::PARTIAL_CONTENT,
                [("content-range", "bytes 0-511/1000")],
                vec![0u8; 512],
            )
                .into_response()
        }
        let root = image_root()?;
        let requests = Arc::new(Requests::default());
        let counted = Arc::clone(&requests);
        let app = Router::new()
            .route("/missing/vhds/{name}", get(missing))
            .route("/norange/vhds/{name}", get(norange))
            .route("/badsize/vhds/{name}", get(badsize))
            .route(
                "/{prefix}/assets/{name}",
                get(|Path((_, name)): Path<(String, String)>| {
                    portal_server::demo::get_asset(Path(name))
                }),
            )
            .fallback_service(tower_http::services::ServeDir::new(root))
            .layer(axum::middleware::from_fn(
                move |req: axum::extract::Request, next: axum::middleware::Next| {
                    if req.method() == Method::HEAD {
                        counted.head.fetch_add(1, Ordering::SeqCst);
                    } else if req.headers().contains_key("range") {
                        counted.ranged.fetch_add(1, Ordering::SeqCst);
                    } else if req.uri().path().ends_with(".vhd") {
                        counted.full.fetch_add(1, Ordering::SeqCst);
                    }
                    next.run(req)
                },
            ));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        Some(Self {
            base: format!("http://{addr}"),
            requests,
        })
    }

    /// Ranged GETs served so far.
    pub fn ranged(&self) -> u64 {
        self.requests.ranged.load(Ordering::SeqCst)
    }

    /// HEADs served so far.
    pub fn heads(&self) -> u64 {
        self.requests.head.load(Ordering::SeqCst)
    }

    /// Whole-image GETs served so far.
    pub fn full_gets(&self) -> u64 {
        self.requests.full.load(Ordering::SeqCst)
    }

    /// A complete offer document whose images are under `{base}/{prefix}/vhds/`.
    pub fn offer(&self, offer: &str, prefix: &str) -> Value {
        let sas = portal_server::demo::sas_query(time::OffsetDateTime::now_utc());
        let doc: OfferDocument =
            portal_server::demo::offer_with_images(offer, &format!("{}/{prefix}", self.base), &sas);
        serde_json::to_value(doc).expect("doc")
    }
}
