//! People, roles and keys: the roles of a publisher's members and what each may do, and the
//! request and response types of the sign-in, team, invitation, API-key and audit endpoints.
//! The server enforces [`Role::allows`] on every route; the web app asks the same function to
//! hide or disable what a role may not do.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::i18n::Lang;

/// A member's role in one publisher, modelled on Partner Center's account roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Role {
    /// Reads offers and status.
    Viewer,
    /// Also edits drafts, checks images, publishes and cancels.
    Developer,
    /// Also goes live, stops selling and deletes.
    Manager,
    /// Also manages the team, API keys and webhooks.
    Owner,
}

impl Role {
    /// Every role, lowest first.
    pub const ALL: [Role; 4] = [Role::Viewer, Role::Developer, Role::Manager, Role::Owner];

    /// Whether this role grants the permission.
    pub fn allows(self, permission: Permission) -> bool {
        self >= permission.least_role()
    }

    /// The API name (`owner`, `manager`, `developer`, `viewer`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Manager => "manager",
            Role::Developer => "developer",
            Role::Viewer => "viewer",
        }
    }

    /// The role of an API name.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The role's name in a language.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Role::Owner, Lang::En) => "Owner",
            (Role::Manager, Lang::En) => "Manager",
            (Role::Developer, Lang::En) => "Developer",
            (Role::Viewer, Lang::En) => "Viewer",
            (Role::Owner, Lang::Ko) => "소유자",
            (Role::Manager, Lang::Ko) => "관리자",
            (Role::Developer, Lang::Ko) => "개발자",
            (Role::Viewer, Lang::Ko) => "뷰어",
        }
    }
}

/// What a request needs of the caller's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Permission {
    /// Read offers, status, notifications and history.
    Read,
    /// Edit drafts and check images.
    Edit,
    /// Publish and cancel.
    Publish,
    /// Go live, stop selling and delete.
    GoLive,
    /// Manage the team, API keys and webhooks.
    ManageTeam,
}

impl Permission {
    /// Every permission, in the order of the roles that first grant them.
    pub const ALL: [Permission; 5] = [
        Permission::Read,
        Permission::Edit,
        Permission::Publish,
        Permission::GoLive,
        Permission::ManageTeam,
    ];

    /// The lowest role that grants it.
    pub fn least_role(self) -> Role {
        match self {
            Permission::Read => Role::Viewer,
            Permission::Edit | Permission::Publish => Role::Developer,
            Permission::GoLive => Role::Manager,
            Permission::ManageTeam => Role::Owner,
        }
    }

    /// The API name (`read`, `edit`, `publish`, `goLive`, `manageTeam`), as a 403 names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::Read => "read",
            Permission::Edit => "edit",
            Permission::Publish => "publish",
            Permission::GoLive => "goLive",
            Permission::ManageTeam => "manageTeam",
        }
    }

    /// Why a role without this permission may not do it, for a disabled button.
    pub fn refusal(self, role: Role, lang: Lang) -> String {
        let least = self.least_role();
        match lang {
            Lang::En => format!(
                "Your role, {}, cannot {}. Ask a {} or an owner of this publisher.",
                role.label(lang),
                self.verb(lang),
                least.label(lang),
            ),
            Lang::Ko => format!(
                "현재 역할({})로는 {} 수 없습니다. 이 게시자의 {} 또는 소유자에게 요청하세요.",
                role.label(lang),
                self.verb(lang),
                least.label(lang),
            ),
        }
    }

    fn verb(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Permission::Read, Lang::En) => "read offers",
            (Permission::Edit, Lang::En) => "edit drafts or check images",
            (Permission::Publish, Lang::En) => "publish or cancel",
            (Permission::GoLive, Lang::En) => "go live, stop selling or delete",
            (Permission::ManageTeam, Lang::En) => "manage the team and API keys",
            (Permission::Read, Lang::Ko) => "제품을 볼",
            (Permission::Edit, Lang::Ko) => "초안을 편집하거나 이미지를 확인할",
            (Permission::Publish, Lang::Ko) => "게시하거나 취소할",
            (Permission::GoLive, Lang::Ko) => "라이브 전환, 판매 중지 또는 삭제할",
            (Permission::ManageTeam, Lang::Ko) => "팀과 API 키를 관리할",
        }
    }
}

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The longest password accepted (argon2 takes any length; this bounds the work).
pub const MAX_PASSWORD_CHARS: usize = 256;
/// The longest display name.
pub const MAX_DISPLAY_NAME_CHARS: usize = 100;
/// The longest e-mail address (RFC 5321's path limit).
pub const MAX_EMAIL_CHARS: usize = 254;
/// The longest API key name.
pub const MAX_KEY_NAME_CHARS: usize = 100;

