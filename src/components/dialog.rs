//! A modal dialog: `role="dialog"`, focus moves into it, Escape closes it.

use leptos::prelude::*;

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
