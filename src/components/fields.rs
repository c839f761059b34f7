//! Editor inputs bound to the draft by field path: each shows its label (from the domain),
//! help, required marker, character count and the domain's findings for that path.

use leptos::prelude::*;
use portal_domain::i18n::label;
use portal_domain::path::FieldPath;
use portal_domain::{Finding, Lang};
use serde_json::Value;

use crate::i18n::{help, t, tr};
use crate::model::doc;
use crate::model::editor::{Visibility, messages_at, messages_under};
use crate::model::images::{Measurements, Probe};

/// The editor's shared state, provided as context by the Editor page.
#[derive(Debug, Clone, Copy)]
pub struct EditorCtx {
    /// The draft.
    pub doc: RwSignal<Value>,
    /// Findings of the draft (the domain's `validate`).
    pub findings: Memo<Vec<Finding>>,
    /// Touched fields and "show all".
    pub vis: RwSignal<Visibility>,
    /// Interface language.
    pub lang: RwSignal<Lang>,
    /// The sizes of the offer's images as this browser measured them.
    pub images: RwSignal<Measurements>,
}

impl EditorCtx {
    /// The text at a path, tracked.
    pub fn text(&self, path: &FieldPath) -> String {
        self.doc.with(|d| doc::text(d, path))
    }

    /// Writes a value at a path.
    pub fn set(&self, path: &FieldPath, value: Value) {
        self.doc.update(|d| doc::set(d, path, value));
    }

    /// Marks a field touched.
    pub fn touch(&self, path: &FieldPath) {
        self.vis.update(|v| v.touch(path));
    }

    /// Visible messages at a path.
    pub fn messages(&self, path: &FieldPath) -> Vec<String> {
        let lang = self.lang.get();
        self.vis
            .with(|v| self.findings.with(|f| messages_at(f, v, path, lang)))
    }

    /// Visible messages at or under a path.
    pub fn messages_under(&self, path: &FieldPath) -> Vec<String> {
        let lang = self.lang.get();
        self.vis
            .with(|v| self.findings.with(|f| messages_under(f, v, path, lang)))
    }
}

/// The editor context.
pub fn use_editor() -> EditorCtx {
    expect_context::<EditorCtx>()
}

/// How a field is edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kind {
    /// One line of text.
    #[default]
    Text,
    /// Several lines.
    Multiline,
    /// An https URL.
    Url,
    /// An e-mail address.
    Email,
    /// A phone number.
    Tel,
    /// A whole number.
    Number,
    /// Shown, not editable.
    ReadOnly,
}

fn label_of(path: &FieldPath, lang: Lang) -> String {
    path.last_key()
        .map_or_else(String::new, |k| label(k, lang).to_owned())
}

/// The messages under an input.
#[component]
pub fn Messages(#[prop(into)] id: String, messages: Signal<Vec<String>>) -> impl IntoView {
    view! {
        <div class="field-messages" id=id aria-live="polite">
            {move || {
                messages
                    .get()
                    .into_iter()
                    .map(|m| view! { <p class="field-error">{m}</p> })
                    .collect_view()
            }}
        </div>
    }
}

/// Whether publishing needs the field at `path`: the domain's rules say so
/// ([`portal_domain::validation::is_required`]), never the markup.
fn required_at(path: &FieldPath) -> bool {
    path.last_key()
        .is_some_and(portal_domain::validation::is_required)
}

