//! Who is calling: bearer tokens and the principal they stand for, and the extractors that
//! check a principal may act on the publisher or offer in the path. Tokens are random, shown
//! once and stored as SHA-256 hashes ([`store`]).

pub mod store;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use base64::Engine;
use portal_domain::ids::PublisherId;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::db::{Db, now_ms};
use crate::error::ApiError;
use crate::extract::{OfferPath, PublisherPath};
use crate::routes::ApiRoute;
use crate::state::AppState;

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
}

/// Whom a new token acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenFor {
    /// A publisher namespace (already validated).
    Publisher(String),
    /// A reviewer's Azure subscription id (already validated).
    Reviewer(String),
}

/// A stored token as `token list` shows it (never its secret).
#[derive(Debug, Clone)]
pub struct TokenInfo {
    /// Id.
    pub id: String,
    /// Friendly name.
    pub name: String,
    /// `publisher` or `reviewer`.
    pub kind: String,
    /// The publisher namespace or the reviewer's subscription id.
    pub acts_for: String,
    /// Creation time.
    pub created_ms: i64,
}

/// The stored form of a token.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Creates a token and returns its only clear copy.
pub async fn create_token(
    db: &Db,
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
    let name = name.map_or_else(|| format!("token-{}", &id[..8]), str::to_owned);
    store::insert(db, &id, &name, principal, &hash_token(&token), now_ms()).await?;
    Ok(token)
}

/// Verified tokens, remembered for [`Tokens::TTL`] so a client polling the status many
/// times a second does not ask the database each time. A token revoked by another process
/// (`portal-server token revoke`) keeps working for at most that long on every server.
#[derive(Debug, Default)]
pub struct Tokens {
    cache: Mutex<HashMap<String, (Instant, Principal)>>,
}

impl Tokens {
    /// How long a verified token is trusted without asking the database again: one indexed
    /// read per token per second costs nothing, and a revocation shows within it.
    pub const TTL: Duration = Duration::from_secs(1);
    /// At most this many tokens are cached (the cache is emptied when full).
    const MAX: usize = 10_000;

    /// The principal of a token, from the cache or the database.
    async fn principal(&self, db: &Db, token: &str) -> sqlx::Result<Option<Principal>> {
        let hash = hash_token(token);
        if let Some((at, p)) = self.lock().get(&hash)
            && at.elapsed() < Self::TTL
        {
            return Ok(Some(p.clone()));
        }
        let found = store::principal_by_hash(db, &hash).await?;
        let mut cache = self.lock();
        match &found {
            Some(p) => {
                if cache.len() >= Self::MAX {
                    cache.clear();
                }
                cache.insert(hash, (Instant::now(), p.clone()));
            }
            None => {
                cache.remove(&hash);
            }
        }
        Ok(found)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, Principal)>> {
        self.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The token of a request: `Authorization: Bearer …`, or, for an event stream alone,
/// `?access_token=` (browsers' EventSource cannot send headers; request logs record paths
/// only, never query strings).
fn bearer(parts: &Parts) -> Option<String> {
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
        None if parts.uri.path().ends_with("/events") => {
            url::form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
                .find(|(k, _)| k == "access_token")
                .map(|(_, v)| v.into_owned())
        }
        None => None,
    };
    token.filter(|t| !t.is_empty())
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts).ok_or(ApiError::Unauthorized)?;
        state
            .tokens
            .principal(&state.db, &token)
            .await?
            .ok_or(ApiError::Unauthorized)
    }
}

/// Refuses access to another publisher's resources as if they did not exist.
fn authorize(principal: &Principal, publisher: &str) -> Result<(), ApiError> {
    if principal.can_manage(publisher) {
        Ok(())
    } else {
        Err(ApiError::NotFound(format!(
            "Publisher `{publisher}` was not found."
        )))
    }
}

/// The publisher in the path (`…/publishers/{publisher}/…`), which the caller acts for:
/// 401 without a principal, 400 for an invalid id, 404 for another publisher.
#[derive(Debug)]
pub struct ManagedPublisher {
    /// The caller.
    pub principal: Principal,
    /// The publisher namespace.
    pub publisher: PublisherId,
}

impl FromRequestParts<AppState> for ManagedPublisher {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let principal = Principal::from_request_parts(parts, state).await?;
        let PublisherPath(publisher) = PublisherPath::from_request_parts(parts, state).await?;
        authorize(&principal, publisher.as_str())?;
        Ok(Self {
            principal,
            publisher,
        })
    }
}

/// The offer in the path (`…/publishers/{publisher}/offers/{offer}/…`) of a publisher the
/// caller acts for: 401 without a principal, 400 for invalid ids, 404 for another
/// publisher. Whether the offer exists is the handler's question.
#[derive(Debug)]
pub struct ManagedOffer {
    /// The caller.
    pub principal: Principal,
    /// The publisher and offer ids.
    pub path: OfferPath,
}

impl FromRequestParts<AppState> for ManagedOffer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let principal = Principal::from_request_parts(parts, state).await?;
        let path = OfferPath::from_request_parts(parts, state).await?;
        authorize(&principal, path.publisher.as_str())?;
        Ok(Self { principal, path })
    }
}

/// The routes of this feature.
pub fn routes() -> Vec<ApiRoute> {
    vec![ApiRoute::get(
        "/api/me",
        "getMe",
        "Who the token belongs to: {kind: publisher|reviewer, publisherId?, subscriptionId?}.",
        get_me,
    )]
}

/// `GET /api/me`: who the token belongs to.
async fn get_me(principal: Principal) -> Json<portal_domain::api::Principal> {
    Json(principal.view())
}
