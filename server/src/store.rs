//! Every SQL statement of the server, portable between SQLite and PostgreSQL through
//! `sqlx::Any`. Rows are private to the server; handlers and the engine convert them to domain
//! and API types.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::any::AnyPoolOptions;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{Any, AnyPool, Executor, Row, Transaction};
use time::OffsetDateTime;

/// Unix milliseconds, the time format of every table.
pub fn now_ms() -> i64 {
    to_ms(OffsetDateTime::now_utc())
}

/// Converts a time to Unix milliseconds.
pub fn to_ms(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// Converts Unix milliseconds to a time.
pub fn from_ms(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

fn migrator() -> Migrator {
    let migration = |version, name, sql| {
        Migration::new(
            version,
            Cow::Borrowed(name),
            MigrationType::Simple,
            Cow::Borrowed(sql),
            false,
        )
    };
    Migrator {
        migrations: Cow::Owned(vec![
            migration(1, "initial", include_str!("../migrations/0001_initial.sql")),
            migration(
                2,
                "image checks",
                include_str!("../migrations/0002_image_checks.sql"),
            ),
            migration(
                3,
                "offer display name",
                include_str!("../migrations/0003_offer_display_name.sql"),
            ),
            migration(
                4,
                "briefs, reviewers, packages",
                include_str!("../migrations/0004_briefs_reviewers_packages.sql"),
            ),
            migration(
                5,
                "mail delivery",
                include_str!("../migrations/0005_mail_delivery.sql"),
            ),
        ]),
        ..Migrator::DEFAULT
    }
}

/// How long a verified token is trusted without asking the database again. A token revoked by
/// another process (`portal-server token revoke`) keeps working for at most this long in a
/// running server; revoking through this process's store forgets it at once.
pub const TOKEN_CACHE_TTL: Duration = Duration::from_secs(30);

/// At most this many tokens are cached (the cache is emptied when full).
const TOKEN_CACHE_MAX: usize = 10_000;

type TokenCache = Arc<Mutex<HashMap<String, (Instant, TokenRow)>>>;

/// The database: pools plus the statements.
///
/// On SQLite, writes go through a single connection (`pool`: SQLite has one writer, and one
/// connection avoids busy errors on transaction upgrades and keeps compare-and-set statements
/// trivially atomic) while reads use several connections (`read`), which run concurrently in
/// WAL mode. On PostgreSQL both are the same pool.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    read: AnyPool,
    tokens: TokenCache,
}

/// A stored offer (its draft and counters).
#[derive(Debug, Clone)]
pub struct OfferRow {
    /// Publisher namespace.
    pub publisher_id: String,
    /// Offer id.
    pub offer_id: String,
    /// The draft document, JSON.
    pub draft: String,
    /// SHA-256 of the draft.
    pub draft_hash: String,
    /// Entity tag of the draft.
    pub etag: String,
    /// Last change of the draft.
    pub changed_ms: i64,
    /// Highest published version (0 before the first publish).
    pub version: i64,
    /// Version in preview.
    pub preview_version: Option<i64>,
    /// Version live.
    pub production_version: Option<i64>,
    /// The draft's display name (`OfferDocument::display_name`), kept for the offers list.
    pub display_name: String,
}

/// The stored certification of one disk image.
#[derive(Debug, Clone)]
pub struct ImageCheckRow {
    /// SHA-256 (hex) of the URL without its query.
    pub url_key: String,
    /// The disk kind checked (`os:linux`, `os:windows`, `data`).
    pub kind: String,
    /// The URL without its query (the SAS is not stored).
    pub url: String,
    /// Size in bytes when checked.
    pub size: i64,
    /// `ETag` when checked.
    pub etag: Option<String>,
    /// `Last-Modified` when checked.
    pub last_modified: Option<String>,
    /// The `DiskReport`, JSON.
    pub report: String,
    /// When it was checked.
    pub checked_ms: i64,
}

/// An offer as the offers list needs it (never its draft), with its latest operation.
#[derive(Debug, Clone)]
pub struct OfferListRow {
    /// Offer id.
    pub offer_id: String,
    /// The draft's display name.
    pub display_name: String,
    /// SHA-256 of the draft.
    pub draft_hash: String,
    /// Last change of the draft.
    pub changed_ms: i64,
    /// Highest published version.
    pub version: i64,
    /// Version live.
    pub production_version: Option<i64>,
    /// The latest operation's status summary (JSON of a `StatusSummary` without the live
    /// facts), see [`brief`].
    pub latest_brief: Option<String>,
    /// The draft hash of the live version.
    pub production_hash: Option<String>,
}

/// An immutable snapshot taken by a publish.
#[derive(Debug, Clone)]
pub struct VersionRow {
    /// The version number.
    pub version: i64,
    /// The document, JSON.
    pub document: String,
    /// SHA-256 of the document.
    pub draft_hash: String,
    /// When it was taken.
    pub created_ms: i64,
}

/// An operation (a publish) with its pipeline.
#[derive(Debug, Clone)]
pub struct OperationRow {
    /// Operation id (a GUID).
    pub id: String,
    /// Publisher namespace.
    pub publisher_id: String,
    /// Offer id.
    pub offer_id: String,
    /// The snapshot it works on.
    pub version: i64,
    /// Hash of that snapshot.
    pub draft_hash: String,
    /// `running`, `failed`, `completed`, `canceled`.
    pub status: String,
    /// The domain pipeline, JSON.
    pub pipeline: String,
    /// Notification addresses.
    pub emails: String,
    /// Preview links, JSON.
    pub preview_links: String,
    /// Live links, JSON.
    pub live_links: String,
    /// Creation time.
    pub created_ms: i64,
    /// Last change.
    pub updated_ms: i64,
    /// The step a worker must run next (none while waiting or once ended).
    pub next_step: Option<String>,
}

/// A notification waiting in the outbox.
#[derive(Debug, Clone)]
pub struct OutboxRow {
    /// Id.
    pub id: String,
    /// Publisher namespace.
    pub publisher_id: String,
    /// The operation it is about.
    pub operation_id: Option<String>,
    /// `publishAccepted`, `publishFailed` …
    pub kind: String,
    /// Comma-separated addresses.
    pub recipients: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// When it was written.
    pub created_ms: i64,
    /// When it was delivered over SMTP (never without `--smtp-url`).
    pub delivered_ms: Option<i64>,
    /// Delivery attempts so far.
    pub attempts: i64,
    /// The last delivery failure (the mail server's answer).
    pub last_error: Option<String>,
}

/// A stored API token (never its secret).
#[derive(Debug, Clone)]
pub struct TokenRow {
    /// Id.
    pub id: String,
    /// Friendly name.
    pub name: String,
    /// Principal kind (`publisher` or `reviewer`).
    pub kind: String,
    /// Publisher namespace (empty for a reviewer).
    pub publisher_id: String,
    /// The Azure subscription id a reviewer token acts for.
    pub subscription_id: Option<String>,
    /// Creation time.
    pub created_ms: i64,
}

/// Why a publish could not be recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublishConflict {
    /// Another operation of the offer is running (or started concurrently).
    Running,
    /// The draft changed between reading and recording.
    DraftChanged,
}

