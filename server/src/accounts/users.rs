//! People: who is signed in (`GET /api/me`), their profile and password, and one-time links.
//! The operator creates people with `portal-server user create`, which prints a set-password
//! link (or sets the password from stdin); a forgotten password is reset through an e-mailed
//! link. Links are random, single-use, expire, and are stored only as hashes.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portal_domain::Lang;
use portal_domain::accounts::{
    MAX_DISPLAY_NAME_CHARS, Me, PasswordChange, ProfileChange, ResetRequest, Role, SetPassword,
};
use portal_domain::ids::PublisherId;
use sqlx::{Any, Transaction};

use super::keys::{hash_secret, new_secret};
use super::passwords::{self, check_new, normalize_email};
use super::store::{self, LinkRow, UserRow, lang_name};
use super::{Caller, ClientAddr, Principal};
use crate::audit::{self, Change, NO_PUBLISHER};
use crate::db::{Db, now_ms};
use crate::error::{ApiError, ApiResult};
use crate::extract::JsonBody;
use crate::notifications::{self, Notification};
use crate::routes::ApiRoute;
use crate::state::AppState;

/// How long a set-password link from `user create` works.
pub const SET_PASSWORD_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// How long a reset link works.
pub const RESET_TTL: Duration = Duration::from_secs(60 * 60);
/// A new reset link for an address at most this often.
const RESET_EVERY_MS: i64 = 60_000;
/// The prefix of a link's token.
const LINK_PREFIX: &str = "pl_";

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// A new one-time link; returns its token (the only clear copy).
pub(crate) async fn new_link(
    tx: &mut Transaction<'static, Any>,
    link: &LinkRow,
) -> sqlx::Result<String> {
    let token = new_secret(LINK_PREFIX);
    store::insert_link(tx, link, &hash_secret(&token)).await?;
    Ok(token)
}

/// The URL of a link: the page, then the token in the fragment (never sent to a server, so
/// it stays out of request logs and `Referer` headers).
pub fn link_url(public_url: &url::Url, page: &str, token: &str) -> String {
    let base = public_url.as_str().trim_end_matches('/');
    format!("{base}/{page}#token={token}")
}

/// A usable link of a purpose, or why not: 404 for an unknown token, 410 for a used, revoked
/// or expired one.
pub(crate) async fn live_link(db: &Db, token: &str, purpose: &str) -> ApiResult<LinkRow> {
    let link = store::link_by_hash(db, &hash_secret(token.trim()))
        .await?
        .filter(|l| l.purpose == purpose)
        .ok_or_else(|| {
            ApiError::NotFound(
                "This link is not known; ask for a new one (links are single-use).".into(),
            )
        })?;
    if link.used_ms.is_some() {
        return Err(ApiError::Gone {
            code: "LinkUsed",
            message: "This link was already used; each link works once. Ask for a new one.".into(),
        });
    }
    if link.revoked_ms.is_some() {
        return Err(ApiError::Gone {
            code: "LinkRevoked",
            message: "This link was revoked; ask for a new one.".into(),
        });
    }
    if link.expires_ms <= now_ms() {
        return Err(ApiError::Gone {
            code: "LinkExpired",
            message: "This link has expired; ask for a new one.".into(),
        });
    }
    Ok(link)
}

/// Checks a display name: 1 to 100 printable characters.
pub(crate) fn display_name(raw: &str) -> ApiResult<String> {
    let name = raw.trim();
    if name.is_empty()
        || name.chars().count() > MAX_DISPLAY_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(ApiError::invalid(
            "InvalidDisplayName",
            "displayName",
            format!(
                "The display name must have 1 to {MAX_DISPLAY_NAME_CHARS} characters, without control characters."
            ),
        ));
    }
    Ok(name.to_owned())
}

/// What `user create` did.
#[derive(Debug)]
pub enum Created {
    /// The password was set from stdin.
    PasswordSet,
    /// The person sets it through this link (valid 24 h).
    Link(String),
}

