//! The SQL of people and credentials: `users`, `memberships`, `reviewer_grants`, `sessions`,
//! `links`, `sign_in_failures` and `tokens` (API keys). Secrets are stored only as hashes.

use std::time::Duration;

use portal_domain::Lang;
use portal_domain::accounts::{self as api, ApiKey, Member, Membership, Role, SessionInfo};
use sqlx::{Any, FromRow, Transaction};

use super::Caller;
use super::keys::{KeyInfo, KeySpec, Resolved, TokenFor, key_ref};
use crate::db::{Db, from_ms};

/// A last use or last request older than this is written again (once a minute at most).
const TOUCH_MS: i64 = 60_000;

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn lang_of(s: &str) -> Lang {
    if s == "ko" { Lang::Ko } else { Lang::En }
}

/// The stored name of a language.
pub fn lang_name(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "en",
        Lang::Ko => "ko",
    }
}

// ---------------------------------------------------------------- users

/// A stored person.
#[derive(Debug, Clone, FromRow)]
pub struct UserRow {
    /// Id.
    pub id: String,
    /// E-mail (lower case).
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// `en` or `ko`.
    pub lang: String,
    /// The argon2 PHC string; `None` until a password is set.
    pub password_hash: Option<String>,
    /// Creation.
    pub created_ms: i64,
    /// Last successful sign-in.
    pub last_sign_in_ms: Option<i64>,
}

impl UserRow {
    /// The API's view.
    pub fn view(&self) -> api::User {
        api::User {
            id: self.id.clone(),
            email: self.email.clone(),
            display_name: self.display_name.clone(),
            lang: lang_of(&self.lang),
        }
    }
}

const USER_COLS: &str = "id, email, display_name, lang, password_hash, created_ms, last_sign_in_ms";

/// The person with this (lower-case) e-mail.
pub async fn user_by_email(db: &Db, email: &str) -> sqlx::Result<Option<UserRow>> {
    let sql = format!("SELECT {USER_COLS} FROM users WHERE email = $1");
    sqlx::query_as(&sql)
        .bind(email)
        .fetch_optional(&db.read)
        .await
}

/// The person with this id.
pub async fn user_by_id(db: &Db, id: &str) -> sqlx::Result<Option<UserRow>> {
    let sql = format!("SELECT {USER_COLS} FROM users WHERE id = $1");
    sqlx::query_as(&sql).bind(id).fetch_optional(&db.read).await
}

/// Creates a person.
pub async fn insert_user(tx: &mut Transaction<'static, Any>, user: &UserRow) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO users (id, email, display_name, lang, password_hash, created_ms, \
         last_sign_in_ms) VALUES ($1, $2, $3, $4, $5, $6, NULL)",
    )
    .bind(&user.id)
    .bind(&user.email)
    .bind(&user.display_name)
    .bind(&user.lang)
    .bind(user.password_hash.as_deref())
    .bind(user.created_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Sets a person's password hash and ends their sessions, but for `keep`.
pub async fn set_password(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
    hash: &str,
    keep: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
        .bind(user_id)
        .bind(keep.unwrap_or(""))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Changes a person's display name and language.
pub async fn update_profile(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
    display_name: &str,
    lang: Lang,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET display_name = $1, lang = $2 WHERE id = $3")
        .bind(display_name)
        .bind(lang_name(lang))
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

// ---------------------------------------------------------------- memberships

#[derive(FromRow)]
struct MembershipRow {
    publisher_id: String,
    role: String,
}

/// A person's publishers and roles, by publisher id.
pub async fn memberships_of(db: &Db, user_id: &str) -> sqlx::Result<Vec<Membership>> {
    let rows: Vec<MembershipRow> = sqlx::query_as(
        "SELECT publisher_id, role FROM memberships WHERE user_id = $1 ORDER BY publisher_id",
    )
    .bind(user_id)
    .fetch_all(&db.read)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(Membership {
                role: Role::parse(&r.role)?,
                publisher_id: r.publisher_id,
                offers: Vec::new(),
            })
        })
        .collect())
}

