//! `/history`: the current publisher's record of who did what, newest first — time, actor,
//! action, target, address, and for an edit or a role change the values before and after —
//! filtered by actor, offer, action and dates, paged with "Load more", and for an owner
//! exported as CSV with the same filters.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;
use portal_domain::accounts::{AuditEntry, Permission};

use crate::api::use_api;
use crate::i18n::{t, tr};
use crate::model::history::{AuditList, AuditQuery, KNOWN_ACTIONS, changes, target_offer};
use crate::routes::AppRoute;
use crate::session::use_session;
use crate::web::format_time;

/// Where the list stands.
#[derive(Debug, Clone, PartialEq)]
enum Load {
    Loading,
    Failed(String),
    Ready,
}

/// The History page.
#[component]
pub fn History() -> impl IntoView {
    let session = use_session();
    let api = use_api();
    let lang = session.lang;
    let initial = AuditQuery {
        offer: use_query_map().with_untracked(|q| q.get("offer").unwrap_or_default()),
        ..AuditQuery::default()
    };
    // What the form shows, and what the list was loaded with (Apply copies one to the other).
    let draft = RwSignal::new(initial.clone());
    let applied = RwSignal::new(initial);
    let list = RwSignal::new(AuditList::default());
    let load = RwSignal::new(Load::Loading);
    let more_busy = RwSignal::new(false);
    // Which request's answer is awaited: a newer query's answer wins over an older one's.
    let generation = StoredValue::new(0u32);
    // The first page, again whenever the filters or the publisher change.
    Effect::new(move |_| {
        session.publisher.track();
        let query = applied.get();
        load.set(Load::Loading);
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        spawn_local(async move {
            let answer = api.audit(&query, None).await;
            if generation.try_get_value() != Some(mine) {
                return;
            }
            match answer {
                Ok(page) => {
                    list.set(AuditList::first(page));
                    load.set(Load::Ready);
                }
                Err(e) => load.set(Load::Failed(e.describe(lang.get_untracked()))),
            }
        });
    });
    let load_more = move |_| {
        let Some(cursor) = list.with_untracked(|l| l.next_cursor.clone()) else {
            return;
        };
        let query = applied.get_untracked();
        more_busy.set(true);
        spawn_local(async move {
            let answer = api.audit(&query, Some(&cursor)).await;
            more_busy.try_set(false);
            match answer {
                Ok(page) => {
                    list.try_update(|l| l.append(page));
                }
                Err(e) => {
                    load.try_set(Load::Failed(e.describe(lang.get_untracked())));
                }
            }
        });
    };
    let can_export = Memo::new(move |_| session.can(Permission::ManageTeam));
    let csv = move || {
        session.publisher.track();
        applied.with(|q| api.audit_csv_url(q))
    };
    view! {
        <section class="history-page">
            <div class="page-title-row">
                <h1>{tr("history_title", lang)}</h1>
                <Show when=move || can_export.get()>
                    <a class="btn" id="audit-csv" href=csv download="audit.csv">{tr("export_csv", lang)}</a>
                </Show>
            </div>
            <Filters draft=draft applied=applied />
            {move || match load.get() {
                Load::Loading => view! { <p class="muted">{t("loading", lang.get()).to_owned()}</p> }.into_any(),
                Load::Failed(message) => view! {
                    <div class="banner banner-error" role="alert"><p>{message}</p></div>
                }.into_any(),
                Load::Ready if list.with(|l| l.entries.is_empty()) => view! {
                    <p class="empty" id="no-entries">{tr("no_entries", lang)}</p>
                }.into_any(),
                Load::Ready => view! {
                    <table class="data-table audit-table">
                        <thead><tr>
                            <th scope="col">{tr("when", lang)}</th>
                            <th scope="col">{tr("actor", lang)}</th>
                            <th scope="col">{tr("action", lang)}</th>
                            <th scope="col">{tr("target", lang)}</th>
                            <th scope="col">{tr("address", lang)}</th>
                            <th scope="col">{tr("changes", lang)}</th>
                        </tr></thead>
                        <tbody>
                            <For each=move || list.get().entries key=|e| e.seq let:entry>
                                <EntryRow entry=entry />
                            </For>
                        </tbody>
                    </table>
                }.into_any(),
            }}
            <Show when=move || list.with(|l| l.next_cursor.is_some()) && load.get() == Load::Ready>
                <div class="pager">
                    <button type="button" class="btn" id="load-more" on:click=load_more disabled=move || more_busy.get()>
                        {tr("load_more", lang)}
                    </button>
                </div>
            </Show>
        </section>
    }
}

