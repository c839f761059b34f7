//! The pieces of the account forms (sign-in, passwords, invitations, keys): a labelled input
//! whose problem is shown under it and announced, and a form's own error line. The Editor's
//! fields are in `fields`, bound to the offer document instead.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::model::account::{FieldProblem, problem_of};

/// A labelled input: its problem under it (`{id}-error`, live), `aria-invalid` while it has
/// one, and the optional help (`{id}-help`) named by `aria-describedby`.
#[component]
pub fn FormField(
    /// The input's id (also the key of its problem).
    id: &'static str,
    /// The label.
    #[prop(into)]
    label: Signal<String>,
    /// The input's value.
    value: RwSignal<String>,
    /// The form's problems; this field shows its own.
    problems: RwSignal<Vec<FieldProblem>>,
    /// The input type.
    #[prop(default = "text")]
    kind: &'static str,
    /// The `autocomplete` hint (`email`, `current-password`, `new-password` …).
    #[prop(default = "off")]
    autocomplete: &'static str,
    /// Help under the label.
    #[prop(optional, into)]
    help: Option<Signal<String>>,
    /// Whether it must be filled in (marked with an asterisk).
    #[prop(optional)]
    required: bool,
) -> impl IntoView {
    let error = Memo::new(move |_| problems.with(|p| problem_of(p, id)));
    let help_id = format!("{id}-help");
    let error_id = format!("{id}-error");
    let described = {
        let (help_id, error_id) = (help_id.clone(), error_id.clone());
        let has_help = help.is_some();
        move || {
            let mut ids = Vec::new();
            if has_help {
                ids.push(help_id.clone());
            }
            if error.with(Option::is_some) {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:invalid=move || error.with(Option::is_some)>
            <label for=id>
                {move || label.get()}
                {required.then(|| view! { <span class="required" aria-hidden="true">" *"</span> })}
            </label>
            {help.map(|h| view! { <p class="help" id=help_id>{move || h.get()}</p> })}
            <input id=id type=kind autocomplete=autocomplete
                aria-required=required.then_some("true")
                aria-invalid=move || error.with(Option::is_some).then_some("true")
                aria-describedby=described
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev)) />
            <div class="field-messages" id=error_id aria-live="polite">
                {move || error.get().map(|m| view! { <p class="field-error">{m}</p> })}
            </div>
        </div>
    }
}

/// A form's own error (the server's answer), announced at once; focusable so the form can
/// move the focus to it.
#[component]
pub fn FormError(
    /// Its element id.
    id: &'static str,
    /// The message, if any.
    #[prop(into)]
    message: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <div id=id class="form-error" role="alert" tabindex="-1">
            {move || message.get().map(|m| view! { <p class="banner banner-error">{m}</p> })}
        </div>
    }
}

/// After a submit: focuses the first field with a problem and says whether there was one.
pub fn focus_first_problem(problems: &[FieldProblem]) -> bool {
    match problems.first() {
        Some((id, _)) => {
            crate::web::focus_after_render((*id).to_owned());
            true
        }
        None => false,
    }
}

/// A value shown once (an invitation link, a new API key's secret): read-only, selected on
/// focus, with a Copy button that says whether it worked.
#[component]
pub fn OneTimeValue(
    /// The input's id.
    id: &'static str,
    /// Its label.
    #[prop(into)]
    label: Signal<String>,
    /// The value.
    value: String,
) -> impl IntoView {
    let lang = crate::session::use_session().lang;
    let copied = RwSignal::new(None::<bool>);
    let text = StoredValue::new(value.clone());
    let copy = move |_| {
        spawn_local(async move {
            let ok = crate::web::copy_text(&text.get_value()).await;
            if !ok {
                // Selected, so Ctrl+C copies it by hand.
                crate::web::select_input(id);
            }
            copied.try_set(Some(ok));
        });
    };
    view! {
        <div class="field one-time">
            <label for=id>{move || label.get()}</label>
            <div class="one-time-row">
                <input id=id type="text" readonly prop:value=value class="mono"
                    on:focus=move |_| crate::web::select_input(id) />
                <button type="button" class="btn" id=format!("{id}-copy") on:click=copy>
                    {crate::i18n::tr("copy", lang)}
                </button>
            </div>
            <p class="help" role="status">
                {move || copied.get().map(|ok| crate::i18n::t(if ok { "copied" } else { "copy_by_hand" }, lang.get()).to_owned())}
            </p>
        </div>
    }
}
