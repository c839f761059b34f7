//! Streaming objects into and out of a region's store with constant memory: multipart uploads
//! with bounded part size and parts in flight, reads in bounded chunks, SHA-256 on the way.

use std::io::Read;
use std::path::PathBuf;

use bytes::Bytes;
use futures::stream::BoxStream;
use futures::{Stream, StreamExt, TryStreamExt};
use object_store::path::Path;
use object_store::{GetResultPayload, PutPayload, WriteMultipart};

use crate::error::{ReplicateError, store_error};
use crate::hashing::{Digests, PipelinedHash};
use crate::region::Region;

/// Size of the chunks read from a local file (the `object_store` default, 8 KiB, costs one
/// blocking-pool round trip per 8 KiB; larger buffers, freed on other threads, make the
/// allocator keep more memory).
const FILE_CHUNK: usize = 1024 * 1024;

/// Bounds of one upload's memory: at most `part_size × (parts_in_flight + 1)` bytes buffered.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) part_size: usize,
    pub(crate) parts_in_flight: usize,
}

/// Streams `input` into `key` of `region` and returns the checksums of what was sent (SHA-256
/// only when `sha256`). `on_bytes(n)` is called as bytes are handed to the store. The object appears only when the
/// upload completes (a multipart upload, or the local store's rename): a failure or a dropped
/// future leaves no object behind, at most an upload the store discards.
pub(crate) async fn write_object<S>(
    region: &Region,
    key: &Path,
    mut input: S,
    limits: Limits,
    sha256: bool,
    mut on_bytes: impl FnMut(u64),
) -> Result<Digests, ReplicateError>
where
    S: Stream<Item = Result<Bytes, ReplicateError>> + Unpin,
{
    let k = key.as_ref();
    let fail = |e: object_store::Error| store_error(&region.name, k, "writing", &e);
    remove_stale_uploads(region, key).await;
    let upload = region.store.put_multipart(key).await.map_err(fail)?;
    let mut writer = WriteMultipart::new_with_chunk_size(upload, limits.part_size);
    let mut hash = PipelinedHash::new(sha256);
    let mut total = 0u64;
    let copied = async {
        while let Some(chunk) = input.next().await {
            let chunk = chunk?;
            writer
                .wait_for_capacity(limits.parts_in_flight)
                .await
                .map_err(fail)?;
            total += chunk.len() as u64;
            on_bytes(chunk.len() as u64);
            hash.update(chunk.clone()).await?;
            writer.put(chunk);
        }
        Ok::<_, ReplicateError>(())
    }
    .await;
    if let Err(e) = copied {
        if let Err(abort) = writer.abort().await {
            tracing::debug!(region = %region.name, key = k, error = %abort, "aborting an upload failed");
        }
        return Err(e);
    }
    if total == 0 {
        // A multipart upload needs at least one part on some stores.
        if let Err(abort) = writer.abort().await {
            tracing::debug!(region = %region.name, key = k, error = %abort, "aborting an upload failed");
        }
        region
            .store
            .put(key, PutPayload::new())
            .await
            .map_err(fail)?;
    } else {
        writer.finish().await.map_err(fail)?;
    }
    hash.finish().await
}

/// Reads `key` of `region` in bounded chunks; its size and the chunks.
pub(crate) async fn read_object(
    region: &Region,
    key: &Path,
) -> Result<(u64, BoxStream<'static, Result<Bytes, object_store::Error>>), object_store::Error> {
    let got = region.store.get(key).await?;
    let size = got.meta.size;
    let stream = match got.payload {
        GetResultPayload::File(file, path) => {
            file_chunks(file, path, got.range.end - got.range.start)
        }
        GetResultPayload::Stream(s) => s,
    };
    Ok((size, stream))
}

/// Reads `key` of `region` back and returns its XXH3-128 (hex); `on_bytes(n)` as bytes are
/// read.
pub(crate) async fn hash_object(
    region: &Region,
    key: &Path,
    mut on_bytes: impl FnMut(u64),
) -> Result<String, ReplicateError> {
    let k = key.as_ref();
    let fail = |e: object_store::Error| store_error(&region.name, k, "reading back", &e);
    let (_, mut stream) = read_object(region, key).await.map_err(fail)?;
    let mut hash = PipelinedHash::new(false);
    while let Some(chunk) = stream.try_next().await.map_err(fail)? {
        on_bytes(chunk.len() as u64);
        hash.update(chunk).await?;
    }
    Ok(hash.finish().await?.xxh3)
}

fn file_chunks(
    file: std::fs::File,
    path: PathBuf,
    len: u64,
) -> BoxStream<'static, Result<Bytes, object_store::Error>> {
    futures::stream::try_unfold((file, len), move |(file, left)| {
        let path = path.clone();
        async move {
            if left == 0 {
                return Ok(None);
            }
            let want = left.min(FILE_CHUNK as u64);
            let read = tokio::task::spawn_blocking(move || {
                let mut buf = Vec::with_capacity(FILE_CHUNK);
                let mut take = file.take(want);
                let n = take.read_to_end(&mut buf);
                (take.into_inner(), buf, n)
            })
            .await
            .map_err(|e| object_store::Error::Generic {
                store: "LocalFileSystem",
                source: Box::new(e),
            })?;
            let (file, buf, n) = read;
            let io_error = |source: std::io::Error| object_store::Error::Generic {
                store: "LocalFileSystem",
                source: format!("reading {}: {source}", path.display()).into(),
            };
            match n {
                Ok(0) => Err(io_error(std::io::ErrorKind::UnexpectedEof.into())),
                Ok(n) => Ok(Some((Bytes::from(buf), (file, left - n as u64)))),
                Err(e) => Err(io_error(e)),
            }
        }
    })
    .boxed()
}

/// Removes what killed processes left of uploads to `key` in a local region: the local store
/// stages an upload as `<file>#<n>` and renames it when complete; after `kill -9` the staged
/// file (up to a whole image) would stay forever. Only one operation works on a key at a
/// time (the engine's lease), so a staged file seen here is not in use.
async fn remove_stale_uploads(region: &Region, key: &Path) {
    let Some(file) = region.local_file(key) else {
        return;
    };
    let cleanup = tokio::task::spawn_blocking(move || {
        let (Some(dir), Some(name)) = (file.parent(), file.file_name()) else {
            return;
        };
        let prefix = format!("{}#", name.to_string_lossy());
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let entry_name = entry.file_name();
            let entry_name = entry_name.to_string_lossy();
            let stale = entry_name
                .strip_prefix(&prefix)
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
            if stale {
                match std::fs::remove_file(entry.path()) {
                    Ok(()) => {
                        tracing::info!(path = %entry.path().display(), "removed an unfinished upload")
                    }
                    Err(e) => {
                        tracing::debug!(path = %entry.path().display(), error = %e, "cannot remove an unfinished upload")
                    }
                }
            }
        }
    });
    if let Err(e) = cleanup.await {
        tracing::debug!(error = %e, "cleaning unfinished uploads stopped");
    }
}
