//! Who is signed in and what follows from it: where sign-in leads, which publisher is
//! current, what the role there refuses and why, and the checks of the sign-in and password
//! forms before they reach the server. Plain functions of `Me` so they are tested natively.

use portal_domain::Lang;
use portal_domain::accounts::{Me, Permission, Role, password_problem};
use portal_domain::ids::EmailAddress;

use crate::i18n::t;
use crate::routes::AppRoute;

/// What the app knows about the browser's session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// `GET /api/me` has not answered yet.
    Checking,
    /// Nobody is signed in (or the session ended: any 401).
    SignedOut,
    /// Signed in.
    SignedIn(Box<Me>),
}

impl Who {
    /// The signed-in person's answer, if any.
    pub fn me(&self) -> Option<&Me> {
        match self {
            Who::SignedIn(me) => Some(me),
            _ => None,
        }
    }
}

/// The publisher to work in: the one chosen before when the user still belongs to it, else
/// their first. `None` for someone who belongs to no publisher (a reviewer).
pub fn choose_publisher(me: &Me, preferred: Option<&str>) -> Option<String> {
    preferred
        .filter(|p| me.role_in(p).is_some())
        .map(str::to_owned)
        .or_else(|| me.memberships.first().map(|m| m.publisher_id.clone()))
}

/// Whether anyone may open the page at `path`, signed in or not: Sign in, the one-time link
/// pages and the public catalogue.
pub fn is_public_path(path: &str) -> bool {
    matches!(path, "/signin" | "/set-password" | "/invitation")
        || path == "/catalogue"
        || path.starts_with("/catalogue/")
}

/// Whether the user only reviews: no publisher, at least one reviewer subscription.
pub fn reviews_only(me: &Me) -> bool {
    me.memberships.is_empty() && !me.reviewer_subscriptions.is_empty()
}

/// A `?next=` value the app may go to after signing in: a path of this app (`/…`), never
/// another site (`//host`, `/\host`) nor the pages that sign in themselves.
pub fn safe_next(next: &str) -> Option<&str> {
    let path = next.split(['?', '#']).next().unwrap_or_default();
    let own = next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\");
    let signing_in = matches!(path, "/signin" | "/set-password" | "/invitation");
    (own && !signing_in).then_some(next)
}

/// Where to go once signed in: the page asked for when the user may see it, else All
/// Offers for a member, the previews for a reviewer, the Account page for someone with
/// neither (removed from every publisher).
pub fn landing(me: &Me, next: Option<&str>) -> String {
    let home = if !me.memberships.is_empty() {
        AppRoute::Offers
    } else if !me.reviewer_subscriptions.is_empty() {
        AppRoute::Reviewer
    } else {
        AppRoute::Account
    };
    match next.and_then(safe_next) {
        // A reviewer asked for a publisher's page would only be sent on again.
        Some(path) if !reviews_only(me) || is_reviewer_path(path) => path.to_owned(),
        _ => home.href(),
    }
}

fn is_reviewer_path(path: &str) -> bool {
    path == "/reviewer"
        || path.starts_with("/preview/")
        || path == "/account"
        || path.starts_with("/catalogue")
}

/// Why the user may not do what `permission` guards in `publisher`, or `None` when they may.
pub fn refusal(
    me: Option<&Me>,
    publisher: &str,
    permission: Permission,
    lang: Lang,
) -> Option<String> {
    match me.and_then(|m| m.role_in(publisher)) {
        Some(role) if role.allows(permission) => None,
        Some(role) => Some(permission.refusal(role, lang)),
        None => Some(t("not_a_member", lang).to_owned()),
    }
}

/// The roles a user may give an API key: their own and the ones below it.
pub fn key_roles(own: Role) -> Vec<Role> {
    Role::ALL.into_iter().filter(|r| *r <= own).collect()
}

/// The `token` of a link's fragment (`#token=XYZ`, other `&`-separated parts ignored). The
/// token never goes into a query string, where servers and proxies would log it.
pub fn fragment_token(hash: &str) -> Option<String> {
    hash.trim_start_matches('#')
        .split('&')
        .find_map(|part| part.strip_prefix("token="))
        .filter(|token| !token.is_empty())
        .map(str::to_owned)
}

