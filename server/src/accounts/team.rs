//! A publisher's team: its members and their roles, and invitations by e-mail (members with a
//! role, or reviewers of a subscription on an offer's preview allow-list). An invitation's
//! link goes out through the outbox, is answered once to the owner who made it, works once,
//! expires after a week and can be revoked. The last owner can be neither removed nor demoted.

use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portal_domain::Lang;
use portal_domain::accounts::Invitation;
use portal_domain::accounts::{
    AcceptInvitation, CreatedInvitation, InvitationOffer, InvitationState, InvitationToken,
    InviteAs, Member, NewInvitation, Role, RoleChange,
};
use portal_domain::ids::SubscriptionId;
use sqlx::{Any, Transaction};

use super::passwords::{self, check_new, normalize_email};
use super::sessions::{UserAgent, check_write_headers};
use super::store::{self, LinkRow, UserRow};
use super::users::{account_mail, display_name, link_url, live_link, new_link};
use super::{ClientAddr, ManagedPublisher, Principal, need};
use crate::audit::{self, Change};
use crate::db::{Db, from_ms, now_ms};
use crate::error::{ApiError, ApiResult};
use crate::extract::JsonBody;
use crate::notifications;
use crate::routes::ApiRoute;
use crate::state::AppState;

/// How long an invitation link works.
pub const INVITATION_TTL: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// The routes of the team.
pub fn routes() -> Vec<ApiRoute> {
    vec![
        ApiRoute::get(
            "/api/publishers/{publisher}/members",
            "listMembers",
            "The publisher's members with their roles and last sign-in.",
            list_members,
        ),
        ApiRoute::put(
            "/api/publishers/{publisher}/members/{user}",
            "changeMemberRole",
            "Change a member's role (409 `LastOwner` for the last owner). Owners only.",
            change_role,
        )
        .success("200")
        .body("RoleChange"),
        ApiRoute::delete(
            "/api/publishers/{publisher}/members/{user}",
            "removeMember",
            "Remove a member: their sessions and keys stop working for this publisher at once (409 `LastOwner` for the last owner). Owners only.",
            remove_member,
        ),
        ApiRoute::get(
            "/api/publishers/{publisher}/invitations",
            "listInvitations",
            "The publisher's invitations and their states. Owners only.",
            list_invitations,
        ),
        ApiRoute::post(
            "/api/publishers/{publisher}/invitations",
            "invite",
            "Invite someone by e-mail as a member with a role, or as a reviewer of a subscription on an offer's preview allow-list. The link is e-mailed and answered this once. Owners only.",
            invite,
        )
        .success("201")
        .body("NewInvitation"),
        ApiRoute::delete(
            "/api/publishers/{publisher}/invitations/{invitation}",
            "revokeInvitation",
            "Revoke a pending invitation: its link stops working. Owners only.",
            revoke_invitation,
        ),
        ApiRoute::post(
            "/api/invitations/lookup",
            "lookUpInvitation",
            "What an invitation link offers (publisher, role, who invited, whether the address has an account).",
            look_up,
        )
        .public()
        .success("200")
        .body("InvitationToken"),
        ApiRoute::post(
            "/api/invitations/accept",
            "acceptInvitation",
            "Accept an invitation: creates the account (password and display name) or adds the publisher to the existing one (its password), and signs in. Needs `X-Requested-With: partner-portal`.",
            accept,
        )
        .public()
        .success("200")
        .body("AcceptInvitation"),
    ]
}

/// `GET …/members`
async fn list_members(
    State(state): State<AppState>,
    ManagedPublisher { publisher, .. }: ManagedPublisher,
) -> ApiResult<Json<Vec<Member>>> {
    Ok(Json(
        store::members_of(&state.db, publisher.as_str()).await?,
    ))
}

fn last_owner() -> ApiError {
    ApiError::Conflict {
        code: "LastOwner",
        message: "This is the publisher's last owner: make another member an owner first.".into(),
    }
}

/// `PUT …/members/{user}`
async fn change_role(
    State(state): State<AppState>,
    ManagedPublisher {
        principal,
        publisher,
        ..
    }: ManagedPublisher<need::ManageTeam>,
    Path((_, user)): Path<(String, String)>,
    JsonBody(req): JsonBody<RoleChange>,
) -> ApiResult<Json<Member>> {
    let p = publisher.as_str();
    let mut tx = change_member(&state, &principal, p, &user, Some(req.role)).await?;
    store::put_member(&mut tx, p, &user, req.role, now_ms()).await?;
    tx.commit().await?;
    state.credentials.forget_all();
    tracing::info!(publisher = p, member = %user, role = req.role.as_str(), "role changed");
    let members = store::members_of(&state.db, p).await?;
    members
        .into_iter()
        .find(|m| m.user_id == user)
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("Member `{user}` was not found.")))
}

