//! The SQL of the audit record (`audit`, `audit_heads`).

use portal_domain::accounts::{Actor, AuditEntry, AuditVerification};
use sqlx::{Any, FromRow, Transaction};

use super::{Change, entry_hash};
use crate::db::{Db, from_ms, now_ms};

#[derive(FromRow)]
struct AuditRow {
    seq: i64,
    at_ms: i64,
    actor_kind: String,
    actor_id: Option<String>,
    actor_name: String,
    action: String,
    target: String,
    offer_id: Option<String>,
    address: String,
    before_json: Option<String>,
    after_json: Option<String>,
    hash: String,
}

const COLS: &str = "seq, at_ms, actor_kind, actor_id, actor_name, action, target, offer_id, \
     address, before_json, after_json, hash";

impl AuditRow {
    /// The fields the hash covers, in order.
    fn fields(&self) -> [String; 11] {
        [
            self.seq.to_string(),
            self.at_ms.to_string(),
            self.actor_kind.clone(),
            self.actor_id.clone().unwrap_or_default(),
            self.actor_name.clone(),
            self.action.clone(),
            self.target.clone(),
            self.offer_id.clone().unwrap_or_default(),
            self.address.clone(),
            self.before_json.clone().unwrap_or_default(),
            self.after_json.clone().unwrap_or_default(),
        ]
    }

    fn expected_hash(&self, prev: &str) -> String {
        let fields = self.fields();
        let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
        entry_hash(prev, &refs)
    }

    fn entry(self) -> AuditEntry {
        let parse = |t: Option<String>| t.and_then(|t| serde_json::from_str(&t).ok());
        AuditEntry {
            seq: self.seq,
            at: from_ms(self.at_ms),
            actor: Actor {
                kind: self.actor_kind,
                id: self.actor_id,
                name: self.actor_name,
            },
            action: self.action,
            target: self.target,
            address: self.address,
            before: parse(self.before_json),
            after: parse(self.after_json),
            hash: self.hash,
        }
    }
}

