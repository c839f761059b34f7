//! `/`: All Offers — every offer with its status, searchable, filterable, sortable, paged;
//! and the New offer dialog.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use portal_domain::accounts::Permission;
use portal_domain::api::OfferSummary;
use portal_domain::ids::OfferId;

use crate::api::use_api;
use crate::components::dialog::Modal;
use crate::components::permission::{Refusal, described_by, refused};
use crate::i18n::{offer_count, t, tr, tr_signal};
use crate::model::editor::{IfMatch, new_offer_document};
use crate::model::offers::{OfferQuery, SearchKeys, SortKey, StatusFilter};
use crate::routes::AppRoute;
use crate::session::use_session;
use crate::web::format_time;

/// The All Offers page.
#[component]
pub fn Offers() -> impl IntoView {
    let api = use_api();
    let session = use_session();
    let lang = session.lang;
    // Another publisher chosen in the switcher lists its offers.
    let offers = LocalResource::new(move || {
        session.publisher.track();
        async move { api.list_offers().await }
    });
    let create_refused = refused(Permission::Edit);
    let query = RwSignal::new(OfferQuery::default());
    let list = Memo::new(move |_| {
        offers
            .with(|o| o.as_ref().and_then(|r| r.as_ref().ok().cloned()))
            .unwrap_or_default()
    });
    // Prepared once per list and once per sort order; a keystroke only filters.
    let keys = Memo::new(move |_| list.with(|l| SearchKeys::new(l)));
    let sort = Memo::new(move |_| query.with(|q| (q.sort, q.ascending)));
    let sorted = Memo::new(move |_| {
        sort.track();
        list.with(|l| keys.with(|k| query.with_untracked(|q| q.sorted(l, k))))
    });
    let rows = Memo::new(move |_| {
        sorted.with(|s| list.with(|l| keys.with(|k| query.with(|q| q.filter(l, k, s)))))
    });
    let page_rows = Memo::new(move |_| {
        rows.with(|r| {
            query.with(|q| {
                list.with(|l| {
                    q.page_of(r)
                        .iter()
                        .map(|&i| l[i].clone())
                        .collect::<Vec<_>>()
                })
            })
        })
    });
    let pages = move || OfferQuery::pages(rows.with(Vec::len));
    let page = move || query.with(|q| q.page).min(pages() - 1);
    let new_open = RwSignal::new(false);

    let header = move |key: SortKey, label: &'static str| {
        let sort_state = move || {
            query.with(|q| {
                if q.sort != key {
                    "none"
                } else if q.ascending {
                    "ascending"
                } else {
                    "descending"
                }
            })
        };
        view! {
            <th scope="col" aria-sort=sort_state>
                <button type="button" class="sort-button" on:click=move |_| query.update(|q| q.toggle_sort(key))>
                    {move || t(label, lang.get()).to_owned()}
                    <span class="sort-indicator" aria-hidden="true">
                        {move || match sort_state() { "ascending" => "▲", "descending" => "▼", _ => "" }}
                    </span>
                </button>
            </th>
        }
    };

    view! {
        <section class="offers-page">
            <div class="page-title-row">
                <h1>{tr("all_offers", lang)}</h1>
                <button type="button" class="btn btn-primary" id="new-offer" on:click=move |_| new_open.set(true)
                    disabled=move || create_refused.with(Option::is_some)
                    aria-describedby=described_by(create_refused, "new-offer-refusal")>
                    {move || format!("+ {}", t("new_offer", lang.get()))}
                </button>
            </div>
            <Refusal id="new-offer-refusal" refusal=create_refused />
            <div class="toolbar" role="search">
                <label class="toolbar-field">
                    <span>{tr("search", lang)}</span>
                    <input id="offer-search" type="search"
                        placeholder=tr("search_placeholder", lang)
                        prop:value=move || query.with(|q| q.search.clone())
                        on:input=move |ev| { let v = event_target_value(&ev); query.update(|q| { q.search = v; q.page = 0; }) } />
                </label>
                <label class="toolbar-field">
                    <span>{tr("filter_status", lang)}</span>
                    <select id="status-filter" on:change=move |ev| {
                        let v = StatusFilter::from_key(&event_target_value(&ev));
                        query.update(|q| { q.filter = v; q.page = 0; });
                    }>
                        {StatusFilter::ALL.into_iter().map(|f| view! {
                            <option value=f.key() selected=move || query.with(|q| q.filter == f)>{move || f.label(lang.get())}</option>
                        }).collect_view()}
                    </select>
                </label>
                <span class="toolbar-count" aria-live="polite">
                    {move || offer_count(rows.with(Vec::len), lang.get())}
                </span>
            </div>
            <Transition fallback=move || view! { <p class="muted">{t("loading", lang.get()).to_owned()}</p> }>
                {move || offers.get().map(|r| match r {
                    Err(e) => view! {
                        <div class="banner banner-error" role="alert">
                            <p>{e.describe(lang.get())}</p>
                            <button type="button" class="btn" on:click=move |_| offers.refetch()>{t("retry", lang.get()).to_owned()}</button>
                        </div>
                    }.into_any(),
                    Ok(_) => view! {
                        <table class="offers-table">
                            <thead><tr>
                                {header(SortKey::Name, "col_name")}
                                {header(SortKey::Id, "col_id")}
                                {header(SortKey::Status, "col_status")}
                                {header(SortKey::Changed, "col_changed")}
                            </tr></thead>
                            <tbody>
                                <For each=move || page_rows.get() key=|o: &OfferSummary| (o.id.clone(), o.changed_time, o.status_detail.label(portal_domain::Lang::En)) let:o>
                                    <OfferRow offer=o />
                                </For>
                            </tbody>
                        </table>
                        <Show when=move || rows.with(Vec::is_empty)>
                            <p class="empty">{move || if list.with(Vec::is_empty) { t("no_offers", lang.get()) } else { t("no_match", lang.get()) }.to_owned()}</p>
                        </Show>
                        <nav class="pager" aria-label="Pages">
                            <button type="button" class="btn btn-small" disabled=move || page() == 0
                                on:click=move |_| query.update(|q| q.page = q.page.saturating_sub(1))>{tr("prev", lang)}</button>
                            <span>{move || format!("{} {} / {}", t("page", lang.get()), page() + 1, pages())}</span>
                            <button type="button" class="btn btn-small" disabled=move || { page() + 1 >= pages() }
                                on:click=move |_| query.update(|q| q.page = (q.page + 1).min(OfferQuery::pages(rows.with(Vec::len)) - 1))>{tr("next", lang)}</button>
                        </nav>
                    }.into_any(),
                })}
            </Transition>
            <NewOffer open=new_open />
        </section>
    }
}