/// `DELETE …/members/{user}`
async fn remove_member(
    State(state): State<AppState>,
    ManagedPublisher {
        principal,
        publisher,
        ..
    }: ManagedPublisher<need::ManageTeam>,
    Path((_, user)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let p = publisher.as_str();
    let mut tx = change_member(&state, &principal, p, &user, None).await?;
    store::delete_member(&mut tx, p, &user).await?;
    tx.commit().await?;
    state.credentials.forget_all();
    tracing::info!(publisher = p, member = %user, "member removed");
    Ok(StatusCode::NO_CONTENT)
}

/// Opens the transaction of a member's new role (`None`: their removal) and records it: 404
/// when they are no member, 409 when it would leave the publisher without an owner. The audit
/// entry is written first: it takes the publisher's chain, which queues concurrent team
/// changes behind each other, so the owner count cannot go stale.
async fn change_member(
    state: &AppState,
    principal: &Principal,
    publisher: &str,
    user: &str,
    role: Option<Role>,
) -> ApiResult<Transaction<'static, Any>> {
    let mut tx = state.db.write.begin().await?;
    let before = store::role_in(&mut tx, publisher, user)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("Member `{user}` was not found.")))?;
    let action = if role.is_some() {
        "member.role"
    } else {
        "member.remove"
    };
    let change = Change::by(principal, publisher, action, format!("member/{user}")).values(
        Some(serde_json::json!({"role": before.as_str()})),
        role.map(|r| serde_json::json!({"role": r.as_str()})),
    );
    audit::store::record(&mut tx, &change).await?;
    if before == Role::Owner
        && role != Some(Role::Owner)
        && store::owners(&mut tx, publisher).await? <= 1
    {
        return Err(last_owner());
    }
    Ok(tx)
}

fn invite_as(link: &LinkRow) -> Option<InviteAs> {
    match (&link.role, &link.subscription_id) {
        (Some(r), _) => Some(InviteAs::Member {
            role: Role::parse(r)?,
        }),
        (None, Some(s)) => Some(InviteAs::Reviewer {
            subscription_id: s.clone(),
        }),
        (None, None) => None,
    }
}

fn invitation_view(link: &LinkRow, inviter: String, now: i64) -> Option<Invitation> {
    let state = if link.used_ms.is_some() {
        InvitationState::Accepted
    } else if link.revoked_ms.is_some() {
        InvitationState::Revoked
    } else if link.expires_ms <= now {
        InvitationState::Expired
    } else {
        InvitationState::Pending
    };
    Some(Invitation {
        id: link.id.clone(),
        publisher_id: link.publisher_id.clone()?,
        email: link.email.clone(),
        invite_as: invite_as(link)?,
        invited_by: inviter,
        created_at: from_ms(link.created_ms),
        expires_at: from_ms(link.expires_ms),
        state,
    })
}

/// `GET …/invitations`
async fn list_invitations(
    State(state): State<AppState>,
    ManagedPublisher { publisher, .. }: ManagedPublisher<need::ManageTeam>,
) -> ApiResult<Json<Vec<Invitation>>> {
    let now = now_ms();
    let rows = store::invitations_of(&state.db, publisher.as_str()).await?;
    Ok(Json(
        rows.into_iter()
            .filter_map(|(l, by)| invitation_view(&l, by, now))
            .collect(),
    ))
}

/// Whether a subscription is on the preview allow-list of one of the publisher's offers.
async fn allow_listed(db: &Db, publisher: &str, subscription: &str) -> ApiResult<bool> {
    for listing in crate::offers::store::list(db, publisher).await? {
        let Some(offer) = crate::offers::store::find(db, publisher, &listing.offer_id).await?
        else {
            continue;
        };
        let listed = offer
            .draft
            .definition
            .offer
            .allowed_subscriptions
            .iter()
            .flatten()
            .any(|s| s.trim().eq_ignore_ascii_case(subscription));
        if listed {
            return Ok(true);
        }
    }
    Ok(false)
}