/// Appends a change to its publisher's chain, in the transaction of the change.
pub async fn record(tx: &mut Transaction<'static, Any>, change: &Change) -> sqlx::Result<()> {
    let p = change.publisher.as_str();
    sqlx::query(
        "INSERT INTO audit_heads (publisher_id, seq, hash) VALUES ($1, 0, '') \
         ON CONFLICT (publisher_id) DO NOTHING",
    )
    .bind(p)
    .execute(&mut **tx)
    .await?;
    // Taking the head first holds the chain's row lock (PostgreSQL) until commit, so
    // concurrent writers of one chain queue here instead of forking it.
    let (seq, prev): (i64, String) = sqlx::query_as(
        "UPDATE audit_heads SET seq = seq + 1 WHERE publisher_id = $1 RETURNING seq, hash",
    )
    .bind(p)
    .fetch_one(&mut **tx)
    .await?;
    let json = |v: &Option<serde_json::Value>| v.as_ref().map(serde_json::Value::to_string);
    let mut row = AuditRow {
        seq,
        at_ms: now_ms(),
        actor_kind: change.actor.kind.clone(),
        actor_id: change.actor.id.clone(),
        actor_name: change.actor.name.clone(),
        action: change.action.to_owned(),
        target: change.target.clone(),
        offer_id: change.offer.clone(),
        address: change.address.clone(),
        before_json: json(&change.before),
        after_json: json(&change.after),
        hash: String::new(),
    };
    row.hash = row.expected_hash(&prev);
    sqlx::query(
        "INSERT INTO audit (publisher_id, seq, at_ms, actor_kind, actor_id, actor_name, action, \
         target, offer_id, address, before_json, after_json, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(p)
    .bind(row.seq)
    .bind(row.at_ms)
    .bind(&row.actor_kind)
    .bind(row.actor_id.as_deref())
    .bind(&row.actor_name)
    .bind(&row.action)
    .bind(&row.target)
    .bind(row.offer_id.as_deref())
    .bind(&row.address)
    .bind(row.before_json.as_deref())
    .bind(row.after_json.as_deref())
    .bind(&row.hash)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE audit_heads SET hash = $1 WHERE publisher_id = $2")
        .bind(&row.hash)
        .bind(p)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Records changes that have no other write (a sign-in) in a transaction of their own.
pub async fn record_alone(db: &Db, changes: &[Change]) -> sqlx::Result<()> {
    let mut tx = db.write.begin().await?;
    for c in changes {
        record(&mut tx, c).await?;
    }
    tx.commit().await
}

/// What to list.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    /// The actor's id or (part of its) name.
    pub actor: Option<String>,
    /// The offer.
    pub offer: Option<String>,
    /// The action, or its prefix before the dot (`offer` for every `offer.*`).
    pub action: Option<String>,
    /// From this time (inclusive).
    pub from_ms: Option<i64>,
    /// Before this time.
    pub to_ms: Option<i64>,
    /// Entries before this sequence number (the cursor).
    pub before_seq: Option<i64>,
}

/// A page of a publisher's record, newest first.
pub async fn list(
    db: &Db,
    publisher: &str,
    filter: &Filter,
    limit: i64,
) -> sqlx::Result<Vec<AuditEntry>> {
    let sql = format!(
        "SELECT {COLS} FROM audit WHERE publisher_id = $1 \
         AND ($2 = '' OR actor_id = $2 OR LOWER(actor_name) LIKE $3) \
         AND ($4 = '' OR offer_id = $4) \
         AND ($5 = '' OR action = $5 OR action LIKE $6) \
         AND at_ms >= $7 AND at_ms < $8 AND seq < $9 \
         ORDER BY seq DESC LIMIT $10"
    );
    let actor = filter.actor.clone().unwrap_or_default();
    let action = filter.action.clone().unwrap_or_default();
    let rows: Vec<AuditRow> = sqlx::query_as(&sql)
        .bind(publisher)
        .bind(&actor)
        .bind(format!("%{}%", like_escape(&actor.to_lowercase())))
        .bind(filter.offer.as_deref().unwrap_or(""))
        .bind(&action)
        .bind(format!("{}.%", like_escape(&action)))
        .bind(filter.from_ms.unwrap_or(i64::MIN))
        .bind(filter.to_ms.unwrap_or(i64::MAX))
        .bind(filter.before_seq.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(&db.read)
        .await?;
    Ok(rows.into_iter().map(AuditRow::entry).collect())
}

/// `%` and `_` taken literally in a `LIKE` pattern (neither database needs an `ESCAPE` for
/// text that has none: they are dropped instead, which only widens a filter).
fn like_escape(s: &str) -> String {
    s.replace(['%', '_'], "")
}

/// Walks a publisher's chain from its first entry: every hash must match its entry and the
/// previous hash, no sequence number may be missing, and the head must name the last entry.
pub async fn verify(db: &Db, publisher: &str) -> sqlx::Result<AuditVerification> {
    let sql = format!("SELECT {COLS} FROM audit WHERE publisher_id = $1 ORDER BY seq");
    let rows: Vec<AuditRow> = sqlx::query_as(&sql)
        .bind(publisher)
        .fetch_all(&db.read)
        .await?;
    let head: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM audit_heads WHERE publisher_id = $1")
            .bind(publisher)
            .fetch_optional(&db.read)
            .await?;
    let mut prev = String::new();
    let entries = i64::try_from(rows.len()).unwrap_or(i64::MAX);
    for (i, row) in rows.iter().enumerate() {
        let want_seq = i64::try_from(i).unwrap_or(i64::MAX) + 1;
        if row.seq != want_seq || row.hash != row.expected_hash(&prev) {
            return Ok(broken(entries, want_seq));
        }
        prev.clone_from(&row.hash);
    }
    let (head_seq, head_hash) = head.unwrap_or((0, String::new()));
    if head_seq != entries || head_hash != prev {
        return Ok(broken(entries, entries + 1));
    }
    Ok(AuditVerification {
        intact: true,
        entries,
        broken_at: None,
    })
}

fn broken(entries: i64, at: i64) -> AuditVerification {
    AuditVerification {
        intact: false,
        entries,
        broken_at: Some(at),
    }
}
