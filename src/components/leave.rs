//! Asking before unsaved Editor changes are left behind by an in-app link or Sign out: one
//! capture-phase click listener for the whole app (it runs before the router's own), and one
//! confirmation dialog. Staying keeps the edits; leaving goes where the user clicked.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::components::dialog::Confirm;
use crate::i18n::tr_signal;
use crate::model::leave::{LeaveTo, LinkClick};
use crate::session::{Session, use_session};

/// Whether a page holds unsaved edits, and a leave waiting for the user's answer.
#[derive(Debug, Clone, Copy)]
pub struct LeaveGuard {
    /// Set by the Editor while its draft differs from the saved one.
    pub dirty: RwSignal<bool>,
    /// The leave the dialog asks about.
    pub pending: RwSignal<Option<LeaveTo>>,
}

impl Default for LeaveGuard {
    fn default() -> Self {
        Self::new()
    }
}

impl LeaveGuard {
    /// A guard with nothing to protect yet.
    pub fn new() -> Self {
        Self {
            dirty: RwSignal::new(false),
            pending: RwSignal::new(None),
        }
    }

    /// Signs out now, or asks first when edits are unsaved.
    pub fn sign_out(&self, session: Session) {
        if self.dirty.get_untracked() {
            self.pending.set(Some(LeaveTo::SignOut));
        } else {
            session.sign_out();
        }
    }
}

/// The guard from context.
pub fn use_leave_guard() -> LeaveGuard {
    expect_context::<LeaveGuard>()
}

fn link_click(ev: &web_sys::MouseEvent) -> Option<String> {
    let anchor = ev
        .target()?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .closest("a[href]")
        .ok()??;
    let location = web_sys::window()?.location();
    let href = anchor.get_attribute("href")?;
    // Resolve relative links the way the browser does.
    let resolved = web_sys::Url::new_with_base(&href, &location.href().ok()?)
        .ok()?
        .href();
    let current = format!("{}{}", location.pathname().ok()?, location.search().ok()?);
    let origin = location.origin().ok()?;
    let target = anchor.get_attribute("target").unwrap_or_default();
    let external = anchor.has_attribute("download")
        || anchor
            .get_attribute("rel")
            .is_some_and(|r| r.split_whitespace().any(|p| p == "external"));
    LinkClick {
        button: ev.button(),
        modified: ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key(),
        target: &target,
        external,
        href: &resolved,
        origin: &origin,
        current: &current,
    }
    .leaves_page()
}

/// Listens for link clicks and shows the question for the guard in context. Mounted once,
/// inside the router.
#[component]
pub fn LeaveGuardian() -> impl IntoView {
    let session = use_session();
    let lang = session.lang;
    let guard = use_leave_guard();
    let navigate = use_navigate();

    let listener = Closure::<dyn Fn(web_sys::MouseEvent)>::new(move |ev: web_sys::MouseEvent| {
        if !guard.dirty.get_untracked() || ev.default_prevented() {
            return;
        }
        if let Some(to) = link_click(&ev) {
            // The router skips clicks whose default is prevented.
            ev.prevent_default();
            guard.pending.set(Some(LeaveTo::Path(to)));
        }
    });
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        // Capture phase: before the router's click listener on `window`.
        let _ = doc.add_event_listener_with_callback_and_bool(
            "click",
            listener.as_ref().unchecked_ref(),
            true,
        );
    }
    // The app lives as long as the page.
    listener.forget();

    // The dialog is open while a leave is pending; closing it (Escape, the backdrop, Keep
    // editing) drops the leave. Each side writes only on a change, so they settle.
    let open = RwSignal::new(false);
    Effect::new(move |_| {
        let pending = guard.pending.with(Option::is_some);
        if open.get_untracked() != pending {
            open.set(pending);
        }
    });
    Effect::new(move |_| {
        if !open.get() && guard.pending.with_untracked(Option::is_some) {
            guard.pending.set(None);
        }
    });
    let leave = Callback::new(move |()| {
        let Some(to) = guard.pending.get_untracked() else {
            return;
        };
        guard.dirty.set(false);
        match to {
            LeaveTo::Path(path) => navigate(&path, Default::default()),
            LeaveTo::SignOut => session.sign_out(),
        }
    });
    view! {
        <Confirm open=open
            title=tr_signal("leave_title", lang)
            body=tr_signal("leave_question", lang)
            confirm_label=tr_signal("leave", lang)
            cancel_label=tr_signal("stay", lang)
            on_confirm=leave danger=true />
    }
}