/// `POST …/invitations`
async fn invite(
    State(state): State<AppState>,
    ManagedPublisher {
        principal,
        publisher,
        role,
        ..
    }: ManagedPublisher<need::ManageTeam>,
    JsonBody(req): JsonBody<NewInvitation>,
) -> ApiResult<(StatusCode, Json<CreatedInvitation>)> {
    let p = publisher.as_str();
    let email = normalize_email(&req.email, "email")?;
    let invite_as = match req.invite_as {
        InviteAs::Member { role: r } => {
            if r > role {
                return Err(ApiError::invalid(
                    "InvalidInvitation",
                    "as.role",
                    format!(
                        "You can invite with a role no higher than yours (`{}`).",
                        role.as_str()
                    ),
                ));
            }
            if let Some(u) = store::user_by_email(&state.db, &email).await?
                && store::memberships_of(&state.db, &u.id)
                    .await?
                    .iter()
                    .any(|m| m.publisher_id == p)
            {
                return Err(ApiError::Conflict {
                    code: "AlreadyMember",
                    message: format!(
                        "`{email}` is already a member of `{p}`; change their role instead."
                    ),
                });
            }
            InviteAs::Member { role: r }
        }
        InviteAs::Reviewer { subscription_id } => {
            let sub = SubscriptionId::parse(&subscription_id)
                .map_err(|_| {
                    ApiError::invalid(
                        "InvalidInvitation",
                        "as.subscriptionId",
                        format!(
                            "`{}` is not an Azure subscription id (a GUID).",
                            subscription_id.chars().take(60).collect::<String>()
                        ),
                    )
                })?
                .normalized();
            if !allow_listed(&state.db, p, &sub).await? {
                return Err(ApiError::invalid(
                    "InvalidInvitation",
                    "as.subscriptionId",
                    format!(
                        "Subscription `{sub}` is on none of `{p}`'s preview allow-lists; add it to an offer's preview audience first."
                    ),
                ));
            }
            InviteAs::Reviewer {
                subscription_id: sub,
            }
        }
    };
    let now = now_ms();
    let (role_col, sub_col) = match &invite_as {
        InviteAs::Member { role } => (Some(role.as_str().to_owned()), None),
        InviteAs::Reviewer { subscription_id } => (None, Some(subscription_id.clone())),
    };
    let link = LinkRow {
        id: uuid::Uuid::new_v4().to_string(),
        purpose: "invitation".into(),
        email: email.clone(),
        publisher_id: Some(p.to_owned()),
        role: role_col,
        subscription_id: sub_col,
        created_by: principal.user().map(|u| u.id.clone()),
        created_ms: now,
        expires_ms: now + i64::try_from(INVITATION_TTL.as_millis()).unwrap_or(i64::MAX / 2),
        used_ms: None,
        revoked_ms: None,
    };
    let inviter = principal.display_name();
    let what = match &invite_as {
        InviteAs::Member { role } => {
            format!("as {} ({})", role.label(Lang::En), role.label(Lang::Ko))
        }
        InviteAs::Reviewer { subscription_id } => {
            format!("to review previews for subscription {subscription_id}")
        }
    };
    let view = invitation_view(&link, inviter.clone(), now)
        .ok_or_else(|| anyhow::anyhow!("an invitation without a publisher"))?;
    let change = Change::by(
        &principal,
        p,
        "invitation.create",
        format!("invitation/{}", link.id),
    )
    .values(None, serde_json::to_value(&view).ok());
    let mut tx = state.db.write.begin().await?;
    audit::store::record(&mut tx, &change).await?;
    let token = new_link(&mut tx, &link).await?;
    let url = link_url(&state.settings.public_url, "invitation", &token);
    let mail = account_mail(
        "invitation",
        &email,
        format!("{inviter} invited you to {p} on Partner Portal"),
        format!(
            "{inviter} invited you to the publisher {p} on Partner Portal {what}.\n\n\
             Open this link within seven days to accept:\n{url}\n\n\
             If you did not expect this, ignore this message."
        ),
    );
    notifications::store::insert(&mut tx, &[mail]).await?;
    tx.commit().await?;
    state.wake.notify_waiters();
    tracing::info!(publisher = p, invitation.id = %link.id, "invitation sent");
    Ok((
        StatusCode::CREATED,
        Json(CreatedInvitation {
            invitation: view,
            link: url,
        }),
    ))
}