/// Why a password is refused before any strength estimate: `None` when it may be checked
/// further (the server also refuses common passwords).
pub fn password_problem(password: &str, email: &str, lang: Lang) -> Option<String> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Some(match lang {
            Lang::En => format!("The password must have at least {MIN_PASSWORD_CHARS} characters."),
            Lang::Ko => format!("비밀번호는 {MIN_PASSWORD_CHARS}자 이상이어야 합니다."),
        });
    }
    if chars > MAX_PASSWORD_CHARS {
        return Some(match lang {
            Lang::En => format!("The password must have at most {MAX_PASSWORD_CHARS} characters."),
            Lang::Ko => format!("비밀번호는 {MAX_PASSWORD_CHARS}자 이하여야 합니다."),
        });
    }
    if password.trim().eq_ignore_ascii_case(email.trim()) {
        return Some(match lang {
            Lang::En => "The password must not be your e-mail address.".to_owned(),
            Lang::Ko => "비밀번호는 이메일 주소와 달라야 합니다.".to_owned(),
        });
    }
    None
}

/// `POST /api/session`: sign in with a password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignIn {
    /// The account's e-mail address.
    pub email: String,
    /// Its password.
    pub password: String,
}

/// A signed-in person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// Id.
    pub id: String,
    /// E-mail address (lower case).
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// Preferred language.
    pub lang: Lang,
}

/// One publisher the caller belongs to, with the role there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Membership {
    /// Publisher namespace.
    pub publisher_id: String,
    /// The caller's role in it.
    pub role: Role,
    /// The offers the caller is limited to (an API key limited to some offers); empty for all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub offers: Vec<String>,
}

/// The API key a caller authenticated with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyRef {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
}

/// `GET /api/me`: who is calling, the publishers they belong to and their reviewer
/// subscriptions. `kind`, `publisherId` and `subscriptionId` keep the shape of a token's
/// answer: `publisherId` is the first membership, `subscriptionId` the first subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    /// `publisher` when the caller belongs to a publisher, else `reviewer`.
    pub kind: crate::api::PrincipalKind,
    /// The first publisher.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher_id: Option<String>,
    /// The first reviewer subscription.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_id: Option<String>,
    /// The signed-in person, or the person who created the API key; absent for an operator's
    /// token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
    /// The API key in use, when the caller is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<KeyRef>,
    /// The publishers and roles.
    pub memberships: Vec<Membership>,
    /// The Azure subscription ids whose allow-listed previews the caller may open.
    pub reviewer_subscriptions: Vec<String>,
}

impl Me {
    /// The caller's role in a publisher.
    pub fn role_in(&self, publisher: &str) -> Option<Role> {
        self.memberships
            .iter()
            .find(|m| m.publisher_id == publisher)
            .map(|m| m.role)
    }
}

/// `PATCH /api/me`: the caller's display name and language.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProfileChange {
    /// New display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// New language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<Lang>,
}

/// `PUT /api/me/password`: change the password (every other session ends).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PasswordChange {
    /// The password now.
    pub current_password: String,
    /// The new one.
    pub new_password: String,
}

/// `POST /api/password-resets`: e-mail a reset link (always 202, whether or not the address
/// has an account).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResetRequest {
    /// The account's e-mail address.
    pub email: String,
}

/// `POST /api/password`: set a password with a one-time link's token (from `user create` or a
/// reset mail); every session of the account ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetPassword {
    /// The token of the link (its `#token=` part).
    pub token: String,
    /// The new password.
    pub password: String,
}

/// One browser session of the caller: `GET /api/me/sessions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    /// Id (not the cookie's secret).
    pub id: String,
    /// When it began.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Its last request (to the minute).
    #[serde(with = "time::serde::rfc3339")]
    pub last_seen_at: OffsetDateTime,
    /// When it ends at the latest.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// The client address it began from.
    pub address: String,
    /// The browser it began in.
    pub user_agent: String,
    /// Whether it is the session of this request.
    pub current: bool,
}

/// One member of a publisher: `GET …/members`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    /// The user id.
    pub user_id: String,
    /// E-mail address.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// Role in this publisher.
    pub role: Role,
    /// When they joined.
    #[serde(with = "time::serde::rfc3339")]
    pub joined_at: OffsetDateTime,
    /// Their last successful sign-in.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub last_sign_in_at: Option<OffsetDateTime>,
}

/// `PUT …/members/{user}`: change a member's role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RoleChange {
    /// The new role.
    pub role: Role,
}

/// Whom an invitation makes of its recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum InviteAs {
    /// A member with a role.
    Member {
        /// The role.
        role: Role,
    },
    /// A reviewer of the previews allow-listed for a subscription.
    Reviewer {
        /// The Azure subscription id; it must be on one of the publisher's preview
        /// allow-lists.
        #[serde(rename = "subscriptionId")]
        subscription_id: String,
    },
}

/// `POST …/invitations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewInvitation {
    /// The recipient's e-mail address.
    pub email: String,
    /// What they are invited as.
    #[serde(rename = "as")]
    pub invite_as: InviteAs,
}

/// Where an invitation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum InvitationState {
    /// Waiting for its recipient.
    Pending,
    /// Accepted (its link no longer works).
    Accepted,
    /// Revoked by an owner.
    Revoked,
    /// Past its expiry.
    Expired,
}

