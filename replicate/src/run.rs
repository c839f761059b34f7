//! [`replicate`]: the per-(disk, region) plan — skip what is there, copy from the image URL
//! once, then from the verified copy; verify each write; write the manifest last.

use futures::TryStreamExt;
use object_store::path::Path;
use portal_net::ImageIdentity;
use serde::Serialize;
use tokio::sync::watch;

use crate::error::{ReplicateError, store_error};
use crate::manifest::{self, Manifest};
use crate::progress::{Progress, RegionState, Tracker};
use crate::region::Region;
use crate::source::{SourceClient, SourceOptions, difference, redact};
use crate::store_io::{Flow, Limits, Written, hash_object, read_object, write_object};

/// One disk of the version being published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disk {
    /// Its image URL (a SAS URL; the query string is never logged nor stored).
    pub url: String,
    /// The object key in every region, chosen by the caller, e.g.
    /// `contoso/my-offer/sku1/1.0.0/os.vhd`: `/`-separated, no empty, `.` or `..` segments.
    pub key: String,
}

/// How to copy.
#[derive(Debug, Clone)]
pub struct ReplicateOptions {
    /// Policy and time limits of the image client.
    pub source: SourceOptions,
    /// Size of each uploaded part (S3 needs at least 5 MiB).
    pub part_size: usize,
    /// Parts being uploaded at once. Memory per copy is about
    /// `part_size × (parts_in_flight + 1)` plus 8 MiB of hashing batches.
    pub parts_in_flight: usize,
}

impl Default for ReplicateOptions {
    fn default() -> Self {
        Self {
            source: SourceOptions::default(),
            part_size: 8 * 1024 * 1024,
            parts_in_flight: 4,
        }
    }
}

/// A verified copy of a disk in a region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Replica {
    /// The region's name.
    pub region: String,
    /// The object key.
    pub key: String,
    /// Where it is: the region's URL, `/`, the key.
    pub location: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
    /// When it was verified (RFC 3339).
    pub finished_at: String,
}

/// What this run did for one (disk, region).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Action {
    /// Copied and verified now.
    Copied,
    /// Already there and verified by an earlier run.
    Skipped,
}

/// The outcome for one (disk, region).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Replicated {
    /// The copy.
    pub replica: Replica,
    /// Whether it was made now.
    pub action: Action,
}

/// The key of the manifest written next to the object `key` (`<key>.manifest.json`).
pub fn manifest_key(key: &str) -> String {
    format!("{key}.manifest.json")
}

fn parse_key(key: &str) -> Result<Path, ReplicateError> {
    let bad = |reason: String| ReplicateError::BadKey {
        key: key.to_owned(),
        reason,
    };
    let path = Path::parse(key).map_err(|e| bad(e.to_string()))?;
    if path.as_ref() != key || key.is_empty() {
        return Err(bad("use a/b/c: no leading, trailing or doubled '/'".into()));
    }
    if key.ends_with(".manifest.json") {
        return Err(bad(
            "keys ending in .manifest.json are the manifests'".into()
        ));
    }
    Ok(path)
}

fn replica(region: &Region, m: &Manifest) -> Replica {
    Replica {
        region: region.name.clone(),
        key: m.key.clone(),
        location: region.location(&m.key),
        size: m.size,
        sha256: m.sha256.clone(),
        finished_at: m.finished_at.clone(),
    }
}

