//! Streaming objects into and out of a region's store with constant memory: multipart uploads
//! with bounded part size and parts in flight, reads in bounded chunks, SHA-256 on the way.

use std::io::Read;
use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use futures::stream::BoxStream;
use futures::{Stream, StreamExt, TryStreamExt};
use object_store::path::Path;
use object_store::{GetResultPayload, PutPayload, WriteMultipart};
use xxhash_rust::xxh3::Xxh3;

use crate::error::{ReplicateError, store_error};
use crate::hashing::{Digests, PipelinedHash};
use crate::region::Region;

/// Size of the chunks read from a local file (the `object_store` default, 8 KiB, costs one
/// blocking-pool round trip per 8 KiB; larger buffers, freed on other threads, make the
/// allocator keep more memory).
const FILE_CHUNK: usize = 1024 * 1024;

/// A local copy is flushed to the disk after every this many bytes, so that the flush before
/// the rename finds little left to write (and the dirty pages of one copy stay bounded).
const SYNC_EVERY: u64 = 256 * 1024 * 1024;

/// Bounds of one upload's memory: at most `part_size × (parts_in_flight + 1)` bytes buffered.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) part_size: usize,
    pub(crate) parts_in_flight: usize,
}

/// Streams `input` into `key` of `region` and returns the checksums of what was sent (SHA-256
/// only when `sha256`) and, for a local region, of what was read back (see [`write_local`]).
/// `on` hears of bytes handed to the store and read back. The object appears only when the
/// upload completes (a multipart upload, or the local store's rename): a failure or a dropped
/// future leaves no object behind, at most an upload the store discards.
pub(crate) async fn write_object<S>(
    region: &Region,
    key: &Path,
    mut input: S,
    limits: Limits,
    sha256: bool,
    mut on: impl FnMut(Flow),
) -> Result<Written, ReplicateError>
where
    S: Stream<Item = Result<Bytes, ReplicateError>> + Unpin,
{
    remove_stale_uploads(region, key).await;
    if let Some(file) = region.local_file(key) {
        return write_local(region, key, file, input, limits, sha256, &mut on).await;
    }
    let k = key.as_ref();
    let fail = |e: object_store::Error| store_error(&region.name, k, "writing", &e);
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
            on(Flow::Written(chunk.len() as u64));
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
    Ok(Written {
        sent: hash.finish().await?,
        read_back: None,
    })
}

/// What [`write_object`] reports as bytes flow.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Flow {
    /// Bytes handed to the store.
    Written(u64),
    /// Bytes read back from the store and hashed.
    Verified(u64),
}

/// The outcome of [`write_object`].
#[derive(Debug)]
pub(crate) struct Written {
    /// The checksums of what was sent.
    pub(crate) sent: Digests,
    /// XXH3-128 of what a local region's file held right after each part was written; `None`
    /// for other stores, which the caller reads back once the object is complete.
    pub(crate) read_back: Option<String>,
}