/// A labelled input bound to `path`.
#[component]
pub fn Field(
    /// Where in the document.
    path: FieldPath,
    /// The input kind.
    #[prop(optional)]
    kind: Kind,
    /// The character limit to count against.
    #[prop(optional)]
    limit: Option<usize>,
    /// A label overriding the domain's.
    #[prop(optional, into)]
    label_override: Option<String>,
) -> impl IntoView {
    let ctx = use_editor();
    let id = path.to_string();
    let err_id = format!("{id}-msg");
    let required = required_at(&path);
    let key = path.last_key().unwrap_or_default().to_owned();
    let path = StoredValue::new(path);
    let value = Memo::new(move |_| path.with_value(|p| ctx.text(p)));
    let messages = Signal::derive(move || path.with_value(|p| ctx.messages(p)));
    let invalid = move || !messages.get().is_empty();
    let label_text = move || {
        label_override
            .clone()
            .unwrap_or_else(|| path.with_value(|p| label_of(p, ctx.lang.get())))
    };
    let help_key = key.clone();
    let help_text = move || help(&help_key, ctx.lang.get());
    let on_input = move |ev: leptos::ev::Event| {
        let raw = event_target_value(&ev);
        let v = if kind == Kind::Number {
            doc::number_value(&raw)
        } else {
            doc::text_value(&raw)
        };
        path.with_value(|p| ctx.set(p, v));
    };
    let on_blur = move |_| path.with_value(|p| ctx.touch(p));
    let count = move || {
        limit.map(|max| {
            let n = value.with(|v| v.chars().count());
            view! {
                <span class="char-count" class:over=move || { n > max }>
                    {format!("{n} / {max}")}
                </span>
            }
        })
    };
    let input_type = match kind {
        Kind::Url => "url",
        Kind::Email => "email",
        Kind::Tel => "tel",
        Kind::Number => "number",
        _ => "text",
    };
    let control = if kind == Kind::Multiline {
        view! {
            <textarea
                id=id.clone()
                rows="5"
                aria-invalid=move || invalid().to_string()
                aria-describedby=err_id.clone()
                aria-required=required.to_string()
                prop:value=move || value.get()
                on:input=on_input
                on:blur=on_blur
            ></textarea>
        }
        .into_any()
    } else {
        view! {
            <input
                id=id.clone()
                type=input_type
                readonly=kind == Kind::ReadOnly
                aria-invalid=move || invalid().to_string()
                aria-describedby=err_id.clone()
                aria-required=required.to_string()
                prop:value=move || value.get()
                on:input=on_input
                on:blur=on_blur
            />
        }
        .into_any()
    };
    view! {
        <div class="field" class:invalid=invalid>
            <label for=id>
                {label_text}
                {required.then(|| view! { <span class="required" aria-hidden="true">" *"</span> })}
            </label>
            {move || help_text().map(|h| view! { <p class="help">{h}</p> })}
            {control}
            <div class="field-foot">
                <Messages id=err_id messages=messages />
                {count}
            </div>
        </div>
    }
}

