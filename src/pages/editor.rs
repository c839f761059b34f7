//! `/offers/:id/editor`: the offer editor — sections as tabs with problem badges, Save with
//! ETag conflict handling, Publish guided by the domain's findings, and the e-mail dialog.
//! A role that may not edit reads the offer with its fields disabled and Save and Publish
//! saying why.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use portal_domain::Lang;
use portal_domain::accounts::Permission;
use portal_domain::sections::Section;
use portal_domain::validation::{ImageRequirement, Options, image_requirements, validate_with};
use serde_json::Value;

use crate::api::{ApiError, use_api};
use crate::components::dialog::PublishDialog;
use crate::components::fields::EditorCtx;
use crate::components::permission::{Refusal, described_by, refused};
use crate::components::sections::{Marketplace, OfferSettings, Support, TestDrive};
use crate::components::shell::{OfferHeader, OfferTab};
use crate::components::sku::Skus;
use crate::i18n::{t, tr};
use crate::model::doc;
use crate::model::editor::{FocusTarget, IfMatch, PublishGate, SavedDraft, Visibility};
use crate::model::images::{Measurements, Probe};
use crate::routes::AppRoute;
use crate::session::use_session;

/// The Editor page.
#[component]
pub fn Editor() -> impl IntoView {
    let params = use_params_map();
    let offer = params.read_untracked().get("id").unwrap_or_default();
    let api = use_api();
    let lang = use_session().lang;
    let loaded = LocalResource::new({
        let offer = offer.clone();
        move || {
            let offer = offer.clone();
            async move { api.get_offer(&offer).await }
        }
    });
    let offer_sv = StoredValue::new(offer.clone());
    view! {
        <Transition fallback=move || view! { <p class="muted">{t("loading", lang.get()).to_owned()}</p> }>
            {move || loaded.get().map(|r| match r {
                Ok(v) => view! { <EditorForm offer=offer_sv.get_value() initial=v.doc etag=v.etag /> }.into_any(),
                Err(e) => view! {
                    <div class="banner banner-error" role="alert"><p>{e.describe(lang.get())}</p>
                    <a href="/">{t("back_to_offers", lang.get()).to_owned()}</a></div>
                }.into_any(),
            })}
        </Transition>
    }
}

#[derive(Debug, Clone, PartialEq)]
enum SaveState {
    Idle,
    Saving,
    Saved,
    Conflict,
    Failed(String),
}

