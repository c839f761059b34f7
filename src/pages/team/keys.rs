//! The Team page's API keys (owners only), for CI pipelines: each key's role, the offers it
//! is limited to, who created it, when it was last used and when it expires; revoking; and
//! creating one, whose secret is shown this once.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portal_domain::accounts::{ApiKey, CreatedApiKey, Role};

use crate::api::use_api;
use crate::components::dialog::Confirm;
use crate::components::form::{FormError, FormField, OneTimeValue, focus_first_problem};
use crate::i18n::{t, tr, tr_signal};
use crate::model::account::{key_roles, problem_of};
use crate::model::team::{KeyForm, today_utc};
use crate::session::use_session;
use crate::web::format_time;

/// The API keys section.
#[component]
pub fn ApiKeys() -> impl IntoView {
    let session = use_session();
    let api = use_api();
    let lang = session.lang;
    let list = LocalResource::new(move || {
        session.publisher.track();
        async move { api.api_keys().await }
    });
    let error = RwSignal::new(None::<String>);
    let created = RwSignal::new(None::<CreatedApiKey>);
    let revoking = RwSignal::new(None::<ApiKey>);
    let confirm_open = RwSignal::new(false);
    let revoke = Callback::new(move |()| {
        let Some(key) = revoking.get_untracked() else {
            return;
        };
        spawn_local(async move {
            match api.revoke_api_key(&key.id).await {
                Ok(()) => error.set(None),
                Err(e) => error.set(Some(e.describe(lang.get_untracked()))),
            }
            list.refetch();
        });
    });
    let revoke_question = Signal::derive(move || {
        let l = lang.get();
        revoking.with(|k| {
            k.as_ref().map_or_else(String::new, |k| {
                t("revoke_key_confirm", l).replace("{name}", &k.name)
            })
        })
    });
    let on_created = Callback::new(move |c: CreatedApiKey| {
        created.set(Some(c));
        list.refetch();
    });
    view! {
        <section class="card team-card" aria-labelledby="keys-title">
            <h2 id="keys-title">{tr("api_keys", lang)}</h2>
            <p class="muted">{tr("api_keys_help", lang)}</p>
            {move || error.get().map(|e| view! { <p class="banner banner-error" role="alert">{e}</p> })}
            <Transition fallback=move || view! { <p class="muted">{t("loading", lang.get()).to_owned()}</p> }>
                {move || list.get().map(|r| match r {
                    Err(e) => view! { <p class="banner banner-error" role="alert">{e.describe(lang.get())}</p> }.into_any(),
                    Ok(keys) if keys.is_empty() => view! { <p class="muted">{tr("no_keys", lang)}</p> }.into_any(),
                    Ok(keys) => view! {
                        <table class="data-table keys-table">
                            <thead><tr>
                                <th scope="col">{tr("key_name", lang)}</th>
                                <th scope="col">{tr("role", lang)}</th>
                                <th scope="col">{tr("key_offers", lang)}</th>
                                <th scope="col">{tr("created_by", lang)}</th>
                                <th scope="col">{tr("last_used", lang)}</th>
                                <th scope="col">{tr("expires", lang)}</th>
                                <th scope="col"><span class="visually-hidden">{tr("actions", lang)}</span></th>
                            </tr></thead>
                            <tbody>
                                {keys.into_iter().map(|k| {
                                    let role = k.role;
                                    let offers = k.offers.join(", ");
                                    let key = StoredValue::new(k.clone());
                                    view! {
                                        <tr data-key=k.name.clone()>
                                            <td>{k.name.clone()}</td>
                                            <td>{move || role.label(lang.get())}</td>
                                            <td>{move || if offers.is_empty() { t("all_offers_scope", lang.get()).to_owned() } else { offers.clone() }}</td>
                                            <td>{k.created_by.clone()}<div class="muted small">{format_time(k.created_at)}</div></td>
                                            <td class="nowrap">{move || k.last_used_at.map_or_else(|| t("never", lang.get()).to_owned(), format_time)}</td>
                                            <td class="nowrap">{move || k.expires_at.map_or_else(|| t("never", lang.get()).to_owned(), format_time)}</td>
                                            <td>
                                                <button type="button" class="btn btn-small btn-danger-quiet revoke-key"
                                                    on:click=move |_| { revoking.set(Some(key.get_value())); confirm_open.set(true); }>
                                                    {tr("revoke", lang)}
                                                </button>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                })}
            </Transition>
            {move || created.get().map(|c| view! {
                <div class="banner banner-warn one-time-banner" id="key-created" role="status">
                    <div>
                        <p>{move || t("key_created", lang.get()).replace("{name}", &c.key.name)}</p>
                        <OneTimeValue id="key-secret" label=tr_signal("key_secret", lang) value=c.secret.clone() />
                    </div>
                    <button type="button" class="btn btn-quiet" on:click=move |_| created.set(None)>{tr("close", lang)}</button>
                </div>
            })}
            <KeyFormView on_created=on_created />
            <Confirm open=confirm_open title=tr_signal("revoke_key", lang)
                body=revoke_question
                confirm_label=tr_signal("revoke", lang)
                cancel_label=tr_signal("cancel", lang)
                on_confirm=revoke danger=true />
        </section>
    }
}

#[component]
fn KeyFormView(on_created: Callback<CreatedApiKey>) -> impl IntoView {
    let session = use_session();
    let api = use_api();
    let lang = session.lang;
    let own = Memo::new(move |_| session.role().unwrap_or(Role::Viewer));
    let offers = LocalResource::new(move || {
        session.publisher.track();
        async move { api.list_offers().await }
    });
    let form = RwSignal::new(KeyForm::default());
    let name = RwSignal::new(String::new());
    let expires = RwSignal::new(String::new());
    let problems = RwSignal::new(Vec::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let typed = KeyForm {
            name: name.get_untracked(),
            expires: expires.get_untracked(),
            ..form.get_untracked()
        };
        let today = today_utc(crate::web::now_ms());
        error.set(None);
        let request = match typed.build(own.get_untracked(), today, lang.get_untracked()) {
            Ok(r) => {
                problems.set(Vec::new());
                r
            }
            Err(found) => {
                focus_first_problem(&found);
                problems.set(found);
                return;
            }
        };
        busy.set(true);
        spawn_local(async move {
            let answer = api.create_api_key(&request).await;
            busy.try_set(false);
            match answer {
                Ok(created) => {
                    name.try_set(String::new());
                    expires.try_set(String::new());
                    form.try_set(KeyForm::default());
                    on_created.run(created);
                }
                Err(e) => {
                    error.try_set(Some(e.form_message(lang.get_untracked())));
                }
            }
        });
    };
    let role_error = Memo::new(move |_| problems.with(|p| problem_of(p, "key-role")));
    view! {
        <form class="inline-form" id="key-form" on:submit=submit novalidate aria-labelledby="key-form-title">
            <h3 id="key-form-title">{tr("create_key", lang)}</h3>
            <FormField id="key-name" label=tr_signal("key_name", lang) value=name problems=problems required=true />
            <div class="field" class:invalid=move || role_error.with(Option::is_some)>
                <label for="key-role">{tr("role", lang)}</label>
                <p class="help" id="key-role-help">{tr("key_role_help", lang)}</p>
                <select id="key-role" aria-describedby="key-role-help" on:change=move |ev| {
                    if let Some(r) = Role::parse(&event_target_value(&ev)) {
                        form.update(|f| f.role = r);
                    }
                }>
                    {move || key_roles(own.get()).into_iter().rev().map(|r| view! {
                        <option value=r.as_str() selected=move || form.with(|f| f.role == r)>{move || r.label(lang.get())}</option>
                    }).collect_view()}
                </select>
                <div class="field-messages" aria-live="polite">
                    {move || role_error.get().map(|m| view! { <p class="field-error">{m}</p> })}
                </div>
            </div>
            <FormField id="key-expires" label=tr_signal("key_expires", lang) value=expires problems=problems
                kind="date" help=tr_signal("key_expires_help", lang) />
            <fieldset class="field plain key-offers">
                <legend>{tr("key_offers_limit", lang)}</legend>
                <p class="help">{tr("key_offers_help", lang)}</p>
                <Transition fallback=move || view! { <p class="muted">{t("loading", lang.get()).to_owned()}</p> }>
                    {move || offers.get().map(|r| match r {
                        Err(e) => view! { <p class="field-error">{e.describe(lang.get())}</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="check-list">
                                {list.into_iter().map(|o| {
                                    let id = o.id.clone();
                                    let checked = id.clone();
                                    let input_id = format!("key-offer-{}", o.id);
                                    view! {
                                        <li>
                                            <label class="inline-check">
                                                <input type="checkbox" id=input_id value=o.id.clone()
                                                    prop:checked=move || form.with(|f| f.offers.contains(&checked))
                                                    on:change=move |ev| {
                                                        let on = event_target_checked(&ev);
                                                        form.update(|f| f.toggle_offer(&id, on));
                                                    } />
                                                {o.definition.display_text.clone()} " " <span class="muted mono small">{o.id.clone()}</span>
                                            </label>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    })}
                </Transition>
            </fieldset>
            <FormError id="key-error" message=error />
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" id="key-submit" disabled=move || busy.get()>
                    {tr("create_key", lang)}
                </button>
            </div>
        </form>
    }
}
