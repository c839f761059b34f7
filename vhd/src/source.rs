//! Byte sources the checks read from: the [`RangeSource`] trait, its error type and the
//! in-memory and file implementations used by tests and tools.

use std::fs::File;
use std::os::unix::fs::FileExt;

/// Why a read failed. Every variant is a clear, publisher-facing reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// The read would go past the end of the image.
    #[error("read of {len} bytes at offset {offset} goes past the end of the image ({size} bytes)")]
    OutOfRange {
        /// Start of the read.
        offset: u64,
        /// Length of the read.
        len: u64,
        /// Size of the image.
        size: u64,
    },
    /// A local I/O error.
    #[error("I/O error: {0}")]
    Io(String),
    /// The URL cannot be used (bad syntax, scheme or host).
    #[error("the URL cannot be used: {0}")]
    BadUrl(String),
    /// The host resolves only to addresses the policy refuses (loopback, private…).
    #[error(
        "the host {host} resolves to a non-public address ({addr}); only public addresses are allowed"
    )]
    AddressRefused {
        /// The host name of the URL.
        host: String,
        /// The refused address.
        addr: String,
    },
    /// The server could not be reached or the connection broke.
    #[error("the server could not be reached: {0}")]
    Connect(String),
    /// The server did not answer in time.
    #[error("the server did not answer within {0} seconds")]
    Timeout(u64),
    /// Too many redirects (or a redirect loop).
    #[error("too many redirects (more than {0}); check that the URL points straight at the blob")]
    TooManyRedirects(u32),
    /// A redirect without a usable `Location`.
    #[error("the server sent a redirect without a usable Location header")]
    BadRedirect,
    /// The server answered 200 with the whole file instead of 206 with the range.
    #[error(
        "the server ignored the Range header (HTTP 200 instead of 206 Partial Content); the image must be served with range requests"
    )]
    RangeIgnored,
    /// Any other HTTP status.
    #[error("the server answered HTTP {0}")]
    Status(u16),
    /// `Content-Range` missing, malformed or not matching the request.
    #[error("bad Content-Range header: {0}")]
    BadContentRange(String),
    /// The body was shorter or longer than the range asked for.
    #[error("the server sent {got} bytes for a range of {want} bytes")]
    BodyLength {
        /// Bytes asked for.
        want: u64,
        /// Bytes received.
        got: u64,
    },
    /// The image changed while it was being checked.
    #[error("the image changed while it was being checked (ETag or size differs)")]
    Changed,
    /// The byte budget for one certification was used up.
    #[error("the check needed more than {0} bytes; aborted to protect the service")]
    ByteBudget(u64),
    /// The request budget for one certification was used up.
    #[error("the check needed more than {0} requests; aborted to protect the service")]
    RequestBudget(u32),
}

/// A random-access, read-only view of one disk image (local file or remote blob).
///
/// Calls block; on an async server run the whole certification in `spawn_blocking`.
pub trait RangeSource {
    /// Total size of the image in bytes.
    fn len(&self) -> u64;

    /// Whether the image is empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Fills `buf` with the bytes at `offset..offset + buf.len()`; fails rather than short-reads.
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<(), ReadError>;
}

/// Checks that `offset..offset + len` lies inside an image of `size` bytes, without overflow.
pub(crate) fn check_range(offset: u64, len: usize, size: u64) -> Result<(), ReadError> {
    let len = len as u64;
    match offset.checked_add(len) {
        Some(end) if end <= size => Ok(()),
        _ => Err(ReadError::OutOfRange { offset, len, size }),
    }
}

impl<S: RangeSource + ?Sized> RangeSource for Box<S> {
    fn len(&self) -> u64 {
        (**self).len()
    }
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<(), ReadError> {
        (**self).read_at(offset, buf)
    }
}

/// An image held in memory (tests, fuzzing).
#[derive(Debug, Clone, Default)]
pub struct MemorySource(pub Vec<u8>);

impl RangeSource for MemorySource {
    fn len(&self) -> u64 {
        self.0.len() as u64
    }

    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<(), ReadError> {
        check_range(offset, buf.len(), self.len())?;
        // In range, so both conversions fit in usize.
        let start = usize::try_from(offset).map_err(|e| ReadError::Io(e.to_string()))?;
        buf.copy_from_slice(&self.0[start..start + buf.len()]);
        Ok(())
    }
}

/// An image in a local file (tests, tools). Sparse files cost nothing to read.
#[derive(Debug)]
pub struct FileSource {
    file: File,
    len: u64,
}

impl FileSource {
    /// Opens `path` read-only.
    pub fn open(path: impl AsRef<std::path::Path>) -> Result<Self, ReadError> {
        let file = File::open(path).map_err(|e| ReadError::Io(e.to_string()))?;
        let len = file
            .metadata()
            .map_err(|e| ReadError::Io(e.to_string()))?
            .len();
        Ok(Self { file, len })
    }
}

impl RangeSource for FileSource {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<(), ReadError> {
        check_range(offset, buf.len(), self.len)?;
        self.file
            .read_exact_at(buf, offset)
            .map_err(|e| ReadError::Io(e.to_string()))
    }
}