/// A select bound to `path`; `choices` are `(value, English, Korean)`.
#[component]
pub fn Choice(
    path: FieldPath,
    choices: &'static [(&'static str, &'static str, &'static str)],
    #[prop(optional)] json_bool: bool,
    #[prop(optional)] json_number: bool,
) -> impl IntoView {
    let ctx = use_editor();
    let id = path.to_string();
    let err_id = format!("{id}-msg");
    let required = required_at(&path);
    let path = StoredValue::new(path);
    let value = Memo::new(move |_| path.with_value(|p| ctx.text(p)));
    let messages = Signal::derive(move || path.with_value(|p| ctx.messages(p)));
    let on_change = move |ev: leptos::ev::Event| {
        let raw = event_target_value(&ev);
        let v = if raw.is_empty() {
            Value::Null
        } else if json_bool {
            Value::Bool(raw == "true")
        } else if json_number {
            doc::number_value(&raw)
        } else {
            Value::String(raw)
        };
        path.with_value(|p| {
            ctx.set(p, v);
            ctx.touch(p);
        });
    };
    let lang = ctx.lang;
    view! {
        <div class="field" class:invalid=move || !messages.get().is_empty()>
            <label for=id.clone()>
                {move || path.with_value(|p| label_of(p, lang.get()))}
                {required.then(|| view! { <span class="required" aria-hidden="true">" *"</span> })}
            </label>
            {move || path.with_value(|p| p.last_key().and_then(|k| help(k, lang.get())).map(|h| view! { <p class="help">{h}</p> }))}
            <select id=id aria-describedby=err_id.clone() on:change=on_change>
                <option value="" selected=move || value.get().is_empty()>"—"</option>
                {choices
                    .iter()
                    .map(|(v, en, ko)| {
                        view! {
                            <option value=*v selected=move || value.get() == *v>
                                {move || if lang.get() == Lang::Ko { *ko } else { *en }}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <Messages id=err_id messages=messages />
        </div>
    }
}

/// A checkbox bound to a boolean at `path`.
#[component]
pub fn Check(path: FieldPath) -> impl IntoView {
    let ctx = use_editor();
    let id = path.to_string();
    let path = StoredValue::new(path);
    let checked = Memo::new(move |_| path.with_value(|p| ctx.text(p)) == "true");
    view! {
        <div class="field field-check">
            <input
                type="checkbox"
                id=id.clone()
                prop:checked=move || checked.get()
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    path.with_value(|p| ctx.set(p, Value::Bool(on)));
                }
            />
            <label for=id>{move || path.with_value(|p| label_of(p, ctx.lang.get()))}</label>
        </div>
    }
}

/// A list of strings at `path` (subscriptions, VM sizes, categories, regions).
#[component]
pub fn StringList(path: FieldPath, #[prop(optional, into)] placeholder: String) -> impl IntoView {
    let ctx = use_editor();
    let id = path.to_string();
    let err_id = format!("{id}-msg");
    let required = required_at(&path);
    let path = StoredValue::new(path);
    let len = Memo::new(move |_| path.with_value(|p| ctx.doc.with(|d| doc::len(d, p))));
    let list_messages = Signal::derive(move || path.with_value(|p| ctx.messages(p)));
    let lang = ctx.lang;
    let placeholder = StoredValue::new(placeholder);
    view! {
        <fieldset class="field list-field" class:invalid=move || !list_messages.get().is_empty()>
            <legend id=id.clone() tabindex="-1">
                {move || path.with_value(|p| label_of(p, lang.get()))}
                {required.then(|| view! { <span class="required" aria-hidden="true">" *"</span> })}
            </legend>
            {move || path.with_value(|p| p.last_key().and_then(|k| help(k, lang.get())).map(|h| view! { <p class="help">{h}</p> }))}
            <ul class="list-items">
                <For each=move || 0..len.get() key=|i| *i let:i>
                    {
                        let item = path.with_value(|p| p.clone().index(i));
                        let item_id = item.to_string();
                        let item_err = format!("{item_id}-msg");
                        let item = StoredValue::new(item);
                        let value = Memo::new(move |_| item.with_value(|p| ctx.text(p)));
                        let msgs = Signal::derive(move || item.with_value(|p| ctx.messages(p)));
                        view! {
                            <li class="list-item">
                                <input
                                    id=item_id
                                    type="text"
                                    placeholder=placeholder.get_value()
                                    aria-label=move || format!("{} {}", path.with_value(|p| label_of(p, lang.get())), i + 1)
                                    aria-invalid=move || (!msgs.get().is_empty()).to_string()
                                    aria-describedby=item_err.clone()
                                    prop:value=move || value.get()
                                    on:input=move |ev| {
                                        let raw = event_target_value(&ev);
                                        item.with_value(|p| ctx.set(p, Value::String(raw)));
                                    }
                                    on:blur=move |_| item.with_value(|p| ctx.touch(p))
                                />
                                <button
                                    type="button"
                                    class="btn btn-small btn-quiet"
                                    on:click=move |_| {
                                        item.with_value(|p| ctx.doc.update(|d| doc::remove(d, p)));
                                        path.with_value(|p| ctx.touch(p));
                                    }
                                >
                                    {tr("remove", lang)}
                                </button>
                                <Messages id=item_err messages=msgs />
                            </li>
                        }
                    }
                </For>
            </ul>
            <button
                type="button"
                class="btn btn-small"
                on:click=move |_| {
                    path.with_value(|p| ctx.doc.update(|d| doc::push(d, p, Value::String(String::new()))));
                    let next = path.with_value(|p| p.clone().index(len.get_untracked().saturating_sub(1)).to_string());
                    request_animation_frame(move || {
                        crate::web::focus_first(&[next]);
                    });
                }
            >
                {move || format!("+ {}", t("add", lang.get()))}
            </button>
            <Messages id=err_id messages=list_messages />
        </fieldset>
    }
}

/// A logo URL with its required size and a preview.
#[component]
pub fn Logo(path: FieldPath, width: u32, height: u32) -> impl IntoView {
    let ctx = use_editor();
    let p2 = path.clone();
    let url = Memo::new(move |_| ctx.text(&p2));
    let (broken, set_broken) = signal(false);
    Effect::new(move |_| {
        url.track();
        set_broken.set(false);
    });
    // What this browser measured of the image, once it did.
    let measured = move || match ctx
        .images
        .with(|m| m.get(url.with(|u| u.trim().to_owned()).as_str()))
    {
        Some(Probe::Size {
            width: w,
            height: h,
        }) => {
            let right = (w, h) == (width, height);
            let text = format!("{} {w} × {h} px", t("image_measured", ctx.lang.get()));
            Some(view! { <span class="logo-actual" class:wrong=!right>{text}</span> })
        }
        _ => None,
    };
    view! {
        <div class="logo-field">
            <Field path=path kind=Kind::Url />
            <div class="logo-preview" style=format!("--w:{width}px;--h:{height}px")>
                <span class="logo-size">{format!("{width} × {height} px")}</span>
                {measured}
                {move || {
                    let u = url.get();
                    if u.starts_with("https://") || u.starts_with("http://") {
                        if broken.get() {
                            view! { <span class="muted">{t("preview_unavailable", ctx.lang.get()).to_owned()}</span> }.into_any()
                        } else {
                            view! { <img src=u alt=t("logo_preview", ctx.lang.get()).to_owned() width=width height=height referrerpolicy="no-referrer" on:error=move |_| set_broken.set(true) /> }.into_any()
                        }
                    } else {
                        view! { <span class="logo-empty"></span> }.into_any()
                    }
                }}
            </div>
        </div>
    }
}