/// Copies every disk to every region (see the crate documentation for how), returning one
/// [`Replicated`] per (disk, region), disks in order and, per disk, skipped regions first.
/// Progress goes to `progress` as bytes flow. Idempotent: run it again after any failure or
/// crash and it continues. Cancel-safe: dropping the future leaves no manifest for an
/// unfinished copy (a partial upload may remain; it is overwritten).
pub async fn replicate(
    disks: &[Disk],
    regions: &[Region],
    opts: &ReplicateOptions,
    progress: &watch::Sender<Progress>,
) -> Result<Vec<Replicated>, ReplicateError> {
    let mut keys = Vec::with_capacity(disks.len());
    for disk in disks {
        let key = parse_key(&disk.key)?;
        if keys.contains(&key) {
            return Err(ReplicateError::BadKey {
                key: disk.key.clone(),
                reason: "two disks have this key".into(),
            });
        }
        keys.push(key);
    }
    let client = SourceClient::new(&opts.source);
    // All identities first: the total of the progress is known before any byte moves.
    let mut identities = Vec::with_capacity(disks.len());
    for disk in disks {
        identities.push(client.identity(&disk.url).await?);
    }
    let per_region = identities.iter().map(|i| i.size).sum();
    let names: Vec<String> = regions.iter().map(|r| r.name.clone()).collect();
    let mut tracker = Tracker::new(progress, &names, per_region);
    let mut copied = vec![false; regions.len()];
    let mut out = Vec::with_capacity(disks.len() * regions.len());
    for ((disk, key), identity) in disks.iter().zip(&keys).zip(&identities) {
        let job = DiskJob {
            client: &client,
            disk,
            key,
            identity,
            limits: Limits {
                part_size: opts.part_size.max(1),
                parts_in_flight: opts.parts_in_flight.max(1),
            },
        };
        out.extend(job.run(regions, &mut tracker, &mut copied).await?);
    }
    for (i, copied) in copied.into_iter().enumerate() {
        let state = if copied {
            RegionState::Done
        } else {
            RegionState::Skipped
        };
        tracker.state(i, state);
    }
    Ok(out)
}

/// Whether the disk `key` is present and verified in `region` (its manifest exists and the
/// object has the manifest's size): its size, SHA-256 and location. For a reviewer's test
/// deployment.
pub async fn find_replica(region: &Region, key: &str) -> Result<Option<Replica>, ReplicateError> {
    let path = parse_key(key)?;
    let Some(m) = manifest::read(region, &path).await? else {
        return Ok(None);
    };
    if manifest::object_size(region, &path).await? != Some(m.size) {
        return Ok(None);
    }
    Ok(Some(replica(region, &m)))
}

/// One disk's work.
struct DiskJob<'a> {
    client: &'a SourceClient,
    disk: &'a Disk,
    key: &'a Path,
    identity: &'a ImageIdentity,
    limits: Limits,
}

/// The checksums of a verified copy.
#[derive(Debug, Clone)]
struct Sums {
    sha256: String,
    xxh3: String,
}