#[component]
fn EditorForm(offer: String, initial: Value, etag: Option<String>) -> impl IntoView {
    let api = use_api();
    let session = use_session();
    let lang = session.lang;
    let navigate = use_navigate();
    let navigate_sv = StoredValue::new_local(navigate.clone());
    let query = use_query_map();

    let doc_signal = RwSignal::new(initial.clone());
    let saved = RwSignal::new(SavedDraft { doc: initial, etag });
    let typed = Memo::new(move |_| doc_signal.with(doc::typed));
    // Same options as the server: a portal reached over loopback (a local install or the demo)
    // accepts http:// images on loopback hosts; the server still decides what it fetches.
    let options = Options {
        allow_loopback_http: crate::web::location_host()
            .is_some_and(|h| portal_domain::validation::is_loopback_host(&h)),
    };
    // The images' pixel sizes, measured in this browser (see `model::images`).
    let images = RwSignal::new(Measurements::default());
    let required_images =
        Memo::new(move |_| typed.with(|t| t.as_ref().map(image_requirements).unwrap_or_default()));
    Effect::new(move |_| {
        let urls = required_images.with(|r| images.with_untracked(|m| m.to_probe(r)));
        for url in urls {
            images.update(|m| m.set(&url, Probe::Pending));
            spawn_local(measure_image(url, required_images, images));
        }
    });
    let findings = Memo::new(move |_| {
        let mut found = typed.with(|t| {
            t.as_ref()
                .map(|d| validate_with(d, options))
                .unwrap_or_default()
        });
        required_images.with(|r| images.with(|m| found.extend(m.findings(r))));
        found
    });
    let vis = RwSignal::new(Visibility::default());
    let ctx = EditorCtx {
        doc: doc_signal,
        findings,
        vis,
        lang,
        images,
    };
    provide_context(ctx);

    let section = RwSignal::new(Section::OfferSettings);
    let selected_sku = RwSignal::new(0usize);
    let dirty = Memo::new(move |_| saved.with(|s| doc_signal.with(|d| s.is_dirty(d))));
    let save_state = RwSignal::new(SaveState::Idle);
    let publish_open = RwSignal::new(false);
    let name = Signal::derive(move || {
        doc_signal.with(|d| {
            doc::text(
                d,
                &portal_domain::FieldPath::keys(&["definition", "displayText"]),
            )
        })
    });

    // Ask before an in-app link or Sign out leaves unsaved changes behind.
    let guard = crate::components::leave::use_leave_guard();
    Effect::new(move |_| guard.dirty.set(dirty.get()));
    on_cleanup(move || guard.dirty.set(false));
    // Warn before the browser unloads the page with unsaved changes.
    let handle = window_event_listener(leptos::ev::beforeunload, move |ev| {
        if dirty.get_untracked() {
            ev.prevent_default();
            ev.set_return_value(t("leave_warning", lang.get_untracked()));
        }
    });
    on_cleanup(move || handle.remove());

    let focus = move |target: FocusTarget| {
        section.set(target.section);
        if let Some(i) = target.sku {
            selected_sku.set(i);
        }
        let ids = target.candidates();
        // Wait for the section to render, then focus.
        request_animation_frame(move || {
            request_animation_frame(move || {
                crate::web::focus_first(&ids);
            });
        });
    };

    // `?focus=<path>` from a Status message: open its section and focus the field.
    if let Some(path) = query
        .read_untracked()
        .get("focus")
        .and_then(|f| portal_domain::FieldPath::parse(&f))
    {
        vis.update(|v| v.touch(&path));
        focus(FocusTarget::of(&path));
    }

    let offer_sv = StoredValue::new(offer.clone());
    let save = move |if_match: IfMatch, then_publish: Option<String>| {
        let body = doc_signal.get_untracked();
        let navigate = navigate.clone();
        save_state.set(SaveState::Saving);
        spawn_local(async move {
            let offer = offer_sv.get_value();
            match api.put_offer(&offer, &body, if_match).await {
                Ok(v) => {
                    // Keep what the user typed since pressing Save; only the baseline moves.
                    saved.set(SavedDraft {
                        doc: body,
                        etag: v.etag,
                    });
                    save_state.set(SaveState::Saved);
                    if let Some(emails) = then_publish {
                        publish_now(api, offer, emails, publish_open, save_state, navigate, lang)
                            .await;
                    }
                }
                Err(e) if e.is_conflict() => save_state.set(SaveState::Conflict),
                Err(e) => save_state.set(SaveState::Failed(e.describe(lang.get_untracked()))),
            }
        });
    };
    let save_sv = StoredValue::new_local(save);
    let on_save = move |_| {
        let tag = saved.with_untracked(|s| s.etag.clone());
        save_sv.with_value(|s| s(tag.map_or(IfMatch::Any, IfMatch::Etag), None));
    };
    let reload = move |_| {
        spawn_local(async move {
            match api.get_offer(&offer_sv.get_value()).await {
                Ok(v) => {
                    doc_signal.set(v.doc.clone());
                    saved.set(SavedDraft {
                        doc: v.doc,
                        etag: v.etag,
                    });
                    save_state.set(SaveState::Idle);
                }
                Err(e) => save_state.set(SaveState::Failed(e.describe(lang.get_untracked()))),
            }
        });
    };
    let overwrite = move |_| save_sv.with_value(|s| s(IfMatch::Any, None));
    let on_publish = move |_| {
        vis.update(Visibility::show_all);
        match findings.with_untracked(|f| PublishGate::decide(f)) {
            PublishGate::FixFirst(target) => focus(target),
            PublishGate::AskForEmails => publish_open.set(true),
        }
    };
    let submit_emails = Callback::new(move |emails: String| {
        if dirty.get_untracked() {
            let tag = saved.with_untracked(|s| s.etag.clone());
            save_sv.with_value(|s| s(tag.map_or(IfMatch::Any, IfMatch::Etag), Some(emails)));
        } else {
            spawn_local(publish_now(
                api,
                offer_sv.get_value(),
                emails,
                publish_open,
                save_state,
                navigate_sv.get_value(),
                lang,
            ));
        }
    });

    let edit_refused = refused(Permission::Edit);
    let publish_refused = refused(Permission::Publish);
    let counts = Memo::new(move |_| findings.with(|f| Section::counts(f)));
    let tabs = move || counts.get().to_vec();
    let tab_id = |s: Section| format!("tab-{s:?}");
    let on_tab_key = move |ev: leptos::ev::KeyboardEvent| {
        let all = Section::ALL;
        let cur = all
            .iter()
            .position(|s| *s == section.get_untracked())
            .unwrap_or(0);
        let next = match ev.key().as_str() {
            "ArrowRight" => (cur + 1) % all.len(),
            "ArrowLeft" => (cur + all.len() - 1) % all.len(),
            "Home" => 0,
            "End" => all.len() - 1,
            _ => return,
        };
        ev.prevent_default();
        section.set(all[next]);
        crate::web::focus_first(&[format!("tab-{:?}", all[next])]);
    };

    view! {
        <OfferHeader offer=offer.clone() name=name current=OfferTab::Editor>
            <span class="save-state" aria-live="polite" data-state=move || match save_state.get() {
                SaveState::Saving => "saving",
                _ if dirty.get() => "unsaved",
                SaveState::Saved => "saved",
                SaveState::Conflict => "conflict",
                SaveState::Failed(_) => "failed",
                SaveState::Idle => "idle",
            }>
                {move || match save_state.get() {
                    SaveState::Saving => t("saving", lang.get()).to_owned(),
                    _ if dirty.get() => t("unsaved", lang.get()).to_owned(),
                    SaveState::Saved => t("saved", lang.get()).to_owned(),
                    _ => String::new(),
                }}
            </span>
            <button type="button" id="save" class="btn" on:click=on_save
                disabled=move || save_state.get() == SaveState::Saving || edit_refused.with(Option::is_some)
                aria-describedby=described_by(edit_refused, "edit-refusal")>
                {tr("save", lang)}
            </button>
            <button type="button" id="publish" class="btn btn-primary" on:click=on_publish
                disabled=move || publish_refused.with(Option::is_some)
                aria-describedby=described_by(publish_refused, "publish-refusal")>
                {tr("publish", lang)}
            </button>
        </OfferHeader>
        <div class="refusals">
            <Refusal id="edit-refusal" refusal=edit_refused />
            <Show when=move || edit_refused.with(Option::is_none)>
                <Refusal id="publish-refusal" refusal=publish_refused />
            </Show>
        </div>
        {move || match save_state.get() {
            SaveState::Conflict => Some(view! {
                <div class="banner banner-warn" role="alert" id="conflict">
                    <p>{t("conflict", lang.get()).to_owned()}</p>
                    <div class="banner-actions">
                        <button type="button" class="btn" id="conflict-reload" on:click=reload>{t("reload", lang.get()).to_owned()}</button>
                        <button type="button" class="btn btn-primary" id="conflict-overwrite" on:click=overwrite>{t("overwrite", lang.get()).to_owned()}</button>
                    </div>
                </div>
            }.into_any()),
            SaveState::Failed(msg) => Some(view! { <div class="banner banner-error" role="alert"><p>{msg}</p></div> }.into_any()),
            _ => None,
        }}
        <Show when=move || vis.with(Visibility::showing_all) && findings.with(|f| !f.is_empty())>
            <div class="banner banner-warn" role="status" id="publish-problems">
                <p>{move || format!("{} — {} {}", t("fix_before_publish", lang.get()), findings.with(Vec::len), t("problems", lang.get()))}</p>
            </div>
        </Show>
        {move || typed.with(|r| r.as_ref().err().cloned()).map(|e| view! { <div class="banner banner-error" role="alert"><p>{e}</p></div> })}
        <div class="editor">
            <div class="section-tabs" role="tablist" aria-label=tr("editor", lang) on:keydown=on_tab_key>
                <For each=tabs key=|(s, n)| (*s, *n) let:item>
                    {
                        let (s, n) = item;
                        view! {
                            <button type="button" role="tab" id=tab_id(s)
                                aria-selected=move || (section.get() == s).to_string()
                                aria-controls="section-panel"
                                tabindex=move || if section.get() == s { "0" } else { "-1" }
                                on:click=move |_| section.set(s)>
                                <span>{move || s.title(lang.get())}</span>
                                {(n > 0).then(|| view! {
                                    <span class="badge badge-warn" aria-label=move || format!("{n} {}", t("problems", lang.get()))>{n}</span>
                                })}
                            </button>
                        }
                    }
                </For>
            </div>
            <div class="section-panel card" role="tabpanel" id="section-panel" aria-labelledby=move || tab_id(section.get())>
                <h2>{move || section.get().title(lang.get())}</h2>
                <p class="muted small">{tr("required_note", lang)}</p>
                // A role without Edit reads the fields: the browser disables every control
                // of the fieldset. The SKUs disable their own form, not the list that only
                // switches between them.
                {move || match section.get() {
                    Section::Skus => view! { <Skus selected=selected_sku /> }.into_any(),
                    other => view! {
                        <fieldset class="plain" disabled=move || edit_refused.with(Option::is_some)>
                            {match other {
                                Section::OfferSettings => view! { <OfferSettings /> }.into_any(),
                                Section::TestDrive => view! { <TestDrive /> }.into_any(),
                                Section::Marketplace => view! { <Marketplace /> }.into_any(),
                                _ => view! { <Support /> }.into_any(),
                            }}
                        </fieldset>
                    }.into_any(),
                }}
            </div>
        </div>
        <PublishDialog open=publish_open on_submit=submit_emails error=Signal::derive(move || match save_state.get() { SaveState::Failed(m) => Some(m), _ => None }) />
    }
}