/// A local region's file, written part by part and read back right after each part is written:
/// the bytes are still in the page cache, so checking them costs a copy, not a second pass
/// over a disk that a large image has long since flushed. Blocks of zeros are left as holes
/// ([`SparseFile`]): a VM image is mostly zeros. The file is staged as `<file>#<pid>`
/// (the name [`remove_stale_uploads`] cleans up), flushed to the disk as it grows and before it
/// is renamed when every part checked out (and the rename flushed too), so a failure, a crash
/// or a power loss leaves no object behind, and the manifest written next never describes
/// data that is not on the disk.
async fn write_local<S>(
    region: &Region,
    key: &Path,
    file: PathBuf,
    mut input: S,
    limits: Limits,
    sha256: bool,
    on: &mut impl FnMut(Flow),
) -> Result<Written, ReplicateError>
where
    S: Stream<Item = Result<Bytes, ReplicateError>> + Unpin,
{
    let k = key.as_ref();
    let fail = |action: &'static str, e: std::io::Error| {
        let e = object_store::Error::Generic {
            store: "LocalFileSystem",
            source: Box::new(e),
        };
        store_error(&region.name, k, action, &e)
    };
    let staged = staging_path(&file);
    // Parts waiting for the writer: the local disk gains nothing from a deep queue.
    let (tx, rx) = tokio::sync::mpsc::channel::<Vec<Bytes>>(limits.parts_in_flight.min(2));
    let verified = Arc::new(AtomicU64::new(0));
    let writer = tokio::task::spawn_blocking({
        let (staged, verified) = (staged.clone(), Arc::clone(&verified));
        move || write_and_read_back(&staged, rx, &verified)
    });
    let mut hash = PipelinedHash::new(sha256);
    let mut part = Vec::new();
    let mut part_len = 0;
    let mut reported = 0;
    let copied = async {
        while let Some(chunk) = input.next().await {
            let chunk = chunk?;
            on(Flow::Written(chunk.len() as u64));
            hash.update(chunk.clone()).await?;
            part_len += chunk.len();
            part.push(chunk);
            if part_len >= limits.part_size {
                part_len = 0;
                if tx.send(std::mem::take(&mut part)).await.is_err() {
                    // The writer stopped: its error says why.
                    return Ok(());
                }
            }
            let now = verified.load(Ordering::Relaxed);
            if now > reported {
                on(Flow::Verified(now - reported));
                reported = now;
            }
        }
        if !part.is_empty() {
            let _ = tx.send(part).await;
        }
        Ok::<_, ReplicateError>(())
    }
    .await;
    drop(tx);
    let written = writer
        .await
        .map_err(|e| ReplicateError::Interrupted(format!("writing stopped: {e}")))
        .and_then(|r| r.map_err(|e| fail("writing", e)));
    let result = match (copied, written) {
        (Err(e), _) | (Ok(()), Err(e)) => Err(e),
        (Ok(()), Ok(read_back)) => hash.finish().await.map(|sent| (sent, read_back)),
    };
    let (sent, read_back) = match result {
        Ok(done) => done,
        Err(e) => {
            if let Err(rm) = tokio::fs::remove_file(&staged).await {
                tracing::debug!(path = %staged.display(), error = %rm, "removing an unfinished copy failed");
            }
            return Err(e);
        }
    };
    on(Flow::Verified(verified.load(Ordering::Relaxed) - reported));
    if read_back == sent.xxh3 {
        tokio::fs::rename(&staged, &file)
            .await
            .map_err(|e| fail("writing", e))?;
        if let Some(dir) = file.parent().map(FsPath::to_path_buf) {
            tokio::task::spawn_blocking(move || sync_dir(&dir))
                .await
                .map_err(|e| ReplicateError::Interrupted(format!("writing stopped: {e}")))?
                .map_err(|e| fail("writing", e))?;
        }
    } else if let Err(rm) = tokio::fs::remove_file(&staged).await {
        tracing::debug!(path = %staged.display(), error = %rm, "removing a corrupt copy failed");
    }
    Ok(Written {
        sent,
        read_back: Some(read_back),
    })
}

/// `<file>#<pid>`: unique to this process, and only one operation works on a key at a time.
fn staging_path(file: &FsPath) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(format!("#{}", std::process::id()));
    PathBuf::from(name)
}

/// The writer's side of [`write_local`]: appends each part to `staged` (sparsely, see
/// [`SparseFile`]), reads it back in [`FILE_CHUNK`] pieces and returns the XXH3-128 of
/// everything read back.
///
/// The read-back covers holes too: a hole reads as zeros without touching the disk, and
/// reading it proves that the file really holds zeros there (not, say, what a reused file
/// held before), so the checksum of what was read back still speaks for every byte.
fn write_and_read_back(
    staged: &FsPath,
    mut parts: tokio::sync::mpsc::Receiver<Vec<Bytes>>,
    verified: &AtomicU64,
) -> std::io::Result<String> {
    use std::os::unix::fs::FileExt as _;

    if let Some(dir) = staged.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(staged)?;
    let mut out = SparseFile::new(file);
    let mut back = Xxh3::new();
    let mut buf = vec![0; FILE_CHUNK];
    let mut offset = 0u64;
    while let Some(part) = parts.blocking_recv() {
        for chunk in &part {
            out.put(chunk)?;
        }
        let end = out.end_part()?;
        while offset < end {
            let n = (end - offset).min(FILE_CHUNK as u64) as usize;
            out.file.read_exact_at(&mut buf[..n], offset)?;
            back.update(&buf[..n]);
            offset += n as u64;
            verified.fetch_add(n as u64, Ordering::Relaxed);
        }
        if out.unsynced >= SYNC_EVERY {
            out.file.sync_data()?;
            out.unsynced = 0;
        }
    }
    // On the disk before the rename and the manifest: a manifest must never outlive its data.
    out.file.sync_all()?;
    Ok(format!("{:032x}", back.digest128()))
}