/// A person's reviewer subscriptions.
pub async fn subscriptions_of(db: &Db, user_id: &str) -> sqlx::Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT subscription_id FROM reviewer_grants WHERE user_id = $1 \
         ORDER BY subscription_id",
    )
    .bind(user_id)
    .fetch_all(&db.read)
    .await?;
    Ok(rows.into_iter().map(|(s,)| s).collect())
}

#[derive(FromRow)]
struct MemberRow {
    user_id: String,
    email: String,
    display_name: String,
    role: String,
    created_ms: i64,
    last_sign_in_ms: Option<i64>,
}

/// A publisher's members, by name.
pub async fn members_of(db: &Db, publisher: &str) -> sqlx::Result<Vec<Member>> {
    let rows: Vec<MemberRow> = sqlx::query_as(
        "SELECT m.user_id, u.email, u.display_name, m.role, m.created_ms, u.last_sign_in_ms \
         FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.publisher_id = $1 \
         ORDER BY u.display_name, u.email",
    )
    .bind(publisher)
    .fetch_all(&db.read)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(Member {
                role: Role::parse(&r.role)?,
                user_id: r.user_id,
                email: r.email,
                display_name: r.display_name,
                joined_at: from_ms(r.created_ms),
                last_sign_in_at: r.last_sign_in_ms.map(from_ms),
            })
        })
        .collect())
}

/// A member's role, read in a transaction.
pub async fn role_in(
    tx: &mut Transaction<'static, Any>,
    publisher: &str,
    user_id: &str,
) -> sqlx::Result<Option<Role>> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT role FROM memberships WHERE publisher_id = $1 AND user_id = $2")
            .bind(publisher)
            .bind(user_id)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(row.and_then(|(r,)| Role::parse(&r)))
}

/// How many owners a publisher has.
pub async fn owners(tx: &mut Transaction<'static, Any>, publisher: &str) -> sqlx::Result<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM memberships WHERE publisher_id = $1 AND role = 'owner'",
    )
    .bind(publisher)
    .fetch_one(&mut **tx)
    .await?;
    Ok(n)
}

/// Makes a person a member with a role (or changes the role).
pub async fn put_member(
    tx: &mut Transaction<'static, Any>,
    publisher: &str,
    user_id: &str,
    role: Role,
    now_ms: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO memberships (publisher_id, user_id, role, created_ms) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (publisher_id, user_id) DO UPDATE SET role = $5",
    )
    .bind(publisher)
    .bind(user_id)
    .bind(role.as_str())
    .bind(now_ms)
    .bind(role.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Removes a member; false when they were none.
pub async fn delete_member(
    tx: &mut Transaction<'static, Any>,
    publisher: &str,
    user_id: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM memberships WHERE publisher_id = $1 AND user_id = $2")
        .bind(publisher)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Lets a person review the previews allow-listing a subscription.
pub async fn add_grant(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
    subscription: &str,
    publisher: &str,
    now_ms: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO reviewer_grants (user_id, subscription_id, publisher_id, created_ms) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, subscription_id, publisher_id) DO NOTHING",
    )
    .bind(user_id)
    .bind(subscription)
    .bind(publisher)
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

// ---------------------------------------------------------------- sessions

#[derive(FromRow)]
struct SessionRow {
    id: String,
    created_ms: i64,
    last_seen_ms: i64,
    expires_ms: i64,
    address: String,
    user_agent: String,
}

/// A new session.
#[derive(Debug)]
pub struct NewSession<'a> {
    /// Id.
    pub id: &'a str,
    /// The cookie secret's hash.
    pub secret_hash: &'a str,
    /// Whose.
    pub user_id: &'a str,
    /// Now.
    pub now_ms: i64,
    /// The absolute expiry.
    pub expires_ms: i64,
    /// The client address.
    pub address: &'a str,
    /// The browser.
    pub user_agent: &'a str,
}

