//! Who is signed in (`GET /api/me`), the publisher they work in and the interface language,
//! shared through context.
//!
//! The browser session itself is the server's HttpOnly cookie, which no page script can
//! read: nothing secret is kept here. `localStorage` holds preferences only — the language,
//! the publisher chosen last, the notification addresses typed last — and one hint that this
//! browser was signed in, so a visitor who never signed in is not sent a `GET /api/me` that
//! can only answer 401.

use leptos::prelude::*;
use portal_domain::Lang;
use portal_domain::accounts::{Me, Permission, Role};

use crate::model::account::{self, Who};

const PUBLISHER_KEY: &str = "pp.publisher";
const LANG_KEY: &str = "pp.lang";
const EMAILS_KEY: &str = "pp.notification-emails";
/// Set while this browser holds a session cookie, as far as the app knows; not a credential.
const SIGNED_IN_KEY: &str = "pp.signed-in";
/// What the token sign-in of earlier versions kept; removed on start.
const LEGACY_KEYS: [&str; 2] = ["pp.token", "pp.kind"];

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn load(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

fn store(key: &str, value: Option<&str>) {
    if let Some(s) = storage() {
        // Storage can be full or disabled; the preference then lasts only for this page.
        let _ = match value {
            Some(v) => s.set_item(key, v),
            None => s.remove_item(key),
        };
    }
}

/// The session, provided as context by the app.
#[derive(Debug, Clone, Copy)]
pub struct Session {
    /// Who is signed in, as `GET /api/me` last answered.
    pub who: RwSignal<Who>,
    /// The publisher namespace the publisher pages work in (empty for a reviewer).
    pub publisher: RwSignal<String>,
    /// The interface language.
    pub lang: RwSignal<Lang>,
}

impl Session {
    /// The preferences from storage; nobody known to be signed in yet ([`Who::Checking`]).
    pub fn restore() -> Self {
        for key in LEGACY_KEYS {
            store(key, None);
        }
        let lang = match load(LANG_KEY).as_deref() {
            Some("ko") => Lang::Ko,
            Some(_) => Lang::En,
            None => web_sys::window()
                .and_then(|w| w.navigator().language())
                .map_or(Lang::En, |l| Lang::negotiate(&l)),
        };
        Self {
            who: RwSignal::new(Who::Checking),
            publisher: RwSignal::new(load(PUBLISHER_KEY).unwrap_or_default()),
            lang: RwSignal::new(lang),
        }
    }

    /// Whether this browser was signed in when it last knew (so `GET /api/me` is worth
    /// asking on a page anyone may open).
    pub fn was_signed_in(&self) -> bool {
        load(SIGNED_IN_KEY).is_some()
    }

    /// Takes the server's answer of who is signed in (`GET /api/me`, sign-in, an accepted
    /// invitation): picks the publisher and the person's language.
    pub fn signed_in(&self, me: Me) {
        store(SIGNED_IN_KEY, Some("1"));
        let preferred = self.publisher.get_untracked();
        let publisher =
            account::choose_publisher(&me, Some(preferred.as_str()).filter(|p| !p.is_empty()))
                .unwrap_or_default();
        if publisher != preferred {
            self.publisher.set(publisher);
        }
        if let Some(user) = &me.user {
            self.set_lang(user.lang);
        }
        self.who.set(Who::SignedIn(Box::new(me)));
    }

    /// Forgets the signed-in person (after signing out, and on any 401 answer).
    pub fn signed_out(&self) {
        store(SIGNED_IN_KEY, None);
        if self.who.with_untracked(|w| *w != Who::SignedOut) {
            self.who.set(Who::SignedOut);
        }
    }

    /// Whether someone is signed in.
    pub fn is_signed_in(&self) -> bool {
        self.who.with(|w| w.me().is_some())
    }

    /// Whether the signed-in person only reviews previews (belongs to no publisher).
    pub fn is_reviewer(&self) -> bool {
        self.who.with(|w| w.me().is_some_and(account::reviews_only))
    }

    /// Whether the signed-in person belongs to at least one publisher.
    pub fn is_member(&self) -> bool {
        self.who
            .with(|w| w.me().is_some_and(|m| !m.memberships.is_empty()))
    }

    /// Reads the signed-in person's answer, if any.
    pub fn with_me<T>(&self, f: impl FnOnce(Option<&Me>) -> T) -> T {
        self.who.with(|w| f(w.me()))
    }

    /// The signed-in person's display name.
    pub fn display_name(&self) -> Option<String> {
        self.with_me(|m| {
            m.and_then(|m| m.user.as_ref())
                .map(|u| u.display_name.clone())
        })
    }

    /// The role in the current publisher.
    pub fn role(&self) -> Option<Role> {
        let publisher = self.publisher.get();
        self.with_me(|m| m.and_then(|m| m.role_in(&publisher)))
    }

    /// Why the role in the current publisher does not allow `permission`, in the interface
    /// language; `None` when it does.
    pub fn refusal(&self, permission: Permission) -> Option<String> {
        let publisher = self.publisher.get();
        let lang = self.lang.get();
        self.with_me(|m| account::refusal(m, &publisher, permission, lang))
    }

    /// Whether the role in the current publisher allows `permission`.
    pub fn can(&self, permission: Permission) -> bool {
        self.role().is_some_and(|r| r.allows(permission))
    }

    /// Works in another of the user's publishers (remembered as a preference).
    pub fn switch_publisher(&self, publisher: &str) {
        store(PUBLISHER_KEY, Some(publisher));
        self.publisher.set(publisher.to_owned());
    }

    /// Switches the language (remembered as a preference).
    pub fn set_lang(&self, lang: Lang) {
        store(LANG_KEY, Some(lang.tag()));
        if self.lang.get_untracked() != lang {
            self.lang.set(lang);
        }
    }

    /// Replaces the signed-in person's answer (after a profile change).
    pub fn update_me(&self, me: Me) {
        if let Some(user) = &me.user {
            self.set_lang(user.lang);
        }
        self.who.set(Who::SignedIn(Box::new(me)));
    }

    /// The notification addresses used last, to prefill the Publish dialog.
    pub fn last_emails(&self) -> Option<String> {
        load(EMAILS_KEY)
    }

    /// Remembers the notification addresses.
    pub fn remember_emails(&self, emails: &str) {
        store(EMAILS_KEY, Some(emails));
    }
}

/// The session from context.
pub fn use_session() -> Session {
    expect_context::<Session>()
}
