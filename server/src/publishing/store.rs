//! The SQL of the durable pipeline (`operations`, `step_runs`): publishing in one
//! transaction, the publisher's transitions guarded by compare-and-set, the workers' leases,
//! progress, and ending a step together with its effects on the offer and its notifications.

use portal_domain::api::Link;
use portal_domain::workflow::{Pipeline, StatusSummary, StepId};
use sqlx::{Any, FromRow, Row, Transaction};

use super::{OfferState, Operation};
use crate::audit::{self, Change};
use crate::db::{Db, is_unique_violation};
use crate::notifications::{self, Notification};
use crate::offers::{self, Offer, Slot};

const OP_COLS: &str = "id, publisher_id, offer_id, version, draft_hash, pipeline, emails, \
     preview_links, live_links, created_ms, updated_ms, next_step, started_by, signed_off_by";

#[derive(FromRow)]
struct OperationRow {
    id: String,
    publisher_id: String,
    offer_id: String,
    version: i64,
    draft_hash: String,
    pipeline: String,
    emails: String,
    preview_links: String,
    live_links: String,
    created_ms: i64,
    updated_ms: i64,
    next_step: Option<String>,
    started_by: Option<String>,
    signed_off_by: Option<String>,
}

fn decode<T: serde::de::DeserializeOwned>(text: &str) -> sqlx::Result<T> {
    serde_json::from_str(text).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

fn encode<T: serde::Serialize>(value: &T) -> sqlx::Result<String> {
    serde_json::to_string(value).map_err(|e| sqlx::Error::Encode(Box::new(e)))
}

impl TryFrom<OperationRow> for Operation {
    type Error = sqlx::Error;

    fn try_from(r: OperationRow) -> sqlx::Result<Self> {
        let next_step = match r.next_step.as_deref() {
            None => None,
            Some(s) => Some(StepId::parse(s).ok_or_else(|| {
                sqlx::Error::Decode(format!("unknown step `{s}` in operation {}", r.id).into())
            })?),
        };
        Ok(Operation {
            pipeline: decode(&r.pipeline)?,
            preview_links: decode::<Vec<Link>>(&r.preview_links)?,
            live_links: decode::<Vec<Link>>(&r.live_links)?,
            read_pipeline: r.pipeline,
            id: r.id,
            publisher_id: r.publisher_id,
            offer_id: r.offer_id,
            version: r.version,
            draft_hash: r.draft_hash,
            emails: r.emails,
            created_ms: r.created_ms,
            updated_ms: r.updated_ms,
            next_step,
            started_by: r.started_by,
            signed_off_by: r.signed_off_by,
        })
    }
}

fn operation(row: Option<OperationRow>) -> sqlx::Result<Option<Operation>> {
    row.map(Operation::try_from).transpose()
}

/// The status summary of a pipeline (JSON) as the offers list needs it, stored beside the
/// pipeline in `operations.brief` so listing 10,000 offers parses no pipelines.
fn brief(pipeline: &Pipeline) -> sqlx::Result<String> {
    encode(&StatusSummary::new(Some(pipeline), false, false))
}

/// The columns an operation's writes set, encoded once.
struct Encoded {
    status: &'static str,
    pipeline: String,
    brief: String,
    preview_links: String,
    live_links: String,
    next_step: Option<&'static str>,
}

impl Encoded {
    fn of(op: &Operation) -> sqlx::Result<Self> {
        Ok(Self {
            status: op.pipeline.status.as_str(),
            pipeline: encode(&op.pipeline)?,
            brief: brief(&op.pipeline)?,
            preview_links: encode(&op.preview_links)?,
            live_links: encode(&op.live_links)?,
            next_step: op.next_step.map(StepId::as_str),
        })
    }
}

/// Inserts a new operation (no lease yet).
async fn insert(
    tx: &mut Transaction<'static, Any>,
    op: &Operation,
) -> sqlx::Result<sqlx::any::AnyQueryResult> {
    let e = Encoded::of(op)?;
    sqlx::query(
        "INSERT INTO operations (id, publisher_id, offer_id, version, draft_hash, status, \
         pipeline, emails, preview_links, live_links, created_ms, updated_ms, next_step, \
         lease_owner, lease_until, brief, started_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, NULL, NULL, $14, $15)",
    )
    .bind(&op.id)
    .bind(&op.publisher_id)
    .bind(&op.offer_id)
    .bind(op.version)
    .bind(&op.draft_hash)
    .bind(e.status)
    .bind(&e.pipeline)
    .bind(&op.emails)
    .bind(&e.preview_links)
    .bind(&e.live_links)
    .bind(op.created_ms)
    .bind(op.updated_ms)
    .bind(e.next_step)
    .bind(&e.brief)
    .bind(op.started_by.as_deref())
    .execute(&mut **tx)
    .await
}

/// The newest operation of an offer.
pub async fn latest(db: &Db, publisher: &str, offer: &str) -> sqlx::Result<Option<Operation>> {
    let sql = format!(
        "SELECT {OP_COLS} FROM operations WHERE publisher_id = $1 AND offer_id = $2 \
         ORDER BY created_ms DESC, id DESC LIMIT 1"
    );
    let row: Option<OperationRow> = sqlx::query_as(&sql)
        .bind(publisher)
        .bind(offer)
        .fetch_optional(&db.read)
        .await?;
    operation(row)
}

/// The status of an offer needs its state and its newest operation: one statement, so one
/// consistent snapshot (a step's effects on the offer commit with its operation). `None`
/// when the offer does not exist.
pub async fn status_of(
    db: &Db,
    publisher: &str,
    offer: &str,
) -> sqlx::Result<Option<(OfferState, Option<Operation>)>> {
    let row = sqlx::query(
        "SELECT offers.draft_hash AS offer_draft_hash, \
         offers.production_version AS production_version, \
         (SELECT v.draft_hash FROM offer_versions v WHERE v.publisher_id = offers.publisher_id \
          AND v.offer_id = offers.offer_id AND v.version = offers.production_version) \
          AS production_hash, \
         op.id, op.publisher_id, op.offer_id, op.version, op.draft_hash, op.pipeline, \
         op.emails, op.preview_links, op.live_links, op.created_ms, op.updated_ms, op.next_step, \
         op.started_by, op.signed_off_by \
         FROM offers LEFT JOIN operations op ON op.id = \
         (SELECT l.id FROM operations l WHERE l.publisher_id = offers.publisher_id \
          AND l.offer_id = offers.offer_id ORDER BY l.created_ms DESC, l.id DESC LIMIT 1) \
         WHERE offers.publisher_id = $1 AND offers.offer_id = $2",
    )
    .bind(publisher)
    .bind(offer)
    .fetch_optional(&db.read)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let state = OfferState {
        publisher_id: publisher.to_owned(),
        offer_id: offer.to_owned(),
        draft_hash: r.try_get("offer_draft_hash")?,
        production_version: r.try_get("production_version")?,
        production_hash: r.try_get("production_hash")?,
    };
    // The operation's columns are NULL when the offer was never published.
    let op = match r.try_get::<Option<String>, _>("id")? {
        Some(_) => Some(OperationRow::from_row(&r)?.try_into()?),
        None => None,
    };
    Ok(Some((state, op)))
}

/// The operations of an offer, newest first.
pub async fn of_offer(
    db: &Db,
    publisher: &str,
    offer: &str,
    only_running: bool,
) -> sqlx::Result<Vec<Operation>> {
    let sql = format!(
        "SELECT {OP_COLS} FROM operations WHERE publisher_id = $1 AND offer_id = $2 \
         AND ($3 = 0 OR status = 'running') ORDER BY created_ms DESC, id DESC"
    );
    let rows: Vec<OperationRow> = sqlx::query_as(&sql)
        .bind(publisher)
        .bind(offer)
        .bind(i64::from(only_running))
        .fetch_all(&db.read)
        .await?;
    rows.into_iter().map(Operation::try_from).collect()
}

/// One operation of an offer.
pub async fn find(
    db: &Db,
    publisher: &str,
    offer: &str,
    id: &str,
) -> sqlx::Result<Option<Operation>> {
    let sql = format!(
        "SELECT {OP_COLS} FROM operations WHERE publisher_id = $1 AND offer_id = $2 AND id = $3"
    );
    let row: Option<OperationRow> = sqlx::query_as(&sql)
        .bind(publisher)
        .bind(offer)
        .bind(id)
        .fetch_optional(&db.read)
        .await?;
    operation(row)
}

/// Why a publish could not be recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublishConflict {
    /// Another operation of the offer is running (or started concurrently).
    Running,
    /// The draft changed between reading and recording.
    DraftChanged,
}

