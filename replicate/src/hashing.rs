//! SHA-256 of a byte stream, computed on the blocking pool in batches so that hashing neither
//! stalls the async workers (a 10 GiB image is seconds of CPU) nor waits for I/O: while one
//! batch is hashed, the next one is being received and written.

use bytes::Bytes;
use sha2::{Digest, Sha256};
use tokio::task::JoinHandle;

use crate::error::ReplicateError;

/// Bytes gathered before they are handed to the hashing thread. Memory: at most two batches
/// (one being hashed, one being gathered), and the chunks are shared with the writer.
const BATCH: usize = 4 * 1024 * 1024;

/// A SHA-256 being computed off the async workers.
#[derive(Debug)]
pub(crate) struct PipelinedSha256 {
    /// The state when no batch is being hashed.
    idle: Option<Sha256>,
    /// The batch being hashed, which gives the state back.
    running: Option<JoinHandle<Sha256>>,
    batch: Vec<Bytes>,
    batch_len: usize,
}

impl PipelinedSha256 {
    pub(crate) fn new() -> Self {
        Self {
            idle: Some(Sha256::new()),
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

    /// The digest in lower-case hex.
    pub(crate) async fn finish(mut self) -> Result<String, ReplicateError> {
        self.flush().await?;
        let state = self.take_state().await?;
        Ok(hex::encode(state.finalize()))
    }

    async fn take_state(&mut self) -> Result<Sha256, ReplicateError> {
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
                state.update(chunk);
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
        let mut pipe = PipelinedSha256::new();
        for piece in data.chunks(100_000) {
            pipe.update(Bytes::copy_from_slice(piece)).await.unwrap();
        }
        assert_eq!(
            pipe.finish().await.unwrap(),
            hex::encode(Sha256::digest(&data))
        );
        let empty = PipelinedSha256::new().finish().await.unwrap();
        assert_eq!(empty, hex::encode(Sha256::digest(b"")));
    }
}
