//! API keys: bearer tokens for CI pipelines and CPP-compatible clients. A key acts for one
//! publisher with a role no higher than its creator's (and never higher than the creator's
//! role now: a removed member's keys stop working), optionally until an expiry and for some
//! offers only. The operator's `token create` makes owners' keys and reviewers' tokens. Keys
//! are random, shown once and stored as SHA-256 hashes; [`Credentials`] remembers verified
//! keys and sessions for a second.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use base64::Engine;
use portal_domain::accounts::{
    self as api, ApiKey, CreatedApiKey, KeyRef, MAX_KEY_NAME_CHARS, Membership, NewApiKey,
};
use portal_domain::ids::OfferId;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::{Caller, ManagedPublisher, need, store};
use crate::audit::{self, Change};
use crate::db::{Db, from_ms, now_ms, to_ms};
use crate::error::{ApiError, ApiResult};
use crate::extract::JsonBody;
use crate::routes::ApiRoute;
use crate::state::{AppState, Settings};

/// The prefix of every API key, so leaked keys are easy to recognise.
pub const TOKEN_PREFIX: &str = "pp_";

/// The stored form of a key, a session id or a link token.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A new random secret with a prefix (32 random bytes, URL-safe).
pub(crate) fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// Whom an operator's new token acts for (`token create`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenFor {
    /// An owner's key of a publisher namespace (already validated).
    Publisher(String),
    /// A reviewer's Azure subscription id (already validated).
    Reviewer(String),
}

/// A stored key as `token list` and the Team page show it.
#[derive(Debug, Clone)]
pub struct KeyInfo {
    /// The key (never its secret).
    pub key: ApiKey,
    /// `publisher` or `reviewer`.
    pub kind: String,
    /// The publisher namespace or the reviewer's subscription id.
    pub acts_for: String,
}

/// What a new key is.
#[derive(Debug, Clone)]
pub struct KeySpec<'a> {
    /// Whom it acts for.
    pub acts_for: &'a TokenFor,
    /// Its name.
    pub name: &'a str,
    /// Its role.
    pub role: api::Role,
    /// Its creator; `None` for the operator.
    pub created_by: Option<&'a str>,
    /// Its expiry.
    pub expires_ms: Option<i64>,
    /// The offers it is limited to.
    pub offers: &'a [String],
}

/// Creates an operator's token (an owner's key, or a reviewer's token) and returns its only
/// clear copy.
pub async fn create_token(
    db: &Db,
    acts_for: &TokenFor,
    name: Option<&str>,
) -> anyhow::Result<String> {
    let id = uuid::Uuid::new_v4().to_string();
    let name = name.map_or_else(|| format!("token-{}", &id[..8]), str::to_owned);
    let spec = KeySpec {
        acts_for,
        name: &name,
        role: api::Role::Owner,
        created_by: None,
        expires_ms: None,
        offers: &[],
    };
    let secret = new_secret(TOKEN_PREFIX);
    let mut tx = db.write.begin().await?;
    store::insert_key(&mut tx, &id, &spec, &hash_secret(&secret), now_ms()).await?;
    tx.commit().await?;
    Ok(secret)
}