/// `portal-server user create`: makes a person (or finds them by address) a member of the
/// publisher with the role, and sets their password or prints a set-password link (which also
/// resets a forgotten password; older unused links stop working).
pub async fn create_user(
    db: &Db,
    public_url: &url::Url,
    publisher: &str,
    email: &str,
    role: Role,
    name: Option<&str>,
    password: Option<String>,
) -> anyhow::Result<Created> {
    PublisherId::parse(publisher)
        .map_err(|_| anyhow::anyhow!("`{publisher}` is not a valid publisher id"))?;
    let email = normalize_email(email, "email").map_err(|e| anyhow::anyhow!("{e}"))?;
    let name = match name {
        Some(n) => display_name(n).map_err(|e| anyhow::anyhow!("{e}"))?,
        None => email.split('@').next().unwrap_or(&email).to_owned(),
    };
    let hash = match &password {
        Some(p) => {
            check_new(p, &email, &name, Lang::En).map_err(|e| anyhow::anyhow!("{e}"))?;
            Some(passwords::hash(p.clone()).await?)
        }
        None => None,
    };
    let now = now_ms();
    let existing = store::user_by_email(db, &email).await?;
    let mut tx = db.write.begin().await?;
    let user_id = match &existing {
        Some(u) => u.id.clone(),
        None => {
            let user = UserRow {
                id: uuid::Uuid::new_v4().to_string(),
                email: email.clone(),
                display_name: name.clone(),
                lang: "en".into(),
                password_hash: None,
                created_ms: now,
                last_sign_in_ms: None,
            };
            store::insert_user(&mut tx, &user).await?;
            user.id
        }
    };
    let before = store::role_in(&mut tx, publisher, &user_id).await?;
    let operator = portal_domain::accounts::Actor {
        kind: "operator".into(),
        id: None,
        name: "portal-server user create".into(),
    };
    let change = Change {
        publisher: publisher.to_owned(),
        actor: operator,
        address: "command line".into(),
        action: if before.is_some() {
            "member.role"
        } else {
            "member.add"
        },
        target: format!("member/{user_id}"),
        offer: None,
        before: before.map(|r| serde_json::json!({"role": r.as_str()})),
        after: Some(serde_json::json!({"role": role.as_str(), "email": email})),
    };
    audit::store::record(&mut tx, &change).await?;
    store::put_member(&mut tx, publisher, &user_id, role, now).await?;
    let created = match hash {
        Some(h) => {
            store::set_password(&mut tx, &user_id, &h, None).await?;
            Created::PasswordSet
        }
        None => {
            store::revoke_password_links(&mut tx, &email, now).await?;
            let link = set_password_link(&email, None, now, SET_PASSWORD_TTL);
            let token = new_link(&mut tx, &link).await?;
            Created::Link(link_url(public_url, "set-password", &token))
        }
    };
    tx.commit().await?;
    Ok(created)
}