/// A form field that has a problem, by its element id.
pub type FieldProblem = (&'static str, String);

/// The sign-in form's problems before it is sent: each field's, in the form's order.
pub fn sign_in_problems(email: &str, password: &str, lang: Lang) -> Vec<FieldProblem> {
    let mut out = Vec::new();
    if let Some(p) = email_problem(email, lang) {
        out.push(("signin-email", p));
    }
    if password.is_empty() {
        out.push(("signin-password", t("password_required", lang).to_owned()));
    }
    out
}

/// An e-mail address field's problem, in the domain's words.
pub fn email_problem(email: &str, lang: Lang) -> Option<String> {
    let email = email.trim();
    let label = t("email", lang);
    if email.is_empty() {
        return Some(portal_domain::Problem::Required.message(label, lang));
    }
    EmailAddress::parse(email)
        .err()
        .map(|e| e.0.message(label, lang))
}

/// A new password's problems: the password's own (the domain's rule) under `password_id`,
/// and a confirmation that differs under `confirm_id`. `email` may be empty when the page
/// does not know the account's address (the server checks it then).
pub fn new_password_problems(
    ids: (&'static str, &'static str),
    password: &str,
    confirm: &str,
    email: &str,
    lang: Lang,
) -> Vec<FieldProblem> {
    let mut out = Vec::new();
    if let Some(p) = password_problem(password, email, lang) {
        out.push((ids.0, p));
    }
    if password != confirm {
        out.push((ids.1, t("password_mismatch", lang).to_owned()));
    }
    out
}

/// The message for a field of `problems`, if it has one.
pub fn problem_of(problems: &[FieldProblem], id: &str) -> Option<String> {
    problems
        .iter()
        .find(|(field, _)| *field == id)
        .map(|(_, m)| m.clone())
}

/// A short name for a browser from its `User-Agent` (the whole string is in the tooltip).
pub fn browser_name(agent: &str) -> String {
    let browser = [
        ("Edg/", "Edge"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ]
    .into_iter()
    .find(|(marker, _)| agent.contains(marker))
    .map(|(_, name)| name);
    let system = [
        ("Windows", "Windows"),
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(marker, _)| agent.contains(marker))
    .map(|(_, name)| name);
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} · {s}"),
        (Some(b), None) => b.to_owned(),
        (None, Some(s)) => s.to_owned(),
        (None, None) if agent.is_empty() => "—".to_owned(),
        (None, None) => agent.chars().take(40).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portal_domain::accounts::{Membership, User};
    use portal_domain::api::PrincipalKind;

    fn me(memberships: &[(&str, Role)], subscriptions: &[&str]) -> Me {
        Me {
            kind: if memberships.is_empty() {
                PrincipalKind::Reviewer
            } else {
                PrincipalKind::Publisher
            },
            publisher_id: memberships.first().map(|m| m.0.to_owned()),
            subscription_id: subscriptions.first().map(|s| (*s).to_owned()),
            user: Some(User {
                id: "u1".into(),
                email: "dev@contoso.example".into(),
                display_name: "Dev".into(),
                lang: Lang::En,
            }),
            key: None,
            memberships: memberships
                .iter()
                .map(|(p, r)| Membership {
                    publisher_id: (*p).to_owned(),
                    role: *r,
                    offers: Vec::new(),
                })
                .collect(),
            reviewer_subscriptions: subscriptions.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn the_chosen_publisher_is_kept_only_while_the_user_belongs_to_it() {
        let m = me(&[("contoso", Role::Owner), ("fabrikam", Role::Viewer)], &[]);
        assert_eq!(
            choose_publisher(&m, Some("fabrikam")).as_deref(),
            Some("fabrikam")
        );
        assert_eq!(
            choose_publisher(&m, Some("gone")).as_deref(),
            Some("contoso")
        );
        assert_eq!(choose_publisher(&m, None).as_deref(), Some("contoso"));
        assert_eq!(choose_publisher(&me(&[], &["sub"]), Some("contoso")), None);
    }

    #[test]
    fn sign_in_leads_members_to_offers_and_reviewers_to_their_previews() {
        let member = me(&[("contoso", Role::Developer)], &["sub"]);
        assert_eq!(landing(&member, None), "/");
        assert_eq!(
            landing(&member, Some("/offers/vm/status")),
            "/offers/vm/status"
        );
        let reviewer = me(&[], &["sub"]);
        assert_eq!(landing(&reviewer, None), "/reviewer");
        assert_eq!(landing(&reviewer, Some("/offers/vm/editor")), "/reviewer");
        assert_eq!(
            landing(&reviewer, Some("/preview/contoso/vm")),
            "/preview/contoso/vm"
        );
        assert_eq!(landing(&me(&[], &[]), None), "/account");
    }

    #[test]
    fn public_pages_need_no_session() {
        assert!(is_public_path("/catalogue/contoso/vm"));
        assert!(is_public_path("/invitation"));
        assert!(!is_public_path("/"));
        assert!(!is_public_path("/catalogued"));
        assert!(!is_public_path("/team"));
    }

    #[test]
    fn next_is_a_path_of_this_app_only() {
        assert_eq!(safe_next("/team?x=1"), Some("/team?x=1"));
        assert_eq!(safe_next("//evil.example/"), None);
        assert_eq!(safe_next("/\\evil.example"), None);
        assert_eq!(safe_next("https://evil.example/"), None);
        assert_eq!(safe_next("/signin?next=/"), None);
        assert_eq!(safe_next("/invitation#token=x"), None);
    }

    #[test]
    fn a_developer_is_refused_go_live_with_the_role_and_who_can() {
        let m = me(&[("contoso", Role::Developer)], &[]);
        assert_eq!(
            refusal(Some(&m), "contoso", Permission::Publish, Lang::En),
            None
        );
        let why = refusal(Some(&m), "contoso", Permission::GoLive, Lang::En).expect("refused");
        assert!(
            why.contains("Developer") && why.contains("Manager"),
            "{why}"
        );
        assert!(refusal(Some(&m), "fabrikam", Permission::Read, Lang::En).is_some());
        assert!(refusal(None, "contoso", Permission::Read, Lang::En).is_some());
    }

    #[test]
    fn a_key_gets_no_higher_role_than_its_creator() {
        assert_eq!(key_roles(Role::Developer), [Role::Viewer, Role::Developer]);
        assert_eq!(key_roles(Role::Owner).len(), 4);
    }

    #[test]
    fn the_token_comes_from_the_fragment() {
        assert_eq!(fragment_token("#token=abc").as_deref(), Some("abc"));
        assert_eq!(fragment_token("#x=1&token=abc").as_deref(), Some("abc"));
        assert_eq!(fragment_token("#token="), None);
        assert_eq!(fragment_token(""), None);
    }

    #[test]
    fn forms_name_each_field_with_a_problem_in_order() {
        let p = sign_in_problems("", "", Lang::En);
        assert_eq!(
            p.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
            ["signin-email", "signin-password"]
        );
        assert!(sign_in_problems("not-an-address", "x", Lang::En).len() == 1);
        assert!(sign_in_problems("owner@contoso.example", "x", Lang::En).is_empty());
        let ids = ("new", "confirm");
        let p = new_password_problems(ids, "short", "other", "", Lang::En);
        assert_eq!(p.len(), 2);
        assert!(problem_of(&p, "new").is_some_and(|m| m.contains("12")));
        assert!(
            new_password_problems(
                ids,
                "correct horse battery",
                "correct horse battery",
                "",
                Lang::Ko
            )
            .is_empty()
        );
    }

    #[test]
    fn browsers_are_named_shortly() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36";
        assert_eq!(browser_name(chrome), "Chrome · Linux");
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0";
        assert_eq!(browser_name(edge), "Edge · Windows");
        assert_eq!(browser_name("curl/8.5.0"), "curl/8.5.0");
        assert_eq!(browser_name(""), "—");
    }
}
