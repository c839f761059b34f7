//! Step 2, Certification: every disk of the snapshot (every SKU, every disk version, OS and
//! data disks) goes through the image checks ([`crate::images`]). Every failed test is an
//! error tied to the disk's URL field; a test that could not run is a warning (manual
//! review). Progress is disks done / disks total.
//!
//! Results are stored per image; an image whose size, `ETag` and `Last-Modified` (one `HEAD`
//! request) are unchanged reuses its stored result, with only the URL tests run again (the
//! SAS may have been regenerated).

use portal_domain::workflow::{MessageLevel, StepMessage};
use time::OffsetDateTime;

use crate::db::{from_ms, now_ms};
use crate::images::{ImageCheck, check_image, url_without_query};
use crate::publishing::disks::{self, Disk};
use crate::publishing::engine::{StepContext, StepOutcome, StepWork};

/// The work of step 2.
#[derive(Debug)]
pub struct Certification;

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
        let disks = disks::of(&ctx.snapshot);
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
