//! Asking before unsaved Editor changes are left behind by an in-app link, Sign out or the
//! browser's Back and Forward buttons: one capture-phase click listener and one capture-phase
//! popstate listener for the whole app (each runs before the router's own), and one
//! confirmation dialog. Staying keeps the edits; leaving goes where the user was going.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Reflect};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use crate::api::{Api, use_api};
use crate::components::dialog::Confirm;
use crate::components::shell;
use crate::i18n::tr_signal;
use crate::model::leave::{BackForward, HistoryEntry, LeaveTo, LinkClick, PopAction};
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
    pub fn sign_out(&self, api: Api, session: Session) {
        if self.dirty.get_untracked() {
            self.pending.set(Some(LeaveTo::SignOut));
        } else {
            shell::sign_out(api, session);
        }
    }

    /// Switches to another publisher now, or asks first when edits are unsaved (their offer
    /// belongs to the publisher being left).
    pub fn switch_publisher(
        &self,
        session: Session,
        publisher: String,
        navigate: impl Fn(&str, leptos_router::NavigateOptions),
    ) {
        if self.dirty.get_untracked() {
            self.pending.set(Some(LeaveTo::Publisher(publisher)));
        } else {
            shell::switch_publisher(session, &publisher, navigate);
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

/// The key of the position stamp in `history.state`.
const STAMP: &str = "portalHistoryIndex";

/// The position stamped on an entry's state, if any.
fn stamp_of(state: &JsValue) -> Option<u32> {
    if !state.is_object() {
        return None;
    }
    let n = Reflect::get(state, &JsValue::from_str(STAMP))
        .ok()?
        .as_f64()?;
    (n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&n)).then_some(n as u32)
}

/// `state` with the position stamped on it: a copy of an object state with one more key, or a
/// new object for no state. Other states (a number, an array) stay as they are, unstamped.
fn stamped(state: &JsValue, index: Option<u32>) -> JsValue {
    let Some(index) = index else {
        return state.clone();
    };
    let copy: Object = if state.is_null() || state.is_undefined() {
        Object::new()
    } else if state.is_object() && !Array::is_array(state) {
        Object::assign(&Object::new(), state.unchecked_ref())
    } else {
        return state.clone();
    };
    let _ = Reflect::set(&copy, &JsValue::from_str(STAMP), &JsValue::from(index));
    copy.into()
}

/// The entry the browser is on: its stamp is read from `state`.
fn history_entry(state: &JsValue) -> HistoryEntry {
    let location = web_sys::window().map(|w| w.location());
    let part = |f: fn(&web_sys::Location) -> Result<String, JsValue>| {
        location
            .as_ref()
            .and_then(|l| f(l).ok())
            .unwrap_or_default()
    };
    HistoryEntry {
        index: stamp_of(state),
        url: format!(
            "{}{}{}",
            part(web_sys::Location::pathname),
            part(web_sys::Location::search),
            part(web_sys::Location::hash)
        ),
    }
}

/// Replaces `history[method]` (`pushState` or `replaceState`) with one that stamps the new
/// entry's position into its state. leptos_router writes the history itself and tells nobody
/// after it did, so this is the one place every new entry passes through.
fn stamp_new_entries(history: &web_sys::History, method: &str, model: Rc<RefCell<BackForward>>) {
    let name = JsValue::from_str(method);
    let Some(original) = Reflect::get(history, &name)
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
    else {
        return;
    };
    let replace = method == "replaceState";
    let this = history.clone();
    let wrapper = Closure::<dyn Fn(JsValue, JsValue, JsValue) -> Result<JsValue, JsValue>>::new(
        move |state: JsValue, unused: JsValue, url: JsValue| {
            let index = model.borrow().next_index(replace);
            let done = original.call3(&this, &stamped(&state, index), &unused, &url)?;
            // The state now held is the stamped one (or the caller's, when it takes no stamp).
            let state = this.state().unwrap_or(JsValue::NULL);
            model.borrow_mut().created(history_entry(&state));
            Ok(done)
        },
    );
    let _ = Reflect::set(history, &name, wrapper.as_ref());
    // The app lives as long as the page.
    wrapper.forget();
}

/// Asks `guard`'s question when the browser's Back or Forward button would leave unsaved
/// edits: stamps every history entry with its position and listens for `popstate` in the
/// capture phase. Such a move is kept from the router (which would render the other page at
/// once) and undone with `history.go`; once the Editor's entry is current again the dialog
/// asks. Call once, before the router is created, so both come before the router's own.
pub fn guard_history(guard: LeaveGuard) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(history) = window.history() else {
        return;
    };
    let state = history.state().unwrap_or(JsValue::NULL);
    let model = Rc::new(RefCell::new(BackForward::new(history_entry(&state))));
    stamp_new_entries(&history, "pushState", Rc::clone(&model));
    stamp_new_entries(&history, "replaceState", Rc::clone(&model));
    // Stamp the entry the app starts on (through the wrapper above).
    let _ = history.replace_state(&state, "");

    let listener =
        Closure::<dyn Fn(web_sys::PopStateEvent)>::new(move |ev: web_sys::PopStateEvent| {
            let target = history_entry(&ev.state());
            let action = model
                .borrow_mut()
                .popped(target, guard.dirty.get_untracked());
            if action == PopAction::Pass {
                return;
            }
            // The router listens for popstate on `window` too; it must not see this move.
            ev.stop_immediate_propagation();
            match action {
                PopAction::Pass => {}
                PopAction::Go(steps) => {
                    let _ = history.go_with_delta(steps);
                }
                PopAction::Ask { leave } => guard.pending.set(Some(LeaveTo::History(leave))),
                PopAction::Repush { url } => {
                    let _ = history.push_state_with_url(&JsValue::NULL, "", Some(&url));
                    guard.pending.set(Some(LeaveTo::History(-1)));
                }
            }
        });
    // Capture phase, and registered before the router's listener: first either way.
    let _ = window.add_event_listener_with_callback_and_bool(
        "popstate",
        listener.as_ref().unchecked_ref(),
        true,
    );
    listener.forget();
}

/// Listens for link clicks and shows the question for the guard in context. Mounted once,
/// inside the router.
#[component]
pub fn LeaveGuardian() -> impl IntoView {
    let session = use_session();
    let api = use_api();
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
            LeaveTo::SignOut => shell::sign_out(api, session),
            LeaveTo::Publisher(publisher) => {
                shell::switch_publisher(session, &publisher, &navigate);
            }
            LeaveTo::History(steps) => {
                // Repeats the user's Back or Forward; with the edits dropped it passes.
                if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
                    let _ = history.go_with_delta(steps);
                }
            }
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
