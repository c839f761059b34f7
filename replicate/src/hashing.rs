//! Checksums of a byte stream, computed on the blocking pool in batches so that hashing neither
//! stalls the async workers (a 10 GiB image is seconds of CPU) nor waits for I/O: while one
//! batch is hashed, the next one is being received and written.
//!
//! Two checksums: SHA-256, the disk's published checksum, computed once per disk while it
//! comes from the image URL; and XXH3-128, computed on every pass (copy and read-back) to check
//! that a store holds exactly the bytes sent to it. XXH3 is not cryptographic, and need not be:
//! it guards against storage faults, not against someone able to write to the store (who
//! could change the object after any check). Checking writes with it instead of SHA-256 makes
//! a read-back cost ~1/10 of the CPU (see `examples/bench.rs`).

use bytes::Bytes;
use sha2::{Digest as _, Sha256};
use tokio::task::JoinHandle;
use xxhash_rust::xxh3::Xxh3;

use crate::error::ReplicateError;

/// Bytes gathered before they are handed to the hashing thread. Memory: at most two batches
/// (one being hashed, one being gathered), and the chunks are shared with the writer.
const BATCH: usize = 4 * 1024 * 1024;

/// The checksums of one pass, lower-case hex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Digests {
    /// SHA-256, when asked for.
    pub(crate) sha256: Option<String>,
    /// XXH3-128.
    pub(crate) xxh3: String,
}

struct State {
    sha256: Option<Sha256>,
    xxh3: Box<Xxh3>,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("sha256", &self.sha256.is_some())
            .finish_non_exhaustive()
    }
}

/// Checksums being computed off the async workers.
#[derive(Debug)]
pub(crate) struct PipelinedHash {
    /// The state when no batch is being hashed.
    idle: Option<State>,
    /// The batch being hashed, which gives the state back.
    running: Option<JoinHandle<State>>,
    batch: Vec<Bytes>,
    batch_len: usize,
}

impl PipelinedHash {
    /// XXH3-128, and SHA-256 too when `sha256`.
    pub(crate) fn new(sha256: bool) -> Self {
        Self {
            idle: Some(State {
                sha256: sha256.then(Sha256::new),
                xxh3: Box::new(Xxh3::new()),
            }),
            running: None,
            batch: Vec::new(),
            batch_len: 0,
        }
    }

    /// Adds `chunk` (a cheap clone of shared bytes); waits only when a full batch is ready and
    /// the previous one is still being hashed.
    pub(crate) async fn update(&mut self, chunk: Bytes) -> Result<(), ReplicateError> {
        self.batch_len += chunk.len();
        self.batch.push(chunk);
        if self.batch_len >= BATCH {
            self.flush().await?;
        }
        Ok(())
    }

    /// The digests.
    pub(crate) async fn finish(mut self) -> Result<Digests, ReplicateError> {
        self.flush().await?;
        let state = self.take_state().await?;
        Ok(Digests {
            sha256: state.sha256.map(|s| hex::encode(s.finalize())),
            xxh3: format!("{:032x}", state.xxh3.digest128()),
        })
    }

    async fn take_state(&mut self) -> Result<State, ReplicateError> {
        match (self.running.take(), self.idle.take()) {
            (Some(job), _) => job
                .await
                .map_err(|e| ReplicateError::Interrupted(format!("hashing stopped: {e}"))),
            (None, Some(state)) => Ok(state),
            // Only reachable after a failed `take_state`, which ends the hashing.
            (None, None) => Err(ReplicateError::Interrupted("hashing stopped".into())),
        }
    }

    async fn flush(&mut self) -> Result<(), ReplicateError> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let mut state = self.take_state().await?;
        let batch = std::mem::take(&mut self.batch);
        self.batch_len = 0;
        self.running = Some(tokio::task::spawn_blocking(move || {
            for chunk in &batch {
                if let Some(sha) = &mut state.sha256 {
                    sha.update(chunk);
                }
                state.xxh3.update(chunk);
            }
            state
        }));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn same_digest_as_one_pass() {
        let data: Vec<u8> = (0..(BATCH * 2 + 12345))
            .map(|i| (i * 7 % 251) as u8)
            .collect();
        let mut pipe = PipelinedHash::new(true);
        for piece in data.chunks(100_000) {
            pipe.update(Bytes::copy_from_slice(piece)).await.unwrap();
        }
        let got = pipe.finish().await.unwrap();
        assert_eq!(got.sha256.unwrap(), hex::encode(Sha256::digest(&data)));
        let xxh3 = xxhash_rust::xxh3::xxh3_128(&data);
        assert_eq!(got.xxh3, format!("{xxh3:032x}"));
        let empty = PipelinedHash::new(false).finish().await.unwrap();
        assert_eq!(empty.sha256, None);
        let xxh3 = xxhash_rust::xxh3::xxh3_128(b"");
        assert_eq!(empty.xxh3, format!("{xxh3:032x}"));
    }
}