/// What a finished step changes outside its operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfferEffect {
    /// Nothing.
    None,
    /// The operation's version becomes the preview version.
    Preview,
    /// The operation's version becomes the production version.
    Production,
}

const OFFER_COLS: &str = "publisher_id, offer_id, draft, draft_hash, etag, changed_ms, version, \
     preview_version, production_version, display_name";
const OP_COLS: &str = "id, publisher_id, offer_id, version, draft_hash, status, pipeline, emails, \
     preview_links, live_links, created_ms, updated_ms, next_step";

fn offer_row(r: &sqlx::any::AnyRow) -> sqlx::Result<OfferRow> {
    Ok(OfferRow {
        publisher_id: r.try_get("publisher_id")?,
        offer_id: r.try_get("offer_id")?,
        draft: r.try_get("draft")?,
        draft_hash: r.try_get("draft_hash")?,
        etag: r.try_get("etag")?,
        changed_ms: r.try_get("changed_ms")?,
        version: r.try_get("version")?,
        preview_version: r.try_get("preview_version")?,
        production_version: r.try_get("production_version")?,
        display_name: r
            .try_get::<Option<String>, _>("display_name")?
            .unwrap_or_default(),
    })
}

/// What the status of an offer needs about the offer (never its draft).
#[derive(Debug, Clone)]
pub struct OfferStateRow {
    /// Publisher namespace.
    pub publisher_id: String,
    /// Offer id.
    pub offer_id: String,
    /// SHA-256 of the draft.
    pub draft_hash: String,
    /// Version live.
    pub production_version: Option<i64>,
    /// The draft hash of the live version.
    pub production_hash: Option<String>,
}

fn op_row(r: &sqlx::any::AnyRow) -> sqlx::Result<OperationRow> {
    Ok(OperationRow {
        id: r.try_get("id")?,
        publisher_id: r.try_get("publisher_id")?,
        offer_id: r.try_get("offer_id")?,
        version: r.try_get("version")?,
        draft_hash: r.try_get("draft_hash")?,
        status: r.try_get("status")?,
        pipeline: r.try_get("pipeline")?,
        emails: r.try_get("emails")?,
        preview_links: r.try_get("preview_links")?,
        live_links: r.try_get("live_links")?,
        created_ms: r.try_get("created_ms")?,
        updated_ms: r.try_get("updated_ms")?,
        next_step: r.try_get("next_step")?,
    })
}

fn outbox_row(r: &sqlx::any::AnyRow) -> sqlx::Result<OutboxRow> {
    Ok(OutboxRow {
        id: r.try_get("id")?,
        publisher_id: r.try_get("publisher_id")?,
        operation_id: r.try_get("operation_id")?,
        kind: r.try_get("kind")?,
        recipients: r.try_get("recipients")?,
        subject: r.try_get("subject")?,
        body: r.try_get("body")?,
        created_ms: r.try_get("created_ms")?,
        delivered_ms: r.try_get("delivered_ms")?,
        attempts: r.try_get("attempts")?,
        last_error: r.try_get("last_error")?,
    })
}

const OUTBOX_COLS: &str = "id, publisher_id, operation_id, kind, recipients, subject, body, \
     created_ms, delivered_ms, attempts, last_error";

fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}

/// Inserts a new operation (no lease yet).
async fn insert_operation(
    tx: &mut Transaction<'static, Any>,
    op: &OperationRow,
) -> sqlx::Result<sqlx::any::AnyQueryResult> {
    sqlx::query(
        "INSERT INTO operations (id, publisher_id, offer_id, version, draft_hash, status, \
         pipeline, emails, preview_links, live_links, created_ms, updated_ms, next_step, \
         lease_owner, lease_until, brief) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, NULL, NULL, $14)",
    )
    .bind(&op.id)
    .bind(&op.publisher_id)
    .bind(&op.offer_id)
    .bind(op.version)
    .bind(&op.draft_hash)
    .bind(&op.status)
    .bind(&op.pipeline)
    .bind(&op.emails)
    .bind(&op.preview_links)
    .bind(&op.live_links)
    .bind(op.created_ms)
    .bind(op.updated_ms)
    .bind(op.next_step.as_deref())
    .bind(brief(&op.pipeline))
    .execute(&mut **tx)
    .await
}