#[component]
fn OfferRow(offer: OfferSummary) -> impl IntoView {
    let lang = use_session().lang;
    let editor = AppRoute::editor(&offer.id).href();
    let status = AppRoute::status(&offer.id).href();
    let detail = offer.status_detail.clone();
    let state_class = format!("status-pill status-{}", detail.status.as_str());
    view! {
        <tr>
            <td><a class="offer-link" href=editor.clone()>{offer.definition.display_text.clone()}</a></td>
            <td><a class="mono" href=editor>{offer.id.clone()}</a></td>
            <td><a class=state_class href=status>{move || detail.label(lang.get())}</a></td>
            <td class="nowrap">{format_time(offer.changed_time)}</td>
        </tr>
    }
}

#[component]
fn NewOffer(open: RwSignal<bool>) -> impl IntoView {
    let api = use_api();
    let session = use_session();
    let lang = session.lang;
    let navigate = StoredValue::new_local(use_navigate());
    let (id, set_id) = signal(String::new());
    let (name, set_name) = signal(String::new());
    let (touched, set_touched) = signal(false);
    let (server_error, set_server_error) = signal(None::<String>);
    let (busy, set_busy) = signal(false);
    let id_error = move || {
        OfferId::parse(id.get().trim())
            .err()
            .map(|e| e.0.message(t("col_id", lang.get()), lang.get()))
    };
    let name_error = move || {
        name.get().trim().is_empty().then(|| {
            portal_domain::Problem::Required.message(t("offer_name", lang.get()), lang.get())
        })
    };
    let close = Callback::new(move |()| open.set(false));
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        set_touched.set(true);
        if id_error().is_some() || name_error().is_some() || busy.get() {
            return;
        }
        let offer_id = id.get().trim().to_owned();
        let doc = new_offer_document(&session.publisher.get(), &offer_id, name.get().trim());
        let navigate = navigate.get_value();
        set_busy.set(true);
        spawn_local(async move {
            match api.put_offer(&offer_id, &doc, IfMatch::None).await {
                Ok(_) => {
                    open.set(false);
                    navigate(&AppRoute::editor(&offer_id).href(), Default::default());
                }
                Err(e) => set_server_error.set(Some(e.describe(lang.get_untracked()))),
            }
            set_busy.set(false);
        });
    };
    view! {
        <Modal open=open title=tr_signal("new_offer", lang) on_close=close>
            <form on:submit=create novalidate>
                <div class="field" class:invalid=move || touched.get() && id_error().is_some()>
                    <label for="new-offer-id">{tr("col_id", lang)}<span class="required" aria-hidden="true">" *"</span></label>
                    <p class="help">{tr("offer_id_help", lang)}</p>
                    <input id="new-offer-id" type="text" autocomplete="off"
                        prop:value=move || id.get()
                        on:input=move |ev| { set_id.set(event_target_value(&ev)); set_touched.set(true); } />
                    <div class="field-messages" aria-live="polite">
                        {move || (touched.get()).then(id_error).flatten().map(|e| view! { <p class="field-error">{e}</p> })}
                    </div>
                </div>
                <div class="field" class:invalid=move || touched.get() && name_error().is_some()>
                    <label for="new-offer-name">{tr("offer_name", lang)}<span class="required" aria-hidden="true">" *"</span></label>
                    <input id="new-offer-name" type="text"
                        prop:value=move || name.get()
                        on:input=move |ev| set_name.set(event_target_value(&ev)) />
                    <div class="field-messages" aria-live="polite">
                        {move || (touched.get()).then(name_error).flatten().map(|e| view! { <p class="field-error">{e}</p> })}
                    </div>
                </div>
                {move || server_error.get().map(|e| view! { <p class="banner banner-error" role="alert">{e}</p> })}
                <div class="modal-actions">
                    <button type="button" class="btn" on:click=move |_| open.set(false)>{tr("cancel", lang)}</button>
                    <button type="submit" class="btn btn-primary" disabled=move || busy.get()>{tr("create", lang)}</button>
                </div>
            </form>
        </Modal>
    }
}