async fn publish_now(
    api: crate::api::Api,
    offer: String,
    emails: String,
    open: RwSignal<bool>,
    state: RwSignal<SaveState>,
    navigate: impl Fn(&str, leptos_router::NavigateOptions) + Clone + 'static,
    lang: RwSignal<Lang>,
) {
    match api.publish(&offer, &emails).await {
        Ok(_) => {
            open.set(false);
            navigate(&AppRoute::status(&offer).href(), Default::default());
        }
        Err(e) => state.set(SaveState::Failed(describe_publish_error(
            &e,
            lang.get_untracked(),
        ))),
    }
}

fn describe_publish_error(e: &ApiError, lang: Lang) -> String {
    let mut text = e.describe(lang);
    for d in &e.details {
        text.push_str(&format!("\n• {}", d.message));
    }
    text
}

/// Measures one image URL once it has stayed in the document for a moment (not for every
/// keystroke of a URL being typed), unless the editor has closed meanwhile.
async fn measure_image(
    url: String,
    required: Memo<Vec<ImageRequirement>>,
    images: RwSignal<Measurements>,
) {
    crate::web::sleep(500).await;
    let wanted = required.try_with_untracked(|r| r.iter().any(|q| q.url.trim() == url));
    match wanted {
        None => return,
        Some(false) => {
            images.try_update(|m| m.forget(&url));
            return;
        }
        Some(true) => {}
    }
    let probe = match crate::web::image_size(&url).await {
        Some((width, height)) => Probe::Size { width, height },
        None => Probe::Unreadable,
    };
    images.try_update(|m| m.set(&url, probe));
}
