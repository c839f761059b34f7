//! The durable publishing engine: workers claim a runnable step of an operation with a lease,
//! renew it while working, run the step's work and end the step in one transaction guarded
//! by the lease. A killed server loses nothing: expired leases are claimed again and the
//! (idempotent) work runs again.

use std::future::Future;
use std::time::Duration;

use anyhow::Context;
use portal_domain::OfferDocument;
use portal_domain::workflow::{MessageLevel, Next, Pipeline, StepId, StepMessage};
use tokio::task::JoinHandle;

use super::steps::{certification, live, packaging, preview, provisioning, validate};
use super::{Operation, store};
use crate::db::{from_ms, now_ms, to_ms};
use crate::notifications::{self, Event};
use crate::offers::{self, Slot};
use crate::state::AppState;

/// How a step's work ended.
#[derive(Debug)]
pub enum StepOutcome {
    /// The step is done; the next one starts.
    Complete,
    /// The step failed with these messages; the operation stops.
    Failed(Vec<StepMessage>),
}

/// The work of one step. Must be idempotent: after a crash it runs again.
pub trait StepWork {
    /// Does the work, recording progress and messages through the context.
    fn run(
        &self,
        ctx: &mut StepContext,
    ) -> impl Future<Output = anyhow::Result<StepOutcome>> + Send;
}

/// What a step's work sees and records.
#[derive(Debug)]
pub struct StepContext {
    /// Shared state.
    pub state: AppState,
    /// The operation (its links and e-mails may be changed by the work).
    pub op: Operation,
    /// Its pipeline.
    pub pipeline: Pipeline,
    /// The step being run.
    pub step: StepId,
    /// This worker's lease owner id.
    pub owner: String,
    /// The immutable snapshot the operation publishes.
    pub snapshot: OfferDocument,
}

impl StepContext {
    /// Records real progress (0–100) of the step.
    pub async fn progress(&mut self, percent: u8) -> anyhow::Result<()> {
        self.pipeline.progress(self.step, percent)?;
        self.save().await
    }

    /// Adds an information message to the step.
    pub fn info(&mut self, text: &str) {
        let msg = StepMessage::text(MessageLevel::Information, text, from_ms(now_ms()));
        self.pipeline.message(self.step, msg);
    }

    /// Adds a message to the step.
    pub fn message(&mut self, msg: StepMessage) {
        self.pipeline.message(self.step, msg);
    }

    async fn save(&mut self) -> anyhow::Result<()> {
        let saved = store::save_progress(
            &self.state.db,
            &self.op.id,
            &self.owner,
            &self.pipeline,
            now_ms(),
        )
        .await?;
        if !saved {
            anyhow::bail!("lease lost");
        }
        self.state
            .answers
            .invalidate(&self.op.publisher_id, &self.op.offer_id);
        Ok(())
    }
}

async fn dispatch(step: StepId, ctx: &mut StepContext) -> anyhow::Result<StepOutcome> {
    match step {
        StepId::ValidatePrerequisites => validate::ValidatePrerequisites.run(ctx).await,
        StepId::Certification => certification::Certification.run(ctx).await,
        StepId::Provisioning => provisioning::Provisioning.run(ctx).await,
        StepId::Packaging => packaging::Packaging.run(ctx).await,
        StepId::Preview => preview::Preview.run(ctx).await,
        StepId::Live => live::Live.run(ctx).await,
        StepId::PublisherSignoff => anyhow::bail!("sign-off is not run by a worker"),
    }
}

/// Starts `n` workers.
pub fn spawn_workers(state: &AppState, n: usize) -> Vec<JoinHandle<()>> {
    let instance = uuid::Uuid::new_v4().simple().to_string();
    (0..n)
        .map(|i| {
            let state = state.clone();
            let owner = format!("{}-{}-{i}", std::process::id(), &instance[..8]);
            tokio::spawn(worker(state, owner))
        })
        .collect()
}

