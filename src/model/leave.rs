//! Leaving the Editor with unsaved edits: which clicks ask first, and where the user was going.
//! The browser's own unload (closing the tab, typing a URL) is `beforeunload`'s job; this covers
//! the app's own links and Sign out, which never unload the page.

/// Where the user asked to go while edits were unsaved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeaveTo {
    /// An in-app link: path, query and fragment.
    Path(String),
    /// The Sign out button.
    SignOut,
}

/// What is known about a click on a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkClick<'a> {
    /// The mouse button (0 = main).
    pub button: i16,
    /// Ctrl, Meta, Shift or Alt held (opens elsewhere).
    pub modified: bool,
    /// The anchor's `target` attribute.
    pub target: &'a str,
    /// Whether the anchor has `download` or `rel="external"`.
    pub external: bool,
    /// The resolved link (`a.href`).
    pub href: &'a str,
    /// `location.origin`.
    pub origin: &'a str,
    /// `location.pathname + location.search` now.
    pub current: &'a str,
}

impl LinkClick<'_> {
    /// The in-app destination that would leave the current page, if this click is one the
    /// router would follow. Other clicks (new tab, other sites, `#fragment` on this page) are
    /// left to the browser.
    pub fn leaves_page(&self) -> Option<String> {
        if self.button != 0 || self.modified || !self.target.is_empty() || self.external {
            return None;
        }
        let rest = self.href.strip_prefix(self.origin)?;
        if !(rest.is_empty() || rest.starts_with('/')) {
            // `https://host.evil` shares the prefix `https://host`.
            return None;
        }
        let rest = if rest.is_empty() { "/" } else { rest };
        let without_fragment = rest.split('#').next().unwrap_or(rest);
        (without_fragment != self.current).then(|| rest.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn click(href: &str) -> LinkClick<'_> {
        LinkClick {
            button: 0,
            modified: false,
            target: "",
            external: false,
            href,
            origin: "http://127.0.0.1:8080",
            current: "/offers/vm/editor",
        }
    }

    #[test]
    fn in_app_links_to_another_page_ask_first() {
        assert_eq!(
            click("http://127.0.0.1:8080/offers/vm/status").leaves_page(),
            Some("/offers/vm/status".into())
        );
        assert_eq!(
            click("http://127.0.0.1:8080").leaves_page(),
            Some("/".into())
        );
        assert_eq!(
            click("http://127.0.0.1:8080/").leaves_page(),
            Some("/".into())
        );
    }

    #[test]
    fn same_page_fragments_other_sites_and_new_tabs_do_not() {
        assert_eq!(
            click("http://127.0.0.1:8080/offers/vm/editor#main").leaves_page(),
            None
        );
        assert_eq!(
            click("http://127.0.0.1:8080/offers/vm/editor").leaves_page(),
            None
        );
        assert_eq!(click("https://example.com/docs").leaves_page(), None);
        assert_eq!(click("http://127.0.0.1:80800/x").leaves_page(), None);
        assert_eq!(click("mailto:support@example.com").leaves_page(), None);
        let mut c = click("http://127.0.0.1:8080/");
        c.modified = true;
        assert_eq!(c.leaves_page(), None);
        let mut c = click("http://127.0.0.1:8080/");
        c.target = "_blank";
        assert_eq!(c.leaves_page(), None);
    }
}
