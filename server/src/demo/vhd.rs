//! The demo's sample images, served under `/demo/vhds/` with HTTP range support so
//! certification reads them like Azure Blob storage.
//!
//! At start the demo builds real images into `{data dir}/demo-vhds/` (once; they are kept):
//! a Linux OS disk that passes every test, one that fails two (no Azure Linux agent, sshd
//! `ClientAliveInterval 600`) and a data disk. Building needs `mkfs.ext4` (e2fsprogs); without
//! it the demo falls back to footer-only images generated in memory (zeros and a 512-byte
//! fixed-VHD footer), which fail certification's size and layout tests.

use std::path::{Path as FsPath, PathBuf};

use axum::Router;
use axum::body::Body;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

const MIB: u64 = 1024 * 1024;

/// The 512-byte footer of a fixed VHD of `size` bytes of data.
pub fn footer(size: u64) -> [u8; 512] {
    let mut f = [0u8; 512];
    f[0..8].copy_from_slice(b"conectix");
    f[8..12].copy_from_slice(&2u32.to_be_bytes()); // features
    f[12..16].copy_from_slice(&0x0001_0000u32.to_be_bytes()); // format version
    f[16..24].copy_from_slice(&u64::MAX.to_be_bytes()); // data offset: none (fixed)
    f[28..32].copy_from_slice(b"ppor"); // creator application
    f[32..36].copy_from_slice(&0x0001_0000u32.to_be_bytes());
    f[36..40].copy_from_slice(b"Wi2k");
    f[40..48].copy_from_slice(&size.to_be_bytes()); // original size
    f[48..56].copy_from_slice(&size.to_be_bytes()); // current size
    let sectors = size / 512;
    let (cyl, heads, spt) = (
        u16::try_from(sectors / (16 * 63)).unwrap_or(u16::MAX),
        16u8,
        63u8,
    );
    f[56..58].copy_from_slice(&cyl.to_be_bytes());
    f[58] = heads;
    f[59] = spt;
    f[60..64].copy_from_slice(&2u32.to_be_bytes()); // disk type: fixed
    f[68..84].copy_from_slice(&[0x5a; 16]); // unique id
    let sum: u32 = f.iter().map(|b| u32::from(*b)).sum();
    f[64..68].copy_from_slice(&(!sum).to_be_bytes());
    f
}

/// A fixed VHD of `mib` MiB, as served bytes.
#[derive(Debug, Clone)]
pub struct FixedVhd {
    size: u64,
    footer: [u8; 512],
}

impl FixedVhd {
    /// A disk of `mib` MiB.
    pub fn new(mib: u64) -> Self {
        let size = mib * MIB;
        Self {
            size,
            footer: footer(size),
        }
    }

    /// Total file length (data plus footer).
    pub fn len(&self) -> u64 {
        self.size + 512
    }

    /// Never empty.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Bytes `start..=end`.
    pub fn bytes(&self, start: u64, end: u64) -> Vec<u8> {
        (start..=end)
            .map(|i| {
                if i < self.size {
                    0
                } else {
                    self.footer[usize::try_from(i - self.size).unwrap_or(0)]
                }
            })
            .collect()
    }

    /// Answers a GET with or without a `Range: bytes=a-b` header.
    pub fn respond(&self, headers: &HeaderMap) -> Response {
        let len = self.len();
        let range = headers
            .get(header::RANGE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("bytes="))
            .and_then(|v| v.split_once('-'))
            .and_then(|(a, b)| {
                let start: u64 = a.parse().ok()?;
                let end: u64 = if b.is_empty() {
                    len - 1
                } else {
                    b.parse().ok()?
                };
                (start <= end && start < len).then_some((start, end.min(len - 1)))
            });
        let Some((start, end)) = range else {
            if headers.contains_key(header::RANGE) {
                let mut res = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
                if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
                    res.headers_mut().insert(header::CONTENT_RANGE, v);
                }
                return res;
            }
            return (StatusCode::OK, Body::from(self.bytes(0, len - 1))).into_response();
        };
        let mut res = (
            StatusCode::PARTIAL_CONTENT,
            Body::from(self.bytes(start, end)),
        )
            .into_response();
        if let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{end}/{len}")) {
            res.headers_mut().insert(header::CONTENT_RANGE, v);
        }
        res.headers_mut()
            .insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
        res
    }
}

