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

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// Acts for one publisher namespace: edits and publishes its offers.
    Publisher {
        /// The namespace.
        publisher_id: String,
    },
    /// A product reviewer: opens the previews whose allow-list holds this subscription id,
    /// and nothing else (never drafts, never changes).
    Reviewer {
        /// The Azure subscription id (lower case).
        subscription_id: String,
    },
}

impl Principal {
    /// Whether the principal may act on this publisher's offers.
    pub fn can_manage(&self, publisher: &str) -> bool {
        match self {
            Principal::Publisher { publisher_id } => publisher_id == publisher,
            Principal::Reviewer { .. } => false,
        }
    }

    /// The API's description of the principal (`GET /api/me`).
    pub fn view(&self) -> portal_domain::api::Principal {
        use portal_domain::api::{Principal as View, PrincipalKind};
        match self {
            Principal::Publisher { publisher_id } => View {
                kind: PrincipalKind::Publisher,
                publisher_id: Some(publisher_id.clone()),
                subscription_id: None,
            },
            Principal::Reviewer { subscription_id } => View {
                kind: PrincipalKind::Reviewer,
                publisher_id: None,
                subscription_id: Some(subscription_id.clone()),
            },
        }
    }

    fn from_row(row: &TokenRow) -> Option<Self> {
        match (row.kind.as_str(), &row.subscription_id) {
            ("publisher", _) => Some(Principal::Publisher {
                publisher_id: row.publisher_id.clone(),
            }),
            ("reviewer", Some(sub)) => Some(Principal::Reviewer {
                subscription_id: sub.to_ascii_lowercase(),
            }),
            _ => None,
        }
    }
}

/// Whom a new token acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenFor {
    /// A publisher namespace (already validated).
    Publisher(String),
    /// A reviewer's Azure subscription id (already validated).
    Reviewer(String),
}

/// The stored form of a token.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Creates a token and returns its only clear copy.
pub async fn create_token(
    store: &Store,
    principal: &TokenFor,
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
        kind: match principal {
            TokenFor::Publisher(_) => "publisher".into(),
            TokenFor::Reviewer(_) => "reviewer".into(),
        },
        publisher_id: match principal {
            TokenFor::Publisher(p) => p.clone(),
            TokenFor::Reviewer(_) => String::new(),
        },
        subscription_id: match principal {
            TokenFor::Publisher(_) => None,
            TokenFor::Reviewer(s) => Some(s.to_ascii_lowercase()),
        },
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