/// Records a publish in one transaction: the draft (still `offer.draft_hash`) becomes the
/// next immutable version, the operation is created and its notification written.
pub async fn publish(
    db: &Db,
    offer: &Offer,
    op: &Operation,
    mail: &[Notification],
    change: &Change,
) -> sqlx::Result<Result<(), PublishConflict>> {
    let mut tx = db.write.begin().await?;
    if !offers::store::snapshot_draft(&mut tx, offer, op.created_ms).await? {
        tx.rollback().await?;
        return Ok(Err(PublishConflict::DraftChanged));
    }
    match insert(&mut tx, op).await {
        Err(e) if is_unique_violation(&e) => {
            tx.rollback().await?;
            return Ok(Err(PublishConflict::Running));
        }
        other => {
            other?;
        }
    }
    notifications::store::insert(&mut tx, mail).await?;
    audit::store::record(&mut tx, change).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Writes an operation changed by the publisher (Go Live, Cancel) if nobody changed it since
/// it was read; false otherwise. A canceled version leaves the preview slot.
pub async fn update_if_unchanged(
    db: &Db,
    op: &Operation,
    mail: &[Notification],
    change: &Change,
) -> sqlx::Result<bool> {
    let e = Encoded::of(op)?;
    let mut tx = db.write.begin().await?;
    let done = sqlx::query(
        "UPDATE operations SET status = $1, pipeline = $2, next_step = $3, updated_ms = $4, \
         brief = $5, signed_off_by = $8 WHERE id = $6 AND pipeline = $7 AND lease_owner IS NULL",
    )
    .bind(e.status)
    .bind(&e.pipeline)
    .bind(e.next_step)
    .bind(op.updated_ms)
    .bind(&e.brief)
    .bind(&op.id)
    .bind(&op.read_pipeline)
    .bind(op.signed_off_by.as_deref())
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        tx.rollback().await?;
        return Ok(false);
    }
    if op.pipeline.status == portal_domain::workflow::OperationStatus::Canceled {
        // Reviewers see a canceled version no more.
        offers::store::withdraw_preview(&mut tx, &op.publisher_id, &op.offer_id, op.version)
            .await?;
    }
    notifications::store::insert(&mut tx, mail).await?;
    audit::store::record(&mut tx, change).await?;
    tx.commit().await?;
    Ok(true)
}

