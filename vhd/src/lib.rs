//! `portal-vhd`: certification of VM images (fixed VHDs) by reading only the bytes needed,
//! through HTTP range requests.
//!
//! - [`source`]: the [`RangeSource`] trait and local sources.
//! - [`http`]: [`HttpRangeSource`], over `portal-net`'s guarded client, with budgets. The
//!   address policy and [`ImageIdentity`] live in `portal-net` and are re-exported here.
//! - [`readahead`]: [`ReadAhead`], the 64 KiB aligned cache in front of a source.
//! - [`access`], [`footer`], [`partition`], `linux`: the tests.
//! - [`certify`]: [`certify_disk`] and [`certify_url`], which run them all.
//! - [`report`]: [`DiskReport`] and its conversion to workflow step messages.
//! - `testimage` (feature `test-images`): builds real images with `mkfs.ext4`, no root.
//!
//! Everything is blocking and `!Send` inside (ext4-view); run one certification start to
//! finish in `tokio::task::spawn_blocking`.

pub mod access;
pub mod certify;
pub mod footer;
pub mod http;
mod linux;
pub mod partition;
pub mod readahead;
pub mod report;
pub mod source;
#[cfg(feature = "test-images")]
pub mod testimage;

pub use certify::{
    CertifyOptions, DiskKind, OsFamily, certify_disk, certify_url, refresh_url_tests, tests_for,
};
pub use footer::SizeLimits;
pub use http::{
    AddressPolicy, HttpOptions, HttpRangeSource, ImageIdentity, Refusal, Target, probe,
};
pub use readahead::ReadAhead;
pub use report::{DiskReport, TestId, TestResult, Verdict};
pub use source::{FileSource, MemorySource, RangeSource, ReadError};