async fn worker(state: AppState, owner: String) {
    loop {
        let now = now_ms();
        let lease = i64::try_from(state.settings.lease.as_millis()).unwrap_or(30_000);
        match store::claim(&state.db, &owner, now, now + lease).await {
            Ok(Some(op)) => {
                let id = op.id.clone();
                if let Err(e) = run_step(&state, &owner, op).await {
                    tracing::warn!(operation.id = %id, error = %e, "step will be retried");
                    let retry = now_ms() + 2_000;
                    if let Err(e) = store::release(&state.db, &id, &owner, retry).await {
                        tracing::error!(error = %e, "releasing a lease failed");
                    }
                }
            }
            Ok(None) => {
                tokio::select! {
                    () = state.wake.notified() => {}
                    () = tokio::time::sleep(Duration::from_millis(250)) => {}
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "claiming work failed");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

async fn run_step(state: &AppState, owner: &str, op: Operation) -> anyhow::Result<()> {
    let step = op.next_step.context("operation without a runnable step")?;
    let pipeline = op.pipeline.clone();
    let snapshot: OfferDocument =
        offers::store::version(&state.db, &op.publisher_id, &op.offer_id, op.version)
            .await?
            .context("snapshot of the operation")?
            .document;
    tracing::info!(operation.id = %op.id, step = step.as_str(), "step started");
    let mut ctx = StepContext {
        state: state.clone(),
        op,
        pipeline,
        step,
        owner: owner.to_owned(),
        snapshot,
    };
    let renewal = spawn_renewal(state, &ctx.op.id, owner);
    let result = run_and_finish(&mut ctx).await;
    renewal.abort();
    result
}

fn spawn_renewal(state: &AppState, id: &str, owner: &str) -> JoinHandle<()> {
    let (state, id, owner) = (state.clone(), id.to_owned(), owner.to_owned());
    tokio::spawn(async move {
        let lease = state.settings.lease;
        loop {
            tokio::time::sleep(lease / 3).await;
            let until = now_ms() + i64::try_from(lease.as_millis()).unwrap_or(30_000);
            match store::renew(&state.db, &id, &owner, until).await {
                Ok(true) => {}
                Ok(false) => return,
                Err(e) => tracing::warn!(error = %e, "lease renewal failed"),
            }
        }
    })
}

/// A step started this many times (crashes, lost leases, transient errors) stops retrying.
const MAX_STEP_RUNS: i64 = 8;

async fn run_and_finish(ctx: &mut StepContext) -> anyhow::Result<()> {
    let runs = store::step_runs(&ctx.state.db, &ctx.op.id, ctx.step).await?;
    let outcome = if runs > MAX_STEP_RUNS {
        tracing::error!(operation.id = %ctx.op.id, step = ctx.step.as_str(), runs, "step keeps failing; giving up");
        let text = "This step could not be completed after several attempts because of an internal error. Press Publish to try again; if it happens again, open a support request.";
        StepOutcome::Failed(vec![
            StepMessage::text(MessageLevel::Error, text, from_ms(now_ms())).at("", "internalError"),
        ])
    } else {
        dispatch(ctx.step, ctx).await?
    };
    // The demo's minimum duration: only a wait before the step completes.
    let min = ctx.state.settings.min_step;
    if !min.is_zero() {
        let started = ctx
            .pipeline
            .step(ctx.step)
            .started_at
            .map_or_else(now_ms, to_ms);
        let ends = started + i64::try_from(min.as_millis()).unwrap_or(0);
        let wait = ends - now_ms();
        if wait > 0 {
            tokio::time::sleep(Duration::from_millis(u64::try_from(wait).unwrap_or(0))).await;
        }
    }
    finish(ctx, outcome).await
}

async fn finish(ctx: &mut StepContext, outcome: StepOutcome) -> anyhow::Result<()> {
    let now = now_ms();
    let step = ctx.step;
    let mut effect = None;
    let mut mail = Vec::new();
    let next = match outcome {
        StepOutcome::Complete => {
            let next = ctx.pipeline.complete(step, from_ms(now))?;
            match step {
                StepId::Preview => {
                    effect = Some(Slot::Preview);
                    mail.push(Event::PreviewAvailable);
                }
                StepId::Live => {
                    effect = Some(Slot::Production);
                    mail.push(Event::Live);
                }
                _ => {}
            }
            next
        }
        StepOutcome::Failed(messages) => {
            mail.push(Event::PublishFailed);
            ctx.pipeline.fail(step, messages, from_ms(now))?
        }
    };
    ctx.op.next_step = match next {
        Next::Run(s) => Some(s),
        Next::AwaitPublisher | Next::Done(_) => None,
    };
    ctx.op.pipeline = ctx.pipeline.clone();
    ctx.op.updated_ms = now;
    let detail = failure_detail(&ctx.pipeline, step);
    let rows: Vec<_> = mail
        .into_iter()
        .map(|e| notifications::message(&ctx.op, e, &detail))
        .collect();
    let done = store::finish_step(&ctx.state.db, &ctx.op, &ctx.owner, step, effect, &rows).await?;
    if !done {
        anyhow::bail!("lease lost before the step could be recorded");
    }
    ctx.state
        .answers
        .invalidate(&ctx.op.publisher_id, &ctx.op.offer_id);
    tracing::info!(operation.id = %ctx.op.id, step = step.as_str(), status = ctx.pipeline.status.as_str(), "step ended");
    ctx.state.wake.notify_waiters();
    Ok(())
}

fn failure_detail(p: &Pipeline, step: StepId) -> String {
    p.step(step)
        .messages
        .iter()
        .filter(|m| m.level == MessageLevel::Error)
        .map(|m| match &m.field {
            Some(f) => format!("- {f}: {}", m.message_html),
            None => format!("- {}", m.message_html),
        })
        .collect::<Vec<_>>()
        .join("\n")
}
