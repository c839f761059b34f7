//! [`ReplicateError`]: why provisioning stopped, and what the publisher or the operator should do.

use std::error::Error as StdError;
use std::io;

/// Who can fix a [`ReplicateError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Responsible {
    /// The publisher: the image or its URL.
    Publisher,
    /// The operator: a region's store.
    Operator,
}

/// Why replication failed. Every variant names the disk (its URL without the query string,
/// which holds the SAS signature, or its object key) and, where it applies, the region.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReplicateError {
    /// The image is no longer at its URL (404/410, host gone, connection refused).
    #[error("the image at {url} is gone: {detail}")]
    SourceVanished {
        /// The image URL without its query string.
        url: String,
        /// What was observed.
        detail: String,
    },
    /// The image changed during the copy (size, `ETag` or `Last-Modified` differ).
    #[error("the image at {url} changed while it was copied: {detail}")]
    SourceChanged {
        /// The image URL without its query string.
        url: String,
        /// What differs.
        detail: String,
    },
    /// The image server answered with an unexpected HTTP status.
    #[error("the image at {url} answered HTTP {status}")]
    SourceStatus {
        /// The image URL without its query string.
        url: String,
        /// The status code.
        status: u16,
    },
    /// The transfer from the image server failed (timeout, broken connection).
    #[error("reading the image at {url} failed: {detail}")]
    SourceFailed {
        /// The image URL without its query string.
        url: String,
        /// What failed.
        detail: String,
    },
    /// The image URL is not acceptable (scheme, syntax, redirects).
    #[error("the image URL {url} is not accepted: {reason}")]
    BadSourceUrl {
        /// The image URL without its query string.
        url: String,
        /// Why.
        reason: String,
    },
    /// The image host resolves to an address the policy forbids (private, loopback, …).
    #[error("the image host {host} of {url} resolves to {addr}, which is not a public address")]
    AddressRefused {
        /// The image URL without its query string.
        url: String,
        /// The host name.
        host: String,
        /// The refused address.
        addr: String,
    },
    /// The caller passed an object key that cannot be used.
    #[error("the object key {key:?} cannot be used: {reason}")]
    BadKey {
        /// The key.
        key: String,
        /// Why.
        reason: String,
    },
    /// A region's store has no space left.
    #[error("region {region} is out of space while writing {key}")]
    StorageFull {
        /// The region.
        region: String,
        /// The object being written.
        key: String,
    },
    /// What was read back (or read from an existing copy) does not hash to what was written.
    #[error(
        "the copy of {key} in region {region} does not match its checksum: expected {expected}, read {actual}"
    )]
    ChecksumMismatch {
        /// The region.
        region: String,
        /// The object.
        key: String,
        /// Checksum of the bytes written (`xxh3-128:<hex>`).
        expected: String,
        /// Checksum of the bytes read (`xxh3-128:<hex>`).
        actual: String,
    },
    /// A region's store failed (unreachable, credentials, I/O).
    #[error("region {region}: {action} {key} failed: {detail}")]
    Store {
        /// The region.
        region: String,
        /// The object.
        key: String,
        /// What was being done ("writing", "reading", …).
        action: &'static str,
        /// The store's error, with its causes.
        detail: String,
    },
    /// The runtime is shutting down under the copy; the step runs again after a restart.
    #[error("the copy was interrupted: {0}")]
    Interrupted(String),
}

impl ReplicateError {
    /// What to tell the person who can fix it: what happened and what to do next.
    pub fn message(&self) -> String {
        match self {
            Self::SourceVanished { url, detail } => format!(
                "The image at {url} is no longer there ({detail}). Upload it again, update the \
                 disk's URL if it changed, and press Publish again."
            ),
            Self::SourceChanged { url, detail } => format!(
                "The image at {url} changed while it was being copied ({detail}). Images must \
                 not change once published: make sure nothing writes to it, then press Publish \
                 again so it is certified and copied as it is now."
            ),
            Self::SourceStatus {
                url,
                status: 401 | 403,
            } => format!(
                "The image at {url} refused access (HTTP 403). The SAS URL has probably expired \
                 or lacks read permission: generate a new SAS URL with read and list permission \
                 valid for at least three weeks, save it, and press Publish again."
            ),
            Self::SourceStatus { url, status } => format!(
                "The image at {url} answered HTTP {status} instead of the image. Check that the \
                 URL still serves the image (open it with curl), then press Publish again."
            ),
            Self::SourceFailed { url, detail } => format!(
                "Reading the image at {url} failed ({detail}). This is usually temporary; the \
                 portal retries. If it persists, check that the storage account is reachable \
                 and press Publish again."
            ),
            Self::BadSourceUrl { url, reason } => format!(
                "The image URL {url} is not accepted: {reason}. Correct the disk's URL and press \
                 Publish again."
            ),
            Self::AddressRefused { url, host, addr } => format!(
                "The image URL {url} points to {host}, which resolves to {addr}: not a public \
                 address. Images must be served from a public storage URL (an Azure Blob SAS \
                 URL); correct the disk's URL and press Publish again."
            ),
            Self::BadKey { key, reason } => format!(
                "Internal error: the object key {key:?} cannot be used ({reason}). Open a \
                 support request."
            ),
            Self::StorageFull { region, key } => format!(
                "Region {region} is out of space (while writing {key}). Operator: free space or \
                 enlarge the region's storage; the unfinished copy is not marked complete and is \
                 overwritten on the next attempt. Then press Publish again."
            ),
            Self::ChecksumMismatch {
                region,
                key,
                expected,
                actual,
            } => format!(
                "The copy of {key} in region {region} is corrupt: its checksum is {actual}, \
                 expected {expected}. It is not marked complete. Operator: check the region's \
                 storage for faults; then press Publish again to copy it anew."
            ),
            Self::Store {
                region,
                key,
                action,
                detail,
            } => format!(
                "Region {region} failed while {action} {key}: {detail}. Operator: check that the \
                 region's store is reachable and its credentials valid; the portal retries."
            ),
            Self::Interrupted(detail) => format!(
                "The copy was interrupted ({detail}); it continues when the portal runs again."
            ),
        }
    }