/// The status summary of a pipeline (JSON) as the offers list needs it, stored beside the
/// pipeline in `operations.brief` so listing 10,000 offers parses no pipelines. `None` for a
/// pipeline that does not parse.
pub fn brief(pipeline: &str) -> Option<String> {
    let p: portal_domain::workflow::Pipeline = serde_json::from_str(pipeline).ok()?;
    let summary = portal_domain::workflow::StatusSummary::new(Some(&p), false, false);
    serde_json::to_string(&summary).ok()
}

async fn insert_outbox(tx: &mut Transaction<'static, Any>, row: &OutboxRow) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO outbox (id, publisher_id, operation_id, kind, recipients, subject, body, \
         created_ms, delivered_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL)",
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
    Ok(())
}

impl Store {
    /// Connects (creating a SQLite file if needed) and runs the migrations.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        let sqlite = url.starts_with("sqlite:");
        // An in-memory SQLite database exists once per connection: it cannot have readers.
        let memory = sqlite && (url.contains(":memory:") || url.contains("mode=memory"));
        let options = |n| {
            AnyPoolOptions::new()
                .max_connections(n)
                .after_connect(move |conn, _meta| {
                    Box::pin(async move {
                        if sqlite {
                            conn.execute("PRAGMA busy_timeout = 10000").await?;
                        }
                        Ok(())
                    })
                })
        };
        let pool = options(if sqlite { 1 } else { 8 }).connect(url).await?;
        if sqlite {
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await?;
        }
        migrator().run(&pool).await?;
        let read = if sqlite && !memory {
            options(4).connect(url).await?
        } else {
            pool.clone()
        };
        let store = Self {
            pool,
            read,
            tokens: TokenCache::default(),
        };
        store.backfill_display_names().await?;
        store.backfill_briefs().await?;
        Ok(store)
    }

    /// Fills `display_name` of offers stored before it existed.
    async fn backfill_display_names(&self) -> anyhow::Result<()> {
        let rows = sqlx::query(
            "SELECT publisher_id, offer_id, draft FROM offers WHERE display_name IS NULL",
        )
        .fetch_all(&self.pool)
        .await?;
        for r in rows {
            let publisher: String = r.try_get("publisher_id")?;
            let offer: String = r.try_get("offer_id")?;
            let draft: String = r.try_get("draft")?;
            let name = serde_json::from_str::<portal_domain::OfferDocument>(&draft)
                .map(|d| d.display_name().to_owned())
                .unwrap_or_else(|_| offer.clone());
            sqlx::query(
                "UPDATE offers SET display_name = $1 WHERE publisher_id = $2 AND offer_id = $3",
            )
            .bind(name)
            .bind(&publisher)
            .bind(&offer)
            .execute(&self.pool)
            .await?;
        }
        Ok(())
    }

    /// Fills `brief` of operations stored before it existed.
    async fn backfill_briefs(&self) -> anyhow::Result<()> {
        let rows = sqlx::query("SELECT id, pipeline FROM operations WHERE brief IS NULL")
            .fetch_all(&self.pool)
            .await?;
        for r in rows {
            let id: String = r.try_get("id")?;
            let pipeline: String = r.try_get("pipeline")?;
            sqlx::query("UPDATE operations SET brief = $1 WHERE id = $2")
                .bind(brief(&pipeline))
                .bind(&id)
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// Whether the database holds no publisher data at all (the demo seeds only then).
    pub async fn is_empty(&self) -> sqlx::Result<bool> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM tokens) + (SELECT COUNT(*) FROM offers) AS n",
        )
        .fetch_one(&self.read)
        .await?;
        let n: i64 = row.try_get("n")?;
        Ok(n == 0)
    }

    // ----- tokens -----

    /// Stores a token hash for a principal.
    pub async fn insert_token(&self, t: &TokenRow, hash: &str) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO tokens (id, name, kind, publisher_id, subscription_id, token_hash, \
             created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&t.id)
        .bind(&t.name)
        .bind(&t.kind)
        .bind(&t.publisher_id)
        .bind(t.subscription_id.as_deref())
        .bind(hash)
        .bind(t.created_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The token with this hash; a found token is remembered for [`TOKEN_CACHE_TTL`].
    pub async fn token_by_hash(&self, hash: &str) -> sqlx::Result<Option<TokenRow>> {
        if let Some((at, row)) = self.token_cache().get(hash)
            && at.elapsed() < TOKEN_CACHE_TTL
        {
            return Ok(Some(row.clone()));
        }
        let row = sqlx::query(
            "SELECT id, name, kind, publisher_id, subscription_id, created_ms FROM tokens \
             WHERE token_hash = $1",
        )
        .bind(hash)
        .fetch_optional(&self.read)
        .await?;
        let row = row.map(|r| token_row(&r)).transpose()?;
        let mut cache = self.token_cache();
        match &row {
            Some(t) => {
                if cache.len() >= TOKEN_CACHE_MAX {
                    cache.clear();
                }
                cache.insert(hash.to_owned(), (Instant::now(), t.clone()));
            }
            None => {
                cache.remove(hash);
            }
        }
        Ok(row)
    }

    fn token_cache(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, TokenRow)>> {
        self.tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Every token, oldest first.
    pub async fn list_tokens(&self) -> sqlx::Result<Vec<TokenRow>> {
        let rows = sqlx::query(
            "SELECT id, name, kind, publisher_id, subscription_id, created_ms FROM tokens \
             ORDER BY created_ms, id",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(token_row).collect()
    }

    /// Deletes the tokens with this id or name; returns how many.
    pub async fn revoke_token(&self, id_or_name: &str) -> sqlx::Result<u64> {
        let done = sqlx::query("DELETE FROM tokens WHERE id = $1 OR name = $2")
            .bind(id_or_name)
            .bind(id_or_name)
            .execute(&self.pool)
            .await?;
        self.token_cache().clear();
        Ok(done.rows_affected())
    }

    // ----- offers -----

    /// One offer.
    pub async fn offer(&self, publisher: &str, offer: &str) -> sqlx::Result<Option<OfferRow>> {
        let sql =
            format!("SELECT {OFFER_COLS} FROM offers WHERE publisher_id = $1 AND offer_id = $2");
        let row = sqlx::query(&sql)
            .bind(publisher)
            .bind(offer)
            .fetch_optional(&self.read)
            .await?;
        row.map(|r| offer_row(&r)).transpose()
    }

    /// Every offer of a publisher with its latest operation's status summary.
    pub async fn list_offers(&self, publisher: &str) -> sqlx::Result<Vec<OfferListRow>> {
        let sql = "SELECT offer_id, display_name, draft_hash, changed_ms, version, production_version, \
             (SELECT op.brief FROM operations op WHERE op.publisher_id = offers.publisher_id \
              AND op.offer_id = offers.offer_id ORDER BY op.created_ms DESC, op.id DESC LIMIT 1) \
              AS latest_brief, \
             (SELECT v.draft_hash FROM offer_versions v WHERE v.publisher_id = offers.publisher_id \
              AND v.offer_id = offers.offer_id AND v.version = offers.production_version) \
              AS production_hash \
             FROM offers WHERE publisher_id = $1 ORDER BY changed_ms DESC, offer_id";
        let rows = sqlx::query(sql)
            .bind(publisher)
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(OfferListRow {
                    offer_id: r.try_get("offer_id")?,
                    display_name: r
                        .try_get::<Option<String>, _>("display_name")?
                        .unwrap_or_default(),
                    draft_hash: r.try_get("draft_hash")?,
                    changed_ms: r.try_get("changed_ms")?,
                    version: r.try_get("version")?,
                    production_version: r.try_get("production_version")?,
                    latest_brief: r.try_get("latest_brief")?,
                    production_hash: r.try_get("production_hash")?,
                })
            })
            .collect()
    }

    /// Creates an offer; false when it already exists.
    pub async fn insert_offer(&self, o: &OfferRow) -> sqlx::Result<bool> {
        let done = sqlx::query(
            "INSERT INTO offers (publisher_id, offer_id, draft, draft_hash, etag, changed_ms, \
             version, preview_version, production_version, display_name) \
             VALUES ($1, $2, $3, $4, $5, $6, 0, NULL, NULL, $7) ON CONFLICT DO NOTHING",
        )
        .bind(&o.publisher_id)
        .bind(&o.offer_id)
        .bind(&o.draft)
        .bind(&o.draft_hash)
        .bind(&o.etag)
        .bind(o.changed_ms)
        .bind(&o.display_name)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Replaces a draft when its entity tag still is `if_etag` (any tag when `None`); false
    /// when the compare failed.
    pub async fn update_draft(&self, o: &OfferRow, if_etag: Option<&str>) -> sqlx::Result<bool> {
        let done = sqlx::query(
            "UPDATE offers SET draft = $1, draft_hash = $2, etag = $3, changed_ms = $4, \
             display_name = $9 WHERE publisher_id = $5 AND offer_id = $6 AND ($7 = 1 OR etag = $8)",
        )
        .bind(&o.draft)
        .bind(&o.draft_hash)
        .bind(&o.etag)
        .bind(o.changed_ms)
        .bind(&o.publisher_id)
        .bind(&o.offer_id)
        .bind(i64::from(if_etag.is_none()))
        .bind(if_etag.unwrap_or(""))
        .bind(&o.display_name)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// One published version.
    pub async fn version(
        &self,
        publisher: &str,
        offer: &str,
        version: i64,
    ) -> sqlx::Result<Option<VersionRow>> {
        let row = sqlx::query(
            "SELECT version, document, draft_hash, created_ms FROM offer_versions \
             WHERE publisher_id = $1 AND offer_id = $2 AND version = $3",
        )
        .bind(publisher)
        .bind(offer)
        .bind(version)
        .fetch_optional(&self.read)
        .await?;
        row.map(|r| {
            Ok(VersionRow {
                version: r.try_get("version")?,
                document: r.try_get("document")?,
                draft_hash: r.try_get("draft_hash")?,
                created_ms: r.try_get("created_ms")?,
            })
        })
        .transpose()
    }

    // ----- operations -----

    /// The newest operation of an offer.
    pub async fn latest_operation(
        &self,
        publisher: &str,
        offer: &str,
    ) -> sqlx::Result<Option<OperationRow>> {
        let sql = format!(
            "SELECT {OP_COLS} FROM operations WHERE publisher_id = $1 AND offer_id = $2 \
             ORDER BY created_ms DESC, id DESC LIMIT 1"
        );
        let row = sqlx::query(&sql)
            .bind(publisher)
            .bind(offer)
            .fetch_optional(&self.read)
            .await?;
        row.map(|r| op_row(&r)).transpose()
    }

    /// The status of an offer needs its state and its newest operation: one statement, so one
    /// consistent snapshot (a step's effects on the offer commit with its operation).
    pub async fn offer_status_rows(
        &self,
        publisher: &str,
        offer: &str,
    ) -> sqlx::Result<Option<(OfferStateRow, Option<OperationRow>)>> {
        let row = sqlx::query(
            "SELECT offers.draft_hash AS offer_draft_hash, \
             offers.production_version AS production_version, \
             (SELECT v.draft_hash FROM offer_versions v WHERE v.publisher_id = offers.publisher_id \
              AND v.offer_id = offers.offer_id AND v.version = offers.production_version) \
              AS production_hash, \
             op.id, op.publisher_id, op.offer_id, op.version, op.draft_hash, op.status, \
             op.pipeline, op.emails, op.preview_links, op.live_links, op.created_ms, \
             op.updated_ms, op.next_step \
             FROM offers LEFT JOIN operations op ON op.id = \
             (SELECT l.id FROM operations l WHERE l.publisher_id = offers.publisher_id \
              AND l.offer_id = offers.offer_id ORDER BY l.created_ms DESC, l.id DESC LIMIT 1) \
             WHERE offers.publisher_id = $1 AND offers.offer_id = $2",
        )
        .bind(publisher)
        .bind(offer)
        .fetch_optional(&self.read)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let state = OfferStateRow {
            publisher_id: publisher.to_owned(),
            offer_id: offer.to_owned(),
            draft_hash: r.try_get("offer_draft_hash")?,
            production_version: r.try_get("production_version")?,
            production_hash: r.try_get("production_hash")?,
        };
        let op = match r.try_get::<Option<String>, _>("id")? {
            Some(_) => Some(op_row(&r)?),
            None => None,
        };
        Ok(Some((state, op)))
    }

    /// The operations of an offer, newest first.
    pub async fn operations(
        &self,
        publisher: &str,
        offer: &str,
        only_running: bool,
    ) -> sqlx::Result<Vec<OperationRow>> {
        let sql = format!(
            "SELECT {OP_COLS} FROM operations WHERE publisher_id = $1 AND offer_id = $2 \
             AND ($3 = 0 OR status = 'running') ORDER BY created_ms DESC, id DESC"
        );
        let rows = sqlx::query(&sql)
            .bind(publisher)
            .bind(offer)
            .bind(i64::from(only_running))
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(op_row).collect()
    }

    /// One operation of an offer.
    pub async fn operation(
        &self,
        publisher: &str,
        offer: &str,
        id: &str,
    ) -> sqlx::Result<Option<OperationRow>> {
        let sql = format!(
            "SELECT {OP_COLS} FROM operations WHERE publisher_id = $1 AND offer_id = $2 AND id = $3"
        );
        let row = sqlx::query(&sql)
            .bind(publisher)
            .bind(offer)
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.map(|r| op_row(&r)).transpose()
    }

    /// Records a publish in one transaction: the draft (still `offer.draft_hash`) becomes the
    /// next immutable version, the operation is created and its notification written.
    pub async fn publish(
        &self,
        offer: &OfferRow,
        op: &OperationRow,
        outbox: &[OutboxRow],
    ) -> sqlx::Result<Result<(), PublishConflict>> {
        let mut tx = self.pool.begin().await?;
        let bumped = sqlx::query(
            "UPDATE offers SET version = version + 1 WHERE publisher_id = $1 AND offer_id = $2 \
             AND version = $3 AND draft_hash = $4",
        )
        .bind(&offer.publisher_id)
        .bind(&offer.offer_id)
        .bind(offer.version)
        .bind(&offer.draft_hash)
        .execute(&mut *tx)
        .await?;
        if bumped.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(Err(PublishConflict::DraftChanged));
        }
        sqlx::query(
            "INSERT INTO offer_versions (publisher_id, offer_id, version, document, draft_hash, \
             created_ms) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&offer.publisher_id)
        .bind(&offer.offer_id)
        .bind(op.version)
        .bind(&offer.draft)
        .bind(&offer.draft_hash)
        .bind(op.created_ms)
        .execute(&mut *tx)
        .await?;
        let inserted = insert_operation(&mut tx, op).await;
        match inserted {
            Err(e) if is_unique_violation(&e) => {
                tx.rollback().await?;
                return Ok(Err(PublishConflict::Running));
            }
            other => {
                other?;
            }
        }
        for row in outbox {
            insert_outbox(&mut tx, row).await?;
        }
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// Writes an operation changed by the publisher (Go Live, Cancel) if nobody changed it
    /// since it was read (`old_pipeline`); false otherwise.
    pub async fn update_operation_if_unchanged(
        &self,
        op: &OperationRow,
        old_pipeline: &str,
        outbox: &[OutboxRow],
    ) -> sqlx::Result<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE operations SET status = $1, pipeline = $2, next_step = $3, updated_ms = $4, \
             brief = $5 WHERE id = $6 AND pipeline = $7 AND lease_owner IS NULL",
        )
        .bind(&op.status)
        .bind(&op.pipeline)
        .bind(op.next_step.as_deref())
        .bind(op.updated_ms)
        .bind(brief(&op.pipeline))
        .bind(&op.id)
        .bind(old_pipeline)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        if op.status == "canceled" {
            // A canceled version leaves the preview slot: reviewers see it no more.
            sqlx::query(
                "UPDATE offers SET preview_version = production_version \
                 WHERE publisher_id = $1 AND offer_id = $2 AND preview_version = $3",
            )
            .bind(&op.publisher_id)
            .bind(&op.offer_id)
            .bind(op.version)
            .execute(&mut *tx)
            .await?;
        }
        for row in outbox {
            insert_outbox(&mut tx, row).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    // ----- the engine -----

    /// Claims a runnable step whose lease is free or expired, for `owner` until `until_ms`.
    /// Atomic on both databases: the guard is re-checked on the row being updated.
    pub async fn claim(
        &self,
        owner: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> sqlx::Result<Option<OperationRow>> {
        let sql = format!(
            "UPDATE operations SET lease_owner = $1, lease_until = $2 \
             WHERE id = (SELECT id FROM operations WHERE next_step IS NOT NULL \
               AND (lease_until IS NULL OR lease_until < $3) ORDER BY updated_ms LIMIT 1) \
             AND next_step IS NOT NULL AND (lease_until IS NULL OR lease_until < $4) \
             RETURNING {OP_COLS}"
        );
        let row = sqlx::query(&sql)
            .bind(owner)
            .bind(until_ms)
            .bind(now_ms)
            .bind(now_ms)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let op = op_row(&row)?;
        sqlx::query(
            "INSERT INTO step_runs (id, operation_id, step, owner, started_ms) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(&op.id)
        .bind(op.next_step.as_deref().unwrap_or(""))
        .bind(owner)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        Ok(Some(op))
    }

    /// Extends a lease; false when it was lost.
    pub async fn renew(&self, id: &str, owner: &str, until_ms: i64) -> sqlx::Result<bool> {
        let done = sqlx::query(
            "UPDATE operations SET lease_until = $1 WHERE id = $2 AND lease_owner = $3",
        )
        .bind(until_ms)
        .bind(id)
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives a lease back early, to retry the step after `retry_at_ms`.
    pub async fn release(&self, id: &str, owner: &str, retry_at_ms: i64) -> sqlx::Result<()> {
        sqlx::query(
            "UPDATE operations SET lease_owner = NULL, lease_until = $1 \
             WHERE id = $2 AND lease_owner = $3",
        )
        .bind(retry_at_ms)
        .bind(id)
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Saves progress and messages of the step in progress, while holding the lease.
    pub async fn save_progress(
        &self,
        id: &str,
        owner: &str,
        pipeline: &str,
        now_ms: i64,
    ) -> sqlx::Result<bool> {
        let done = sqlx::query(
            "UPDATE operations SET pipeline = $1, updated_ms = $2, brief = $3 \
             WHERE id = $4 AND lease_owner = $5",
        )
        .bind(pipeline)
        .bind(now_ms)
        .bind(brief(pipeline))
        .bind(id)
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Ends a step in one transaction, guarded by the lease so a step is never completed
    /// twice: the operation's new state, the offer's slots and the notifications.
    pub async fn finish_step(
        &self,
        op: &OperationRow,
        owner: &str,
        step: &str,
        effect: OfferEffect,
        outbox: &[OutboxRow],
    ) -> sqlx::Result<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE operations SET status = $1, pipeline = $2, next_step = $3, emails = $4, \
             preview_links = $5, live_links = $6, updated_ms = $7, lease_owner = NULL, \
             lease_until = NULL, brief = $8 WHERE id = $9 AND lease_owner = $10 AND next_step = $11",
        )
        .bind(&op.status)
        .bind(&op.pipeline)
        .bind(op.next_step.as_deref())
        .bind(&op.emails)
        .bind(&op.preview_links)
        .bind(&op.live_links)
        .bind(op.updated_ms)
        .bind(brief(&op.pipeline))
        .bind(&op.id)
        .bind(owner)
        .bind(step)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        let column = match effect {
            OfferEffect::None => None,
            OfferEffect::Preview => Some("preview_version"),
            OfferEffect::Production => Some("production_version"),
        };
        if let Some(column) = column {
            let sql = format!(
                "UPDATE offers SET {column} = $1 WHERE publisher_id = $2 AND offer_id = $3"
            );
            sqlx::query(&sql)
                .bind(op.version)
                .bind(&op.publisher_id)
                .bind(&op.offer_id)
                .execute(&mut *tx)
                .await?;
        }
        for row in outbox {
            insert_outbox(&mut tx, row).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// How many times a step of an operation was started.
    pub async fn step_runs(&self, operation: &str, step: &str) -> sqlx::Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM step_runs WHERE operation_id = $1 AND step = $2",
        )
        .bind(operation)
        .bind(step)
        .fetch_one(&self.read)
        .await?;
        row.try_get("n")
    }

    /// How many times each (operation, step) was started, for audits and tests.
    pub async fn step_run_counts(&self) -> sqlx::Result<Vec<(String, String, i64)>> {
        let rows = sqlx::query(
            "SELECT operation_id, step, COUNT(*) AS n FROM step_runs \
             GROUP BY operation_id, step ORDER BY operation_id, step",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("operation_id")?,
                    r.try_get("step")?,
                    r.try_get("n")?,
                ))
            })
            .collect()
    }

    // ----- image checks -----

    /// The stored certification of an image (by URL key and disk kind).
    pub async fn image_check(
        &self,
        url_key: &str,
        kind: &str,
    ) -> sqlx::Result<Option<ImageCheckRow>> {
        let row = sqlx::query(
            "SELECT url_key, kind, url, size, etag, last_modified, report, checked_ms \
             FROM image_checks WHERE url_key = $1 AND kind = $2",
        )
        .bind(url_key)
        .bind(kind)
        .fetch_optional(&self.read)
        .await?;
        row.map(|r| {
            Ok(ImageCheckRow {
                url_key: r.try_get("url_key")?,
                kind: r.try_get("kind")?,
                url: r.try_get("url")?,
                size: r.try_get("size")?,
                etag: r.try_get("etag")?,
                last_modified: r.try_get("last_modified")?,
                report: r.try_get("report")?,
                checked_ms: r.try_get("checked_ms")?,
            })
        })
        .transpose()
    }

    /// Stores (or replaces) the certification of an image.
    pub async fn save_image_check(&self, c: &ImageCheckRow) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO image_checks \
             (url_key, kind, url, size, etag, last_modified, report, checked_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (url_key, kind) DO UPDATE SET url = excluded.url, size = excluded.size, \
             etag = excluded.etag, last_modified = excluded.last_modified, \
             report = excluded.report, checked_ms = excluded.checked_ms",
        )
        .bind(&c.url_key)
        .bind(&c.kind)
        .bind(&c.url)
        .bind(c.size)
        .bind(c.etag.as_deref())
        .bind(c.last_modified.as_deref())
        .bind(&c.report)
        .bind(c.checked_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    // ----- demo seeding -----

    /// Inserts a whole offer with its versions and operations (the demo data).
    pub async fn seed_offer(
        &self,
        offer: &OfferRow,
        versions: &[VersionRow],
        ops: &[OperationRow],
    ) -> sqlx::Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO offers (publisher_id, offer_id, draft, draft_hash, etag, changed_ms, \
             version, preview_version, production_version, display_name) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&offer.publisher_id)
        .bind(&offer.offer_id)
        .bind(&offer.draft)
        .bind(&offer.draft_hash)
        .bind(&offer.etag)
        .bind(offer.changed_ms)
        .bind(offer.version)
        .bind(offer.preview_version)
        .bind(offer.production_version)
        .bind(&offer.display_name)
        .execute(&mut *tx)
        .await?;
        for v in versions {
            sqlx::query(
                "INSERT INTO offer_versions (publisher_id, offer_id, version, document, \
                 draft_hash, created_ms) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&offer.publisher_id)
            .bind(&offer.offer_id)
            .bind(v.version)
            .bind(&v.document)
            .bind(&v.draft_hash)
            .bind(v.created_ms)
            .execute(&mut *tx)
            .await?;
        }
        for op in ops {
            insert_operation(&mut tx, op).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    // ----- notifications -----

    /// The outbox of a publisher, newest first.
    pub async fn outbox(&self, publisher: &str) -> sqlx::Result<Vec<OutboxRow>> {
        let sql = format!(
            "SELECT {OUTBOX_COLS} FROM outbox WHERE publisher_id = $1 ORDER BY created_ms DESC, id"
        );
        let rows = sqlx::query(&sql)
            .bind(publisher)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(outbox_row).collect()
    }
}

fn token_row(r: &sqlx::any::AnyRow) -> sqlx::Result<TokenRow> {
    Ok(TokenRow {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        kind: r.try_get("kind")?,
        publisher_id: r.try_get("publisher_id")?,
        subscription_id: r.try_get("subscription_id")?,
        created_ms: r.try_get("created_ms")?,
    })
}

/// A packaged version: its catalogue entry and where its page and assets are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageRow {
    /// Publisher namespace.
    pub publisher_id: String,
    /// Offer id.
    pub offer_id: String,
    /// The version packaged.
    pub version: i64,
    /// The catalogue entry, JSON.
    pub entry: String,
    /// Key prefix of the page and its assets in the site store (`contoso/vm/v3/`).
    pub prefix: String,
    /// The version's preview subscription ids, lower case, as `,a,b,` (`,` when none).
    pub allowed_subscriptions: String,
    /// When it was packaged.
    pub created_ms: i64,
}

impl PackageRow {
    /// The allow-list column for these subscription ids.
    pub fn allow_list<'a>(ids: impl IntoIterator<Item = &'a str>) -> String {
        let mut out = String::from(",");
        for id in ids {
            out.push_str(&id.trim().to_ascii_lowercase());
            out.push(',');
        }
        out
    }
}

const PACKAGE_COLS: &str = "p.publisher_id, p.offer_id, p.version, p.entry, p.prefix, p.allowed_subscriptions, p.created_ms";

fn package_row(r: &sqlx::any::AnyRow) -> sqlx::Result<PackageRow> {
    Ok(PackageRow {
        publisher_id: r.try_get("publisher_id")?,
        offer_id: r.try_get("offer_id")?,
        version: r.try_get("version")?,
        entry: r.try_get("entry")?,
        prefix: r.try_get("prefix")?,
        allowed_subscriptions: r.try_get("allowed_subscriptions")?,
        created_ms: r.try_get("created_ms")?,
    })
}

/// Whose packages [`Store::packages_in_slot`] lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Packages<'a> {
    /// Every publisher's.
    All,
    /// Those whose preview allow-list holds this subscription id (lower case).
    AllowListing(&'a str),
    /// One publisher's.
    Of(&'a str),
}

/// Which slot of an offer a package is looked up in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// The version in preview (`offers.preview_version`).
    Preview,
    /// The live version (`offers.production_version`).
    Production,
}

impl Slot {
    fn column(self) -> &'static str {
        match self {
            Slot::Preview => "preview_version",
            Slot::Production => "production_version",
        }
    }
}

impl Store {
    // ----- packages, previews and the catalogue -----

    /// Records (or, when the step runs again, replaces) the package of a version.
    pub async fn save_package(&self, p: &PackageRow) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO packages (publisher_id, offer_id, version, entry, prefix, \
             allowed_subscriptions, created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (publisher_id, offer_id, version) DO UPDATE SET entry = $8, \
             prefix = $9, allowed_subscriptions = $10, created_ms = $11",
        )
        .bind(&p.publisher_id)
        .bind(&p.offer_id)
        .bind(p.version)
        .bind(&p.entry)
        .bind(&p.prefix)
        .bind(&p.allowed_subscriptions)
        .bind(p.created_ms)
        .bind(&p.entry)
        .bind(&p.prefix)
        .bind(&p.allowed_subscriptions)
        .bind(p.created_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The packages in a slot, newest first. For the preview slot, only versions not (yet)
    /// live.
    pub async fn packages_in_slot(
        &self,
        slot: Slot,
        whose: Packages<'_>,
    ) -> sqlx::Result<Vec<PackageRow>> {
        let (filter, value) = match whose {
            Packages::All => ("$1 = ''", String::new()),
            Packages::AllowListing(sub) => {
                ("p.allowed_subscriptions LIKE $1", format!("%,{sub},%"))
            }
            Packages::Of(publisher) => ("p.publisher_id = $1", publisher.to_owned()),
        };
        let sql = format!(
            "SELECT {PACKAGE_COLS} FROM offers o JOIN packages p \
             ON p.publisher_id = o.publisher_id AND p.offer_id = o.offer_id \
             AND p.version = o.{} WHERE {filter} {} \
             ORDER BY p.created_ms DESC, p.publisher_id, p.offer_id",
            slot.column(),
            match slot {
                // Previews awaiting sign-off, not the live versions still in the preview slot.
                Slot::Preview => {
                    "AND (o.production_version IS NULL OR o.production_version <> o.preview_version)"
                }
                Slot::Production => "",
            }
        );
        let rows = sqlx::query(&sql).bind(value).fetch_all(&self.read).await?;
        rows.iter().map(package_row).collect()
    }

    /// Offers whose version in a slot has no package (the demo's seeded versions).
    pub async fn unpackaged_in_slot(&self, slot: Slot) -> sqlx::Result<Vec<(String, String, i64)>> {
        let column = slot.column();
        let sql = format!(
            "SELECT o.publisher_id, o.offer_id, o.{column} AS version FROM offers o \
             WHERE o.{column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM packages p \
             WHERE p.publisher_id = o.publisher_id AND p.offer_id = o.offer_id \
             AND p.version = o.{column})"
        );
        let rows = sqlx::query(&sql).fetch_all(&self.read).await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("publisher_id")?,
                    r.try_get("offer_id")?,
                    r.try_get("version")?,
                ))
            })
            .collect()
    }

    /// The package in a slot of one offer.
    pub async fn package_in_slot(
        &self,
        slot: Slot,
        publisher: &str,
        offer: &str,
    ) -> sqlx::Result<Option<PackageRow>> {
        let sql = format!(
            "SELECT {PACKAGE_COLS} FROM offers o JOIN packages p \
             ON p.publisher_id = o.publisher_id AND p.offer_id = o.offer_id \
             AND p.version = o.{} WHERE o.publisher_id = $1 AND o.offer_id = $2",
            slot.column()
        );
        let row = sqlx::query(&sql)
            .bind(publisher)
            .bind(offer)
            .fetch_optional(&self.read)
            .await?;
        row.map(|r| package_row(&r)).transpose()
    }
}