/// `DELETE …/invitations/{invitation}`
async fn revoke_invitation(
    State(state): State<AppState>,
    ManagedPublisher {
        principal,
        publisher,
        ..
    }: ManagedPublisher<need::ManageTeam>,
    Path((_, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let p = publisher.as_str();
    let change = Change::by(
        &principal,
        p,
        "invitation.revoke",
        format!("invitation/{id}"),
    );
    let mut tx = state.db.write.begin().await?;
    audit::store::record(&mut tx, &change).await?;
    if !store::revoke_invitation(&mut tx, p, &id, now_ms()).await? {
        return Err(ApiError::NotFound(format!(
            "No pending invitation `{id}` was found."
        )));
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn offer_of(state: &AppState, token: &str) -> ApiResult<(LinkRow, InvitationOffer)> {
    let link = live_link(&state.db, token, "invitation").await?;
    let inviter = match &link.created_by {
        Some(id) => store::user_by_id(&state.db, id)
            .await?
            .map_or_else(|| "a former member".into(), |u| u.display_name),
        None => "the operator".into(),
    };
    let offer = InvitationOffer {
        publisher_id: link.publisher_id.clone().unwrap_or_default(),
        email: link.email.clone(),
        invite_as: invite_as(&link).ok_or_else(|| anyhow::anyhow!("an invitation of nothing"))?,
        invited_by: inviter,
        account_exists: store::user_by_email(&state.db, &link.email)
            .await?
            .is_some(),
    };
    Ok((link, offer))
}

/// `POST /api/invitations/lookup`
async fn look_up(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<InvitationToken>,
) -> ApiResult<Json<InvitationOffer>> {
    Ok(Json(offer_of(&state, &req.token).await?.1))
}

/// `POST /api/invitations/accept`
async fn accept(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    UserAgent(user_agent): UserAgent,
    headers: HeaderMap,
    JsonBody(req): JsonBody<AcceptInvitation>,
) -> ApiResult<Response> {
    check_write_headers(&headers, &state.settings)?;
    let (link, offer) = offer_of(&state, &req.token).await?;
    let p = offer.publisher_id.clone();
    let existing = store::user_by_email(&state.db, &link.email).await?;
    let now = now_ms();
    let (user, new_hash) = match existing {
        Some(u) => {
            if !passwords::verify(u.password_hash.clone(), req.password).await? {
                return Err(ApiError::invalid(
                    "WrongPassword",
                    "password",
                    "An account with this address exists: enter its password to add the publisher to it.".into(),
                ));
            }
            (u, None)
        }
        None => {
            let name = display_name(req.display_name.as_deref().unwrap_or(""))?;
            check_new(&req.password, &link.email, &name, Lang::En)?;
            let hash = passwords::hash(req.password).await?;
            let user = UserRow {
                id: uuid::Uuid::new_v4().to_string(),
                email: link.email.clone(),
                display_name: name,
                lang: "en".into(),
                password_hash: Some(hash.clone()),
                created_ms: now,
                last_sign_in_ms: None,
            };
            (user, Some(hash))
        }
    };
    let principal = Principal {
        caller: super::Caller::User {
            user: user.view(),
            session_id: String::new(),
        },
        memberships: Vec::new(),
        subscriptions: Vec::new(),
        address: address.clone(),
    };
    let (action, after) = match &offer.invite_as {
        InviteAs::Member { role } => (
            "member.add",
            serde_json::json!({"role": role.as_str(), "email": user.email}),
        ),
        InviteAs::Reviewer { subscription_id } => (
            "reviewer.add",
            serde_json::json!({"subscriptionId": subscription_id, "email": user.email}),
        ),
    };
    let change =
        Change::by(&principal, &p, action, format!("member/{}", user.id)).values(None, Some(after));
    let mut tx = state.db.write.begin().await?;
    audit::store::record(&mut tx, &change).await?;
    if !store::use_link(&mut tx, &link.id, now).await? {
        return Err(ApiError::Gone {
            code: "LinkUsed",
            message: "This invitation was already accepted; each link works once.".into(),
        });
    }
    if new_hash.is_some() {
        store::insert_user(&mut tx, &user).await?;
    }
    match &offer.invite_as {
        InviteAs::Member { role } => store::put_member(&mut tx, &p, &user.id, *role, now).await?,
        InviteAs::Reviewer { subscription_id } => {
            store::add_grant(&mut tx, &user.id, subscription_id, &p, now).await?;
        }
    }
    tx.commit().await?;
    state.credentials.forget_all();
    tracing::info!(publisher = %p, user.id = %user.id, "invitation accepted");
    super::sessions::start(&state, &user, &address, &user_agent, Vec::new()).await
}
