//! Step 3, Provisioning: every certified disk of the snapshot (every SKU, disk version, OS and
//! data disk) is copied to every configured region by `portal-replicate`: streamed with
//! constant memory, SHA-256 computed while copying and checked again after the write, a
//! manifest written last. Progress (overall and per region) is bytes written and read back.
//! A restart continues: copies with a manifest matching the image are not made again.

use std::time::{Duration, Instant};

use portal_domain::workflow::{MessageLevel, RegionProgress, StepMessage};
use portal_replicate::{
    Action, Disk, Progress, ReplicateError, ReplicateOptions, Replicated, redact, replicate,
};
use tokio::sync::watch;

use crate::db::{from_ms, now_ms};
use crate::outbound;
use crate::publishing::disks;
use crate::publishing::engine::{StepContext, StepOutcome, StepWork};

/// The work of step 3.
#[derive(Debug)]
pub struct Provisioning;

/// How often progress is written to the database while bytes flow.
const SAVE_EVERY: Duration = Duration::from_millis(500);

/// The replication options for a version's disks under the operator's settings.
fn options(settings: &crate::state::Settings, found: &[disks::Disk]) -> ReplicateOptions {
    let urls: Vec<&str> = found.iter().map(|d| d.url.as_str()).collect();
    outbound::replicate(settings, &urls)
}

fn jobs(publisher: &str, offer: &str, found: &[disks::Disk]) -> Vec<Disk> {
    found
        .iter()
        .map(|d| Disk {
            url: d.url.clone(),
            key: d.key(publisher, offer),
        })
        .collect()
}

/// Replicates a version's disks without a step to report to (the demo's seeded preview).
pub async fn replicate_quietly(
    state: &crate::state::AppState,
    publisher: &str,
    offer: &str,
    doc: &portal_domain::OfferDocument,
) -> anyhow::Result<()> {
    let found = disks::of(doc);
    let (tx, _rx) = watch::channel(Progress::default());
    replicate(
        &jobs(publisher, offer, &found),
        &state.regions,
        &options(&state.settings, &found),
        &tx,
    )
    .await
    .map_err(|e| anyhow::anyhow!(e.message()))?;
    Ok(())
}

impl StepWork for Provisioning {
    async fn run(&self, ctx: &mut StepContext) -> anyhow::Result<StepOutcome> {
        let found = disks::of(&ctx.snapshot);
        let regions = ctx.state.regions.clone();
        if regions.is_empty() {
            ctx.info(
                "No regions are configured (--regions is empty): the disks stay where they are.",
            );
            return Ok(StepOutcome::Complete);
        }
        if found.is_empty() {
            ctx.info("There are no disks to replicate.");
            return Ok(StepOutcome::Complete);
        }
        let (publisher, offer) = (ctx.op.publisher_id.clone(), ctx.op.offer_id.clone());
        let jobs = jobs(&publisher, &offer, &found);
        let opts = options(&ctx.state.settings, &found);
        let (tx, mut rx) = watch::channel(Progress::default());
        let work = replicate(&jobs, &regions, &opts, &tx);
        tokio::pin!(work);
        let mut saved = Instant::now();
        let result = loop {
            tokio::select! {
                result = &mut work => break result,
                Ok(()) = rx.changed() => {
                    if saved.elapsed() >= SAVE_EVERY {
                        let p = rx.borrow_and_update().clone();
                        record(ctx, &p);
                        // 100 only when the step completes.
                        ctx.progress(p.percent().min(99)).await?;
                        saved = Instant::now();
                    }
                }
            }
        };
        let last = rx.borrow().clone();
        record(ctx, &last);
        match result {
            Ok(done) => {
                report(ctx, &done, &regions);
                Ok(StepOutcome::Complete)
            }
            // Network trouble or an unreachable store: the engine retries the step, which
            // continues where it stopped.
            Err(e) if e.is_transient() => Err(anyhow::anyhow!(e.message())),
            Err(e) => Ok(StepOutcome::Failed(vec![failure(&e, &found)])),
        }
    }
}

/// Writes the per-region progress into the step.
fn record(ctx: &mut StepContext, p: &Progress) {
    let step = ctx.step;
    ctx.pipeline.set_regions(
        step,
        p.regions
            .iter()
            .map(|r| RegionProgress {
                name: r.name.clone(),
                // Writing and reading back weigh the same, as in the step's percentage.
                bytes_done: r.weighted_bytes(),
                bytes_total: r.bytes_total,
                state: r.state.as_str().to_owned(),
            })
            .collect(),
    );
}

/// One message per region: what is there now and whether it was copied in this run.
fn report(ctx: &mut StepContext, done: &[Replicated], regions: &[portal_replicate::Region]) {
    for region in regions {
        let here: Vec<&Replicated> = done
            .iter()
            .filter(|r| r.replica.region == region.name)
            .collect();
        let bytes: u64 = here.iter().map(|r| r.replica.size).sum();
        let copied = here.iter().filter(|r| r.action == Action::Copied).count();
        let how = if copied == 0 {
            "already present and verified earlier; nothing copied".to_owned()
        } else {
            format!("{copied} copied now, SHA-256 verified after writing")
        };
        ctx.info(&format!(
            "{}: {} disk(s), {} — {how}.",
            region.name,
            here.len(),
            human_bytes(bytes)
        ));
    }
}

/// The step's error message, tied to the disk's URL field when the publisher must act.
fn failure(e: &ReplicateError, found: &[disks::Disk]) -> StepMessage {
    let msg = StepMessage::text(MessageLevel::Error, &e.message(), from_ms(now_ms()));
    let field = e
        .source_url()
        .and_then(|url| found.iter().find(|d| redact(&d.url) == url))
        .map(|d| d.field.clone());
    let code = match e {
        ReplicateError::SourceVanished { .. } => "imageVanished",
        ReplicateError::SourceChanged { .. } => "imageChanged",
        ReplicateError::StorageFull { .. } => "regionFull",
        ReplicateError::ChecksumMismatch { .. } => "checksumMismatch",
        _ => "replicationFailed",
    };
    msg.at(field.as_deref().unwrap_or(""), code)
}

/// `1.5 GiB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
