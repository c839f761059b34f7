//! Leaving the Editor with unsaved edits: which clicks and which Back/Forward moves ask first,
//! and where the user was going. The browser's own unload (closing the tab, typing a URL) is
//! `beforeunload`'s job; this covers what never unloads the page: the app's own links, Sign
//! out, and the browser's Back and Forward buttons within the app.

/// Where the user asked to go while edits were unsaved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeaveTo {
    /// An in-app link: path, query and fragment.
    Path(String),
    /// The Sign out button.
    SignOut,
    /// The publisher switcher: work in this publisher (its All Offers).
    Publisher(String),
    /// The browser's Back or Forward button (or a jump in its history menu): `history.go` by
    /// this many steps from the Editor's entry.
    History(i32),
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

/// A session-history entry of this page: its stamp (see [`BackForward`]) and its URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    /// Its position in the session history, counted from the entry the app started on; `None`
    /// when the entry carries no stamp.
    pub index: Option<u32>,
    /// `pathname + search + hash`.
    pub url: String,
}

impl HistoryEntry {
    /// The page the entry shows: its URL without the fragment (`#main` stays on the page).
    fn page(&self) -> &str {
        self.url.split('#').next().unwrap_or(&self.url)
    }
}

/// What to do about a `popstate`: the browser already shows the entry the user moved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PopAction {
    /// Let the router show the entry.
    Pass,
    /// Keep the move from the router and `history.go` by this many steps, towards the Editor's
    /// entry.
    Go(i32),
    /// Keep the move from the router: the Editor's entry is current again. Ask; leaving is
    /// `history.go(leave)`.
    Ask {
        /// The steps from the Editor's entry to where the user was going.
        leave: i32,
    },
    /// Keep the move from the router and push the Editor's URL again, since how far the user
    /// went is unknown. Ask; leaving is `history.go(-1)`.
    Repush {
        /// The Editor's URL.
        url: String,
    },
}

/// The Back/Forward guard's memory: which history entry is current, and whether a move away
/// from unsaved edits is being undone.
///
/// A `popstate` cannot be cancelled: when it arrives the browser is already on the other entry.
/// So every entry is stamped with its position when it is created (`pushState` goes after the
/// current entry, `replaceState` takes its place), and a move away from unsaved edits is undone
/// with `history.go` before the router sees it; only once the Editor's entry is current again
/// does the dialog ask, and leaving repeats the user's move.
#[derive(Debug, Clone)]
pub struct BackForward {
    current: HistoryEntry,
    returning: Option<Return>,
}

/// A move being undone.
#[derive(Debug, Clone, Copy)]
struct Return {
    /// The Editor's entry.
    to: u32,
    /// Steps from there to where the user was going.
    leave: i32,
}

/// Steps from entry `from` to entry `to`.
fn steps(from: u32, to: u32) -> i32 {
    let steps = i64::from(to) - i64::from(from);
    i32::try_from(steps).unwrap_or(if steps < 0 { i32::MIN } else { i32::MAX })
}

impl BackForward {
    /// Starts on `current`; an entry without a stamp is counted as position 0.
    pub fn new(current: HistoryEntry) -> Self {
        Self {
            current: HistoryEntry {
                index: Some(current.index.unwrap_or(0)),
                url: current.url,
            },
            returning: None,
        }
    }

    /// The entry the page is on.
    pub fn current(&self) -> &HistoryEntry {
        &self.current
    }

    /// The stamp for an entry about to be created: `pushState`'s goes right after the current
    /// entry (dropping any forward entries), `replaceState`'s takes the current one's place.
    pub fn next_index(&self, replace: bool) -> Option<u32> {
        if replace {
            self.current.index
        } else {
            self.current.index.and_then(|i| i.checked_add(1))
        }
    }

    /// An entry was created with `pushState` or `replaceState` and is now current.
    pub fn created(&mut self, entry: HistoryEntry) {
        self.current = entry;
    }

    /// Decides about a `popstate` that moved to `target`, with or without unsaved edits.
    pub fn popped(&mut self, target: HistoryEntry, dirty: bool) -> PopAction {
        if let Some(back) = self.returning {
            return match target.index {
                Some(i) if i == back.to => {
                    self.returning = None;
                    if dirty {
                        PopAction::Ask { leave: back.leave }
                    } else {
                        // Saved in the meantime: nothing to ask, carry on with the user's move.
                        PopAction::Go(back.leave)
                    }
                }
                // Moved again before the way back arrived: keep heading for the Editor.
                Some(i) => PopAction::Go(steps(i, back.to)),
                None => {
                    self.returning = None;
                    self.repush()
                }
            };
        }
        if !dirty || target.page() == self.current.page() {
            self.current = target;
            return PopAction::Pass;
        }
        match (self.current.index, target.index) {
            (Some(from), Some(to)) if from != to => {
                self.returning = Some(Return {
                    to: from,
                    leave: steps(from, to),
                });
                PopAction::Go(steps(to, from))
            }
            _ => self.repush(),
        }
    }

