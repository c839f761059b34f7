//! The SQL of offers and their published versions (`offers`, `offer_versions`). Rows are
//! private; drafts and versions leave this module decoded, as [`Offer`] and [`Version`].

use anyhow::Context;
use portal_domain::OfferDocument;
use portal_domain::workflow::StatusSummary;
use sha2::{Digest, Sha256};
use sqlx::{Any, Row, Transaction};

use super::{Offer, OfferListing, Version};
use crate::audit::{self, Change};
use crate::db::{Db, now_ms};

const OFFER_COLS: &str = "publisher_id, offer_id, draft, draft_hash, etag, changed_ms, version, \
     preview_version, production_version";

#[derive(sqlx::FromRow)]
struct OfferRow {
    publisher_id: String,
    offer_id: String,
    draft: String,
    draft_hash: String,
    etag: String,
    changed_ms: i64,
    version: i64,
    preview_version: Option<i64>,
    production_version: Option<i64>,
}

impl TryFrom<OfferRow> for Offer {
    type Error = sqlx::Error;

    fn try_from(r: OfferRow) -> sqlx::Result<Self> {
        Ok(Offer {
            draft: decode(&r.draft)?,
            publisher_id: r.publisher_id,
            offer_id: r.offer_id,
            draft_hash: r.draft_hash,
            etag: r.etag,
            changed_ms: r.changed_ms,
            version: r.version,
            preview_version: r.preview_version,
            production_version: r.production_version,
        })
    }
}

#[derive(sqlx::FromRow)]
struct ListingRow {
    offer_id: String,
    display_name: Option<String>,
    draft_hash: String,
    changed_ms: i64,
    version: i64,
    production_version: Option<i64>,
    latest_brief: Option<String>,
    production_hash: Option<String>,
}

#[derive(sqlx::FromRow)]
struct VersionRow {
    version: i64,
    document: String,
    draft_hash: String,
    created_ms: i64,
}