/// An invitation: `GET …/invitations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Invitation {
    /// Id.
    pub id: String,
    /// Publisher namespace.
    pub publisher_id: String,
    /// The recipient.
    pub email: String,
    /// What they are invited as.
    #[serde(rename = "as")]
    pub invite_as: InviteAs,
    /// Who invited them (display name).
    pub invited_by: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When the link stops working.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// Its state.
    pub state: InvitationState,
}

/// The answer to `POST …/invitations`: the invitation and, this once, its link (also e-mailed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedInvitation {
    /// The invitation.
    pub invitation: Invitation,
    /// The link to accept it; never shown again.
    pub link: String,
}

/// `POST /api/invitations/lookup`: what an invitation link offers, for the accept page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InvitationToken {
    /// The token of the link.
    pub token: String,
}

/// The answer to `POST /api/invitations/lookup`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvitationOffer {
    /// Publisher namespace.
    pub publisher_id: String,
    /// The recipient.
    pub email: String,
    /// What they are invited as.
    #[serde(rename = "as")]
    pub invite_as: InviteAs,
    /// Who invited them.
    pub invited_by: String,
    /// Whether the address already has an account (then no password is asked).
    pub account_exists: bool,
}

/// `POST /api/invitations/accept`: accept an invitation; signs the recipient in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AcceptInvitation {
    /// The token of the link.
    pub token: String,
    /// The new account's password (required when the address has no account; the existing
    /// account's password otherwise).
    pub password: String,
    /// The new account's display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
}

/// `POST …/api-keys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewApiKey {
    /// A name to recognise it by.
    pub name: String,
    /// Its role, no higher than its creator's.
    pub role: Role,
    /// When it stops working; never when absent.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    /// The offers it is limited to; all when empty.
    #[serde(default)]
    pub offers: Vec<String>,
}

/// An API key (never its secret): `GET …/api-keys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiKey {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// The offers it is limited to; all when empty.
    pub offers: Vec<String>,
    /// Who created it (display name; `operator` for `token create`).
    pub created_by: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Its last use (to the minute).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
    /// When it stops working.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
}

/// The answer to `POST …/api-keys`: the key and, this once, its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedApiKey {
    /// The key.
    pub key: ApiKey,
    /// The bearer token; never shown again.
    pub secret: String,
}

/// Who did something, in the audit record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    /// `user`, `apiKey`, `operator` (a `token create` token or the command line), `system`
    /// (the pipeline) or `anonymous` (a failed sign-in).
    pub kind: String,
    /// The user's or key's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The user's display name and e-mail, or the key's name and its creator's.
    pub name: String,
}

/// One entry of the audit record: `GET …/audit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    /// Its place in the publisher's chain, from 1.
    pub seq: i64,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Who.
    pub actor: Actor,
    /// What: `offer.update`, `offer.publish`, `operation.goLive`, `member.role` …
    pub action: String,
    /// What it was done to: `offer/vm-basic`, `member/<user>`, `apiKey/<id>` …
    pub target: String,
    /// The client address.
    pub address: String,
    /// The values before the change (an offer edit, a role change).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<serde_json::Value>,
    /// The values after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<serde_json::Value>,
    /// SHA-256 over the previous entry's hash and this entry.
    pub hash: String,
}

/// A page of the audit record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditPage {
    /// Newest first.
    pub entries: Vec<AuditEntry>,
    /// Pass as `cursor` for the next (older) page; absent on the last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// `GET …/audit/verify`: whether the chain is whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditVerification {
    /// Whether every entry's hash matches and none is missing.
    pub intact: bool,
    /// Entries checked.
    pub entries: i64,
    /// The first entry that does not match, or where one is missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broken_at: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_role_table_of_the_issue() {
        use Permission::*;
        let table = [
            (Role::Owner, [true, true, true, true, true]),
            (Role::Manager, [true, true, true, true, false]),
            (Role::Developer, [true, true, true, false, false]),
            (Role::Viewer, [true, false, false, false, false]),
        ];
        for (role, allowed) in table {
            for (p, want) in [Read, Edit, Publish, GoLive, ManageTeam]
                .iter()
                .zip(allowed)
            {
                assert_eq!(role.allows(*p), want, "{role:?} {p:?}");
            }
        }
    }

    #[test]
    fn roles_round_trip_their_names() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
            assert_eq!(
                serde_json::to_value(r).unwrap(),
                serde_json::json!(r.as_str())
            );
        }
        assert_eq!(Role::parse("admin"), None);
    }

    #[test]
    fn passwords_too_short_or_equal_to_the_email_are_refused() {
        assert!(password_problem("short", "a@b.example", Lang::En).is_some());
        assert!(
            password_problem("Owner@Contoso.example", "owner@contoso.example", Lang::En).is_some()
        );
        assert!(password_problem("correct horse battery", "a@b.example", Lang::En).is_none());
        assert!(password_problem(&"x".repeat(300), "a@b.example", Lang::Ko).is_some());
    }

    #[test]
    fn a_refusal_names_the_role_and_who_can() {
        let m = Permission::GoLive.refusal(Role::Developer, Lang::En);
        assert!(m.contains("Developer") && m.contains("Manager"), "{m}");
    }
}