/// Claims a runnable step whose lease is free or expired, for `owner` until `until_ms`.
/// Atomic on both databases: the guard is re-checked on the row being updated.
pub async fn claim(
    db: &Db,
    owner: &str,
    now_ms: i64,
    until_ms: i64,
) -> sqlx::Result<Option<Operation>> {
    let sql = format!(
        "UPDATE operations SET lease_owner = $1, lease_until = $2 \
         WHERE id = (SELECT id FROM operations WHERE next_step IS NOT NULL \
           AND (lease_until IS NULL OR lease_until < $3) ORDER BY updated_ms LIMIT 1) \
         AND next_step IS NOT NULL AND (lease_until IS NULL OR lease_until < $4) \
         RETURNING {OP_COLS}"
    );
    let row: Option<OperationRow> = sqlx::query_as(&sql)
        .bind(owner)
        .bind(until_ms)
        .bind(now_ms)
        .bind(now_ms)
        .fetch_optional(&db.write)
        .await?;
    let Some(row) = row else { return Ok(None) };
    sqlx::query(
        "INSERT INTO step_runs (id, operation_id, step, owner, started_ms) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(&row.id)
    .bind(row.next_step.as_deref().unwrap_or(""))
    .bind(owner)
    .bind(now_ms)
    .execute(&db.write)
    .await?;
    operation(Some(row))
}

/// Extends a lease; false when it was lost.
pub async fn renew(db: &Db, id: &str, owner: &str, until_ms: i64) -> sqlx::Result<bool> {
    let done =
        sqlx::query("UPDATE operations SET lease_until = $1 WHERE id = $2 AND lease_owner = $3")
            .bind(until_ms)
            .bind(id)
            .bind(owner)
            .execute(&db.write)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives a lease back early, to retry the step after `retry_at_ms`.
pub async fn release(db: &Db, id: &str, owner: &str, retry_at_ms: i64) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE operations SET lease_owner = NULL, lease_until = $1 \
         WHERE id = $2 AND lease_owner = $3",
    )
    .bind(retry_at_ms)
    .bind(id)
    .bind(owner)
    .execute(&db.write)
    .await?;
    Ok(())
}

/// Saves progress and messages of the step in progress, while holding the lease.
pub async fn save_progress(
    db: &Db,
    id: &str,
    owner: &str,
    pipeline: &Pipeline,
    now_ms: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE operations SET pipeline = $1, updated_ms = $2, brief = $3 \
         WHERE id = $4 AND lease_owner = $5",
    )
    .bind(encode(pipeline)?)
    .bind(now_ms)
    .bind(brief(pipeline)?)
    .bind(id)
    .bind(owner)
    .execute(&db.write)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends a step in one transaction, guarded by the lease so a step is never completed twice:
