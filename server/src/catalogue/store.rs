//! The SQL of packages (`packages`): a packaged version's catalogue entry, where its page and
//! assets are in the site store, and whom its preview is allow-listed for.

use portal_domain::catalogue::CatalogueEntry;
use sqlx::{FromRow, Row};

use super::{Package, Whose};
use crate::db::Db;
use crate::offers::Slot;

const PACKAGE_COLS: &str = "p.publisher_id, p.offer_id, p.version, p.entry, p.prefix, \
     p.allowed_subscriptions, p.created_ms";

#[derive(FromRow)]
struct PackageRow {
    publisher_id: String,
    offer_id: String,
    version: i64,
    entry: String,
    prefix: String,
    /// The preview subscription ids, lower case, as `,a,b,` (`,` when none), so a reviewer's
    /// previews are found with one `LIKE`.
    allowed_subscriptions: String,
    created_ms: i64,
}

impl TryFrom<PackageRow> for Package {
    type Error = sqlx::Error;

    fn try_from(r: PackageRow) -> sqlx::Result<Self> {
        let entry: CatalogueEntry =
            serde_json::from_str(&r.entry).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        Ok(Package {
            publisher_id: r.publisher_id,
            offer_id: r.offer_id,
            version: r.version,
            entry,
            prefix: r.prefix,
            allowed_subscriptions: r
                .allowed_subscriptions
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            created_ms: r.created_ms,
        })
    }
}

fn allow_list(ids: &[String]) -> String {
    let mut out = String::from(",");
    for id in ids {
        out.push_str(&id.trim().to_ascii_lowercase());
        out.push(',');
    }
    out
}

fn packages(rows: Vec<PackageRow>) -> sqlx::Result<Vec<Package>> {
    rows.into_iter().map(Package::try_from).collect()
}

/// Records (or, when the step runs again, replaces) the package of a version.
pub async fn save(db: &Db, p: &Package) -> anyhow::Result<()> {
    let entry = serde_json::to_string(&p.entry)?;
    let allowed = allow_list(&p.allowed_subscriptions);
    sqlx::query(
        "INSERT INTO packages (publisher_id, offer_id, version, entry, prefix, \
         allowed_subscriptions, created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (publisher_id, offer_id, version) DO UPDATE SET entry = $8, \
         prefix = $9, allowed_subscriptions = $10, created_ms = $11",
    )
    .bind(&p.publisher_id)
    .bind(&p.offer_id)
    .bind(p.version)
    .bind(&entry)
    .bind(&p.prefix)
    .bind(&allowed)
    .bind(p.created_ms)
    .bind(&entry)
    .bind(&p.prefix)
    .bind(&allowed)
    .bind(p.created_ms)
    .execute(&db.write)
    .await?;
    Ok(())
}

/// The packages in a slot, newest first. For the preview slot, only versions not (yet)
/// live.
pub async fn in_slot(db: &Db, slot: Slot, whose: Whose<'_>) -> sqlx::Result<Vec<Package>> {
    let (filter, value) = match whose {
        Whose::All => ("$1 = ''", String::new()),
        Whose::AllowListing(sub) => ("p.allowed_subscriptions LIKE $1", format!("%,{sub},%")),
        Whose::Of(publisher) => ("p.publisher_id = $1", publisher.to_owned()),
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
    let rows: Vec<PackageRow> = sqlx::query_as(&sql).bind(value).fetch_all(&db.read).await?;
    packages(rows)
}

/// The package in a slot of one offer.
pub async fn in_slot_of(
    db: &Db,
    slot: Slot,
    publisher: &str,
    offer: &str,
) -> sqlx::Result<Option<Package>> {
    let sql = format!(
        "SELECT {PACKAGE_COLS} FROM offers o JOIN packages p \
         ON p.publisher_id = o.publisher_id AND p.offer_id = o.offer_id \
         AND p.version = o.{} WHERE o.publisher_id = $1 AND o.offer_id = $2",
        slot.column()
    );
    let row: Option<PackageRow> = sqlx::query_as(&sql)
        .bind(publisher)
        .bind(offer)
        .fetch_optional(&db.read)
        .await?;
    row.map(Package::try_from).transpose()
}

/// Offers whose version in a slot has no package (the demo's seeded versions), as
/// `(publisher, offer, version)`.
pub async fn unpackaged(db: &Db, slot: Slot) -> sqlx::Result<Vec<(String, String, i64)>> {
    let column = slot.column();
    let sql = format!(
        "SELECT o.publisher_id, o.offer_id, o.{column} AS version FROM offers o \
         WHERE o.{column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM packages p \
         WHERE p.publisher_id = o.publisher_id AND p.offer_id = o.offer_id \
         AND p.version = o.{column})"
    );
    let rows = sqlx::query(&sql).fetch_all(&db.read).await?;
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
