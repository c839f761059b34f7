//! Who is calling, and what they may do. A caller is a person signed in with a browser
//! session ([`sessions`]) or an API key sent as a bearer token ([`keys`]); either way the
//! [`Principal`] carries their memberships (a [`Role`] per publisher) and reviewer
//! subscriptions. The extractors [`ManagedPublisher`] and [`ManagedOffer`] check, on every
//! route, that the caller belongs to the publisher in the path (404 otherwise, as if it did not
//! exist) and that their role grants the route's permission (403 naming it otherwise).
//! People, passwords and one-time links are in [`users`], members and invitations in [`team`].
//! Every secret is stored only as a hash.

pub mod keys;
pub mod passwords;
pub mod sessions;
pub mod store;
pub mod team;
pub mod users;

use std::marker::PhantomData;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use portal_domain::accounts::{self as api, KeyRef, Membership, Permission, Role};
use portal_domain::api::PrincipalKind;
use portal_domain::ids::PublisherId;

use crate::error::ApiError;
use crate::extract::{OfferPath, PublisherPath};
use crate::routes::ApiRoute;
use crate::state::AppState;

pub use keys::{Credentials, TOKEN_PREFIX, TokenFor, create_token, hash_secret};

/// Who is authenticated, as resolved from a session or a key (cached by [`Credentials`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// A person with a browser session.
    User {
        /// The person.
        user: api::User,
        /// The session's id (not its secret).
        session_id: String,
    },
    /// An API key.
    Key {
        /// The key's id and name.
        key: KeyRef,
        /// Who created it; `None` for the operator's keys (`token create`).
        creator: Option<api::User>,
    },
}

/// The caller of a request: who, what they belong to, and from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// Who.
    pub caller: Caller,
    /// The publishers they belong to, with their roles (a key: its one publisher).
    pub memberships: Vec<Membership>,
    /// Reviewer subscriptions (lower case).
    pub subscriptions: Vec<String>,
    /// The client address of this request.
    pub address: String,
}

impl Principal {
    /// The caller's membership of a publisher.
    pub fn membership(&self, publisher: &str) -> Option<&Membership> {
        self.memberships
            .iter()
            .find(|m| m.publisher_id == publisher)
    }

    /// Whether the caller belongs to the publisher (with any role).
    pub fn belongs_to(&self, publisher: &str) -> bool {
        self.membership(publisher).is_some()
    }

    /// The offers a key limited to some offers may touch in a publisher; `None` for all.
    pub fn offer_limit(&self, publisher: &str) -> Option<&[String]> {
        self.membership(publisher)
            .map(|m| m.offers.as_slice())
            .filter(|o| !o.is_empty())
    }

    /// The person behind the request: the signed-in user, or the key's creator.
    pub fn user(&self) -> Option<&api::User> {
        match &self.caller {
            Caller::User { user, .. } => Some(user),
            Caller::Key { creator, .. } => creator.as_ref(),
        }
    }

    /// The person signed in with a browser session, or 400 for an API key (which has no
    /// profile, password or sessions).
    pub fn person(&self) -> Result<&api::User, ApiError> {
        match &self.caller {
            Caller::User { user, .. } => Ok(user),
            Caller::Key { .. } => Err(ApiError::bad_request(
                "NotAPerson",
                "Only a person signed in with a password has a profile, a password and sessions; this is an API key.",
            )),
        }
    }

    /// The audit chains a person's account events go to: each publisher they belong to, else
    /// the chain of no publisher.
    pub fn account_chains(&self) -> Vec<String> {
        let mut chains: Vec<String> = self
            .memberships
            .iter()
            .map(|m| m.publisher_id.clone())
            .collect();
        if chains.is_empty() {
            chains.push(crate::audit::NO_PUBLISHER.to_owned());
        }
        chains
    }

    /// The session of the request, when it came with the cookie.
    pub fn session_id(&self) -> Option<&str> {
        match &self.caller {
            Caller::User { session_id, .. } => Some(session_id),
            Caller::Key { .. } => None,
        }
    }

    /// The actor of an audit entry.
    pub fn actor(&self) -> api::Actor {
        match &self.caller {
            Caller::User { user, .. } => api::Actor {
                kind: "user".into(),
                id: Some(user.id.clone()),
                name: user.display_name.clone(),
            },
            Caller::Key { key, creator } => api::Actor {
                kind: "apiKey".into(),
                id: Some(key.id.clone()),
                name: format!(
                    "{} (API key of {})",
                    key.name,
                    creator.as_ref().map_or("the operator", |c| &c.display_name)
                ),
            },
        }
    }

    /// A short name for the operation views (who started, who signed off).
    pub fn display_name(&self) -> String {
        match &self.caller {
            Caller::User { user, .. } => user.display_name.clone(),
            Caller::Key { .. } => self.actor().name,
        }
    }

    /// The API's description (`GET /api/me`).
    pub fn view(&self) -> api::Me {
        let publisher_id = self.memberships.first().map(|m| m.publisher_id.clone());
        api::Me {
            kind: if publisher_id.is_some() {
                PrincipalKind::Publisher
            } else {
                PrincipalKind::Reviewer
            },
            publisher_id,
            subscription_id: self.subscriptions.first().cloned(),
            user: self.user().cloned(),
            key: match &self.caller {
                Caller::Key { key, .. } => Some(key.clone()),
                Caller::User { .. } => None,
            },
            memberships: self.memberships.clone(),
            reviewer_subscriptions: self.subscriptions.clone(),
        }
    }
}

