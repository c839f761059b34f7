//! Image checks: the tests of `portal-vhd` run on one disk image (URL and SAS, range support,
//! the VHD footer, the partition layout and, for Linux, the files inside), read with HTTP
//! range requests, and the certification cache ([`store`]) that lets an unchanged image skip
//! the reading. Used by the Certification step and by "Check image now" ([`routes`]).

mod routes;
pub mod store;

use portal_vhd::{DiskKind, DiskReport, ImageIdentity, OsFamily, Verdict};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::db::{now_ms, rfc3339};
use crate::outbound;
use crate::state::AppState;

pub use routes::routes;

/// The stored form of a disk kind.
fn kind_key(kind: DiskKind) -> &'static str {
    match kind {
        DiskKind::Os {
            family: OsFamily::Linux,
        } => "os:linux",
        DiskKind::Os {
            family: OsFamily::Windows,
        } => "os:windows",
        DiskKind::Data { .. } => "data",
    }
}

/// The URL without query and fragment (the SAS is a secret and changes when regenerated).
pub fn url_without_query(url: &str) -> String {
    match url::Url::parse(url.trim()) {
        Ok(mut u) => {
            u.set_query(None);
            u.set_fragment(None);
            u.to_string()
        }
        Err(_) => url.split(['?', '#']).next().unwrap_or_default().to_owned(),
    }
}

/// The result of checking one image.
#[derive(Debug, Clone)]
pub struct ImageCheck {
    /// The report (URL tests always current).
    pub report: DiskReport,
    /// When the reused result was first measured; `None` when the image was read now.
    pub reused_from_ms: Option<i64>,
}

impl ImageCheck {
    /// "N tests passed · M requests · X KB read" (or the reuse note).
    pub fn summary(&self) -> String {
        let r = &self.report;
        let passed = r
            .tests
            .iter()
            .filter(|t| t.verdict == Verdict::Pass)
            .count();
        let line = format!(
            "{passed} of {} tests passed · {} requests · {} KB read",
            r.tests.len(),
            r.requests,
            r.bytes_read.div_ceil(1024)
        );
        match self.reused_from_ms {
            Some(ms) => format!(
                "{line} (result of {} reused: the image is unchanged)",
                rfc3339(ms)
            ),
            None => line,
        }
    }
}

/// Runs the tests of `portal-vhd` on one image. With `reuse`, an image unchanged since its
/// stored certification (same size and validators, by one `HEAD`) is not read again. Every
/// fresh result with a known identity is stored.
pub async fn check_image(
    state: &AppState,
    url: &str,
    kind: DiskKind,
    reuse: bool,
) -> anyhow::Result<ImageCheck> {
    let opts = outbound::certify(&state.settings, url);
    let plain = url_without_query(url);
    let key = hex::encode(Sha256::digest(plain.as_bytes()));
    let kind_s = kind_key(kind);
    let (url_owned, probe_opts) = (url.to_owned(), opts.http.clone());
    // A HEAD only; refused addresses and bad URLs are reported by the full run below.
    let identity: Option<ImageIdentity> =
        tokio::task::spawn_blocking(move || portal_vhd::probe(&url_owned, &probe_opts).ok())
            .await?;
    if reuse
        && let Some(id) = identity.as_ref().filter(|id| id.has_validator())
        && let Some(stored) = store::find(&state.db, &key, kind_s).await?
        && u64::try_from(stored.size).ok() == Some(id.size)
        && stored.etag == id.etag
        && stored.last_modified == id.last_modified
    {
        let report =
            portal_vhd::refresh_url_tests(&stored.report, url, &opts, OffsetDateTime::now_utc());
        return Ok(ImageCheck {
            report,
            reused_from_ms: Some(stored.checked_ms),
        });
    }
    let url_owned = url.to_owned();
    let report = tokio::task::spawn_blocking(move || {
        portal_vhd::certify_url(&url_owned, kind, &opts, OffsetDateTime::now_utc())
    })
    .await?;
    if let Some(id) = identity {
        let stored = store::StoredCheck {
            size: i64::try_from(id.size).unwrap_or(i64::MAX),
            etag: id.etag,
            last_modified: id.last_modified,
            report,
            checked_ms: now_ms(),
        };
        store::save(&state.db, &key, kind_s, &plain, &stored).await?;
        return Ok(ImageCheck {
            report: stored.report,
            reused_from_ms: None,
        });
    }
    Ok(ImageCheck {
        report,
        reused_from_ms: None,
    })
}
