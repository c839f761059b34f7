//! The SQL of the outbox (`outbox`): notifications written in their event's transaction,
//! then claimed for SMTP delivery with a lease so several processes never send one twice.

use sqlx::{Any, FromRow, Transaction};

use super::Notification;
use crate::db::Db;

const OUTBOX_COLS: &str = "id, publisher_id, operation_id, kind, recipients, subject, body, \
     created_ms, delivered_ms, attempts, last_error";

#[derive(FromRow)]
struct OutboxRow {
    id: String,
    publisher_id: String,
    operation_id: Option<String>,
    kind: String,
    recipients: String,
    subject: String,
    body: String,
    created_ms: i64,
    delivered_ms: Option<i64>,
    attempts: i64,
    last_error: Option<String>,
}

impl From<OutboxRow> for Notification {
    fn from(r: OutboxRow) -> Self {
        Self {
            id: r.id,
            publisher_id: r.publisher_id,
            operation_id: r.operation_id,
            kind: r.kind,
            recipients: r.recipients,
            subject: r.subject,
            body: r.body,
            created_ms: r.created_ms,
            delivered_ms: r.delivered_ms,
            attempts: r.attempts,
            last_error: r.last_error,
        }
    }
}

/// Writes notifications in the transaction of the event they report.
pub(crate) async fn insert(
    tx: &mut Transaction<'static, Any>,
    rows: &[Notification],
) -> sqlx::Result<()> {
    for row in rows {
        sqlx::query(
            "INSERT INTO outbox (id, publisher_id, operation_id, kind, recipients, subject, \
             body, created_ms, delivered_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL)",
        )
        .bind(&row.id)
        .bind(&row.publisher_id)
        .bind(row.operation_id.as_deref())
        .bind(&row.kind)
        .bind(&row.recipients)
        .bind(&row.subject)
        .bind(&row.body)
        .bind(row.created_ms)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The outbox of a publisher, newest first.
pub async fn of_publisher(db: &Db, publisher: &str) -> sqlx::Result<Vec<Notification>> {
    let sql = format!(
        "SELECT {OUTBOX_COLS} FROM outbox WHERE publisher_id = $1 ORDER BY created_ms DESC, id"
    );
    let rows: Vec<OutboxRow> = sqlx::query_as(&sql)
        .bind(publisher)
        .fetch_all(&db.read)
        .await?;
    Ok(rows.into_iter().map(Notification::from).collect())
}

/// Claims the oldest notification due for delivery, holding it until `hold_until_ms` (a
/// lease: another worker or process skips it meanwhile) and counting the attempt.
pub async fn claim(
    db: &Db,
    now_ms: i64,
    hold_until_ms: i64,
    max_attempts: i64,
) -> sqlx::Result<Option<Notification>> {
    let sql = format!(
        "UPDATE outbox SET next_attempt_ms = $1, attempts = attempts + 1 \
         WHERE id = (SELECT id FROM outbox WHERE delivered_ms IS NULL AND attempts < $2 \
           AND (next_attempt_ms IS NULL OR next_attempt_ms <= $3) \
           ORDER BY created_ms, id LIMIT 1) \
         AND delivered_ms IS NULL AND (next_attempt_ms IS NULL OR next_attempt_ms <= $4) \
         RETURNING {OUTBOX_COLS}"
    );
    let row: Option<OutboxRow> = sqlx::query_as(&sql)
        .bind(hold_until_ms)
        .bind(max_attempts)
        .bind(now_ms)
        .bind(now_ms)
        .fetch_optional(&db.write)
        .await?;
    Ok(row.map(Notification::from))
}

/// Records a delivered notification. An account e-mail's body, which holds a one-time link,
/// is not kept once delivered.
pub async fn delivered(db: &Db, id: &str, at_ms: i64) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE outbox SET delivered_ms = $1, last_error = NULL, body = CASE WHEN kind IN \
         ('invitation', 'passwordReset') THEN '(delivered; the link is not kept)' ELSE body END \
         WHERE id = $2",
    )
    .bind(at_ms)
    .bind(id)
    .execute(&db.write)
    .await?;
    Ok(())
}

/// Records a failed attempt and when to try again.
pub async fn failed(db: &Db, id: &str, retry_at_ms: i64, error: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE outbox SET next_attempt_ms = $1, last_error = $2 WHERE id = $3")
        .bind(retry_at_ms)
        .bind(error)
        .bind(id)
        .execute(&db.write)
        .await?;
    Ok(())
}
