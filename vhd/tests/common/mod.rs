//! Test fixtures: fixed VHD images built without root (`portal_vhd::testimage`: sparse raw
//! file, MBR, `mkfs.ext4 -d` at an offset, footer), HTTP servers on 127.0.0.1:0, and
//! [`missing`], the one way a test reports a prerequisite the machine lacks.

#![allow(
    dead_code,
    reason = "each test binary uses a different part of the fixtures"
)]

use std::fs;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use portal_vhd::testimage;
#[allow(
    unused_imports,
    reason = "each test binary uses a different part of the fixtures"
)]
pub use portal_vhd::testimage::{Content, GIB, MIB, Part, Table};
use portal_vhd::{AddressPolicy, DiskReport};
use portal_vhd::{CertifyOptions, HttpOptions, SizeLimits, TestId, Verdict};

pub use portal_vhd::testimage::missing;

/// `mkfs.ext4`, or `None` once reported [`missing`] (the caller returns: the test is skipped).
#[track_caller]
pub fn mkfs() -> Option<PathBuf> {
    let found = testimage::mkfs();
    if found.is_none() {
        missing("mkfs.ext4", "install e2fsprogs (apt-get install e2fsprogs)");
    }
    found
}

// Thin panicking wrappers over `portal_vhd::testimage` (a failed build is a failed test).

/// Writes `raw` (sparse, `size` bytes) with `table`, then the partition contents.
pub fn build_raw(raw: &Path, size: u64, table: &Table) {
    testimage::build_raw(raw, size, table).unwrap();
}

pub fn write_at(path: &Path, offset: u64, bytes: &[u8]) {
    testimage::write_at(path, offset, bytes).unwrap();
}

/// Appends a valid fixed-VHD footer for the file's current length.
pub fn append_footer(raw: &Path) {
    testimage::append_footer(raw).unwrap();
}

/// A root filesystem tree that passes every Linux test; tests mutate it.
pub fn good_rootfs(dir: &Path) {
    testimage::good_rootfs(dir).unwrap();
}

pub fn put(dir: &Path, path: &str, text: &str) {
    testimage::put(dir, path, text).unwrap();
}

/// Builds `name.vhd` in `dir` from a prepared layout.
pub fn build_vhd(dir: &Path, name: &str, size: u64, table: &Table) -> PathBuf {
    testimage::build_vhd(dir, name, size, table).unwrap()
}

/// A one-partition Linux image with a rootfs tweaked by `tweak`.
pub fn linux_vhd(dir: &Path, name: &str, size: u64, tweak: impl FnOnce(&Path)) -> PathBuf {
    testimage::linux_vhd(dir, name, size, |root| {
        tweak(root);
        Ok(())
    })
    .unwrap()
}

/// Options for the loopback test server: plain HTTP and loopback allowed, no SAS, small disks.
pub fn options() -> CertifyOptions {
    CertifyOptions {
        limits: SizeLimits {
            linux_os_min: 20 * MIB,
            windows_os_min: 20 * MIB,
            ..SizeLimits::default()
        },
        http: HttpOptions {
            address: AddressPolicy {
                allow_private: true,
                also_allow: None,
            },
            allow_http: true,
            timeout: Duration::from_secs(2),
            ..HttpOptions::default()
        },
        require_sas: false,
    }
}

/// The shared test server: `/files/*` (ServeDir over `root()`), `/ignore/*` (answers 200 with
/// a large body, ignoring Range), `/stall/*` (never answers), `/loop/*` (redirects to itself),
/// `/redirect/*` (307 to `/files/*`), `/toftp/*` (302 to an ftp:// URL).
pub struct Server {
    pub addr: SocketAddr,
    pub root: PathBuf,
}

pub fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("portal-vhd-tests-{}", std::process::id()));
        fs::create_dir_all(&root).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let serve_root = root.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                use axum::Router;
                use axum::http::{StatusCode, header};
                use axum::response::IntoResponse;
                use axum::routing::get;
                use axum::serve::ListenerExt;
                let app = Router::new()
                    .nest_service("/files", tower_http::services::ServeDir::new(serve_root))
                    .route(
                        "/ignore/{name}",
                        get(|| async { (StatusCode::OK, vec![0u8; 32 * 1024 * 1024]) }),
                    )
                    .route(
                        "/stall/{name}",
                        get(|| async {
                            tokio::time::sleep(Duration::from_secs(3600)).await;
                            StatusCode::OK
                        }),
                    )
                    .route(
                        "/redirect/{*path}",
                        get(
                            |axum::extract::Path(path): axum::extract::Path<String>| async move {
                                (
                                    StatusCode::TEMPORARY_REDIRECT,
                                    [(header::LOCATION, format!("/files/{path}"))],
                                )
                                    .into_response()
                            },
                        ),
                    )
                    .route(
                        "/toftp/{name}",
                        get(|| async {
                            (
                                StatusCode::FOUND,
                                [(header::LOCATION, "ftp://127.0.0.1/disk.vhd")],
                            )
                                .into_response()
                        }),
                    )
                    .route(
                        "/loop/{name}",
                        get(
                            |axum::extract::Path(name): axum::extract::Path<String>| async move {
                                (
                                    StatusCode::FOUND,
                                    [(header::LOCATION, format!("/loop/{name}"))],
                                )
                                    .into_response()
                            },
                        ),
                    );
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(listener.local_addr().unwrap()).unwrap();
                let listener = listener.tap_io(|tcp| {
                    let _ = tcp.set_nodelay(true);
                });
                axum::serve(listener, app).await.unwrap();
            });
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("test server started");
        Server { addr, root }
    })
}

impl Server {
    /// A fresh directory under the served root, and its URL prefix.
    pub fn dir(&self, name: &str) -> (PathBuf, String) {
        let d = self.root.join(name);
        fs::create_dir_all(&d).unwrap();
        (d, format!("http://{}/files/{name}", self.addr))
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

/// Asserts the exact verdict of every test: `fails` fail, `not_run` did not run, the rest pass.
#[track_caller]
pub fn assert_verdicts(
    report: &DiskReport,
    expected_ids: &[TestId],
    fails: &[TestId],
    not_run: &[TestId],
) {
    let ids: Vec<TestId> = report.tests.iter().map(|t| t.id).collect();
    for id in expected_ids {
        assert!(ids.contains(id), "missing test {id:?} in {report:#?}");
    }
    assert_eq!(
        ids.len(),
        expected_ids.len(),
        "unexpected tests in {report:#?}"
    );
    for t in &report.tests {
        let want = if fails.contains(&t.id) {
            Verdict::Fail
        } else if not_run.contains(&t.id) {
            Verdict::NotRun
        } else {
            Verdict::Pass
        };
        assert_eq!(
            t.verdict, want,
            "{:?}: {} — full report {report:#?}",
            t.id, t.message
        );
    }
}
