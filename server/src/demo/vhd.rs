//! Sample fixed VHD images generated in memory: zeros followed by a 512-byte footer (cookie
//! `conectix`, disk type 2 = fixed, current size N MiB, valid checksum), served with HTTP
//! range support so certification can read them like Azure Blob storage.

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

/// `/demo/vhds/{name}.vhd`: a 1 MiB fixed VHD for every name.
pub fn router() -> Router {
    Router::new().route("/demo/vhds/{name}", get(get_vhd))
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