/// Starts a session and records the sign-in time.
pub async fn insert_session(
    tx: &mut Transaction<'static, Any>,
    s: &NewSession<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO sessions (id, secret_hash, user_id, created_ms, last_seen_ms, expires_ms, \
         address, user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(s.id)
    .bind(s.secret_hash)
    .bind(s.user_id)
    .bind(s.now_ms)
    .bind(s.now_ms)
    .bind(s.expires_ms)
    .bind(s.address)
    .bind(s.user_agent)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE users SET last_sign_in_ms = $1 WHERE id = $2")
        .bind(s.now_ms)
        .bind(s.user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The caller of a session, when it has neither been idle too long nor outlived its absolute
/// expiry, and until when it is good; marks it seen (once a minute at most).
pub async fn session_by_hash(
    db: &Db,
    hash: &str,
    now_ms: i64,
    idle: Duration,
) -> sqlx::Result<Option<(i64, Resolved)>> {
    let row: Option<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT id, user_id, last_seen_ms, expires_ms FROM sessions WHERE secret_hash = $1",
    )
    .bind(hash)
    .fetch_optional(&db.read)
    .await?;
    let Some((id, user_id, mut last_seen, expires)) = row else {
        return Ok(None);
    };
    if now_ms >= expires || now_ms >= last_seen.saturating_add(ms(idle)) {
        return Ok(None);
    }
    let Some(user) = user_by_id(db, &user_id).await? else {
        return Ok(None);
    };
    if now_ms - last_seen > TOUCH_MS {
        sqlx::query("UPDATE sessions SET last_seen_ms = $1 WHERE id = $2")
            .bind(now_ms)
            .bind(&id)
            .execute(&db.write)
            .await?;
        last_seen = now_ms;
    }
    let until = expires.min(last_seen.saturating_add(ms(idle)));
    let memberships = memberships_of(db, &user_id).await?;
    let subscriptions = subscriptions_of(db, &user_id).await?;
    let caller = Caller::User {
        user: user.view(),
        session_id: id,
    };
    Ok(Some((until, (caller, memberships, subscriptions))))
}

/// A person's sessions, newest first.
pub async fn sessions_of(
    db: &Db,
    user_id: &str,
    current: Option<&str>,
) -> sqlx::Result<Vec<SessionInfo>> {
    let rows: Vec<SessionRow> = sqlx::query_as(
        "SELECT id, created_ms, last_seen_ms, expires_ms, address, user_agent \
         FROM sessions WHERE user_id = $1 ORDER BY created_ms DESC, id",
    )
    .bind(user_id)
    .fetch_all(&db.read)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| SessionInfo {
            current: current == Some(r.id.as_str()),
            id: r.id,
            created_at: from_ms(r.created_ms),
            last_seen_at: from_ms(r.last_seen_ms),
            expires_at: from_ms(r.expires_ms),
            address: r.address,
            user_agent: r.user_agent,
        })
        .collect())
}

/// Ends the session with this cookie hash.
pub async fn delete_session_by_hash(db: &Db, hash: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE secret_hash = $1")
        .bind(hash)
        .execute(&db.write)
        .await?;
    Ok(())
}

/// Ends one of a person's sessions (`Some(id)`) or all of them; how many.
pub async fn delete_sessions(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
    id: Option<&str>,
) -> sqlx::Result<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND ($2 = '' OR id = $2)")
        .bind(user_id)
        .bind(id.unwrap_or(""))
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected())
}

// ---------------------------------------------------------------- one-time links

/// A one-time link: a set-password link or an invitation.
#[derive(Debug, Clone, FromRow)]
pub struct LinkRow {
    /// Id.
    pub id: String,
    /// `setPassword` or `invitation`.
    pub purpose: String,
    /// The recipient.
    pub email: String,
    /// The inviting publisher.
    pub publisher_id: Option<String>,
    /// The member role offered.
    pub role: Option<String>,
    /// The reviewer subscription offered.
    pub subscription_id: Option<String>,
    /// Who made it (a user id); `None` for the operator.
    pub created_by: Option<String>,
    /// Creation.
    pub created_ms: i64,
    /// Expiry.
    pub expires_ms: i64,
    /// When it was used.
    pub used_ms: Option<i64>,
    /// When it was revoked.
    pub revoked_ms: Option<i64>,
}

