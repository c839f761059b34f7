//! Browser sessions: sign-in with a password sets the cookie `portal_session` (HttpOnly,
//! SameSite=Strict, Secure behind https); the server keeps only the secret's hash, with an idle
//! and an absolute expiry. Writes authenticated by the cookie must carry
//! `X-Requested-With: partner-portal` and, when the browser sends one, the portal's `Origin`.
//! Failed sign-ins are slowed per account and per client address: growing waits, then a lock.

use std::time::Duration;

use axum::Json;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use portal_domain::accounts::{SessionInfo, SignIn};

use super::keys::{hash_secret, new_secret};
use super::passwords::{normalize_email, verify};
use super::store::{self, NewSession, UserRow};
use super::{ClientAddr, Principal};
use crate::audit::{self, Change, NO_PUBLISHER};
use crate::db::now_ms;
use crate::error::{ApiError, ApiResult};
use crate::extract::JsonBody;
use crate::routes::ApiRoute;
use crate::state::{AppState, Settings};

/// The session cookie.
pub const COOKIE: &str = "portal_session";
/// The header every cookie-authenticated write carries, and its value.
pub const CSRF_HEADER: &str = "x-requested-with";
/// The value of [`CSRF_HEADER`].
pub const CSRF_VALUE: &str = "partner-portal";
/// The prefix of a session secret.
const SECRET_PREFIX: &str = "ps_";

/// The session secret of a request's cookie.
pub(crate) fn cookie(parts: &Parts) -> Option<String> {
    CookieJar::from_headers(&parts.headers)
        .get(COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| !v.is_empty())
}

/// Refuses a cookie-authenticated write without the app's header, or from a foreign origin.
pub(crate) fn check_csrf(parts: &Parts, settings: &Settings) -> Result<(), ApiError> {
    if matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    check_write_headers(&parts.headers, settings)
}

pub(crate) fn check_write_headers(
    headers: &HeaderMap,
    settings: &Settings,
) -> Result<(), ApiError> {
    let marked = headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case(CSRF_VALUE));
    if !marked {
        return Err(ApiError::CsrfRefused(format!(
            "A write with the session cookie must carry the header `X-Requested-With: {CSRF_VALUE}`."
        )));
    }
    // Every `Origin` sent must be the portal's (a second one must not hide a foreign first).
    for origin in headers.get_all(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let same_host = format!("{}://{host}", settings.public_url.scheme());
        let public = settings.public_url.origin().ascii_serialization();
        if origin != public && (host.is_empty() || origin != same_host) {
            return Err(ApiError::CsrfRefused(format!(
                "A write with the session cookie must come from the portal ({public}), not from `{}`.",
                origin.chars().take(100).collect::<String>()
            )));
        }
    }
    Ok(())
}

/// The `Set-Cookie` value of a new session, or of its removal (`None`).
fn set_cookie(settings: &Settings, secret: Option<&str>) -> HeaderValue {
    let mut c = Cookie::build((COOKIE, secret.unwrap_or("").to_owned()))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path("/")
        .secure(settings.public_url.scheme() == "https");
    c = match secret {
        Some(_) => c.max_age(time::Duration::seconds(
            i64::try_from(settings.session_max.as_secs()).unwrap_or(i64::MAX),
        )),
        None => c.max_age(time::Duration::ZERO),
    };
    HeaderValue::from_str(&c.build().to_string()).unwrap_or(HeaderValue::from_static(""))
}

/// The browser of a request, as a session records it (short, printable).
#[derive(Debug, Clone)]
pub struct UserAgent(pub String);

impl<S: Send + Sync> FromRequestParts<S> for UserAgent {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ua = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect();
        Ok(Self(ua))
    }
}

/// Starts a session for a person: stores it, audits the sign-in in each of their publishers'
/// chains, and answers `GET /api/me`'s view with the cookie.
pub(crate) async fn start(
    state: &AppState,
    user: &UserRow,
    address: &str,
    user_agent: &str,
    mut extra: Vec<Change>,
) -> ApiResult<Response> {
    let secret = new_secret(SECRET_PREFIX);
    let now = now_ms();
    let max = i64::try_from(state.settings.session_max.as_millis()).unwrap_or(i64::MAX);
    let id = uuid::Uuid::new_v4().to_string();
    let memberships = store::memberships_of(&state.db, &user.id).await?;
    let principal = Principal {
        caller: super::Caller::User {
            user: user.view(),
            session_id: id.clone(),
        },
        memberships,
        subscriptions: store::subscriptions_of(&state.db, &user.id).await?,
        address: address.to_owned(),
    };
    let mut tx = state.db.write.begin().await?;
    let session = NewSession {
        id: &id,
        secret_hash: &hash_secret(&secret),
        user_id: &user.id,
        now_ms: now,
        expires_ms: now.saturating_add(max),
        address,
        user_agent,
    };
    store::insert_session(&mut tx, &session).await?;
    for c in &mut extra {
        audit::store::record(&mut tx, c).await?;
    }
    for p in principal.account_chains() {
        let change = Change::by(
            &principal,
            &p,
            "session.signIn",
            format!("user/{}", user.id),
        );
        audit::store::record(&mut tx, &change).await?;
    }
    tx.commit().await?;
    tracing::info!(user.id = %user.id, "signed in");
    let mut res = Json(principal.view()).into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        set_cookie(&state.settings, Some(&secret)),
    );
    Ok(res)
}