async fn get_vhd(Path(name): Path<String>, headers: HeaderMap) -> Response {
    if !name.ends_with(".vhd") {
        return StatusCode::NOT_FOUND.into_response();
    }
    FixedVhd::new(1).respond(&headers)
}

/// The passing Linux OS disk.
pub const PASSING_OS: &str = "linux-pass.vhd";
/// The Linux OS disk that fails `linux.agent` and `linux.ssh_client_alive`.
pub const FAILING_OS: &str = "linux-fail.vhd";
/// The data disk.
pub const DATA_DISK: &str = "data-disk.vhd";

/// Virtual size of the demo OS disks (the smallest Linux OS disk allowed); sparse on disk.
pub const OS_SIZE: u64 = 1024 * MIB;
/// Virtual size of the demo data disk.
pub const DATA_SIZE: u64 = 32 * MIB;

/// Where the demo's images come from.
#[derive(Debug, Clone)]
pub enum DemoImages {
    /// Real images built with `mkfs.ext4`, served from this directory.
    Built(PathBuf),
    /// Footer-only images generated in memory, and why.
    InMemory(String),
}

impl DemoImages {
    /// Builds the real images into `{data_dir}/demo-vhds/` unless they are there already;
    /// falls back to in-memory images (with the reason) when that is not possible.
    pub fn prepare(data_dir: &FsPath) -> Self {
        let dir = data_dir.join("demo-vhds");
        match build_all(&dir) {
            Ok(()) => Self::Built(dir),
            Err(e) => Self::InMemory(e.to_string()),
        }
    }

    /// The file of a demo image, when real images are built.
    pub fn path(&self, name: &str) -> Option<PathBuf> {
        match self {
            Self::Built(dir) => Some(dir.join(name)),
            Self::InMemory(_) => None,
        }
    }

    /// A line for the start-up output.
    pub fn describe(&self) -> String {
        match self {
            Self::Built(dir) => format!(
                "Demo images: {PASSING_OS} (passes certification), {FAILING_OS} (fails it) and {DATA_DISK} in {}",
                dir.display()
            ),
            Self::InMemory(why) => format!(
                "WARNING: the demo's sample images could not be built ({why}); install e2fsprogs \
                 (mkfs.ext4) for real images. Serving footer-only images instead: they fail \
                 certification."
            ),
        }
    }

    /// `/demo/vhds/…`: the built files (with ranges), or an in-memory image for every name.
    pub fn router(&self) -> Router {
        let images = match self {
            Self::Built(dir) => Router::new().nest_service(
                "/demo/vhds",
                tower_http::services::ServeDir::new(dir.clone()),
            ),
            Self::InMemory(_) => Router::new().route("/demo/vhds/{name}", get(get_vhd)),
        };
        images.route("/demo/assets/{name}", get(super::get_asset))
    }
}

fn build_all(dir: &FsPath) -> std::io::Result<()> {
    use portal_vhd::testimage;
    if portal_vhd::testimage::mkfs().is_none() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "mkfs.ext4 not found",
        ));
    }
    std::fs::create_dir_all(dir)?;
    let work = dir.join("build");
    type Build = fn(&FsPath, &str, u64) -> std::io::Result<PathBuf>;
    let images: [(&str, u64, Build); 3] = [
        (PASSING_OS, OS_SIZE, testimage::passing_linux_vhd),
        (FAILING_OS, OS_SIZE, testimage::failing_linux_vhd),
        (DATA_DISK, DATA_SIZE, testimage::data_vhd),
    ];
    for (name, size, build) in images {
        let target = dir.join(name);
        if target.is_file() {
            continue;
        }
        std::fs::create_dir_all(&work)?;
        let stem = name.trim_end_matches(".vhd");
        let built = build(&work, stem, size)?;
        // Renamed into place only when complete: a crash mid-build leaves no broken image.
        std::fs::rename(built, target)?;
    }
    if work.exists() {
        std::fs::remove_dir_all(&work)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn footer_checksum_is_ones_complement_of_the_byte_sum() {
        let mut f = footer(MIB);
        let stored = u32::from_be_bytes([f[64], f[65], f[66], f[67]]);
        f[64..68].copy_from_slice(&[0; 4]);
        let sum: u32 = f.iter().map(|b| u32::from(*b)).sum();
        assert_eq!(stored, !sum);
        assert_eq!(&f[0..8], b"conectix");
        assert_eq!(u32::from_be_bytes([f[60], f[61], f[62], f[63]]), 2);
    }
}
