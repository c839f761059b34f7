//! Test helpers: an image server on a random loopback port that counts what it serves, local
//! regions in a temporary directory, and a faulty store wrapper for the storage layer.

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use futures::StreamExt as _;
use futures::stream::BoxStream;
use object_store::path::Path;
use object_store::{
    GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta, ObjectStore,
    PutMultipartOptions, PutOptions, PutPayload, PutResult, UploadPart,
};
use portal_replicate::AddressPolicy;
use portal_replicate::{Progress, Region, ReplicateOptions};
use sha2::{Digest, Sha256};
use tokio::sync::watch;

/// Deterministic pseudo-random bytes.
pub fn image(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// SHA-256 of the file at `path`, read in bounded chunks.
pub fn sha256_file(path: &std::path::Path) -> String {
    let mut hash = Sha256::new();
    io::copy(&mut std::fs::File::open(path).unwrap(), &mut hash).unwrap();
    hex::encode(hash.finalize())
}

/// When the served image changes its validators, to simulate a rewrite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeAfter {
    Never,
    /// After answering the first HEAD.
    FirstHead,
    /// After answering a GET.
    Get,
}

/// What a path serves.
#[derive(Debug, Clone)]
enum Content {
    Bytes(Bytes),
    /// A file read as it is sent, so a large sparse image never sits in memory.
    File(std::path::PathBuf),
}

impl Content {
    fn len(&self) -> u64 {
        match self {
            Self::Bytes(b) => b.len() as u64,
            Self::File(f) => std::fs::metadata(f).unwrap().len(),
        }
    }

    fn body(self) -> Body {
        match self {
            Self::Bytes(b) => Body::from(b),
            Self::File(path) => {
                use std::os::unix::fs::FileExt as _;

                const CHUNK: u64 = 1024 * 1024;
                let file = std::fs::File::open(&path).unwrap();
                let len = file.metadata().unwrap().len();
                let chunks =
                    futures::stream::iter((0..len).step_by(CHUNK as usize)).map(move |at| {
                        let mut buf = vec![0; CHUNK.min(len - at) as usize];
                        file.read_exact_at(&mut buf, at).map(|()| Bytes::from(buf))
                    });
                Body::from_stream(chunks)
            }
        }
    }
}

#[derive(Debug, Clone)]
struct Served {
    body: Content,
    version: u32,
    change: ChangeAfter,
    redirect: Option<String>,
}

#[derive(Debug, Default)]
struct ServerState {
    files: Mutex<HashMap<String, Served>>,
    heads: AtomicU64,
    gets: AtomicU64,
    body_bytes: AtomicU64,
}

/// An image server on 127.0.0.1 with a random port.
#[derive(Debug, Clone)]
pub struct ImageServer {
    pub addr: SocketAddr,
    state: Arc<ServerState>,
}

impl ImageServer {
    pub async fn start() -> Self {
        let state = Arc::new(ServerState::default());
        let app = Router::new()
            .route("/{*path}", axum::routing::any(serve))
            .with_state(Arc::clone(&state));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { addr, state }
    }

    /// Serves `body` at `/path`.
    pub fn add(&self, path: &str, body: Vec<u8>, change: ChangeAfter) {
        self.state.files.lock().unwrap().insert(
            path.to_owned(),
            Served {
                body: Content::Bytes(body.into()),
                version: 1,
                change,
                redirect: None,
            },
        );
    }

    /// Serves the file at `file` at `/path`, read as it is sent.
    pub fn add_file(&self, path: &str, file: &std::path::Path) {
        self.state.files.lock().unwrap().insert(
            path.to_owned(),
            Served {
                body: Content::File(file.to_owned()),
                version: 1,
                change: ChangeAfter::Never,
                redirect: None,
            },
        );
    }

    /// Answers `/path` with a 302 to `to`.
    pub fn redirect(&self, path: &str, to: &str) {
        self.state.files.lock().unwrap().insert(
            path.to_owned(),
            Served {
                body: Content::Bytes(Bytes::new()),
                version: 1,
                change: ChangeAfter::Never,
                redirect: Some(to.to_owned()),
            },
        );
    }

    /// The SAS-like URL of `/path` (its query is a secret that must never show).
    pub fn url(&self, path: &str) -> String {
        format!("http://{}/{path}?sv=2019&sig=secret-signature", self.addr)
    }

    pub fn gets(&self) -> u64 {
        self.state.gets.load(Ordering::SeqCst)
    }

    pub fn heads(&self) -> u64 {
        self.state.heads.load(Ordering::SeqCst)
    }

    pub fn body_bytes(&self) -> u64 {
        self.state.body_bytes.load(Ordering::SeqCst)
    }
}

async fn serve(
    State(state): State<Arc<ServerState>>,
    method: Method,
    UrlPath(path): UrlPath<String>,
) -> Response {
    let served = {
        let mut files = state.files.lock().unwrap();
        let Some(f) = files.get_mut(&path) else {
            return status(StatusCode::NOT_FOUND);
        };
        let now = f.clone();
        let changes = match method {
            Method::HEAD => f.change == ChangeAfter::FirstHead && f.version == 1,
            Method::GET => f.change == ChangeAfter::Get,
            _ => false,
        };
        if changes {
            f.version += 1;
        }
        now
    };
    if let Some(to) = served.redirect {
        return Response::builder()
            .status(StatusCode::FOUND)
            .header(header::LOCATION, to)
            .body(Body::empty())
            .unwrap();
    }
    let len = served.body.len();
    let body = if method == Method::GET {
        state.gets.fetch_add(1, Ordering::SeqCst);
        state.body_bytes.fetch_add(len, Ordering::SeqCst);
        served.body.body()
    } else {
        state.heads.fetch_add(1, Ordering::SeqCst);
        Body::empty()
    };
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_LENGTH, len.into());
    headers.insert(
        header::ETAG,
        format!("\"v{}\"", served.version).parse().unwrap(),
    );
    headers.insert(
        header::LAST_MODIFIED,
        format!("Mon, 0{} Jun 2025 10:00:00 GMT", served.version)
            .parse()
            .unwrap(),
    );
    let mut resp = Response::new(body);
    *resp.headers_mut() = headers;
    resp
}