/// How failed sign-ins of one subject (an account, or a client address) are slowed.
#[derive(Debug, Clone, Copy)]
struct Throttle {
    /// Failures without any wait.
    free: i64,
    /// Failures after which the subject is locked for [`LOCK`].
    lock_at: i64,
}

/// Per account: three free tries, then 1 s, 2 s, 4 s … and a lock after ten.
const PER_ACCOUNT: Throttle = Throttle {
    free: 3,
    lock_at: 10,
};
/// Per client address (many people may share one): twenty free, a lock after thirty.
const PER_ADDRESS: Throttle = Throttle {
    free: 20,
    lock_at: 30,
};
/// How long a lock lasts.
pub const LOCK: Duration = Duration::from_secs(15 * 60);
/// Failures older than this are forgotten (unless locked).
const FORGET_MS: i64 = 60 * 60 * 1000;

impl Throttle {
    /// The wait after the `failures`-th failure.
    fn wait(self, failures: i64) -> Duration {
        if failures >= self.lock_at {
            LOCK
        } else if failures < self.free {
            Duration::ZERO
        } else {
            Duration::from_secs(1 << (failures - self.free).min(20))
        }
    }
}

/// A subject's blocked-until time, if it is blocked now.
async fn blocked(
    state: &AppState,
    subject: &str,
    throttle: Throttle,
    now: i64,
) -> ApiResult<Option<(i64, bool)>> {
    Ok(store::failures(&state.db, subject)
        .await?
        .filter(|(_, _, until)| *until > now)
        .map(|(n, _, until)| (until, n >= throttle.lock_at)))
}

async fn count_failure(
    state: &AppState,
    subject: &str,
    throttle: Throttle,
    now: i64,
) -> ApiResult<()> {
    let previous = store::failures(&state.db, subject)
        .await?
        .filter(|(_, last, until)| now - last < FORGET_MS || *until > now)
        .map_or(0, |(n, _, _)| n);
    let failures = previous + 1;
    let wait = i64::try_from(throttle.wait(failures).as_millis()).unwrap_or(i64::MAX / 2);
    store::put_failures(&state.db, subject, failures, now, now + wait).await?;
    Ok(())
}

fn too_many(until_ms: i64, now: i64, locked: bool) -> ApiError {
    let secs = u64::try_from((until_ms - now + 999) / 1000)
        .unwrap_or(1)
        .max(1);
    let message = if locked {
        format!(
            "Too many failed sign-ins: signing in is locked for {} minutes. Try again later, or reset the password.",
            secs.div_ceil(60)
        )
    } else {
        format!("Too many failed sign-ins. Try again in {secs} seconds.")
    };
    ApiError::TooManyRequests {
        code: if locked {
            "SignInLocked"
        } else {
            "TooManySignIns"
        },
        message,
        retry_after_s: secs,
    }
}

/// The routes of sessions.
pub fn routes() -> Vec<ApiRoute> {
    vec![
        ApiRoute::post(
            "/api/session",
            "signIn",
            "Sign in with e-mail and password: sets the HttpOnly cookie `portal_session` and answers who is signed in. Needs `X-Requested-With: partner-portal`. Failed tries are slowed (429 with Retry-After), then locked.",
            sign_in,
        )
        .public()
        .success("200")
        .body("SignIn"),
        ApiRoute::delete(
            "/api/session",
            "signOut",
            "Sign out: ends this session and clears the cookie.",
            sign_out,
        )
        .public(),
        ApiRoute::get(
            "/api/me/sessions",
            "listSessions",
            "The signed-in person's browser sessions (never their secrets).",
            list_sessions,
        ),
        ApiRoute::delete(
            "/api/me/sessions",
            "endAllSessions",
            "Sign out everywhere: ends every session of the signed-in person.",
            end_all_sessions,
        ),
        ApiRoute::delete(
            "/api/me/sessions/{session}",
            "endSession",
            "End one of the signed-in person's sessions.",
            end_session,
        ),
    ]
}