/// The unit of [`SparseFile`]'s choice between writing and leaving a hole. A multiple of every
/// common filesystem block size (4 KiB on ext4, XFS and most others; up to 64 KiB on XFS or
/// btrfs with 64 KiB pages), so a block left out is whole filesystem blocks never allocated.
/// Blocks are aligned to offsets in the file, not to parts, so they line up with the
/// filesystem's blocks whatever the part size (a part may end inside one). Smaller blocks
/// would find a few more holes between an ext4 image's scattered metadata but cost a `pwrite`
/// per block of real data (16 per 64 KiB at 4 KiB); at 64 KiB a 10 GiB image of real data
/// takes 160 Ki writes, noise beside the copying.
const SPARSE_BLOCK: usize = 64 * 1024;

/// A file written front to back, that leaves a hole wherever a whole [`SPARSE_BLOCK`]-aligned
/// block of the stream is zeros: a VM image is mostly zeros, and a region's copy should cost
/// the disk what the image holds, not its length. Sound only for a file that starts empty
/// (each offset is written at most once, so a skipped block is a hole that reads as zeros).
struct SparseFile {
    file: std::fs::File,
    /// Offset of the next byte of the stream, counting those in `pending`.
    pos: u64,
    /// The start of the current block, when it came in pieces (across chunks): copied here to
    /// be judged whole. A block that lies within one chunk is judged in place.
    pending: Vec<u8>,
    /// The file's length as the filesystem sees it: past the last byte written or `set_len`.
    len: u64,
    /// Bytes written (holes excluded) since the last flush.
    unsynced: u64,
}

impl SparseFile {
    fn new(file: std::fs::File) -> Self {
        Self {
            file,
            pos: 0,
            pending: Vec::with_capacity(SPARSE_BLOCK),
            len: 0,
            unsynced: 0,
        }
    }

    /// Appends `data` to the stream.
    fn put(&mut self, mut data: &[u8]) -> std::io::Result<()> {
        while !data.is_empty() {
            let to_boundary = SPARSE_BLOCK - (self.pos % SPARSE_BLOCK as u64) as usize;
            let (piece, rest) = data.split_at(to_boundary.min(data.len()));
            data = rest;
            let at = self.pos;
            self.pos += piece.len() as u64;
            if self.pending.is_empty() && piece.len() == to_boundary {
                self.emit(piece, at)?;
            } else {
                self.pending.extend_from_slice(piece);
                if piece.len() == to_boundary {
                    self.emit_pending()?;
                }
            }
        }
        Ok(())
    }

    /// Puts everything received so far in the file, so that the part can be read back, and
    /// returns the stream's length so far. A block cut by the part's end is judged by what came of it; the rest of it is
    /// judged apart, as it comes, which is safe because either piece left out stays a hole.
    fn end_part(&mut self) -> std::io::Result<u64> {
        self.emit_pending()?;
        if self.len < self.pos {
            // Trailing zeros left out: the file must still be as long as the stream, both for
            // the read-back and for the finished copy (a trailing hole).
            self.file.set_len(self.pos)?;
            self.len = self.pos;
        }
        Ok(self.pos)
    }

    fn emit_pending(&mut self) -> std::io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let block = std::mem::take(&mut self.pending);
        let at = self.pos - block.len() as u64;
        let done = self.emit(&block, at);
        self.pending = block;
        self.pending.clear();
        done
    }

    /// Writes `block` at `at`, unless it is all zeros: then the hole already says so.
    fn emit(&mut self, block: &[u8], at: u64) -> std::io::Result<()> {
        use std::os::unix::fs::FileExt as _;

        if is_zeros(block) {
            return Ok(());
        }
        self.file.write_all_at(block, at)?;
        self.len = self.len.max(at + block.len() as u64);
        self.unsynced += block.len() as u64;
        Ok(())
    }
}

/// Whether `block` (at most [`SPARSE_BLOCK`] bytes) is all zeros. Compared with a block of
/// zeros because slice equality is `memcmp`: vectorised even in a debug build, and a block of
/// real data is given up on at its first bytes, so data pays next to nothing.
fn is_zeros(block: &[u8]) -> bool {
    static ZEROS: [u8; SPARSE_BLOCK] = [0; SPARSE_BLOCK];
    block == &ZEROS[..block.len()]
}