    /// The image URL (without its query string) of an error about the image itself.
    pub fn source_url(&self) -> Option<&str> {
        match self {
            Self::SourceVanished { url, .. }
            | Self::SourceChanged { url, .. }
            | Self::SourceStatus { url, .. }
            | Self::SourceFailed { url, .. }
            | Self::BadSourceUrl { url, .. }
            | Self::AddressRefused { url, .. } => Some(url),
            _ => None,
        }
    }

    /// Who can fix it: the publisher (the image) or the operator (a region).
    pub fn responsible(&self) -> Responsible {
        match self {
            Self::SourceVanished { .. }
            | Self::SourceChanged { .. }
            | Self::SourceStatus { .. }
            | Self::SourceFailed { .. }
            | Self::BadSourceUrl { .. }
            | Self::AddressRefused { .. } => Responsible::Publisher,
            Self::BadKey { .. }
            | Self::StorageFull { .. }
            | Self::ChecksumMismatch { .. }
            | Self::Store { .. }
            | Self::Interrupted(_) => Responsible::Operator,
        }
    }

    /// Whether trying again later may succeed without anyone changing anything (network
    /// trouble, an unreachable store, server errors): the engine may retry the step instead of
    /// failing the operation.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::SourceFailed { .. } | Self::Store { .. } | Self::Interrupted(_) => true,
            Self::SourceStatus { status, .. } => *status == 429 || *status >= 500,
            _ => false,
        }
    }
}

/// Maps an `object_store` error of `region`/`key` to [`ReplicateError::StorageFull`] when any
/// cause is an out-of-space I/O error, else to [`ReplicateError::Store`].
pub(crate) fn store_error(
    region: &str,
    key: &str,
    action: &'static str,
    err: &object_store::Error,
) -> ReplicateError {
    if is_storage_full(err) {
        ReplicateError::StorageFull {
            region: region.to_owned(),
            key: key.to_owned(),
        }
    } else {
        ReplicateError::Store {
            region: region.to_owned(),
            key: key.to_owned(),
            action,
            detail: chain(err),
        }
    }
}

/// Whether `err` or any of its causes is an I/O error saying the disk or quota is full.
pub(crate) fn is_storage_full(err: &(dyn StdError + 'static)) -> bool {
    let mut cur: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(io) = e.downcast_ref::<io::Error>()
            && matches!(
                io.kind(),
                io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded
            )
        {
            return true;
        }
        cur = e.source();
    }
    false
}

pub(crate) use portal_net::chain;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_full_is_found_in_the_cause_chain() {
        let io = io::Error::from(io::ErrorKind::StorageFull);
        let err = object_store::Error::Generic {
            store: "test",
            source: Box::new(io),
        };
        assert!(is_storage_full(&err));
        assert!(matches!(
            store_error("eu", "k", "writing", &err),
            ReplicateError::StorageFull { .. }
        ));
        let enospc = io::Error::from_raw_os_error(28);
        assert!(is_storage_full(&enospc));
        let other = object_store::Error::Generic {
            store: "test",
            source: Box::new(io::Error::from(io::ErrorKind::PermissionDenied)),
        };
        assert!(!is_storage_full(&other));
    }

    #[test]
    fn a_403_tells_the_publisher_to_renew_the_sas_url() {
        let err = ReplicateError::SourceStatus {
            url: "https://a.blob.core.windows.net/c/os.vhd".into(),
            status: 403,
        };
        assert!(err.message().contains("SAS URL"));
        assert_eq!(err.responsible(), Responsible::Publisher);
        assert!(!err.is_transient());
    }
}
