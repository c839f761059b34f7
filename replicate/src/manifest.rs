//! The manifest written next to each finished, verified copy (`<key>.manifest.json`). Its
//! presence is what "finished" means: it is written last, so an interrupted copy has none.

use object_store::path::Path;
use object_store::{ObjectStore, PutPayload};
use portal_net::ImageIdentity;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::{ReplicateError, store_error};
use crate::region::Region;

/// What is known of a finished copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// The object key.
    pub key: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the object, lower-case hex.
    pub sha256: String,
    /// XXH3-128 of the object, lower-case hex: what copies made from this one and read-backs
    /// are checked against.
    pub xxh3: String,
    /// The image URL it was copied from, without the query string.
    pub source_url: String,
    /// The image's identity when it was copied.
    pub source: ImageIdentity,
    /// When the copy was verified (RFC 3339, UTC).
    pub finished_at: String,
}

impl Manifest {
    /// A manifest for a copy verified now.
    pub(crate) fn now(
        key: &str,
        sha256: String,
        xxh3: String,
        source_url: String,
        source: ImageIdentity,
    ) -> Self {
        Self {
            key: key.to_owned(),
            size: source.size,
            sha256,
            xxh3,
            source_url,
            source,
            finished_at: OffsetDateTime::now_utc()
                .format(&Rfc3339)
                .unwrap_or_default(),
        }
    }

    /// Whether this manifest describes a copy of the image at `url` as it is now. Without a
    /// validator (`ETag`, `Last-Modified`) an unchanged size proves nothing, so never.
    pub(crate) fn matches(&self, url: &str, now: &ImageIdentity) -> bool {
        now.has_validator()
            && self.source_url == url
            && self.size == now.size
            && self.source == *now
    }
}

/// The manifest's key for the object `key`.
pub(crate) fn manifest_path(key: &Path) -> Path {
    Path::from(format!("{}.manifest.json", key.as_ref()))
}

/// The manifest of `key` in `region`, if there is a readable one. An unreadable one counts as
/// none (the copy is made again and the manifest rewritten).
pub(crate) async fn read(region: &Region, key: &Path) -> Result<Option<Manifest>, ReplicateError> {
    let path = manifest_path(key);
    let bytes = match region.store.get(&path).await {
        Ok(got) => got.bytes().await,
        Err(e) => Err(e),
    };
    match bytes {
        Ok(bytes) => match serde_json::from_slice::<Manifest>(&bytes) {
            Ok(m) if m.key == key.as_ref() => Ok(Some(m)),
            Ok(_) | Err(_) => {
                tracing::warn!(region = %region.name, key = %key, "ignoring an unreadable manifest");
                Ok(None)
            }
        },
        Err(object_store::Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(store_error(
            &region.name,
            key.as_ref(),
            "reading the manifest of",
            &e,
        )),
    }
}

/// Size of the object `key` in `region`, if it exists.
pub(crate) async fn object_size(
    region: &Region,
    key: &Path,
) -> Result<Option<u64>, ReplicateError> {
    match region.store.head(key).await {
        Ok(meta) => Ok(Some(meta.size)),
        Err(object_store::Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(store_error(&region.name, key.as_ref(), "looking up", &e)),
    }
}

/// Writes the manifest (one atomic put): from now on the copy counts as finished.
pub(crate) async fn write(
    region: &Region,
    key: &Path,
    manifest: &Manifest,
) -> Result<(), ReplicateError> {
    let fail = |detail: String| ReplicateError::Store {
        region: region.name.clone(),
        key: key.to_string(),
        action: "writing the manifest of",
        detail,
    };
    let json = serde_json::to_vec_pretty(manifest).map_err(|e| fail(e.to_string()))?;
    region
        .store
        .put(&manifest_path(key), PutPayload::from(json))
        .await
        .map_err(|e| store_error(&region.name, key.as_ref(), "writing the manifest of", &e))?;
    Ok(())
}

/// Removes the manifest (a copy found corrupt must be made again).
pub(crate) async fn remove(store: &dyn ObjectStore, key: &Path) {
    if let Err(e) = store.delete(&manifest_path(key)).await {
        tracing::warn!(key = %key, error = %e, "cannot remove the manifest of a corrupt copy");
    }
}