impl Store {
    // ----- mail delivery -----

    /// Claims the oldest notification due for delivery, holding it until `hold_until_ms` (a
    /// lease: another worker or process skips it meanwhile) and counting the attempt.
    pub async fn claim_mail(
        &self,
        now_ms: i64,
        hold_until_ms: i64,
        max_attempts: i64,
    ) -> sqlx::Result<Option<OutboxRow>> {
        let sql = format!(
            "UPDATE outbox SET next_attempt_ms = $1, attempts = attempts + 1 \
             WHERE id = (SELECT id FROM outbox WHERE delivered_ms IS NULL AND attempts < $2 \
               AND (next_attempt_ms IS NULL OR next_attempt_ms <= $3) \
               ORDER BY created_ms, id LIMIT 1) \
             AND delivered_ms IS NULL AND (next_attempt_ms IS NULL OR next_attempt_ms <= $4) \
             RETURNING {OUTBOX_COLS}"
        );
        let row = sqlx::query(&sql)
            .bind(hold_until_ms)
            .bind(max_attempts)
            .bind(now_ms)
            .bind(now_ms)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| outbox_row(&r)).transpose()
    }

    /// Records a delivered notification.
    pub async fn mail_delivered(&self, id: &str, at_ms: i64) -> sqlx::Result<()> {
        sqlx::query("UPDATE outbox SET delivered_ms = $1, last_error = NULL WHERE id = $2")
            .bind(at_ms)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Records a failed attempt and when to try again.
    pub async fn mail_failed(&self, id: &str, retry_at_ms: i64, error: &str) -> sqlx::Result<()> {
        sqlx::query("UPDATE outbox SET next_attempt_ms = $1, last_error = $2 WHERE id = $3")
            .bind(retry_at_ms)
            .bind(error)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