/// `POST /api/session`
async fn sign_in(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    UserAgent(user_agent): UserAgent,
    headers: HeaderMap,
    JsonBody(req): JsonBody<SignIn>,
) -> ApiResult<Response> {
    check_write_headers(&headers, &state.settings)?;
    let email = normalize_email(&req.email, "email")?;
    let now = now_ms();
    let subjects = [format!("email:{email}"), format!("addr:{address}")];
    for (s, throttle) in subjects.iter().zip([PER_ACCOUNT, PER_ADDRESS]) {
        if let Some((until, locked)) = blocked(&state, s, throttle, now).await? {
            return Err(too_many(until, now, locked));
        }
    }
    let user = store::user_by_email(&state.db, &email).await?;
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    if verify(stored, req.password).await? {
        let user = user.ok_or_else(|| anyhow::anyhow!("verified without a user"))?;
        store::clear_failures(&state.db, &subjects[0]).await?;
        return start(&state, &user, &address, &user_agent, Vec::new()).await;
    }
    count_failure(&state, &subjects[0], PER_ACCOUNT, now).await?;
    count_failure(&state, &subjects[1], PER_ADDRESS, now).await?;
    let (actor_id, chains) = match &user {
        Some(u) => {
            let ms = store::memberships_of(&state.db, &u.id).await?;
            let mut chains: Vec<String> = ms.into_iter().map(|m| m.publisher_id).collect();
            if chains.is_empty() {
                chains.push(NO_PUBLISHER.to_owned());
            }
            (Some(u.id.clone()), chains)
        }
        None => (None, vec![NO_PUBLISHER.to_owned()]),
    };
    let changes: Vec<Change> = chains
        .into_iter()
        .map(|publisher| Change {
            publisher,
            actor: portal_domain::accounts::Actor {
                kind: "anonymous".into(),
                id: actor_id.clone(),
                name: email.clone(),
            },
            address: address.clone(),
            action: "session.signInFailed",
            target: format!("email/{email}"),
            offer: None,
            before: None,
            after: None,
        })
        .collect();
    audit::store::record_alone(&state.db, &changes).await?;
    tracing::info!("sign-in refused");
    Err(ApiError::InvalidCredentials)
}

/// `DELETE /api/session`: ends this session (if any) and clears the cookie.
async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    if let Some(secret) = CookieJar::from_headers(&headers).get(COOKIE) {
        check_write_headers(&headers, &state.settings)?;
        store::delete_session_by_hash(&state.db, &hash_secret(secret.value())).await?;
        state.credentials.forget_all();
    }
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut()
        .insert(header::SET_COOKIE, set_cookie(&state.settings, None));
    Ok(res)
}

/// `GET /api/me/sessions`
async fn list_sessions(
    State(state): State<AppState>,
    principal: Principal,
) -> ApiResult<Json<Vec<SessionInfo>>> {
    let user = principal.person()?;
    Ok(Json(
        store::sessions_of(&state.db, &user.id, principal.session_id()).await?,
    ))
}

/// `DELETE /api/me/sessions`
async fn end_all_sessions(
    State(state): State<AppState>,
    principal: Principal,
) -> ApiResult<Response> {
    end(&state, &principal, None).await?;
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut()
        .insert(header::SET_COOKIE, set_cookie(&state.settings, None));
    Ok(res)
}

/// `DELETE /api/me/sessions/{session}`
async fn end_session(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    if end(&state, &principal, Some(&id)).await? == 0 {
        return Err(ApiError::NotFound(format!("Session `{id}` was not found.")));
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn end(state: &AppState, principal: &Principal, id: Option<&str>) -> ApiResult<u64> {
    let user = principal.person()?;
    let mut tx = state.db.write.begin().await?;
    let n = store::delete_sessions(&mut tx, &user.id, id).await?;
    for p in principal.account_chains() {
        let action = if id.is_some() {
            "session.end"
        } else {
            "session.endAll"
        };
        let change = Change::by(principal, &p, action, format!("user/{}", user.id));
        audit::store::record(&mut tx, &change).await?;
    }
    tx.commit().await?;
    state.credentials.forget_all();
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_then_lock() {
        let waits: Vec<u64> = (1..=10).map(|n| PER_ACCOUNT.wait(n).as_secs()).collect();
        assert_eq!(waits, [0, 0, 1, 2, 4, 8, 16, 32, 64, 900]);
        assert_eq!(PER_ADDRESS.wait(19), Duration::ZERO);
        assert_eq!(PER_ADDRESS.wait(30), LOCK);
    }
}
