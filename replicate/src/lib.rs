//! `portal-replicate`: the work of pipeline step 3, Provisioning. Every certified disk (a fixed
//! VHD at an HTTPS SAS URL) of the version being published is copied to every configured
//! region's `object_store`, streaming with constant memory, verified by SHA-256, resumable.
//!
//! - [`replicate`] copies [`Disk`]s to [`Region`]s and reports [`Progress`] through a
//!   `tokio::sync::watch` channel; [`find_replica`] tells whether one disk is in a region.
//! - [`parse_regions`] reads the operator's `--regions` spec.
//! - [`ReplicateError::message`] says what went wrong and what to do.
//!
//! How a disk is copied, per (disk, region):
//! 1. `HEAD` of the image: its identity (size, `ETag`, `Last-Modified`).
//! 2. A region whose [`Manifest`] (`<key>.manifest.json`) matches that identity, and whose
//!    object has that size, is skipped: this is how a restart continues where it stopped and
//!    why a disk already present is not copied again.
//! 3. The first region missing the disk gets it from the image URL (through the guarded
//!    client, [`SourceOptions`]); the others from an already verified copy (store to store),
//!    so the publisher's storage is read once.
//! 4. SHA-256 is computed while copying; what was written is read back and hashed again (in
//!    a local region each part right after it is written, while it is still in the page
//!    cache; in a cloud store the whole object once it is complete); the image's identity is
//!    checked again after a copy from its URL. A local region's copy is sparse: a 64 KiB
//!    block of zeros is left as a hole (read back as zeros like any other byte), so a mostly
//!    empty VM image costs the disk what it holds, not its length.
//! 5. Only then is the manifest written. A copy interrupted at any point (error, dropped
//!    future, `kill -9`) has no manifest and is made again; the local store's leftovers of a
//!    killed upload are removed first.

mod error;
mod hashing;
mod manifest;
mod progress;
mod region;
mod run;
mod source;
mod store_io;

pub use error::{ReplicateError, Responsible};
pub use manifest::Manifest;
pub use portal_net::AddressPolicy;
pub use progress::{Progress, RegionProgress, RegionState};
pub use region::{Region, RegionSpecError, parse_regions};
pub use run::{
    Action, Disk, Replica, ReplicateOptions, Replicated, find_replica, manifest_key, replicate,
};
pub use source::{SourceOptions, redact};