    /// Gives up on positions: the Editor's URL is pushed again after an entry of unknown place.
    fn repush(&mut self) -> PopAction {
        self.current.index = None;
        PopAction::Repush {
            url: self.current.url.clone(),
        }
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

    fn entry(index: u32, url: &str) -> HistoryEntry {
        HistoryEntry {
            index: Some(index),
            url: url.into(),
        }
    }

    const OFFERS: &str = "/";
    const EDITOR: &str = "/offers/vm/editor";
    const STATUS: &str = "/offers/vm/status";

    /// All Offers (0), then the Editor (1): the usual way in.
    fn on_editor() -> BackForward {
        let mut h = BackForward::new(HistoryEntry {
            index: None,
            url: OFFERS.into(),
        });
        let index = h.next_index(false);
        h.created(HistoryEntry {
            index,
            url: EDITOR.into(),
        });
        h
    }

    #[test]
    fn entries_are_stamped_with_their_position() {
        let mut h = BackForward::new(HistoryEntry {
            index: None,
            url: OFFERS.into(),
        });
        assert_eq!(h.current().index, Some(0), "the first entry is 0");
        assert_eq!(h.next_index(false), Some(1), "a push goes after it");
        h.created(entry(1, EDITOR));
        assert_eq!(h.next_index(true), Some(1), "a replace takes its place");
        // Back to 0, then a push drops the forward entry and takes position 1.
        assert_eq!(h.popped(entry(0, OFFERS), false), PopAction::Pass);
        assert_eq!(h.next_index(false), Some(1));
        // A reload keeps the stamp the entry already has.
        assert_eq!(BackForward::new(entry(4, EDITOR)).current().index, Some(4));
    }

    #[test]
    fn without_edits_back_and_forward_pass() {
        let mut h = on_editor();
        assert_eq!(h.popped(entry(0, OFFERS), false), PopAction::Pass);
        assert_eq!(h.current(), &entry(0, OFFERS));
        assert_eq!(h.popped(entry(1, EDITOR), false), PopAction::Pass);
        assert_eq!(h.current(), &entry(1, EDITOR));
    }

    #[test]
    fn back_with_edits_returns_to_the_editor_then_asks() {
        let mut h = on_editor();
        assert_eq!(h.popped(entry(0, OFFERS), true), PopAction::Go(1));
        assert_eq!(
            h.popped(entry(1, EDITOR), true),
            PopAction::Ask { leave: -1 }
        );
        assert_eq!(h.current(), &entry(1, EDITOR), "still on the Editor");
        // Leaving: the edits are dropped, and the repeated move passes to the router.
        assert_eq!(h.popped(entry(0, OFFERS), false), PopAction::Pass);
        assert_eq!(h.current(), &entry(0, OFFERS));
    }

    #[test]
    fn staying_then_back_again_asks_again() {
        let mut h = on_editor();
        assert_eq!(h.popped(entry(0, OFFERS), true), PopAction::Go(1));
        assert_eq!(
            h.popped(entry(1, EDITOR), true),
            PopAction::Ask { leave: -1 }
        );
        assert_eq!(h.popped(entry(0, OFFERS), true), PopAction::Go(1));
        assert_eq!(
            h.popped(entry(1, EDITOR), true),
            PopAction::Ask { leave: -1 }
        );
    }

    #[test]
    fn forward_with_edits_returns_back_then_asks() {
        // Editor (1) → Status (2), Back to the Editor, edit, Forward.
        let mut h = on_editor();
        h.created(entry(2, STATUS));
        assert_eq!(h.popped(entry(1, EDITOR), false), PopAction::Pass);
        assert_eq!(h.popped(entry(2, STATUS), true), PopAction::Go(-1));
        assert_eq!(
            h.popped(entry(1, EDITOR), true),
            PopAction::Ask { leave: 1 }
        );
    }

    #[test]
    fn a_jump_of_several_entries_is_undone_and_repeated_whole() {
        let mut h = on_editor();
        h.created(entry(2, STATUS));
        h.created(entry(3, EDITOR));
        assert_eq!(h.popped(entry(0, OFFERS), true), PopAction::Go(3));
        assert_eq!(
            h.popped(entry(3, EDITOR), true),
            PopAction::Ask { leave: -3 }
        );
    }

    #[test]
    fn moving_again_on_the_way_back_keeps_heading_for_the_editor() {
        let mut h = on_editor();
        h.created(entry(2, STATUS));
        h.created(entry(3, EDITOR));
        assert_eq!(h.popped(entry(2, STATUS), true), PopAction::Go(1));
        // Back pressed again before the way back arrived.
        assert_eq!(h.popped(entry(1, EDITOR), true), PopAction::Go(2));
        assert_eq!(
            h.popped(entry(3, EDITOR), true),
            PopAction::Ask { leave: -1 }
        );
    }

    #[test]
    fn saved_on_the_way_back_carries_on_without_asking() {
        let mut h = on_editor();
        assert_eq!(h.popped(entry(0, OFFERS), true), PopAction::Go(1));
        assert_eq!(h.popped(entry(1, EDITOR), false), PopAction::Go(-1));
        assert_eq!(h.popped(entry(0, OFFERS), false), PopAction::Pass);
    }

    #[test]
    fn a_fragment_on_the_same_page_passes_but_another_query_asks() {
        let mut h = on_editor();
        h.created(entry(2, "/offers/vm/editor#main"));
        assert_eq!(h.popped(entry(1, EDITOR), true), PopAction::Pass);
        h.created(entry(2, "/offers/vm/editor?focus=definition.displayText"));
        assert_eq!(h.popped(entry(1, EDITOR), true), PopAction::Go(1));
    }

    #[test]
    fn an_entry_without_a_stamp_pushes_the_editor_again() {
        let mut h = on_editor();
        let unknown = HistoryEntry {
            index: None,
            url: OFFERS.into(),
        };
        assert_eq!(
            h.popped(unknown, true),
            PopAction::Repush { url: EDITOR.into() }
        );
        // Its place is unknown, so are the places after it.
        assert_eq!(h.next_index(false), None);
    }
}
