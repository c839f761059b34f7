//! Step 2, Certification: every disk of the snapshot (every SKU, every disk version, OS and
//! data disks) goes through the tests of `portal-vhd` (URL and SAS, range support, the VHD
//! footer, the partition layout and, for Linux, the files inside the image), read with HTTP
//! range requests. Every failed test is an error tied to the disk's URL field; a test that
//! could not run is a warning (manual review). Progress is disks done / disks total.
//!
//! Results are stored per image (`image_checks`); an image whose size, `ETag` and
//! `Last-Modified` (one `HEAD` request) are unchanged reuses its stored result, with only the
//! URL tests run again (the SAS may have been regenerated).

use std::net::SocketAddr;

use portal_domain::FieldPath;
use portal_domain::OfferDocument;
use portal_domain::workflow::{MessageLevel, StepMessage};
use portal_vhd::{
    AddressPolicy, CertifyOptions, DiskKind, DiskReport, HttpOptions, ImageIdentity, OsFamily,
    Verdict,
};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::{StepContext, StepOutcome, StepWork};
use crate::state::Settings;
use crate::store::{ImageCheckRow, from_ms, now_ms};

/// The work of step 2.
#[derive(Debug)]
pub struct Certification;

/// One disk of a snapshot: its field path, URL and kind, and where it is in the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disk {
    /// The SKU's id (`planId`).
    pub sku: String,
    /// The disk version (a key of `vmImages`).
    pub version: String,
    /// Field path of the URL, e.g. `definition.plans[0]…vmImages["1.0.0"].osVhdUrl`.
    pub field: String,
    /// The URL (with its SAS).
    pub url: String,
    /// OS disk of a family, or data disk.
    pub kind: DiskKind,
}

/// Every disk of a document with its field path, in document order.
pub fn disks(doc: &OfferDocument) -> Vec<Disk> {
    let mut out = Vec::new();
    for (i, plan) in doc.definition.plans.iter().enumerate() {
        let family = plan
            .os_family
            .as_deref()
            .and_then(OsFamily::parse)
            .unwrap_or(OsFamily::Linux);
        let images = FieldPath::keys(&["definition", "plans"])
            .index(i)
            .key("microsoft-azure-virtualmachines.vmImages");
        for (version, image) in plan.vm_images.iter().flatten() {
            let at = images.clone().map_key(version);
            let sku = plan.plan_id.clone().unwrap_or_default();
            if let Some(u) = &image.os_vhd_url {
                out.push(Disk {
                    sku: sku.clone(),
                    version: version.clone(),
                    field: at.clone().key("osVhdUrl").to_string(),
                    url: u.clone(),
                    kind: DiskKind::Os { family },
                });
            }
            for (d, disk) in image.lun_vhd_details.iter().flatten().enumerate() {
                if let Some(u) = &disk.lun_vhd_url {
                    let f = at.clone().key("lunVhdDetails").index(d).key("lunVhdUrl");
                    out.push(Disk {
                        sku: sku.clone(),
                        version: version.clone(),
                        field: f.to_string(),
                        url: u.clone(),
                        kind: DiskKind::Data {
                            lun: disk
                                .lun
                                .unwrap_or_else(|| u32::try_from(d).unwrap_or(u32::MAX)),
                        },
                    });
                }
            }
        }
    }
    out
}

/// The certification options for `url` under the operator's settings.
///
/// `--allow-private-network` allows non-public addresses and plain `http`. Without it, the
/// only exception is the portal's own address (the demo's images): exactly that IP and port,
/// and plain `http` only for a URL naming it literally.
pub fn certify_options(settings: &Settings, url: &str) -> CertifyOptions {
    let own = settings.own_addr;
    let names_own_addr = own.is_some_and(|own| url_names(url, own));
    CertifyOptions {
        http: HttpOptions {
            address: AddressPolicy {
                allow_private: settings.allow_private_network,
                also_allow: own,
            },
            allow_http: settings.allow_private_network || names_own_addr,
            timeout: settings.http_timeout,
            ..HttpOptions::default()
        },
        ..CertifyOptions::default()
    }
}

