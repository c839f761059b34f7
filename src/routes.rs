//! Typed route paths: the one place that knows the app's URLs.

/// A page of the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppRoute {
    /// Sign in with e-mail and password, then go to `next` (a path of the app) if given.
    SignIn {
        /// Where the user was going.
        next: Option<String>,
    },
    /// Set a password with a one-time link (`#token=…`).
    SetPassword,
    /// Accept an invitation (`#token=…`).
    Invitation,
    /// The signed-in person's profile, password and sessions.
    Account,
    /// The current publisher's members, invitations and API keys.
    Team,
    /// The current publisher's audit record, optionally filtered to one offer.
    History {
        /// Offer id.
        offer: Option<String>,
    },
    /// All Offers.
    Offers,
    /// An offer's editor, optionally focusing a field (its path's written form).
    Editor {
        /// Offer id.
        offer: String,
        /// Field to focus.
        focus: Option<String>,
    },
    /// An offer's publishing status.
    Status {
        /// Offer id.
        offer: String,
    },
    /// The public catalogue of live offers.
    Catalogue,
    /// A live offer's product page.
    Product {
        /// Publisher id.
        publisher: String,
        /// Offer id.
        offer: String,
    },
    /// A reviewer's previews.
    Reviewer,
    /// A preview's product page with the test deployment panel.
    Preview {
        /// Publisher id.
        publisher: String,
        /// Offer id.
        offer: String,
    },
}

/// Percent-encodes a query value (also used for `mailto:` links).
pub fn encode_query(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl AppRoute {
    /// The URL of the page.
    pub fn href(&self) -> String {
        match self {
            AppRoute::SignIn { next: None } => "/signin".into(),
            AppRoute::SignIn { next: Some(n) } => format!("/signin?next={}", encode_query(n)),
            AppRoute::SetPassword => "/set-password".into(),
            AppRoute::Invitation => "/invitation".into(),
            AppRoute::Account => "/account".into(),
            AppRoute::Team => "/team".into(),
            AppRoute::History { offer: None } => "/history".into(),
            AppRoute::History { offer: Some(o) } => format!("/history?offer={}", encode_query(o)),
            AppRoute::Offers => "/".into(),
            AppRoute::Editor { offer, focus: None } => format!("/offers/{offer}/editor"),
            AppRoute::Editor {
                offer,
                focus: Some(f),
            } => format!("/offers/{offer}/editor?focus={}", encode_query(f)),
            AppRoute::Status { offer } => format!("/offers/{offer}/status"),
            AppRoute::Catalogue => "/catalogue".into(),
            AppRoute::Product { publisher, offer } => format!("/catalogue/{publisher}/{offer}"),
            AppRoute::Reviewer => "/reviewer".into(),
            AppRoute::Preview { publisher, offer } => format!("/preview/{publisher}/{offer}"),
        }
    }

    /// The editor of an offer.
    pub fn editor(offer: &str) -> Self {
        AppRoute::Editor {
            offer: offer.into(),
            focus: None,
        }
    }

    /// The status of an offer.
    pub fn status(offer: &str) -> Self {
        AppRoute::Status {
            offer: offer.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(AppRoute::editor("vm").href(), "/offers/vm/editor");
        assert_eq!(AppRoute::status("vm").href(), "/offers/vm/status");
        let product = AppRoute::Product {
            publisher: "contoso".into(),
            offer: "vm".into(),
        };
        assert_eq!(product.href(), "/catalogue/contoso/vm");
        let preview = AppRoute::Preview {
            publisher: "contoso".into(),
            offer: "vm".into(),
        };
        assert_eq!(preview.href(), "/preview/contoso/vm");
        let focus = AppRoute::Editor {
            offer: "vm".into(),
            focus: Some("definition.plans[0].planId".into()),
        };
        assert_eq!(
            focus.href(),
            "/offers/vm/editor?focus=definition.plans%5B0%5D.planId"
        );
        let back = AppRoute::SignIn {
            next: Some("/offers/vm/status".into()),
        };
        assert_eq!(back.href(), "/signin?next=%2Foffers%2Fvm%2Fstatus");
        let history = AppRoute::History {
            offer: Some("vm".into()),
        };
        assert_eq!(history.href(), "/history?offer=vm");
    }
}
