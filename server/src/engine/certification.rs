//! Step 2, Certification: every disk URL of the snapshot (every SKU, every disk version, OS
//! and data disks) is checked: https, the SAS parameters, the blob name, then a ranged GET
//! whose `Content-Range` must show a fixed VHD size (whole MiB + 512-byte footer). The body
//! is never downloaded. One message per failed check; progress is checks done / total.

use portal_domain::FieldPath;
use portal_domain::OfferDocument;
use portal_domain::workflow::{MessageLevel, StepMessage};
use reqwest::{StatusCode, Url};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::guard::Guard;
use super::{StepContext, StepOutcome, StepWork};
use crate::store::{from_ms, now_ms};

const MIB: u64 = 1024 * 1024;

/// The work of step 2.
#[derive(Debug)]
pub struct Certification;

/// A failed check: code and how to fix it.
type Problem = (&'static str, String);

/// Every disk URL of a document with its field path.
pub fn disk_urls(doc: &OfferDocument) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, plan) in doc.definition.plans.iter().enumerate() {
        let images = FieldPath::keys(&["definition", "plans"])
            .index(i)
            .key("microsoft-azure-virtualmachines.vmImages");
        for (version, image) in plan.vm_images.iter().flatten() {
            let at = images.clone().map_key(version);
            if let Some(u) = &image.os_vhd_url {
                out.push((at.clone().key("osVhdUrl").to_string(), u.clone()));
            }
            for (d, disk) in image.lun_vhd_details.iter().flatten().enumerate() {
                if let Some(u) = &disk.lun_vhd_url {
                    let f = at.clone().key("lunVhdDetails").index(d).key("lunVhdUrl");
                    out.push((f.to_string(), u.clone()));
                }
            }
        }
    }
    out
}

impl StepWork for Certification {
    async fn run(&self, ctx: &mut StepContext) -> anyhow::Result<StepOutcome> {
        let settings = &ctx.state.settings;
        let guard = Guard {
            allow_private: settings.allow_private_network,
            own_addr: settings.own_addr,
            timeout: settings.http_timeout,
        };
        let disks = disk_urls(&ctx.snapshot);
        let total = disks.len().max(1);
        let mut messages = Vec::new();
        for (i, (field, url)) in disks.iter().enumerate() {
            for (code, text) in check_disk(&guard, url, OffsetDateTime::now_utc()).await {
                let msg = StepMessage::text(MessageLevel::Error, &text, from_ms(now_ms()));
                messages.push(msg.at(field.clone(), code));
            }
            let done = u8::try_from((i + 1) * 100 / total).unwrap_or(100);
            ctx.progress(done).await?;
        }
        if messages.is_empty() {
            ctx.info(&format!(
                "{} disk image(s) passed certification.",
                disks.len()
            ));
            Ok(StepOutcome::Complete)
        } else {
            Ok(StepOutcome::Failed(messages))
        }
    }
}

fn parse_sas_time(raw: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(raw, &Rfc3339).ok().or_else(|| {
        let date = time::Date::parse(
            raw,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .ok()?;
        Some(date.midnight().assume_utc())
    })
}

/// The static checks of one URL (scheme, SAS, blob name).
pub fn check_url(guard: &Guard, raw: &str, now: OffsetDateTime) -> Result<Url, Vec<Problem>> {
    let url = Url::parse(raw.trim()).map_err(|_| {
        vec![(
            "invalidUrl",
            "This is not a valid URL. Use the blob's SAS URL from Azure Storage Explorer."
                .to_owned(),
        )]
    })?;
    let mut problems = Vec::new();
    match url.scheme() {
        "https" => {}
        "http" if guard.http_allowed() => {}
        _ => problems.push((
            "notHttps",
            "Image URLs must use https. Generate the SAS URL with HTTPS only.".to_owned(),
        )),
    }
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    match param("sp") {
        Some(sp) if sp == "rl" || sp == "lr" => {}
        _ => problems.push((
            "sasPermissions",
            "The SAS must grant exactly Read and List (sp=rl).".to_owned(),
        )),
    }
    match param("st").as_deref().map(parse_sas_time) {
        Some(Some(st)) if st <= now - time::Duration::days(1) => {}
        Some(Some(_)) => problems.push(("sasStartTooLate", "The SAS start time (st) must be at least one day in the past; set it to yesterday or earlier.".to_owned())),
        _ => problems.push(("sasStartMissing", "The SAS start time (st) is missing or not a date; generate the SAS with a start time at least one day in the past.".to_owned())),
    }
    match param("se").as_deref().map(parse_sas_time) {
        Some(Some(se)) if se >= now + time::Duration::weeks(3) => {}
        Some(Some(_)) => problems.push(("sasExpiresTooSoon", "The SAS expiry time (se) must be at least three weeks in the future.".to_owned())),
        _ => problems.push(("sasExpiryMissing", "The SAS expiry time (se) is missing or not a date; generate the SAS with an expiry at least three weeks ahead.".to_owned())),
    }
    let name = url.path().rsplit('/').next().unwrap_or("");
    if !name.to_ascii_lowercase().ends_with(".vhd") {
        problems.push((
            "notVhd",
            "The blob must be a .vhd file (fixed-size VHD); convert VHDX or dynamic disks first."
                .to_owned(),
        ));
    } else if name.contains(['%', '"', ' ', '\'', '<', '>']) {
        problems.push(("badBlobName", "The blob name contains characters that are not allowed (% \" spaces); rename the blob with letters, digits, dashes and dots.".to_owned()));
    }
    if problems.is_empty() {
        Ok(url)
    } else {
        Err(problems)
    }
}

/// Every check of one disk URL; empty when it passes.
pub async fn check_disk(guard: &Guard, raw: &str, now: OffsetDateTime) -> Vec<Problem> {
    let url = match check_url(guard, raw, now) {
        Ok(u) => u,
        Err(p) => return p,
    };
    let res = match guard.get(&url, "bytes=0-511").await {
        Ok(r) => r,
        Err(e) => {
            return vec![(
                "imageUnreachable",
                format!(
                    "The image could not be read: {e}. Check that the SAS URL is reachable from the internet and not expired."
                ),
            )];
        }
    };
    let status = res.status();
    let content_range = res
        .headers()
        .get(reqwest::header::CONTENT_RANGE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    drop(res); // never download the body
    if status != StatusCode::PARTIAL_CONTENT {
        return if status.is_success() {
            vec![("rangeNotSupported", "Reading the first 512 bytes failed: the server ignored the range request. Serve the image from Azure Blob storage, which supports ranges.".to_owned())]
        } else {
            vec![(
                "imageHttpError",
                format!(
                    "Reading the first 512 bytes failed: the server answered {status}. Check the URL and that the SAS is valid and not expired."
                ),
            )]
        };
    }
    let total = content_range
        .as_deref()
        .and_then(|v| v.rsplit('/').next())
        .and_then(|t| t.trim().parse::<u64>().ok());
    match total {
        Some(t) if t > 512 && (t - 512) % MIB == 0 => Vec::new(),
        Some(t) => vec![("vhdSizeInvalid", format!("The image is {t} bytes; a fixed VHD is a whole number of MiB plus a 512-byte footer. Convert it with a fixed size aligned to 1 MiB."))],
        None => vec![("vhdSizeUnknown", "The server did not report the image size (Content-Range); serve it from Azure Blob storage.".to_owned())],
    }
}
