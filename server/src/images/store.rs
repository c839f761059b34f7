//! The SQL of the certification cache (`image_checks`): one stored report per image URL
//! (without its SAS) and disk kind, with the validators it was measured under.

use portal_vhd::DiskReport;
use sqlx::FromRow;

use crate::db::Db;

/// A stored certification of one image.
#[derive(Debug, Clone)]
pub struct StoredCheck {
    /// Size in bytes when checked.
    pub size: i64,
    /// `ETag` when checked.
    pub etag: Option<String>,
    /// `Last-Modified` when checked.
    pub last_modified: Option<String>,
    /// The report.
    pub report: DiskReport,
    /// When it was checked.
    pub checked_ms: i64,
}

#[derive(FromRow)]
struct ImageCheckRow {
    size: i64,
    etag: Option<String>,
    last_modified: Option<String>,
    report: String,
    checked_ms: i64,
}

/// The stored certification of an image (by URL key and disk kind). A report that no longer
/// decodes (written by an older version) is as good as none: the image is read again.
pub async fn find(db: &Db, url_key: &str, kind: &str) -> sqlx::Result<Option<StoredCheck>> {
    let row: Option<ImageCheckRow> = sqlx::query_as(
        "SELECT size, etag, last_modified, report, checked_ms \
         FROM image_checks WHERE url_key = $1 AND kind = $2",
    )
    .bind(url_key)
    .bind(kind)
    .fetch_optional(&db.read)
    .await?;
    Ok(row.and_then(|r| {
        Some(StoredCheck {
            report: serde_json::from_str(&r.report).ok()?,
            size: r.size,
            etag: r.etag,
            last_modified: r.last_modified,
            checked_ms: r.checked_ms,
        })
    }))
}

/// Stores (or replaces) the certification of an image.
pub async fn save(
    db: &Db,
    url_key: &str,
    kind: &str,
    url: &str,
    check: &StoredCheck,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO image_checks \
         (url_key, kind, url, size, etag, last_modified, report, checked_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (url_key, kind) DO UPDATE SET url = excluded.url, size = excluded.size, \
         etag = excluded.etag, last_modified = excluded.last_modified, \
         report = excluded.report, checked_ms = excluded.checked_ms",
    )
    .bind(url_key)
    .bind(kind)
    .bind(url)
    .bind(check.size)
    .bind(check.etag.as_deref())
    .bind(check.last_modified.as_deref())
    .bind(serde_json::to_string(&check.report)?)
    .bind(check.checked_ms)
    .execute(&db.write)
    .await?;
    Ok(())
}
