//! Test fixtures: fixed VHD images built without root (sparse raw file, MBR written here,
//! `mkfs.ext4 -d` at an offset, footer appended here) and HTTP servers on 127.0.0.1:0.

#![allow(
    dead_code,
    reason = "each test binary uses a different part of the fixtures"
)]

use std::fs::{self, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use portal_vhd::footer::build_fixed_footer;
use portal_vhd::{AddressPolicy, DiskReport};
use portal_vhd::{CertifyOptions, HttpOptions, SizeLimits, TestId, Verdict};

pub const MIB: u64 = 1024 * 1024;
pub const GIB: u64 = 1024 * MIB;

/// `mkfs.ext4`, or `None` with a printed note (install `e2fsprogs`).
pub fn mkfs() -> Option<PathBuf> {
    static FOUND: OnceLock<Option<PathBuf>> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
                .map(|p| std::env::split_paths(&p).collect())
                .unwrap_or_default();
            dirs.extend(["/usr/sbin", "/sbin", "/usr/local/sbin"].map(PathBuf::from));
            let found = dirs.into_iter().map(|d| d.join("mkfs.ext4")).find(|p| p.is_file());
            if found.is_none() {
                eprintln!("NOTE: mkfs.ext4 not found; ext4 image tests are skipped. Install e2fsprogs (apt-get install e2fsprogs).");
            }
            found
        })
        .clone()
}

/// What a partition holds.
#[derive(Debug, Clone)]
pub enum Content {
    Empty,
    /// An ext4 filesystem made from this directory.
    Ext4(PathBuf),
    /// Raw bytes written at the partition start.
    Bytes(Vec<u8>),
}

#[derive(Debug, Clone)]
pub struct Part {
    pub kind: u8,
    pub start_lba: u64,
    pub sectors: u64,
    pub content: Content,
}

impl Part {
    /// A partition from `start_mib` to the end of a disk of `disk` bytes.
    pub fn rest(kind: u8, start_mib: u64, disk: u64, content: Content) -> Self {
        Self {
            kind,
            start_lba: start_mib * 2048,
            sectors: disk / 512 - start_mib * 2048,
            content,
        }
    }
    pub fn mib(kind: u8, start_mib: u64, len_mib: u64, content: Content) -> Self {
        Self {
            kind,
            start_lba: start_mib * 2048,
            sectors: len_mib * 2048,
            content,
        }
    }
}

/// Layout of the raw disk.
#[derive(Debug, Clone)]
pub enum Table {
    None,
    Mbr(Vec<Part>),
    /// A protective MBR (type 0xEE) only.
    Gpt,
}

/// Writes `raw` (sparse, `size` bytes) with `table`, then the partition contents.
pub fn build_raw(raw: &Path, size: u64, table: &Table) {
    let f = OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .open(raw)
        .unwrap();
    f.set_len(size).unwrap();
    drop(f);
    let mut mbr = [0u8; 512];
    let parts: Vec<Part> = match table {
        Table::None => Vec::new(),
        Table::Gpt => vec![Part {
            kind: 0xEE,
            start_lba: 1,
            sectors: size / 512 - 1,
            content: Content::Empty,
        }],
        Table::Mbr(p) => p.clone(),
    };
    if !matches!(table, Table::None) {
        for (i, p) in parts.iter().enumerate() {
            let e = &mut mbr[446 + 16 * i..446 + 16 * (i + 1)];
            e[0] = if i == 0 { 0x80 } else { 0 };
            e[1..4].copy_from_slice(&[0xfe, 0xff, 0xff]);
            e[4] = p.kind;
            e[5..8].copy_from_slice(&[0xfe, 0xff, 0xff]);
            e[8..12].copy_from_slice(&u32::try_from(p.start_lba).unwrap().to_le_bytes());
            e[12..16].copy_from_slice(&u32::try_from(p.sectors).unwrap().to_le_bytes());
        }
        mbr[510] = 0x55;
        mbr[511] = 0xAA;
        write_at(raw, 0, &mbr);
    }
    for p in &parts {
        match &p.content {
            Content::Empty => {}
            Content::Bytes(b) => write_at(raw, p.start_lba * 512, b),
            Content::Ext4(dir) => {
                let mkfs = mkfs().expect("mkfs.ext4");
                let out = Command::new(mkfs)
                    .args(["-q", "-F", "-b", "4096", "-E"])
                    .arg(format!("offset={}", p.start_lba * 512))
                    .arg("-d")
                    .arg(dir)
                    .arg(raw)
                    .arg(format!("{}k", p.sectors / 2))
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "mkfs.ext4: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
    }
}

pub fn write_at(path: &Path, offset: u64, bytes: &[u8]) {
    let mut f = OpenOptions::new().write(true).open(path).unwrap();
    f.seek(SeekFrom::Start(offset)).unwrap();
    f.write_all(bytes).unwrap();
}

/// Appends a valid fixed-VHD footer for the file's current length.
pub fn append_footer(raw: &Path) {
    let len = fs::metadata(raw).unwrap().len();
    let mut f = OpenOptions::new().append(true).open(raw).unwrap();
    f.write_all(&build_fixed_footer(len)).unwrap();
}

/// A root filesystem tree that passes every Linux test; tests mutate it.
pub fn good_rootfs(dir: &Path) {
    let files: &[(&str, &str)] = &[
        ("etc/os-release", "ID=testlinux\n"),
        (
            "etc/waagent.conf",
            "Provisioning.Enabled=y\nResourceDisk.EnableSwap=y\n",
        ),
        (
            "etc/default/grub",
            "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"\"\nGRUB_CMDLINE_LINUX=\"console=ttyS0 earlyprintk=ttyS0 rootdelay=300\"\n",
        ),
        (
            "etc/fstab",
            "# <fs> <mount> <type>\nLABEL=cloudimg-rootfs / ext4 defaults 0 1\n",
        ),
        (
            "etc/ssh/sshd_config",
            "Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin no\nClientAliveInterval 180\n",
        ),
        (
            "etc/ssh/sshd_config.d/10-other.conf",
            "PasswordAuthentication no\n",
        ),
        ("root/.bash_history", "ls\n"),
        ("home/alice/.bash_history", "exit\n"),
        ("usr/sbin/placeholder", ""),
    ];
    for (path, text) in files {
        put(dir, path, text);
    }
}

pub fn put(dir: &Path, path: &str, text: &str) {
    let full = dir.join(path);
    fs::create_dir_all(full.parent().unwrap()).unwrap();
    fs::write(full, text).unwrap();
}

/// Builds `name.vhd` in `dir` from a prepared layout.
pub fn build_vhd(dir: &Path, name: &str, size: u64, table: &Table) -> PathBuf {
    let path = dir.join(format!("{name}.vhd"));
    build_raw(&path, size, table);
    append_footer(&path);
    path
}

/// A one-partition Linux image with a rootfs tweaked by `tweak`.
pub fn linux_vhd(dir: &Path, name: &str, size: u64, tweak: impl FnOnce(&Path)) -> PathBuf {
    let root = dir.join(format!("{name}-rootfs"));
    good_rootfs(&root);
    tweak(&root);
    build_vhd(
        dir,
        name,
        size,
        &Table::Mbr(vec![Part::rest(0x83, 1, size, Content::Ext4(root))]),
    )
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