/// Makes a rename in `dir` durable.
fn sync_dir(dir: &FsPath) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
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

#[cfg(test)]
mod tests {
    use super::*;

    const PART: usize = 64 * 1024;

    fn chunks(data: &[u8]) -> Vec<Result<Bytes, ReplicateError>> {
        data.chunks(10_000)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect()
    }

    fn limits() -> Limits {
        Limits {
            part_size: PART,
            parts_in_flight: 4,
        }
    }

    fn files_in(dir: &FsPath) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[tokio::test]
    async fn a_local_write_reads_every_part_back_and_leaves_only_the_object() {
        let dir = tempfile::tempdir().unwrap();
        let region = Region::local("a", dir.path()).unwrap();
        let key = Path::from("p/o/os.vhd");
        let data: Vec<u8> = (0..PART * 3 + 1234).map(|i| (i % 251) as u8).collect();
        let (mut written, mut verified) = (0, 0);
        let input = futures::stream::iter(chunks(&data));
        let out = write_object(&region, &key, input, limits(), true, |f| match f {
            Flow::Written(n) => written += n,
            Flow::Verified(n) => verified += n,
        })
        .await
        .unwrap();

        let len = data.len() as u64;
        assert_eq!((written, verified), (len, len));
        let xxh3 = format!("{:032x}", xxhash_rust::xxh3::xxh3_128(&data));
        assert_eq!(out.sent.xxh3, xxh3);
        assert_eq!(out.read_back.as_deref(), Some(xxh3.as_str()));
        assert_eq!(std::fs::read(dir.path().join("p/o/os.vhd")).unwrap(), data);
        assert_eq!(files_in(&dir.path().join("p/o")), ["os.vhd"]);
    }

    #[tokio::test]
    async fn zero_blocks_of_a_local_write_become_holes_that_read_back_as_zeros() {
        use std::os::unix::fs::MetadataExt as _;

        let dir = tempfile::tempdir().unwrap();
        let region = Region::local("a", dir.path()).unwrap();
        let key = Path::from("os.vhd");
        // Zeros but for 100 KiB at 1 MiB and a few bytes at 3 MiB, and a trailing run of zeros
        // that is not a whole block; 10,000-byte chunks cut blocks and parts at odd offsets.
        let mut data = vec![0u8; 4 * 1024 * 1024 + 1234];
        data[1 << 20..(1 << 20) + 100 * 1024].fill(0xa5);
        data[(3 << 20) + 5..(3 << 20) + 9].copy_from_slice(b"data");
        let input = futures::stream::iter(chunks(&data));
        let out = write_object(&region, &key, input, limits(), false, |_| {})
            .await
            .unwrap();

        let xxh3 = format!("{:032x}", xxhash_rust::xxh3::xxh3_128(&data));
        assert_eq!(out.read_back.as_deref(), Some(xxh3.as_str()));
        let file = dir.path().join("os.vhd");
        assert_eq!(std::fs::read(&file).unwrap(), data);
        let allocated = std::fs::metadata(&file).unwrap().blocks() * 512;
        // Three 64 KiB blocks hold data; the filesystem may add an extent block or two.
        assert!(allocated <= 256 * 1024, "{allocated} bytes allocated");
    }

    #[tokio::test]
    async fn a_failed_local_write_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let region = Region::local("a", dir.path()).unwrap();
        let key = Path::from("p/o/os.vhd");
        let data = vec![7u8; PART * 2];
        let mut input = chunks(&data);
        input.push(Err(ReplicateError::Interrupted(
            "the image went away".into(),
        )));
        let err = write_object(
            &region,
            &key,
            futures::stream::iter(input),
            limits(),
            false,
            |_| {},
        )
        .await
        .unwrap_err();

        assert!(err.to_string().contains("went away"), "{err}");
        assert!(files_in(&dir.path().join("p/o")).is_empty());
    }

    #[tokio::test]
    async fn an_unfinished_local_write_of_a_killed_process_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let region = Region::local("a", dir.path()).unwrap();
        let key = Path::from("os.vhd");
        std::fs::write(dir.path().join("os.vhd#4242"), b"half a disk").unwrap();
        let input = futures::stream::iter(chunks(b"a whole disk"));
        write_object(&region, &key, input, limits(), false, |_| {})
            .await
            .unwrap();
        assert_eq!(files_in(dir.path()), ["os.vhd"]);
    }
}
