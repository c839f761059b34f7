//! The signed-in publisher or reviewer: token, publisher id, kind and language, kept in `localStorage` and shared
//! through context.

use leptos::prelude::*;
use portal_domain::Lang;
use portal_domain::api::PrincipalKind;

const TOKEN_KEY: &str = "pp.token";
const PUBLISHER_KEY: &str = "pp.publisher";
const LANG_KEY: &str = "pp.lang";
const EMAILS_KEY: &str = "pp.notification-emails";
const KIND_KEY: &str = "pp.kind";

/// The demo publisher.
pub const DEFAULT_PUBLISHER: &str = "contoso";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn load(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

fn store(key: &str, value: Option<&str>) {
    if let Some(s) = storage() {
        // Storage can be full or disabled; the session then lasts only for this page.
        let _ = match value {
            Some(v) => s.set_item(key, v),
            None => s.remove_item(key),
        };
    }
}

/// The session, provided as context by the app.
#[derive(Debug, Clone, Copy)]
pub struct Session {
    /// The bearer token; `None` when signed out.
    pub token: RwSignal<Option<String>>,
    /// The publisher namespace.
    pub publisher: RwSignal<String>,
    /// The interface language.
    pub lang: RwSignal<Lang>,
    /// Whether the token is a publisher's or a reviewer's.
    pub kind: RwSignal<PrincipalKind>,
}

impl Session {
    /// Restores the session from storage.
    pub fn restore() -> Self {
        let lang = match load(LANG_KEY).as_deref() {
            Some("ko") => Lang::Ko,
            Some(_) => Lang::En,
            None => web_sys::window()
                .and_then(|w| w.navigator().language())
                .map_or(Lang::En, |l| Lang::negotiate(&l)),
        };
        Self {
            token: RwSignal::new(load(TOKEN_KEY).filter(|t| !t.is_empty())),
            publisher: RwSignal::new(
                load(PUBLISHER_KEY).unwrap_or_else(|| DEFAULT_PUBLISHER.to_owned()),
            ),
            lang: RwSignal::new(lang),
            kind: RwSignal::new(match load(KIND_KEY).as_deref() {
                Some("reviewer") => PrincipalKind::Reviewer,
                _ => PrincipalKind::Publisher,
            }),
        }
    }

    /// Whether a reviewer is signed in.
    pub fn is_reviewer(&self) -> bool {
        self.token.with(Option::is_some) && self.kind.get() == PrincipalKind::Reviewer
    }

    /// Signs in a reviewer (no publisher namespace).
    pub fn sign_in_reviewer(&self, token: &str) {
        store(KIND_KEY, Some("reviewer"));
        store(TOKEN_KEY, Some(token));
        self.kind.set(PrincipalKind::Reviewer);
        self.token.set(Some(token.to_owned()));
    }

    /// Signs in.
    pub fn sign_in(&self, token: &str, publisher: &str) {
        store(KIND_KEY, Some("publisher"));
        self.kind.set(PrincipalKind::Publisher);
        store(TOKEN_KEY, Some(token));
        store(PUBLISHER_KEY, Some(publisher));
        self.publisher.set(publisher.to_owned());
        self.token.set(Some(token.to_owned()));
    }

    /// Signs out (also on any 401 answer).
    pub fn sign_out(&self) {
        store(TOKEN_KEY, None);
        self.token.set(None);
    }

    /// Switches the language.
    pub fn set_lang(&self, lang: Lang) {
        store(LANG_KEY, Some(lang.tag()));
        self.lang.set(lang);
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