/// The client address of a request (`unknown` when the server was not told, as in a router
/// called without a listener).
#[derive(Debug, Clone)]
pub struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string()),
        ))
    }
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let ClientAddr(address) = ClientAddr::from_request_parts(parts, state)
            .await
            .unwrap_or_else(|never| match never {});
        let resolved = if let Some(token) = keys::bearer(parts) {
            state.credentials.key(&state.db, &token).await?
        } else if let Some(secret) = sessions::cookie(parts) {
            sessions::check_csrf(parts, &state.settings)?;
            state
                .credentials
                .session(&state.db, &secret, &state.settings)
                .await?
        } else {
            None
        };
        let (caller, memberships, subscriptions) = resolved.ok_or(ApiError::Unauthorized)?;
        Ok(Self {
            caller,
            memberships,
            subscriptions,
            address,
        })
    }
}

/// The permissions a route may need, as types: `ManagedOffer<need::Publish>`.
pub mod need {
    use portal_domain::accounts::Permission;

    /// A permission a route needs.
    pub trait Need: Send + Sync + 'static {
        /// The permission.
        const PERMISSION: Permission;
    }

    macro_rules! needs {
        ($($name:ident => $p:ident),* $(,)?) => {$(
            #[doc = concat!("Needs [`Permission::", stringify!($p), "`].")]
            #[derive(Debug, Clone, Copy)]
            pub struct $name;
            impl Need for $name {
                const PERMISSION: Permission = Permission::$p;
            }
        )*};
    }
    needs!(Read => Read, Edit => Edit, Publish => Publish, GoLive => GoLive, ManageTeam => ManageTeam);
}

/// The caller's role in `publisher` when it grants `permission`: 404 when they do not belong
/// to it (another publisher's resources do not exist for them), 403 naming the permission when
/// the role does not grant it.
pub fn authorize(
    principal: &Principal,
    publisher: &str,
    permission: Permission,
) -> Result<Role, ApiError> {
    let membership = principal
        .membership(publisher)
        .ok_or_else(|| ApiError::NotFound(format!("Publisher `{publisher}` was not found.")))?;
    if !membership.role.allows(permission) {
        return Err(ApiError::Forbidden {
            permission,
            message: format!(
                "This needs the permission `{}`, which the role `{}` does not have: {}",
                permission.as_str(),
                membership.role.as_str(),
                permission.refusal(membership.role, portal_domain::Lang::En)
            ),
        });
    }
    Ok(membership.role)
}

/// The publisher in the path (`…/publishers/{publisher}/…`), on which the caller has the
/// permission `N`: 401 without a caller, 400 for an invalid id, 404 for another publisher,
/// 403 without the permission. A key limited to some offers reads publisher-wide lists
/// (filtered by the handler) but may change nothing publisher-wide.
#[derive(Debug)]
pub struct ManagedPublisher<N: need::Need = need::Read> {
    /// The caller.
    pub principal: Principal,
    /// The publisher namespace.
    pub publisher: PublisherId,
    /// The caller's role there.
    pub role: Role,
    need: PhantomData<N>,
}

impl<N: need::Need> FromRequestParts<AppState> for ManagedPublisher<N> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let principal = Principal::from_request_parts(parts, state).await?;
        let PublisherPath(publisher) = PublisherPath::from_request_parts(parts, state).await?;
        let role = authorize(&principal, publisher.as_str(), N::PERMISSION)?;
        if N::PERMISSION != Permission::Read && principal.offer_limit(publisher.as_str()).is_some()
        {
            return Err(ApiError::Forbidden {
                permission: N::PERMISSION,
                message: "This API key is limited to some offers; it cannot change anything \
                          that is not one of them."
                    .into(),
            });
        }
        Ok(Self {
            principal,
            publisher,
            role,
            need: PhantomData,
        })
    }
}

/// The offer in the path (`…/publishers/{publisher}/offers/{offer}/…`) of a publisher on which
/// the caller has the permission `N`: as [`ManagedPublisher`], and 404 for an offer outside a
/// limited key's offers. Whether the offer exists is the handler's question.
#[derive(Debug)]
pub struct ManagedOffer<N: need::Need = need::Read> {
    /// The caller.
    pub principal: Principal,
    /// The publisher and offer ids.
    pub path: OfferPath,
    need: PhantomData<N>,
}

impl<N: need::Need> FromRequestParts<AppState> for ManagedOffer<N> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let principal = Principal::from_request_parts(parts, state).await?;
        let path = OfferPath::from_request_parts(parts, state).await?;
        let (p, o) = (path.publisher.as_str(), path.offer.as_str());
        if let Some(offers) = principal.offer_limit(p)
            && !offers.iter().any(|x| x == o)
        {
            return Err(ApiError::NotFound(format!("Offer `{o}` was not found.")));
        }
        authorize(&principal, p, N::PERMISSION)?;
        Ok(Self {
            principal,
            path,
            need: PhantomData,
        })
    }
}

/// The routes of this feature.
pub fn routes() -> Vec<ApiRoute> {
    [
        sessions::routes(),
        users::routes(),
        team::routes(),
        keys::routes(),
    ]
    .into_iter()
    .flatten()
    .collect()
}