#[component]
fn Filters(draft: RwSignal<AuditQuery>, applied: RwSignal<AuditQuery>) -> impl IntoView {
    let session = use_session();
    let api = use_api();
    let lang = session.lang;
    let members = LocalResource::new(move || {
        session.publisher.track();
        async move { api.members().await.unwrap_or_default() }
    });
    let offers = LocalResource::new(move || {
        session.publisher.track();
        async move { api.list_offers().await.unwrap_or_default() }
    });
    let problem = Memo::new(move |_| draft.with(|q| q.problem(lang.get())));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if problem.with_untracked(Option::is_none) {
            applied.set(draft.get_untracked());
        }
    };
    let clear = move |_| {
        draft.set(AuditQuery::default());
        applied.set(AuditQuery::default());
    };
    let text = move |f: fn(&mut AuditQuery) -> &mut String| {
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            draft.update(|q| *f(q) = v);
        }
    };
    view! {
        <form class="toolbar audit-filters" role="search" on:submit=submit novalidate>
            <label class="toolbar-field">
                <span>{tr("actor", lang)}</span>
                <select id="filter-actor" on:change=text(|q| &mut q.actor)>
                    <option value="" selected=move || draft.with(|q| q.actor.is_empty())>{tr("anyone", lang)}</option>
                    {move || members.get().map(|list| list.into_iter().map(|m| {
                            let id = m.user_id.clone();
                            view! {
                                <option value=m.user_id.clone() selected=move || draft.with(|q| q.actor == id)>
                                    {format!("{} ({})", m.display_name, m.email)}
                                </option>
                            }
                        }).collect_view())}
                </select>
            </label>
            <label class="toolbar-field">
                <span>{tr("offer", lang)}</span>
                <select id="filter-offer" on:change=text(|q| &mut q.offer)>
                    <option value="" selected=move || draft.with(|q| q.offer.is_empty())>{tr("any_offer", lang)}</option>
                    {move || offers.get().map(|list| list.into_iter().map(|o| {
                            let id = o.id.clone();
                            view! {
                                <option value=o.id.clone() selected=move || draft.with(|q| q.offer == id)>{o.id.clone()}</option>
                            }
                        }).collect_view())}
                </select>
            </label>
            <label class="toolbar-field">
                <span>{tr("action", lang)}</span>
                <input id="filter-action" type="text" list="known-actions" autocomplete="off"
                    placeholder=tr("any_action", lang)
                    prop:value=move || draft.with(|q| q.action.clone())
                    on:input=text(|q| &mut q.action) />
                <datalist id="known-actions">
                    {KNOWN_ACTIONS.iter().map(|a| view! { <option value=*a></option> }).collect_view()}
                </datalist>
            </label>
            <label class="toolbar-field">
                <span>{tr("from_date", lang)}</span>
                <input id="filter-from" type="date" prop:value=move || draft.with(|q| q.from.clone())
                    on:input=text(|q| &mut q.from) aria-describedby="filter-problem" />
            </label>
            <label class="toolbar-field">
                <span>{tr("to_date", lang)}</span>
                <input id="filter-to" type="date" prop:value=move || draft.with(|q| q.to.clone())
                    on:input=text(|q| &mut q.to) aria-describedby="filter-problem" />
            </label>
            <div class="toolbar-actions">
                <button type="submit" class="btn btn-primary" id="filter-apply" disabled=move || problem.with(Option::is_some)>
                    {tr("apply_filters", lang)}
                </button>
                <button type="button" class="btn" on:click=clear>{tr("clear_filters", lang)}</button>
            </div>
            <div id="filter-problem" class="field-messages toolbar-problem" aria-live="polite">
                {move || problem.get().map(|m| view! { <p class="field-error">{m}</p> })}
            </div>
        </form>
    }
}

#[component]
fn EntryRow(entry: AuditEntry) -> impl IntoView {
    let lang = use_session().lang;
    let diff = changes(entry.before.as_ref(), entry.after.as_ref());
    let target = match target_offer(&entry.target) {
        Some(offer) => view! {
            <a class="mono" href=AppRoute::status(offer).href()>{entry.target.clone()}</a>
        }
        .into_any(),
        None => view! { <span class="mono">{entry.target.clone()}</span> }.into_any(),
    };
    let count = diff.len();
    view! {
        <tr data-seq=entry.seq.to_string() data-action=entry.action.clone()>
            <td class="nowrap">{format_time(entry.at)}</td>
            <td class="audit-actor">
                {entry.actor.name.clone()}
                {(entry.actor.kind != "user").then(|| view! { " " <span class="badge badge-quiet">{entry.actor.kind.clone()}</span> })}
            </td>
            <td class="mono">{entry.action.clone()}</td>
            <td>{target}</td>
            <td class="mono">{entry.address.clone()}</td>
            <td>
                {(count > 0).then(|| view! {
                    <details class="audit-diff">
                        <summary>{move || format!("{count} {}", t("changed_values", lang.get()))}</summary>
                        <table class="diff-table">
                            <thead><tr>
                                <th scope="col">{tr("field", lang)}</th>
                                <th scope="col">{tr("before", lang)}</th>
                                <th scope="col">{tr("after", lang)}</th>
                            </tr></thead>
                            <tbody>
                                {diff.into_iter().map(|c| view! {
                                    <tr>
                                        <td class="mono">{if c.path.is_empty() { "—".to_owned() } else { c.path }}</td>
                                        <td class="diff-before">{c.before.unwrap_or_default()}</td>
                                        <td class="diff-after">{c.after.unwrap_or_default()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </details>
                })}
            </td>
        </tr>
    }
}