impl DiskJob<'_> {
    async fn run(
        &self,
        regions: &[Region],
        tracker: &mut Tracker<'_>,
        copied: &mut [bool],
    ) -> Result<Vec<Replicated>, ReplicateError> {
        let url = redact(&self.disk.url);
        let size = self.identity.size;
        let mut out = Vec::new();
        let mut missing = Vec::new();
        // A verified copy to copy the others from.
        let mut origin: Option<(usize, Sums)> = None;
        for (i, region) in regions.iter().enumerate() {
            if let Some(m) = self.present(region, &url).await? {
                tracing::info!(region = %region.name, key = %self.key, "disk already there");
                tracker.skipped(i, size);
                let sums = Sums {
                    sha256: m.sha256.clone(),
                    xxh3: m.xxh3.clone(),
                };
                origin.get_or_insert((i, sums));
                out.push(Replicated {
                    replica: replica(region, &m),
                    action: Action::Skipped,
                });
            } else {
                missing.push(i);
            }
        }
        for i in missing {
            let region = &regions[i];
            tracing::info!(region = %region.name, key = %self.key, size, "copying a disk");
            tracker.state(i, RegionState::Copying);
            let (sums, read_back) = match &origin {
                None => self.copy_from_url(region, i, tracker).await?,
                Some((o, expected)) => {
                    self.copy_from_region(&regions[*o], expected, region, i, tracker)
                        .await?
                }
            };
            tracker.state(i, RegionState::Verifying);
            let back = match read_back {
                Some(back) => back,
                None => hash_object(region, self.key, |n| tracker.verified(i, n)).await?,
            };
            if back != sums.xxh3 {
                return Err(mismatch(region, self.key, &sums.xxh3, &back));
            }
            if origin.is_none() {
                // The copy came from the URL: the image must not have changed meanwhile.
                let now = self.client.identity(&self.disk.url).await?;
                if let Some(detail) = difference(self.identity, &now) {
                    return Err(ReplicateError::SourceChanged { url, detail });
                }
            }
            let m = Manifest::now(
                self.key.as_ref(),
                sums.sha256.clone(),
                sums.xxh3.clone(),
                url.clone(),
                self.identity.clone(),
            );
            manifest::write(region, self.key, &m).await?;
            tracing::info!(region = %region.name, key = %self.key, sha256 = %m.sha256, "disk copied and verified");
            tracker.state(i, RegionState::Pending);
            copied[i] = true;
            out.push(Replicated {
                replica: replica(region, &m),
                action: Action::Copied,
            });
            origin.get_or_insert((i, sums));
        }
        Ok(out)
    }

    /// The manifest of a finished copy of this disk as it is now in `region`, if there is one
    /// and the object has its size.
    async fn present(
        &self,
        region: &Region,
        url: &str,
    ) -> Result<Option<Manifest>, ReplicateError> {
        match manifest::read(region, self.key).await? {
            Some(m)
                if m.matches(url, self.identity)
                    && manifest::object_size(region, self.key).await? == Some(m.size) =>
            {
                Ok(Some(m))
            }
            _ => Ok(None),
        }
    }

    /// Copies the image from its URL, computing SHA-256 and XXH3 on the way; the checksums,
    /// and the XXH3 of what was read back if the region did that while writing.
    async fn copy_from_url(
        &self,
        region: &Region,
        i: usize,
        tracker: &mut Tracker<'_>,
    ) -> Result<(Sums, Option<String>), ReplicateError> {
        let body = self.client.body(&self.disk.url, self.identity).await?;
        let Written { sent, read_back } =
            write_object(region, self.key, body, self.limits, true, |f| {
                track(tracker, i, f)
            })
            .await?;
        // Present: asked for above.
        let sha256 = sent
            .sha256
            .ok_or_else(|| ReplicateError::Interrupted("the SHA-256 was not computed".into()))?;
        let sums = Sums {
            sha256,
            xxh3: sent.xxh3,
        };
        Ok((sums, read_back))
    }

    /// Copies the verified copy in `from` to `to`; what was read must still hash to
    /// `expected`, else that copy is corrupt: its manifest is removed so that the next run
    /// copies it again, and this run fails.
    async fn copy_from_region(
        &self,
        from: &Region,
        expected: &Sums,
        to: &Region,
        i: usize,
        tracker: &mut Tracker<'_>,
    ) -> Result<(Sums, Option<String>), ReplicateError> {
        let k = self.key.as_ref();
        let (_, stream) = read_object(from, self.key)
            .await
            .map_err(|e| store_error(&from.name, k, "reading", &e))?;
        let stream = stream.map_err(|e| store_error(&from.name, k, "reading", &e));
        let Written { sent, read_back } =
            write_object(to, self.key, stream, self.limits, false, |f| {
                track(tracker, i, f)
            })
            .await?;
        if sent.xxh3 != expected.xxh3 {
            manifest::remove(from.store.as_ref(), self.key).await;
            return Err(mismatch(from, self.key, &expected.xxh3, &sent.xxh3));
        }
        Ok((expected.clone(), read_back))
    }
}

fn track(tracker: &mut Tracker<'_>, region: usize, flow: Flow) {
    match flow {
        Flow::Written(n) => tracker.written(region, n),
        Flow::Verified(n) => tracker.verified(region, n),
    }
}

fn mismatch(region: &Region, key: &Path, expected: &str, actual: &str) -> ReplicateError {
    ReplicateError::ChecksumMismatch {
        region: region.name.clone(),
        key: key.to_string(),
        expected: format!("xxh3-128:{expected}"),
        actual: format!("xxh3-128:{actual}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::manifest_path;

    #[test]
    fn keys_are_plain_relative_paths() {
        assert!(parse_key("contoso/offer/sku1/1.0.0/os.vhd").is_ok());
        for bad in [
            "",
            "/abs",
            "a//b",
            "a/",
            "a/../b",
            "a/./b",
            "os.vhd.manifest.json",
        ] {
            assert!(parse_key(bad).is_err(), "{bad:?} should be refused");
        }
        assert_eq!(
            manifest_key("a/b.vhd"),
            manifest_path(&Path::from("a/b.vhd")).as_ref()
        );
    }
}
