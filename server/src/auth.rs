//! Bearer tokens and the principal they stand for. Tokens are random, shown once and stored
//! as SHA-256 hashes.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{Store, TokenRow, now_ms};

/// The prefix of every token, so leaked tokens are easy to recognise.
pub const TOKEN_PREFIX: &str = "pp_";

/// Who is calling. Reviewers and browser sessions will be further variants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// Acts for one publisher namespace.
    Publisher {
        /// The namespace.
        publisher_id: String,
    },
}

impl Principal {
    /// Whether the principal may act on this publisher's offers.
    pub fn can_manage(&self, publisher: &str) -> bool {
        match self {
            Principal::Publisher { publisher_id } => publisher_id == publisher,
        }
    }

    fn from_row(row: &TokenRow) -> Option<Self> {
        match row.kind.as_str() {
            "publisher" => Some(Principal::Publisher {
                publisher_id: row.publisher_id.clone(),
            }),
            _ => None,
        }
    }
}

/// The stored form of a token.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Creates a publisher token and returns its only clear copy.
pub async fn create_token(
    store: &Store,
    publisher: &str,
    name: Option<&str>,
) -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = format!(
        "{TOKEN_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let id = uuid::Uuid::new_v4().to_string();
    let row = TokenRow {
        name: name.map_or_else(|| format!("token-{}", &id[..8]), str::to_owned),
        id,
        kind: "publisher".into(),
        publisher_id: publisher.to_owned(),
        created_ms: now_ms(),
    };
    store.insert_token(&row, &hash_token(&token)).await?;
    Ok(token)
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let token = match header {
            Some(h) => h
                .strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
                .map(str::trim)
                .map(str::to_owned),
            // Browsers' EventSource cannot send headers: the event stream alone also accepts
            // `?access_token=` (request logs record paths only, never query strings).
            None if parts.uri.path().ends_with("/events") => {
                url::form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
                    .find(|(k, _)| k == "access_token")
                    .map(|(_, v)| v.into_owned())
            }
            None => None,
        };
        let token = token
            .filter(|t| !t.is_empty())
            .ok_or(ApiError::Unauthorized)?;
        let row = state
            .store
            .token_by_hash(&hash_token(&token))
            .await?
            .ok_or(ApiError::Unauthorized)?;
        Principal::from_row(&row).ok_or(ApiError::Unauthorized)
    }
}