/// the operation's new state, the offer's slot (`effect`) and the notifications.
pub async fn finish_step(
    db: &Db,
    op: &Operation,
    owner: &str,
    step: StepId,
    effect: Option<Slot>,
    mail: &[Notification],
) -> sqlx::Result<bool> {
    let e = Encoded::of(op)?;
    let mut tx = db.write.begin().await?;
    let done = sqlx::query(
        "UPDATE operations SET status = $1, pipeline = $2, next_step = $3, emails = $4, \
         preview_links = $5, live_links = $6, updated_ms = $7, lease_owner = NULL, \
         lease_until = NULL, brief = $8 WHERE id = $9 AND lease_owner = $10 AND next_step = $11",
    )
    .bind(e.status)
    .bind(&e.pipeline)
    .bind(e.next_step)
    .bind(&op.emails)
    .bind(&e.preview_links)
    .bind(&e.live_links)
    .bind(op.updated_ms)
    .bind(&e.brief)
    .bind(&op.id)
    .bind(owner)
    .bind(step.as_str())
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        tx.rollback().await?;
        return Ok(false);
    }
    if let Some(slot) = effect {
        offers::store::set_slot(&mut tx, &op.publisher_id, &op.offer_id, slot, op.version).await?;
    }
    notifications::store::insert(&mut tx, mail).await?;
    tx.commit().await?;
    Ok(true)
}

/// How many times a step of an operation was started.
pub async fn step_runs(db: &Db, operation: &str, step: StepId) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM step_runs WHERE operation_id = $1 AND step = $2")
        .bind(operation)
        .bind(step.as_str())
        .fetch_one(&db.read)
        .await
}

/// How many times each (operation, step) was started, for audits and tests.
pub async fn step_run_counts(db: &Db) -> sqlx::Result<Vec<(String, String, i64)>> {
    sqlx::query_as(
        "SELECT operation_id, step, COUNT(*) AS n FROM step_runs \
         GROUP BY operation_id, step ORDER BY operation_id, step",
    )
    .fetch_all(&db.read)
    .await
}

/// What a seeded offer has been through (the demo data).
#[derive(Debug)]
pub struct Seed {
    /// Its one operation.
    pub operation: Operation,
    /// Whether version 1 is in preview.
    pub preview: bool,
    /// Whether version 1 is live.
    pub live: bool,
}

/// Creates an offer with its draft and, when `seed` says so, version 1 with its operation
/// and slots, in one transaction (the demo data).
pub async fn seed_offer(
    db: &Db,
    publisher: &str,
    offer: &str,
    draft: portal_domain::OfferDocument,
    seed: Option<Seed>,
) -> anyhow::Result<()> {
    let mut tx = db.write.begin().await?;
    let created = offers::store::insert_tx(&mut tx, publisher, offer, draft)
        .await?
        .ok_or_else(|| anyhow::anyhow!("offer `{offer}` exists already"))?;
    if let Some(seed) = seed {
        anyhow::ensure!(
            offers::store::snapshot_draft(&mut tx, &created, created.changed_ms).await?,
            "offer `{offer}` changed while it was seeded"
        );
        let op = Operation {
            draft_hash: created.draft_hash.clone(),
            ..seed.operation
        };
        insert(&mut tx, &op).await?;
        for (slot, on) in [(Slot::Preview, seed.preview), (Slot::Production, seed.live)] {
            if on {
                offers::store::set_slot(&mut tx, publisher, offer, slot, 1).await?;
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Fills `brief` of operations stored before it existed.
pub(crate) async fn backfill_briefs(db: &Db) -> anyhow::Result<()> {
    let rows = sqlx::query("SELECT id, pipeline FROM operations WHERE brief IS NULL")
        .fetch_all(&db.write)
        .await?;
    for r in rows {
        let id: String = r.try_get("id")?;
        let pipeline: String = r.try_get("pipeline")?;
        // A pipeline that does not decode gets no brief: the list shows it as never published.
        let brief = decode::<Pipeline>(&pipeline)
            .ok()
            .map(|p| brief(&p))
            .transpose()?;
        sqlx::query("UPDATE operations SET brief = $1 WHERE id = $2")
            .bind(brief)
            .bind(&id)
            .execute(&db.write)
            .await?;
    }
    Ok(())
}
