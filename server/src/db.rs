//! The database connection: a pool for writes and one for reads, portable between SQLite and
//! PostgreSQL through `sqlx::Any`, and the migrations (every file in `server/migrations/`, in
//! order). Each feature keeps its own SQL and row types in its `store.rs`; this module only
//! connects and holds what they share: the time format of every table.

use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor, Row};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Every migration in `server/migrations/`, embedded at build time (`build.rs` rebuilds the
/// server when the folder changes).
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

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

/// RFC 3339 text of Unix milliseconds.
pub fn rfc3339(ms: i64) -> String {
    from_ms(ms).format(&Rfc3339).unwrap_or_default()
}

/// Whether a statement failed on a unique constraint (a concurrent insert won).
pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}

/// The database's pools.
///
/// On SQLite, writes go through a single connection (`write`: SQLite has one writer, and one
/// connection avoids busy errors on transaction upgrades and keeps compare-and-set statements
/// trivially atomic) while reads use several connections (`read`), which run concurrently in
/// WAL mode. On PostgreSQL both are the same pool.
#[derive(Debug, Clone)]
pub struct Db {
    pub(crate) write: AnyPool,
    pub(crate) read: AnyPool,
}

impl Db {
    /// The writer pool, for tools and tests that look behind the API.
    pub fn pool(&self) -> &AnyPool {
        &self.write
    }

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
        let write = options(if sqlite { 1 } else { 8 }).connect(url).await?;
        if sqlite {
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&write)
                .await?;
        }
        MIGRATOR.run(&write).await?;
        let read = if sqlite && !memory {
            options(4).connect(url).await?
        } else {
            write.clone()
        };
        let db = Self { write, read };
        crate::offers::store::backfill_display_names(&db).await?;
        crate::publishing::store::backfill_briefs(&db).await?;
        Ok(db)
    }

    /// The versions of the migrations this database has applied, in order.
    pub async fn applied_migrations(&self) -> sqlx::Result<Vec<i64>> {
        let rows = sqlx::query("SELECT version FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(|r| r.try_get("version")).collect()
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
}
