//! The SQL of API tokens (`tokens`): only their SHA-256 hashes are stored.

use sqlx::FromRow;

use super::{Principal, TokenFor, TokenInfo};
use crate::db::Db;

#[derive(FromRow)]
struct TokenRow {
    id: String,
    name: String,
    kind: String,
    publisher_id: String,
    subscription_id: Option<String>,
    created_ms: i64,
}

impl TokenRow {
    /// Whom the token acts for; `None` for a row of an unknown kind.
    fn principal(&self) -> Option<Principal> {
        match (self.kind.as_str(), &self.subscription_id) {
            ("publisher", _) => Some(Principal::Publisher {
                publisher_id: self.publisher_id.clone(),
            }),
            ("reviewer", Some(sub)) => Some(Principal::Reviewer {
                subscription_id: sub.to_ascii_lowercase(),
            }),
            _ => None,
        }
    }
}

const TOKEN_COLS: &str = "id, name, kind, publisher_id, subscription_id, created_ms";

/// Stores a token's hash for a principal.
pub async fn insert(
    db: &Db,
    id: &str,
    name: &str,
    principal: &TokenFor,
    hash: &str,
    created_ms: i64,
) -> sqlx::Result<()> {
    let (kind, publisher, subscription) = match principal {
        TokenFor::Publisher(p) => ("publisher", p.as_str(), None),
        TokenFor::Reviewer(s) => ("reviewer", "", Some(s.to_ascii_lowercase())),
    };
    sqlx::query(
        "INSERT INTO tokens (id, name, kind, publisher_id, subscription_id, token_hash, \
         created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(name)
    .bind(kind)
    .bind(publisher)
    .bind(subscription)
    .bind(hash)
    .bind(created_ms)
    .execute(&db.write)
    .await?;
    Ok(())
}

/// The principal of the token with this hash.
pub async fn principal_by_hash(db: &Db, hash: &str) -> sqlx::Result<Option<Principal>> {
    let sql = format!("SELECT {TOKEN_COLS} FROM tokens WHERE token_hash = $1");
    let row: Option<TokenRow> = sqlx::query_as(&sql)
        .bind(hash)
        .fetch_optional(&db.read)
        .await?;
    Ok(row.as_ref().and_then(TokenRow::principal))
}

/// Every token (never its secret), oldest first.
pub async fn list(db: &Db) -> sqlx::Result<Vec<TokenInfo>> {
    let sql = format!("SELECT {TOKEN_COLS} FROM tokens ORDER BY created_ms, id");
    let rows: Vec<TokenRow> = sqlx::query_as(&sql).fetch_all(&db.read).await?;
    Ok(rows
        .into_iter()
        .map(|r| TokenInfo {
            acts_for: r
                .subscription_id
                .clone()
                .unwrap_or_else(|| r.publisher_id.clone()),
            id: r.id,
            name: r.name,
            kind: r.kind,
            created_ms: r.created_ms,
        })
        .collect())
}

/// Deletes the tokens with this id or name; returns how many.
pub async fn revoke(db: &Db, id_or_name: &str) -> sqlx::Result<u64> {
    let done = sqlx::query("DELETE FROM tokens WHERE id = $1 OR name = $2")
        .bind(id_or_name)
        .bind(id_or_name)
        .execute(&db.write)
        .await?;
    Ok(done.rows_affected())
}