const LINK_COLS: &str = "id, purpose, email, publisher_id, role, subscription_id, created_by, \
     created_ms, expires_ms, used_ms, revoked_ms";

/// Stores a link by its token's hash.
pub async fn insert_link(
    tx: &mut Transaction<'static, Any>,
    link: &LinkRow,
    token_hash: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO links (id, token_hash, purpose, email, publisher_id, role, subscription_id, \
         created_by, created_ms, expires_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&link.id)
    .bind(token_hash)
    .bind(&link.purpose)
    .bind(&link.email)
    .bind(link.publisher_id.as_deref())
    .bind(link.role.as_deref())
    .bind(link.subscription_id.as_deref())
    .bind(link.created_by.as_deref())
    .bind(link.created_ms)
    .bind(link.expires_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The link with this token hash.
pub async fn link_by_hash(db: &Db, hash: &str) -> sqlx::Result<Option<LinkRow>> {
    let sql = format!("SELECT {LINK_COLS} FROM links WHERE token_hash = $1");
    sqlx::query_as(&sql)
        .bind(hash)
        .fetch_optional(&db.read)
        .await
}

/// Uses a link once: false when it was used, revoked or expired meanwhile.
pub async fn use_link(
    tx: &mut Transaction<'static, Any>,
    id: &str,
    now_ms: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE links SET used_ms = $1 WHERE id = $2 AND used_ms IS NULL AND revoked_ms IS NULL \
         AND expires_ms > $3",
    )
    .bind(now_ms)
    .bind(id)
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Revokes the unused set-password links of an address (a new one replaces them).
pub async fn revoke_password_links(
    tx: &mut Transaction<'static, Any>,
    email: &str,
    now_ms: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE links SET revoked_ms = $1 WHERE email = $2 AND purpose = 'setPassword' \
         AND used_ms IS NULL AND revoked_ms IS NULL",
    )
    .bind(now_ms)
    .bind(email)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// When the last set-password link of an address was made.
pub async fn last_password_link_ms(db: &Db, email: &str) -> sqlx::Result<Option<i64>> {
    let row: Option<(Option<i64>,)> = sqlx::query_as(
        "SELECT MAX(created_ms) FROM links WHERE email = $1 AND purpose = 'setPassword'",
    )
    .bind(email)
    .fetch_optional(&db.read)
    .await?;
    Ok(row.and_then(|(t,)| t))
}

/// A publisher's invitations, newest first, with the inviter's name.
pub async fn invitations_of(db: &Db, publisher: &str) -> sqlx::Result<Vec<(LinkRow, String)>> {
    #[derive(FromRow)]
    struct Row {
        #[sqlx(flatten)]
        link: LinkRow,
        inviter: Option<String>,
    }
    let sql = format!(
        "SELECT {}, u.display_name AS inviter FROM links l LEFT JOIN users u ON u.id = l.created_by \
         WHERE l.publisher_id = $1 AND l.purpose = 'invitation' ORDER BY l.created_ms DESC, l.id",
        LINK_COLS
            .split(", ")
            .map(|c| format!("l.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let rows: Vec<Row> = sqlx::query_as(&sql)
        .bind(publisher)
        .fetch_all(&db.read)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.link, r.inviter.unwrap_or_else(|| "the operator".into())))
        .collect())
}

/// Revokes a pending invitation of a publisher; false when there is none.
pub async fn revoke_invitation(
    tx: &mut Transaction<'static, Any>,
    publisher: &str,
    id: &str,
    now_ms: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE links SET revoked_ms = $1 WHERE id = $2 AND publisher_id = $3 \
         AND purpose = 'invitation' AND used_ms IS NULL AND revoked_ms IS NULL",
    )
    .bind(now_ms)
    .bind(id)
    .bind(publisher)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

// ---------------------------------------------------------------- failed sign-ins

/// The failed sign-ins of a subject: count, last failure, blocked until.
pub async fn failures(db: &Db, subject: &str) -> sqlx::Result<Option<(i64, i64, i64)>> {
    sqlx::query_as(
        "SELECT failures, last_ms, blocked_until_ms FROM sign_in_failures WHERE subject = $1",
    )
    .bind(subject)
    .fetch_optional(&db.read)
    .await
}

/// Records a subject's failures.
pub async fn put_failures(
    db: &Db,
    subject: &str,
    failures: i64,
    now_ms: i64,
    blocked_until_ms: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO sign_in_failures (subject, failures, last_ms, blocked_until_ms) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (subject) DO UPDATE \
         SET failures = $5, last_ms = $6, blocked_until_ms = $7",
    )
    .bind(subject)
    .bind(failures)
    .bind(now_ms)
    .bind(blocked_until_ms)
    .bind(failures)
    .bind(now_ms)
    .bind(blocked_until_ms)
    .execute(&db.write)
    .await?;
    Ok(())
}

/// Forgets a subject's failures (after a successful sign-in).
pub async fn clear_failures(db: &Db, subject: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sign_in_failures WHERE subject = $1")
        .bind(subject)
        .execute(&db.write)
        .await?;
    Ok(())
}

// ---------------------------------------------------------------- API keys

#[derive(FromRow)]
struct KeyRow {
    id: String,
    name: String,
    kind: String,
    publisher_id: String,
    subscription_id: Option<String>,
    role: String,
    offers: String,
    created_ms: i64,
    expires_ms: Option<i64>,
    last_used_ms: Option<i64>,
    created_by: Option<String>,
    creator_email: Option<String>,
    creator_name: Option<String>,
    creator_lang: Option<String>,
    creator_role: Option<String>,
}

const KEY_SELECT: &str = "SELECT t.id, t.name, t.kind, t.publisher_id, t.subscription_id, \
     t.role, t.offers, t.created_ms, t.expires_ms, t.last_used_ms, t.created_by, \
     u.email AS creator_email, u.display_name AS creator_name, u.lang AS creator_lang, \
     m.role AS creator_role FROM tokens t LEFT JOIN users u ON u.id = t.created_by \
     LEFT JOIN memberships m ON m.user_id = t.created_by AND m.publisher_id = t.publisher_id";

impl KeyRow {
    fn offers(&self) -> Vec<String> {
        self.offers
            .split(',')
            .filter(|o| !o.is_empty())
            .map(str::to_owned)
            .collect()
    }

    fn creator(&self) -> Option<api::User> {
        Some(api::User {
            id: self.created_by.clone()?,
            email: self.creator_email.clone()?,
            display_name: self.creator_name.clone()?,
            lang: lang_of(self.creator_lang.as_deref().unwrap_or("en")),
        })
    }

    /// The role it acts with now: its own, capped by its creator's current role; `None` when
    /// its creator is no longer a member.
    fn effective_role(&self) -> Option<Role> {
        let own = Role::parse(&self.role)?;
        match &self.created_by {
            None => Some(own),
            Some(_) => Some(own.min(Role::parse(self.creator_role.as_deref()?)?)),
        }
    }

    fn info(self) -> Option<KeyInfo> {
        let role = Role::parse(&self.role)?;
        let acts_for = self
            .subscription_id
            .clone()
            .unwrap_or_else(|| self.publisher_id.clone());
        Some(KeyInfo {
            key: ApiKey {
                offers: self.offers(),
                created_by: self
                    .creator_name
                    .clone()
                    .unwrap_or_else(|| "operator".into()),
                id: self.id,
                name: self.name,
                role,
                created_at: from_ms(self.created_ms),
                last_used_at: self.last_used_ms.map(from_ms),
                expires_at: self.expires_ms.map(from_ms),
            },
            kind: self.kind,
            acts_for,
        })
    }
}

/// Stores a key's hash.
pub async fn insert_key(
    tx: &mut Transaction<'static, Any>,
    id: &str,
    spec: &KeySpec<'_>,
    hash: &str,
    created_ms: i64,
) -> sqlx::Result<()> {
    let (kind, publisher, subscription) = match spec.acts_for {
        TokenFor::Publisher(p) => ("publisher", p.as_str(), None),
        TokenFor::Reviewer(s) => ("reviewer", "", Some(s.to_ascii_lowercase())),
    };
    sqlx::query(
        "INSERT INTO tokens (id, name, kind, publisher_id, subscription_id, token_hash, \
         created_ms, role, created_by, expires_ms, offers) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(id)
    .bind(spec.name)
    .bind(kind)
    .bind(publisher)
    .bind(subscription)
    .bind(hash)
    .bind(created_ms)
    .bind(spec.role.as_str())
    .bind(spec.created_by)
    .bind(spec.expires_ms)
    .bind(spec.offers.join(","))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The caller of the key with this hash, and until when it is good; marks it used (once a
/// minute at most). `None` for an unknown or expired key, or one whose creator has left.
pub async fn key_by_hash(
    db: &Db,
    hash: &str,
    now_ms: i64,
) -> sqlx::Result<Option<(i64, Resolved)>> {
    let sql = format!("{KEY_SELECT} WHERE t.token_hash = $1");
    let Some(row): Option<KeyRow> = sqlx::query_as(&sql)
        .bind(hash)
        .fetch_optional(&db.read)
        .await?
    else {
        return Ok(None);
    };
    let until = row.expires_ms.unwrap_or(i64::MAX);
    if now_ms >= until {
        return Ok(None);
    }
    if row.last_used_ms.is_none_or(|t| now_ms - t > TOUCH_MS) {
        sqlx::query("UPDATE tokens SET last_used_ms = $1 WHERE id = $2")
            .bind(now_ms)
            .bind(&row.id)
            .execute(&db.write)
            .await?;
    }
    let caller = Caller::Key {
        key: key_ref(&row.id, &row.name),
        creator: row.creator(),
    };
    let resolved = match (row.kind.as_str(), &row.subscription_id) {
        ("reviewer", Some(sub)) => (caller, Vec::new(), vec![sub.to_ascii_lowercase()]),
        ("publisher", _) => {
            let Some(role) = row.effective_role() else {
                return Ok(None);
            };
            let membership = Membership {
                publisher_id: row.publisher_id.clone(),
                role,
                offers: row.offers(),
            };
            (caller, vec![membership], Vec::new())
        }
        _ => return Ok(None),
    };
    Ok(Some((until, resolved)))
}

/// A publisher's keys (not reviewers' tokens), oldest first.
pub async fn keys_of(db: &Db, publisher: &str) -> sqlx::Result<Vec<KeyInfo>> {
    let sql = format!(
        "{KEY_SELECT} WHERE t.kind = 'publisher' AND t.publisher_id = $1 ORDER BY t.created_ms, t.id"
    );
    let rows: Vec<KeyRow> = sqlx::query_as(&sql)
        .bind(publisher)
        .fetch_all(&db.read)
        .await?;
    Ok(rows.into_iter().filter_map(KeyRow::info).collect())
}

/// Every key and reviewer token (never a secret), oldest first.
pub async fn list(db: &Db) -> sqlx::Result<Vec<KeyInfo>> {
    let sql = format!("{KEY_SELECT} ORDER BY t.created_ms, t.id");
    let rows: Vec<KeyRow> = sqlx::query_as(&sql).fetch_all(&db.read).await?;
    Ok(rows.into_iter().filter_map(KeyRow::info).collect())
}

/// Deletes a publisher's key; false when it has none with this id.
pub async fn delete_key_of(
    tx: &mut Transaction<'static, Any>,
    publisher: &str,
    id: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "DELETE FROM tokens WHERE id = $1 AND publisher_id = $2 AND kind = 'publisher'",
    )
    .bind(id)
    .bind(publisher)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes the keys and tokens with this id or name; returns how many.
pub async fn revoke(db: &Db, id_or_name: &str) -> sqlx::Result<u64> {
    let done = sqlx::query("DELETE FROM tokens WHERE id = $1 OR name = $2")
        .bind(id_or_name)
        .bind(id_or_name)
        .execute(&db.write)
        .await?;
    Ok(done.rows_affected())
}