/// A stored document that does not decode is a corrupt database, not a client's mistake.
fn decode<T: serde::de::DeserializeOwned>(text: &str) -> sqlx::Result<T> {
    serde_json::from_str(text).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

/// JSON text and SHA-256 of a document as stored.
fn encode(doc: &OfferDocument) -> anyhow::Result<(String, String)> {
    let text = serde_json::to_string(doc).context("encoding a draft")?;
    let hash = hex::encode(Sha256::digest(text.as_bytes()));
    Ok((text, hash))
}

/// A new entity tag.
fn new_etag() -> String {
    format!("\"{}\"", uuid::Uuid::new_v4().simple())
}

/// One offer.
pub async fn find(db: &Db, publisher: &str, offer: &str) -> sqlx::Result<Option<Offer>> {
    let sql = format!("SELECT {OFFER_COLS} FROM offers WHERE publisher_id = $1 AND offer_id = $2");
    let row: Option<OfferRow> = sqlx::query_as(&sql)
        .bind(publisher)
        .bind(offer)
        .fetch_optional(&db.read)
        .await?;
    row.map(Offer::try_from).transpose()
}

/// Every offer of a publisher with its latest operation's status summary, newest change
/// first; read through the covering indexes of migration 6, never touching a draft.
pub async fn list(db: &Db, publisher: &str) -> sqlx::Result<Vec<OfferListing>> {
    let sql = "SELECT offer_id, display_name, draft_hash, changed_ms, version, production_version, \
         (SELECT op.brief FROM operations op WHERE op.publisher_id = offers.publisher_id \
          AND op.offer_id = offers.offer_id ORDER BY op.created_ms DESC, op.id DESC LIMIT 1) \
          AS latest_brief, \
         (SELECT v.draft_hash FROM offer_versions v WHERE v.publisher_id = offers.publisher_id \
          AND v.offer_id = offers.offer_id AND v.version = offers.production_version) \
          AS production_hash \
         FROM offers WHERE publisher_id = $1 ORDER BY changed_ms DESC, offer_id";
    let rows: Vec<ListingRow> = sqlx::query_as(sql)
        .bind(publisher)
        .fetch_all(&db.read)
        .await?;
    rows.into_iter()
        .map(|r| {
            let latest: Option<StatusSummary> =
                r.latest_brief.as_deref().map(decode).transpose()?;
            Ok(OfferListing {
                offer_id: r.offer_id,
                display_name: r.display_name.unwrap_or_default(),
                draft_hash: r.draft_hash,
                changed_ms: r.changed_ms,
                version: r.version,
                production_version: r.production_version,
                latest,
                production_hash: r.production_hash,
            })
        })
        .collect()
}

/// Creates an offer with this draft in a transaction; `None` when it already exists.
pub(crate) async fn insert_tx(
    tx: &mut Transaction<'static, Any>,
    publisher: &str,
    offer: &str,
    draft: OfferDocument,
) -> anyhow::Result<Option<Offer>> {
    let (text, draft_hash) = encode(&draft)?;
    let created = Offer {
        publisher_id: publisher.to_owned(),
        offer_id: offer.to_owned(),
        draft_hash,
        etag: new_etag(),
        changed_ms: now_ms(),
        version: 0,
        preview_version: None,
        production_version: None,
        draft,
    };
    let done = sqlx::query(
        "INSERT INTO offers (publisher_id, offer_id, draft, draft_hash, etag, changed_ms, \
         version, preview_version, production_version, display_name) \
         VALUES ($1, $2, $3, $4, $5, $6, 0, NULL, NULL, $7) ON CONFLICT DO NOTHING",
    )
    .bind(&created.publisher_id)
    .bind(&created.offer_id)
    .bind(&text)
    .bind(&created.draft_hash)
    .bind(&created.etag)
    .bind(created.changed_ms)
    .bind(created.draft.display_name())
    .execute(&mut **tx)
    .await?;
    Ok((done.rows_affected() == 1).then_some(created))
}

/// Creates an offer with this draft; `None` when it already exists.
pub async fn insert(
    db: &Db,
    publisher: &str,
    offer: &str,
    draft: OfferDocument,
    change: &Change,
) -> anyhow::Result<Option<Offer>> {
    let mut tx = db.write.begin().await?;
    let created = insert_tx(&mut tx, publisher, offer, draft).await?;
    if created.is_some() {
        audit::store::record(&mut tx, change).await?;
    }
    tx.commit().await?;
    Ok(created)
}

/// Replaces the draft of `existing` when its entity tag still is `if_etag` (any tag when
/// `None`), and records the change; `None` when the compare failed.
pub async fn update_draft(
    db: &Db,
    existing: &Offer,
    draft: OfferDocument,
    if_etag: Option<&str>,
    change: &Change,
) -> anyhow::Result<Option<Offer>> {
    let (text, draft_hash) = encode(&draft)?;
    let updated = Offer {
        draft_hash,
        etag: new_etag(),
        changed_ms: now_ms(),
        draft,
        ..existing.clone()
    };
    let mut tx = db.write.begin().await?;
    let done = sqlx::query(
        "UPDATE offers SET draft = $1, draft_hash = $2, etag = $3, changed_ms = $4, \
         display_name = $9 WHERE publisher_id = $5 AND offer_id = $6 AND ($7 = 1 OR etag = $8)",
    )
    .bind(&text)
    .bind(&updated.draft_hash)
    .bind(&updated.etag)
    .bind(updated.changed_ms)
    .bind(&updated.publisher_id)
    .bind(&updated.offer_id)
    .bind(i64::from(if_etag.is_none()))
    .bind(if_etag.unwrap_or(""))
    .bind(updated.draft.display_name())
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        tx.rollback().await?;
        return Ok(None);
    }
    audit::store::record(&mut tx, change).await?;
    tx.commit().await?;
    Ok(Some(updated))
}

/// One published version.
pub async fn version(
    db: &Db,
    publisher: &str,
    offer: &str,
    version: i64,
) -> sqlx::Result<Option<Version>> {
    let row: Option<VersionRow> = sqlx::query_as(
        "SELECT version, document, draft_hash, created_ms FROM offer_versions \
         WHERE publisher_id = $1 AND offer_id = $2 AND version = $3",
    )
    .bind(publisher)
    .bind(offer)
    .bind(version)
    .fetch_optional(&db.read)
    .await?;
    row.map(|r| {
        Ok(Version {
            version: r.version,
            document: decode(&r.document)?,
            draft_hash: r.draft_hash,
            created_ms: r.created_ms,
        })
    })
    .transpose()
}