/// Whether `url` is `http://{addr}/…` with the address written literally.
pub fn url_names(url: &str, addr: SocketAddr) -> bool {
    let Ok(u) = url::Url::parse(url) else {
        return false;
    };
    let ip = match u.host() {
        Some(url::Host::Ipv4(ip)) => std::net::IpAddr::V4(ip),
        Some(url::Host::Ipv6(ip)) => std::net::IpAddr::V6(ip),
        _ => return false,
    };
    u.scheme() == "http" && u.port_or_known_default() == Some(addr.port()) && ip == addr.ip()
}

/// The stored form of a disk kind.
pub fn kind_key(kind: DiskKind) -> &'static str {
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
                crate::views::rfc3339(ms)
            ),
            None => line,
        }
    }
}

/// Runs the tests of `portal-vhd` on one image. With `reuse`, an image unchanged since its
/// stored certification (same size and validators, by one `HEAD`) is not read again. Every
/// fresh result with a known identity is stored.
pub async fn check_image(
    state: &crate::state::AppState,
    url: &str,
    kind: DiskKind,
    reuse: bool,
) -> anyhow::Result<ImageCheck> {
    let opts = certify_options(&state.settings, url);
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
        && let Some(row) = state.store.image_check(&key, kind_s).await?
        && u64::try_from(row.size).ok() == Some(id.size)
        && row.etag == id.etag
        && row.last_modified == id.last_modified
        && let Ok(stored) = serde_json::from_str::<DiskReport>(&row.report)
    {
        let report = portal_vhd::refresh_url_tests(&stored, url, &opts, OffsetDateTime::now_utc());
        return Ok(ImageCheck {
            report,
            reused_from_ms: Some(row.checked_ms),
        });
    }
    let url_owned = url.to_owned();
    let report = tokio::task::spawn_blocking(move || {
        portal_vhd::certify_url(&url_owned, kind, &opts, OffsetDateTime::now_utc())
    })
    .await?;
    if let Some(id) = identity {
        state
            .store
            .save_image_check(&ImageCheckRow {
                url_key: key,
                kind: kind_s.to_owned(),
                url: plain,
                size: i64::try_from(id.size).unwrap_or(i64::MAX),
                etag: id.etag,
                last_modified: id.last_modified,
                report: serde_json::to_string(&report)?,
                checked_ms: now_ms(),
            })
            .await?;
    }
    Ok(ImageCheck {
        report,
        reused_from_ms: None,
    })
}

/// The step messages of one checked disk: its failures and review points, then a summary.
pub fn disk_messages(disk: &Disk, check: &ImageCheck, now: OffsetDateTime) -> Vec<StepMessage> {
    let mut out = check.report.step_messages(&disk.field, now);
    let summary = format!("{}: {}", url_without_query(&disk.url), check.summary());
    out.push(
        StepMessage::text(MessageLevel::Information, &summary, now)
            .at(disk.field.clone(), "certification.summary"),
    );
    out
}

impl StepWork for Certification {
    async fn run(&self, ctx: &mut StepContext) -> anyhow::Result<StepOutcome> {
        let disks = disks(&ctx.snapshot);
        let total = disks.len().max(1);
        let mut messages = Vec::new();
        let mut failed = false;
        for (i, disk) in disks.iter().enumerate() {
            let check = check_image(&ctx.state, &disk.url, disk.kind, true).await?;
            failed |= !check.report.passed();
            messages.extend(disk_messages(disk, &check, from_ms(now_ms())));
            let done = u8::try_from((i + 1) * 100 / total).unwrap_or(100);
            ctx.progress(done).await?;
        }
        if failed {
            return Ok(StepOutcome::Failed(messages));
        }
        // Added only now, so a step run again after a crash does not repeat them.
        for m in messages {
            ctx.message(m);
        }
        ctx.info(&format!(
            "{} disk image(s) passed certification.",
            disks.len()
        ));
        Ok(StepOutcome::Complete)
    }
}