/// The key of a request: `Authorization: Bearer …`, or, for an event stream alone,
/// `?access_token=` (request logs record paths only, never query strings).
pub(crate) fn bearer(parts: &Parts) -> Option<String> {
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

/// A verified caller: who, their memberships and reviewer subscriptions.
pub type Resolved = (Caller, Vec<Membership>, Vec<String>);

/// Verified keys and sessions, remembered for [`Credentials::TTL`] so a client polling the
/// status many times a second does not ask the database each time. This server forgets them
/// at once when a key is revoked or a member changes; other servers sharing the database
/// notice within the TTL.
#[derive(Debug, Default)]
pub struct Credentials {
    cache: Mutex<HashMap<String, (Instant, i64, Resolved)>>,
}

impl Credentials {
    /// How long a verified credential is trusted without asking the database again.
    pub const TTL: Duration = Duration::from_secs(1);
    /// At most this many are cached (the cache is emptied when full).
    const MAX: usize = 10_000;

    /// The caller of an API key.
    pub async fn key(&self, db: &Db, token: &str) -> sqlx::Result<Option<Resolved>> {
        let hash = hash_secret(token);
        if let Some(hit) = self.cached(&hash) {
            return Ok(Some(hit));
        }
        let found = store::key_by_hash(db, &hash, now_ms()).await?;
        Ok(self.remember(hash, found))
    }

    /// The caller of a session cookie.
    pub async fn session(
        &self,
        db: &Db,
        secret: &str,
        settings: &Settings,
    ) -> sqlx::Result<Option<Resolved>> {
        let hash = hash_secret(secret);
        if let Some(hit) = self.cached(&hash) {
            return Ok(Some(hit));
        }
        let found = store::session_by_hash(db, &hash, now_ms(), settings.session_idle).await?;
        Ok(self.remember(hash, found))
    }

    /// Forgets everything (after a revocation, a sign-out or a team change).
    pub fn forget_all(&self) {
        self.lock().clear();
    }

    fn cached(&self, hash: &str) -> Option<Resolved> {
        let cache = self.lock();
        let (at, until_ms, r) = cache.get(hash)?;
        (at.elapsed() < Self::TTL && now_ms() < *until_ms).then(|| r.clone())
    }

    fn remember(&self, hash: String, found: Option<(i64, Resolved)>) -> Option<Resolved> {
        let mut cache = self.lock();
        match found {
            Some((until_ms, r)) => {
                if cache.len() >= Self::MAX {
                    cache.clear();
                }
                cache.insert(hash, (Instant::now(), until_ms, r.clone()));
                Some(r)
            }
            None => {
                cache.remove(&hash);
                None
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, i64, Resolved)>> {
        self.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The routes of API keys.
pub fn routes() -> Vec<ApiRoute> {
    vec![
        ApiRoute::get(
            "/api/publishers/{publisher}/api-keys",
            "listApiKeys",
            "The publisher's API keys (never their secrets): role, offers, creator, last use, expiry. Owners only.",
            list_keys,
        ),
        ApiRoute::post(
            "/api/publishers/{publisher}/api-keys",
            "createApiKey",
            "Create an API key with a role no higher than yours, an optional expiry and offer limit; its secret is answered this once. Owners only.",
            create_key,
        )
        .success("201")
        .body("NewApiKey"),
        ApiRoute::delete(
            "/api/publishers/{publisher}/api-keys/{key}",
            "revokeApiKey",
            "Revoke an API key: the next request with it gets 401. Owners only.",
            revoke_key,
        ),
    ]
}

/// `GET …/api-keys`
async fn list_keys(
    State(state): State<AppState>,
    ManagedPublisher { publisher, .. }: ManagedPublisher<need::ManageTeam>,
) -> ApiResult<Json<Vec<ApiKey>>> {
    let keys = store::keys_of(&state.db, publisher.as_str()).await?;
    Ok(Json(keys.into_iter().map(|k| k.key).collect()))
}

/// `POST …/api-keys`
async fn create_key(
    State(state): State<AppState>,
    ManagedPublisher {
        principal,
        publisher,
        role,
        ..
    }: ManagedPublisher<need::ManageTeam>,
    JsonBody(req): JsonBody<NewApiKey>,
) -> ApiResult<(StatusCode, Json<CreatedApiKey>)> {
    let p = publisher.as_str();
    let name = req.name.trim();
    if name.is_empty()
        || name.chars().count() > MAX_KEY_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(ApiError::invalid(
            "InvalidApiKey",
            "name",
            format!(
                "The key needs a name of 1 to {MAX_KEY_NAME_CHARS} characters, without control characters."
            ),
        ));
    }
    if req.role > role {
        return Err(ApiError::invalid(
            "InvalidApiKey",
            "role",
            format!(
                "A key's role can be no higher than yours (`{}`).",
                role.as_str()
            ),
        ));
    }
    let now = now_ms();
    let expires_ms = req.expires_at.map(to_ms);
    if expires_ms.is_some_and(|e| e <= now) {
        return Err(ApiError::invalid(
            "InvalidApiKey",
            "expiresAt",
            "The expiry must be in the future.".into(),
        ));
    }
    let mut offers = Vec::new();
    for o in &req.offers {
        let id = OfferId::parse(o).map_err(|_| {
            ApiError::invalid(
                "InvalidApiKey",
                "offers",
                format!("`{o}` is not an offer id."),
            )
        })?;
        if crate::offers::store::find(&state.db, p, id.as_str())
            .await?
            .is_none()
        {
            return Err(ApiError::invalid(
                "InvalidApiKey",
                "offers",
                format!("Offer `{o}` was not found."),
            ));
        }
        if !offers.contains(&id.as_str().to_owned()) {
            offers.push(id.as_str().to_owned());
        }
    }
    let id = uuid::Uuid::new_v4().to_string();
    let acts_for = TokenFor::Publisher(p.to_owned());
    let spec = KeySpec {
        acts_for: &acts_for,
        name,
        role: req.role,
        created_by: principal.user().map(|u| u.id.as_str()),
        expires_ms,
        offers: &offers,
    };
    let secret = new_secret(TOKEN_PREFIX);
    let key = ApiKey {
        id: id.clone(),
        name: name.to_owned(),
        role: req.role,
        offers: offers.clone(),
        created_by: principal.display_name(),
        created_at: from_ms(now),
        last_used_at: None,
        expires_at: expires_ms.map(from_ms),
    };
    let change = Change::by(&principal, p, "apiKey.create", format!("apiKey/{id}"))
        .values(None, serde_json::to_value(&key).ok());
    let mut tx = state.db.write.begin().await?;
    store::insert_key(&mut tx, &id, &spec, &hash_secret(&secret), now).await?;
    audit::store::record(&mut tx, &change).await?;
    tx.commit().await?;
    tracing::info!(publisher = p, key.id = %id, "API key created");
    Ok((StatusCode::CREATED, Json(CreatedApiKey { key, secret })))
}

/// `DELETE …/api-keys/{key}`
async fn revoke_key(
    State(state): State<AppState>,
    ManagedPublisher {
        principal,
        publisher,
        ..
    }: ManagedPublisher<need::ManageTeam>,
    Path((_, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let p = publisher.as_str();
    let change = Change::by(&principal, p, "apiKey.revoke", format!("apiKey/{id}"));
    let mut tx = state.db.write.begin().await?;
    if !store::delete_key_of(&mut tx, p, &id).await? {
        return Err(ApiError::NotFound(format!("API key `{id}` was not found.")));
    }
    audit::store::record(&mut tx, &change).await?;
    tx.commit().await?;
    state.credentials.forget_all();
    tracing::info!(publisher = p, key.id = %id, "API key revoked");
    Ok(StatusCode::NO_CONTENT)
}

/// A key's reference, for `GET /api/me`.
pub(crate) fn key_ref(id: &str, name: &str) -> KeyRef {
    KeyRef {
        id: id.to_owned(),
        name: name.to_owned(),
    }
}