/// In a publish's transaction: the draft, still `draft_hash` and at `version`, becomes the
/// immutable version `version + 1` (the stored text copied as it is). False when the draft
/// or the counter changed since it was read.
pub(crate) async fn snapshot_draft(
    tx: &mut Transaction<'static, Any>,
    offer: &Offer,
    created_ms: i64,
) -> sqlx::Result<bool> {
    let bumped = sqlx::query(
        "UPDATE offers SET version = version + 1 WHERE publisher_id = $1 AND offer_id = $2 \
         AND version = $3 AND draft_hash = $4",
    )
    .bind(&offer.publisher_id)
    .bind(&offer.offer_id)
    .bind(offer.version)
    .bind(&offer.draft_hash)
    .execute(&mut **tx)
    .await?;
    if bumped.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO offer_versions (publisher_id, offer_id, version, document, draft_hash, \
         created_ms) SELECT publisher_id, offer_id, version, draft, draft_hash, $3 FROM offers \
         WHERE publisher_id = $1 AND offer_id = $2",
    )
    .bind(&offer.publisher_id)
    .bind(&offer.offer_id)
    .bind(created_ms)
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

/// In a transaction: the offer's preview or production slot now holds `version`.
pub(crate) async fn set_slot(
    tx: &mut Transaction<'static, Any>,
    publisher: &str,
    offer: &str,
    slot: super::Slot,
    version: i64,
) -> sqlx::Result<()> {
    let sql = format!(
        "UPDATE offers SET {} = $1 WHERE publisher_id = $2 AND offer_id = $3",
        slot.column()
    );
    sqlx::query(&sql)
        .bind(version)
        .bind(publisher)
        .bind(offer)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// In a transaction: a canceled `version` leaves the preview slot (the live version, if
/// any, is what reviewers see again).
pub(crate) async fn withdraw_preview(
    tx: &mut Transaction<'static, Any>,
    publisher: &str,
    offer: &str,
    version: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE offers SET preview_version = production_version \
         WHERE publisher_id = $1 AND offer_id = $2 AND preview_version = $3",
    )
    .bind(publisher)
    .bind(offer)
    .bind(version)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Fills `display_name` of offers stored before it existed.
pub(crate) async fn backfill_display_names(db: &Db) -> anyhow::Result<()> {
    let rows =
        sqlx::query("SELECT publisher_id, offer_id, draft FROM offers WHERE display_name IS NULL")
            .fetch_all(&db.write)
            .await?;
    for r in rows {
        let publisher: String = r.try_get("publisher_id")?;
        let offer: String = r.try_get("offer_id")?;
        let draft: String = r.try_get("draft")?;
        let name = decode::<OfferDocument>(&draft)
            .map(|d| d.display_name().to_owned())
            .unwrap_or_else(|_| offer.clone());
        sqlx::query(
            "UPDATE offers SET display_name = $1 WHERE publisher_id = $2 AND offer_id = $3",
        )
        .bind(name)
        .bind(&publisher)
        .bind(&offer)
        .execute(&db.write)
        .await?;
    }
    Ok(())
}

/// The offer's status from its latest operation's summary (never its pipeline).
pub async fn latest_status(
    db: &Db,
    publisher: &str,
    offer: &str,
) -> sqlx::Result<portal_domain::workflow::OfferStatus> {
    let brief: Option<Option<String>> = sqlx::query_scalar(
        "SELECT brief FROM operations WHERE publisher_id = $1 AND offer_id = $2 \
         ORDER BY created_ms DESC, id DESC LIMIT 1",
    )
    .bind(publisher)
    .bind(offer)
    .fetch_optional(&db.read)
    .await?;
    let summary: Option<StatusSummary> = brief.flatten().as_deref().map(decode).transpose()?;
    Ok(
        summary.map_or(portal_domain::workflow::OfferStatus::NeverPublished, |s| {
            s.status
        }),
    )
}
