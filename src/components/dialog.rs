//! A modal dialog: `role="dialog"`, focus moves into it, Escape closes it; and the dialog
//! that asks for a publish's notification e-mails, which the Editor and the Status open.

use leptos::prelude::*;
use portal_domain::ids::EmailList;

use crate::i18n::{t, tr, tr_signal};
use crate::session::use_session;

/// A modal dialog shown while `open` is true.
#[component]
pub fn Modal(
    /// Whether the dialog is shown.
    #[prop(into)]
    open: Signal<bool>,
    /// Its title.
    #[prop(into)]
    title: Signal<String>,
    /// Called on Escape or the backdrop.
    on_close: Callback<()>,
    /// The body and buttons.
    children: ChildrenFn,
) -> impl IntoView {
    let dialog_ref = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if open.get()
            && let Some(el) = dialog_ref.get()
        {
            let first = el
                .query_selector("input, textarea, select, button")
                .ok()
                .flatten();
            if let Some(first) = first
                && let Ok(html) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(first)
            {
                let _ = html.focus();
            }
        }
    });
    let children = StoredValue::new(children);
    view! {
        <Show when=move || open.get()>
            <div class="modal-backdrop" on:click=move |_| on_close.run(())></div>
            <div
                class="modal"
                role="dialog"
                aria-modal="true"
                aria-labelledby="modal-title"
                node_ref=dialog_ref
                on:keydown=move |ev| {
                    if ev.key() == "Escape" {
                        on_close.run(());
                    }
                }
            >
                <h2 id="modal-title">{move || title.get()}</h2>
                {children.with_value(|c| c())}
            </div>
        </Show>
    }
}

/// A yes/no confirmation.
#[component]
pub fn Confirm(
    /// Whether the dialog is shown.
    open: RwSignal<bool>,
    /// Its title.
    #[prop(into)]
    title: Signal<String>,
    /// The question.
    #[prop(into)]
    body: Signal<String>,
    /// The confirming button's words.
    #[prop(into)]
    confirm_label: Signal<String>,
    /// The dismissing button's words.
    #[prop(into)]
    cancel_label: Signal<String>,
    /// Runs when confirmed.
    on_confirm: Callback<()>,
    /// Whether the action is destructive (red button).
    #[prop(optional)]
    danger: bool,
) -> impl IntoView {
    let close = Callback::new(move |()| open.set(false));
    view! {
        <Modal open=open title=title on_close=close>
            <p>{move || body.get()}</p>
            <div class="modal-actions">
                <button type="button" class="btn" on:click=move |_| open.set(false)>
                    {move || cancel_label.get()}
                </button>
                <button
                    type="button"
                    class=if danger { "btn btn-danger" } else { "btn btn-primary" }
                    on:click=move |_| {
                        open.set(false);
                        on_confirm.run(());
                    }
                >
                    {move || confirm_label.get()}
                </button>
            </div>
        </Modal>
    }
}

/// Asks for the notification e-mails, validated with the domain's `EmailList`.
#[component]
pub fn PublishDialog(
    open: RwSignal<bool>,
    on_submit: Callback<String>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let session = use_session();
    let lang = session.lang;
    let (emails, set_emails) = signal(session.last_emails().unwrap_or_default());
    let (touched, set_touched) = signal(false);
    let (busy, set_busy) = signal(false);
    Effect::new(move |_| {
        if open.get() {
            set_busy.set(false);
        }
    });
    Effect::new(move |_| {
        if error.get().is_some() {
            set_busy.set(false);
        }
    });
    let problem = move || {
        EmailList::parse(&emails.get()).err().map(|e| {
            e.0.message(
                portal_domain::i18n::label("notification-emails", lang.get()),
                lang.get(),
            )
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        set_touched.set(true);
        if let Ok(list) = EmailList::parse(&emails.get()) {
            if busy.get() {
                return;
            }
            set_busy.set(true);
            let text = list.to_string();
            session.remember_emails(&text);
            on_submit.run(text);
        }
    };
    view! {
        <Modal open=open title=tr_signal("emails_title", lang) on_close=Callback::new(move |()| open.set(false))>
            <form on:submit=submit novalidate>
                <div class="field" class:invalid=move || touched.get() && problem().is_some()>
                    <label for="notification-emails">{move || portal_domain::i18n::label("notification-emails", lang.get()).to_owned()}<span class="required" aria-hidden="true">" *"</span></label>
                    <p class="help">{tr("emails_help", lang)}</p>
                    <input id="notification-emails" type="text" autocomplete="email"
                        prop:value=move || emails.get()
                        on:input=move |ev| set_emails.set(event_target_value(&ev))
                        on:blur=move |_| set_touched.set(true) />
                    <div class="field-messages" aria-live="polite">
                        {move || touched.get().then(problem).flatten().map(|m| view! { <p class="field-error">{m}</p> })}
                    </div>
                </div>
                {move || error.get().map(|m| view! { <p class="banner banner-error pre" role="alert">{m}</p> })}
                <div class="modal-actions">
                    <button type="button" class="btn" on:click=move |_| open.set(false)>{tr("cancel", lang)}</button>
                    <button type="submit" id="publish-submit" class="btn btn-primary" disabled=move || busy.get()>
                        {move || if busy.get() { t("publishing", lang.get()) } else { t("start_publish", lang.get()) }.to_owned()}
                    </button>
                </div>
            </form>
        </Modal>
    }
}