fn status(code: StatusCode) -> Response {
    Response::builder()
        .status(code)
        .body(Body::empty())
        .unwrap()
}

/// Options for tests: loopback and http allowed, 1 MiB parts so that images span several.
pub fn options() -> ReplicateOptions {
    let mut opts = ReplicateOptions {
        part_size: 1024 * 1024,
        parts_in_flight: 2,
        ..ReplicateOptions::default()
    };
    opts.source.allow_http = true;
    opts.source.address = AddressPolicy {
        allow_private: true,
        also_allow: None,
    };
    opts
}

/// Local regions `a`, `b`, `c`… in a temporary directory.
pub struct Regions {
    pub dir: tempfile::TempDir,
}

impl Regions {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn region(&self, name: &str) -> Region {
        Region::local(name, &self.dir.path().join(name)).unwrap()
    }

    pub fn regions(&self, names: &[&str]) -> Vec<Region> {
        names.iter().map(|n| self.region(n)).collect()
    }

    pub fn file(&self, region: &str, key: &str) -> std::path::PathBuf {
        self.dir.path().join(region).join(key)
    }

    pub fn read(&self, region: &str, key: &str) -> Option<Vec<u8>> {
        std::fs::read(self.file(region, key)).ok()
    }

    pub fn manifest(&self, region: &str, key: &str) -> Option<serde_json::Value> {
        let text = self.read(region, &format!("{key}.manifest.json"))?;
        Some(serde_json::from_slice(&text).unwrap())
    }
}

/// Collects every progress value published, until the sender is dropped.
pub fn collect_progress() -> (
    watch::Sender<Progress>,
    tokio::task::JoinHandle<Vec<Progress>>,
) {
    let (tx, mut rx) = watch::channel(Progress::default());
    let task = tokio::spawn(async move {
        let mut seen = Vec::new();
        while rx.changed().await.is_ok() {
            seen.push(rx.borrow_and_update().clone());
        }
        seen
    });
    (tx, task)
}

/// What a [`Faulty`] store does wrong.
#[derive(Debug, Clone, Copy)]
pub enum Fault {
    /// Flips one byte of the first part written.
    Corrupt,
    /// Fails every part with "no space left".
    Full,
}

/// A store that passes everything to `inner`, except that uploads suffer `fault`.
#[derive(Debug)]
pub struct Faulty {
    pub inner: Arc<dyn ObjectStore>,
    pub fault: Fault,
}

impl fmt::Display for Faulty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Faulty({})", self.inner)
    }
}

#[async_trait]
impl ObjectStore for Faulty {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> object_store::Result<PutResult> {
        self.inner.put_opts(location, payload, opts).await
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> object_store::Result<Box<dyn MultipartUpload>> {
        let inner = self.inner.put_multipart_opts(location, opts).await?;
        Ok(Box::new(FaultyUpload {
            inner,
            fault: self.fault,
            parts: 0,
        }))
    }

    async fn get_opts(
        &self,
        location: &Path,
        options: GetOptions,
    ) -> object_store::Result<GetResult> {
        self.inner.get_opts(location, options).await
    }

    async fn delete(&self, location: &Path) -> object_store::Result<()> {
        self.inner.delete(location).await
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, object_store::Result<ObjectMeta>> {
        self.inner.list(prefix)
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> object_store::Result<ListResult> {
        self.inner.list_with_delimiter(prefix).await
    }

    async fn copy(&self, from: &Path, to: &Path) -> object_store::Result<()> {
        self.inner.copy(from, to).await
    }

    async fn copy_if_not_exists(&self, from: &Path, to: &Path) -> object_store::Result<()> {
        self.inner.copy_if_not_exists(from, to).await
    }
}

#[derive(Debug)]
struct FaultyUpload {
    inner: Box<dyn MultipartUpload>,
    fault: Fault,
    parts: u32,
}

#[async_trait]
impl MultipartUpload for FaultyUpload {
    fn put_part(&mut self, data: PutPayload) -> UploadPart {
        self.parts += 1;
        match self.fault {
            Fault::Corrupt if self.parts == 1 => {
                let mut bytes: Vec<u8> = data.iter().flat_map(|b| b.iter().copied()).collect();
                bytes[0] ^= 0xff;
                self.inner.put_part(PutPayload::from(bytes))
            }
            Fault::Corrupt => self.inner.put_part(data),
            Fault::Full => Box::pin(async {
                Err(object_store::Error::Generic {
                    store: "Faulty",
                    source: Box::new(io::Error::from(io::ErrorKind::StorageFull)),
                })
            }),
        }
    }

    async fn complete(&mut self) -> object_store::Result<PutResult> {
        self.inner.complete().await
    }

    async fn abort(&mut self) -> object_store::Result<()> {
        self.inner.abort().await
    }
}
