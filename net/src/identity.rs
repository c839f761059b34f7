//! [`ImageIdentity`]: one version of a remote image, told by a `HEAD` without reading it.

use reqwest::header::{CONTENT_LENGTH, ETAG, HeaderMap, HeaderName, LAST_MODIFIED};
use serde::{Deserialize, Serialize};

/// What identifies one version of an image without reading it: its size and the validators
/// the server sends (Azure Blob storage sends both `ETag` and `Last-Modified`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageIdentity {
    /// Size in bytes (`Content-Length` of a HEAD).
    pub size: u64,
    /// `ETag`, if sent.
    pub etag: Option<String>,
    /// `Last-Modified`, if sent.
    pub last_modified: Option<String>,
}

impl ImageIdentity {
    /// True when there is a validator besides the size, so an unchanged identity means an
    /// unchanged image.
    pub fn has_validator(&self) -> bool {
        self.etag.is_some() || self.last_modified.is_some()
    }

    /// The identity an answer's headers give: `size`, with its `ETag` and `Last-Modified`.
    pub fn from_headers(headers: &HeaderMap, size: u64) -> Self {
        Self {
            size,
            etag: header(headers, ETAG),
            last_modified: header(headers, LAST_MODIFIED),
        }
    }

    /// The identity of a `HEAD` answer; `None` without a usable `Content-Length`.
    pub fn of_head(headers: &HeaderMap) -> Option<Self> {
        let size = content_length(headers)?;
        Some(Self::from_headers(headers, size))
    }
}

/// The `Content-Length` of an answer, if it has a valid one.
pub fn content_length(headers: &HeaderMap) -> Option<u64> {
    header(headers, CONTENT_LENGTH).and_then(|v| v.trim().parse().ok())
}

/// A header as text, if present and visible ASCII.
pub fn header(headers: &HeaderMap, name: HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}