/// Lets a person (created with this password when new) review the previews allow-listing
/// a subscription, as if they had accepted a publisher's invitation; for the demo and tests.
pub async fn add_reviewer(
    db: &Db,
    publisher: &str,
    email: &str,
    name: &str,
    subscription: &str,
    password: &str,
) -> anyhow::Result<()> {
    let email = normalize_email(email, "email").map_err(|e| anyhow::anyhow!("{e}"))?;
    let now = now_ms();
    let user = match store::user_by_email(db, &email).await? {
        Some(u) => u,
        None => {
            check_new(password, &email, name, Lang::En).map_err(|e| anyhow::anyhow!("{e}"))?;
            let user = UserRow {
                id: uuid::Uuid::new_v4().to_string(),
                email: email.clone(),
                display_name: display_name(name).map_err(|e| anyhow::anyhow!("{e}"))?,
                lang: "en".into(),
                password_hash: Some(passwords::hash(password.to_owned()).await?),
                created_ms: now,
                last_sign_in_ms: None,
            };
            let mut tx = db.write.begin().await?;
            store::insert_user(&mut tx, &user).await?;
            tx.commit().await?;
            user
        }
    };
    let mut tx = db.write.begin().await?;
    store::add_grant(
        &mut tx,
        &user.id,
        &subscription.to_ascii_lowercase(),
        publisher,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn set_password_link(email: &str, by: Option<&str>, now: i64, ttl: Duration) -> LinkRow {
    LinkRow {
        id: uuid::Uuid::new_v4().to_string(),
        purpose: "setPassword".into(),
        email: email.to_owned(),
        publisher_id: None,
        role: None,
        subscription_id: None,
        created_by: by.map(str::to_owned),
        created_ms: now,
        expires_ms: now.saturating_add(ms(ttl)),
        used_ms: None,
        revoked_ms: None,
    }
}

/// An account e-mail (a reset or an invitation) for the outbox. It belongs to no publisher's
/// notifications list, and its body (holding the link) is dropped once delivered.
pub(crate) fn account_mail(kind: &str, to: &str, subject: String, body: String) -> Notification {
    Notification {
        id: uuid::Uuid::new_v4().to_string(),
        publisher_id: NO_PUBLISHER.to_owned(),
        operation_id: None,
        kind: kind.to_owned(),
        recipients: to.to_owned(),
        subject,
        body,
        created_ms: now_ms(),
        delivered_ms: None,
        attempts: 0,
        last_error: None,
    }
}

/// The routes of people.
pub fn routes() -> Vec<ApiRoute> {
    vec![
        ApiRoute::get(
            "/api/me",
            "getMe",
            "Who is calling: the person (or the API key), each publisher they belong to with their role, and their reviewer subscriptions.",
            get_me,
        ),
        ApiRoute::patch(
            "/api/me",
            "updateMe",
            "Change the signed-in person's display name or language.",
            patch_me,
        )
        .success("200")
        .body("ProfileChange"),
        ApiRoute::put(
            "/api/me/password",
            "changePassword",
            "Change the signed-in person's password (the current one is required); their other sessions end.",
            change_password,
        )
        .success("204")
        .body("PasswordChange"),
        ApiRoute::post(
            "/api/password-resets",
            "requestPasswordReset",
            "E-mail a password reset link (valid one hour). Always 202, whether or not the address has an account.",
            request_reset,
        )
        .public()
        .body("ResetRequest"),
        ApiRoute::post(
            "/api/password",
            "setPassword",
            "Set a password with a one-time link's token (from `user create` or a reset e-mail); every session of the account ends. 410 for a used or expired link.",
            set_password,
        )
        .public()
        .success("204")
        .body("SetPassword"),
    ]
}

/// `GET /api/me`
async fn get_me(principal: Principal) -> Json<Me> {
    Json(principal.view())
}

/// `PATCH /api/me`
async fn patch_me(
    State(state): State<AppState>,
    principal: Principal,
    JsonBody(req): JsonBody<ProfileChange>,
) -> ApiResult<Json<Me>> {
    let user = principal.person()?.clone();
    let name = match &req.display_name {
        Some(n) => display_name(n)?,
        None => user.display_name.clone(),
    };
    let lang = req.lang.unwrap_or(user.lang);
    let before =
        serde_json::json!({"displayName": user.display_name, "lang": lang_name(user.lang)});
    let after = serde_json::json!({"displayName": name, "lang": lang_name(lang)});
    let mut tx = state.db.write.begin().await?;
    store::update_profile(&mut tx, &user.id, &name, lang).await?;
    for p in principal.account_chains() {
        let change = Change::by(&principal, &p, "user.profile", format!("user/{}", user.id))
            .values(Some(before.clone()), Some(after.clone()));
        audit::store::record(&mut tx, &change).await?;
    }
    tx.commit().await?;
    state.credentials.forget_all();
    let mut me = principal.view();
    if let Some(u) = &mut me.user {
        u.display_name = name;
        u.lang = lang;
    }
    Ok(Json(me))
}

/// `PUT /api/me/password`
async fn change_password(
    State(state): State<AppState>,
    principal: Principal,
    JsonBody(req): JsonBody<PasswordChange>,
) -> ApiResult<StatusCode> {
    let user = principal.person()?;
    let row = store::user_by_id(&state.db, &user.id)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    if !passwords::verify(row.password_hash.clone(), req.current_password).await? {
        return Err(ApiError::invalid(
            "WrongPassword",
            "currentPassword",
            "The current password is not right.".into(),
        ));
    }
    check_new(&req.new_password, &row.email, &row.display_name, user.lang)?;
    let hash = passwords::hash(req.new_password).await?;
    let mut tx = state.db.write.begin().await?;
    store::set_password(&mut tx, &user.id, &hash, principal.session_id()).await?;
    for p in principal.account_chains() {
        let change = Change::by(&principal, &p, "user.password", format!("user/{}", user.id));
        audit::store::record(&mut tx, &change).await?;
    }
    tx.commit().await?;
    state.credentials.forget_all();
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/password-resets`
async fn request_reset(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    JsonBody(req): JsonBody<ResetRequest>,
) -> ApiResult<StatusCode> {
    let email = normalize_email(&req.email, "email")?;
    let Some(user) = store::user_by_email(&state.db, &email).await? else {
        return Ok(StatusCode::ACCEPTED);
    };
    let now = now_ms();
    if store::last_password_link_ms(&state.db, &email)
        .await?
        .is_some_and(|t| now - t < RESET_EVERY_MS)
    {
        return Ok(StatusCode::ACCEPTED);
    }
    let mut tx = state.db.write.begin().await?;
    store::revoke_password_links(&mut tx, &email, now).await?;
    let link = set_password_link(&email, Some(&user.id), now, RESET_TTL);
    let token = new_link(&mut tx, &link).await?;
    let url = link_url(&state.settings.public_url, "set-password", &token);
    let mail = account_mail(
        "passwordReset",
        &email,
        "Reset your Partner Portal password".into(),
        format!(
            "Someone (from {address}) asked to reset the password of {email} on Partner Portal.\n\n\
             Open this link within an hour to choose a new password:\n{url}\n\n\
             If it was not you, ignore this message; your password stays as it is."
        ),
    );
    notifications::store::insert(&mut tx, &[mail]).await?;
    tx.commit().await?;
    state.wake.notify_waiters();
    Ok(StatusCode::ACCEPTED)
}

/// `POST /api/password`
async fn set_password(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    JsonBody(req): JsonBody<SetPassword>,
) -> ApiResult<StatusCode> {
    let link = live_link(&state.db, &req.token, "setPassword").await?;
    let user = store::user_by_email(&state.db, &link.email)
        .await?
        .ok_or_else(|| ApiError::NotFound("The account of this link no longer exists.".into()))?;
    check_new(
        &req.password,
        &user.email,
        &user.display_name,
        user.view().lang,
    )?;
    let hash = passwords::hash(req.password).await?;
    let now = now_ms();
    let memberships = store::memberships_of(&state.db, &user.id).await?;
    let mut tx = state.db.write.begin().await?;
    if !store::use_link(&mut tx, &link.id, now).await? {
        return Err(ApiError::Gone {
            code: "LinkUsed",
            message: "This link was already used; each link works once. Ask for a new one.".into(),
        });
    }
    store::set_password(&mut tx, &user.id, &hash, None).await?;
    let principal = Principal {
        caller: Caller::User {
            user: user.view(),
            session_id: String::new(),
        },
        memberships,
        subscriptions: Vec::new(),
        address,
    };
    for p in principal.account_chains() {
        let change = Change::by(
            &principal,
            &p,
            "user.setPassword",
            format!("user/{}", user.id),
        );
        audit::store::record(&mut tx, &change).await?;
    }
    tx.commit().await?;
    state.credentials.forget_all();
    Ok(StatusCode::NO_CONTENT)
}
