//! Lists of objects in the offer document (useful links, screenshots, videos, open ports):
//! each item's inputs in a row with Remove, an Add button, and the list's own messages (its
//! count rules) under it.

use leptos::prelude::*;
use portal_domain::path::FieldPath;
use serde_json::Value;

use crate::components::fields::{Messages, use_editor};
use crate::i18n::{t, tr};
use crate::model::doc;

/// A list of objects at `path`; `item` renders one item's inputs from its path. A plain `fn`
/// rather than a closure type keeps one copy of this component in the bundle.
#[component]
pub fn ItemList(
    /// Where the list is.
    path: FieldPath,
    /// The list's title.
    #[prop(into)]
    legend: Signal<String>,
    /// One item's inputs.
    item: fn(FieldPath) -> AnyView,
    /// What Add appends (`{}` by default).
    #[prop(optional)]
    new_item: Option<fn() -> Value>,
) -> impl IntoView {
    let ctx = use_editor();
    let lang = ctx.lang;
    let id = path.to_string();
    let err_id = format!("{id}-msg");
    let path = StoredValue::new(path);
    let len = Memo::new(move |_| path.with_value(|p| ctx.doc.with(|d| doc::len(d, p))));
    let messages = Signal::derive(move || path.with_value(|p| ctx.messages(p)));
    let add = move |_| {
        let value = new_item.map_or_else(|| Value::Object(Default::default()), |f| f());
        path.with_value(|p| {
            ctx.doc.update(|d| doc::push(d, p, value));
            let first = format!("{}-item-{}", p, len.get_untracked().saturating_sub(1));
            request_animation_frame(move || {
                crate::web::focus_first_in(&first);
            });
        });
    };
    view! {
        <fieldset class="field list-field" class:invalid=move || !messages.get().is_empty()>
            <legend id=id.clone() tabindex="-1">{move || legend.get()}</legend>
            <For each=move || 0..len.get() key=|i| *i let:i>
                {
                    let at = path.with_value(|p| p.clone().index(i));
                    let remove_at = at.clone();
                    view! {
                        <div class="pair" id=format!("{id}-item-{i}")>
                            {item(at)}
                            <button type="button" class="btn btn-small btn-quiet pair-remove"
                                on:click=move |_| {
                                    ctx.doc.update(|d| doc::remove(d, &remove_at));
                                    path.with_value(|p| ctx.touch(p));
                                }>
                                {tr("remove", lang)}
                            </button>
                        </div>
                    }
                }
            </For>
            <button type="button" class="btn btn-small" on:click=add>
                {move || format!("+ {}", t("add", lang.get()))}
            </button>
            <Messages id=err_id messages=messages />
        </fieldset>
    }
}
