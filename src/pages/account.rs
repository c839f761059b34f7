//! `/account`: the signed-in person's display name and language, their password, and their
//! browser sessions — this one marked — each of which can be ended, or all at once.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portal_domain::Lang;
use portal_domain::accounts::{ProfileChange, SessionInfo};

use crate::api::use_api;
use crate::components::dialog::Confirm;
use crate::components::form::{FormError, FormField, focus_first_problem};
use crate::i18n::{t, tr, tr_signal};
use crate::model::account::{browser_name, new_password_problems};
use crate::session::use_session;
use crate::web::format_time;

/// The Account page.
#[component]
pub fn Account() -> impl IntoView {
    let session = use_session();
    let lang = session.lang;
    let member = move || session.is_member() || session.is_reviewer();
    view! {
        <section class="account-page">
            <h1>{tr("account", lang)}</h1>
            <Show when=move || !member()>
                <p class="banner banner-info">{tr("no_memberships", lang)}</p>
            </Show>
            <Profile />
            <ChangePassword />
            <Sessions />
        </section>
    }
}

#[component]
fn Profile() -> impl IntoView {
    let session = use_session();
    let api = use_api();
    let lang = session.lang;
    let user = session.with_me(|m| m.and_then(|m| m.user.clone()));
    let email = user.as_ref().map(|u| u.email.clone()).unwrap_or_default();
    let name = RwSignal::new(
        user.as_ref()
            .map(|u| u.display_name.clone())
            .unwrap_or_default(),
    );
    let chosen = RwSignal::new(user.as_ref().map_or(lang.get_untracked(), |u| u.lang));
    let problems = RwSignal::new(Vec::new());
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let l = lang.get_untracked();
        let display_name = name.get_untracked().trim().to_owned();
        let chars = display_name.chars().count();
        let label = t("display_name", l);
        let found: Vec<_> = if chars == 0 {
            vec![(
                "account-name",
                portal_domain::Problem::Required.message(label, l),
            )]
        } else if chars > portal_domain::accounts::MAX_DISPLAY_NAME_CHARS {
            let max = portal_domain::accounts::MAX_DISPLAY_NAME_CHARS;
            let problem = portal_domain::Problem::TooLong { max, actual: chars };
            vec![("account-name", problem.message(label, l))]
        } else {
            Vec::new()
        };
        problems.set(found.clone());
        error.set(None);
        saved.set(false);
        if focus_first_problem(&found) {
            return;
        }
        let change = ProfileChange {
            display_name: Some(display_name),
            lang: Some(chosen.get_untracked()),
        };
        spawn_local(async move {
            match api.change_profile(&change).await {
                Ok(me) => {
                    session.update_me(me);
                    saved.try_set(true);
                }
                Err(e) => {
                    error.try_set(Some(e.form_message(lang.get_untracked())));
                }
            }
        });
    };
    view! {
        <section class="card account-card" aria-labelledby="profile-title">
            <h2 id="profile-title">{tr("profile", lang)}</h2>
            <p class="muted">{tr("signed_in_as", lang)} " " <span class="mono" id="account-email">{email}</span></p>
            <form on:submit=submit novalidate>
                <FormField id="account-name" label=tr_signal("display_name", lang) value=name problems=problems
                    autocomplete="name" required=true />
                <div class="field">
                    <label for="account-lang">{tr("language", lang)}</label>
                    <select id="account-lang" on:change=move |ev| {
                        chosen.set(if event_target_value(&ev) == "ko" { Lang::Ko } else { Lang::En });
                    }>
                        <option value="en" selected=move || chosen.get() == Lang::En>"English"</option>
                        <option value="ko" selected=move || chosen.get() == Lang::Ko>"한국어"</option>
                    </select>
                </div>
                <FormError id="profile-error" message=error />
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" id="profile-save">{tr("save", lang)}</button>
                    <span class="muted" role="status">{move || saved.get().then(|| t("profile_saved", lang.get()).to_owned())}</span>
                </div>
            </form>
        </section>
    }
}

#[component]
fn ChangePassword() -> impl IntoView {
    let session = use_session();
    let api = use_api();
    let lang = session.lang;
    let email = session
        .with_me(|m| m.and_then(|m| m.user.as_ref()).map(|u| u.email.clone()))
        .unwrap_or_default();
    let email = StoredValue::new(email);
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let problems = RwSignal::new(Vec::new());
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let l = lang.get_untracked();
        let mut found = Vec::new();
        if current.get_untracked().is_empty() {
            found.push(("pw-current", t("password_required", l).to_owned()));
        }
        found.extend(new_password_problems(
            ("pw-new", "pw-confirm"),
            &new.get_untracked(),
            &confirm.get_untracked(),
            &email.get_value(),
            l,
        ));
        problems.set(found.clone());
        error.set(None);
        done.set(false);
        if focus_first_problem(&found) {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let answer = api
                .change_password(&current.get_untracked(), &new.get_untracked())
                .await;
            busy.try_set(false);
            match answer {
                Ok(()) => {
                    for field in [current, new, confirm] {
                        field.try_set(String::new());
                    }
                    done.try_set(true);
                }
                Err(e) => {
                    let wrong_current = e.is_wrong_credentials();
                    error.try_set(Some(if wrong_current {
                        t("wrong_current_password", lang.get_untracked()).to_owned()
                    } else {
                        e.form_message(lang.get_untracked())
                    }));
                    crate::web::focus_after_render(
                        if wrong_current {
                            "pw-current"
                        } else {
                            "pw-new"
                        }
                        .to_owned(),
                    );
                }
            }
        });
    };
    view! {
        <section class="card account-card" aria-labelledby="password-title">
            <h2 id="password-title">{tr("change_password", lang)}</h2>
            <form on:submit=submit novalidate>
                <FormField id="pw-current" label=tr_signal("current_password", lang) value=current problems=problems
                    kind="password" autocomplete="current-password" required=true />
                <FormField id="pw-new" label=tr_signal("new_password", lang) value=new problems=problems
                    kind="password" autocomplete="new-password" required=true help=tr_signal("password_rules", lang) />
                <FormField id="pw-confirm" label=tr_signal("confirm_password", lang) value=confirm problems=problems
                    kind="password" autocomplete="new-password" required=true />
                <FormError id="password-error" message=error />
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" id="password-save" disabled=move || busy.get()>
                        {tr("change_password", lang)}
                    </button>
                    <span class="muted" role="status">{move || done.get().then(|| t("password_changed", lang.get()).to_owned())}</span>
                </div>
            </form>
        </section>
    }
}

#[component]
fn Sessions() -> impl IntoView {
    let session = use_session();
    let api = use_api();
    let lang = session.lang;
    let list = LocalResource::new(move || async move { api.sessions().await });
    let error = RwSignal::new(None::<String>);
    let all_open = RwSignal::new(false);
    let end = move |info: SessionInfo| {
        error.set(None);
        spawn_local(async move {
            match api.end_session(&info.id).await {
                // Ending this browser's session is signing out.
                Ok(()) if info.current => session.signed_out(),
                Ok(()) => list.refetch(),
                Err(e) => {
                    error.try_set(Some(e.describe(lang.get_untracked())));
                }
            }
        });
    };
    let end = StoredValue::new(end);
    let end_all = Callback::new(move |()| {
        spawn_local(async move {
            match api.end_all_sessions().await {
                Ok(()) => session.signed_out(),
                Err(e) => {
                    error.try_set(Some(e.describe(lang.get_untracked())));
                }
            }
        });
    });
    view! {
        <section class="card account-card" aria-labelledby="sessions-title">
            <div class="section-title-row">
                <h2 id="sessions-title">{tr("sessions", lang)}</h2>
                <button type="button" class="btn btn-danger-quiet" id="sign-out-everywhere" on:click=move |_| all_open.set(true)>
                    {tr("sign_out_everywhere", lang)}
                </button>
            </div>
            <p class="muted">{tr("sessions_help", lang)}</p>
            {move || error.get().map(|e| view! { <p class="banner banner-error" role="alert">{e}</p> })}
            <Transition fallback=move || view! { <p class="muted">{t("loading", lang.get()).to_owned()}</p> }>
                {move || list.get().map(|r| match r {
                    Err(e) => view! { <p class="banner banner-error" role="alert">{e.describe(lang.get())}</p> }.into_any(),
                    Ok(items) => view! {
                        <table class="data-table sessions-table">
                            <thead><tr>
                                <th scope="col">{tr("session_browser", lang)}</th>
                                <th scope="col">{tr("address", lang)}</th>
                                <th scope="col">{tr("session_started", lang)}</th>
                                <th scope="col">{tr("last_seen", lang)}</th>
                                <th scope="col">{tr("expires", lang)}</th>
                                <th scope="col"><span class="visually-hidden">{tr("actions", lang)}</span></th>
                            </tr></thead>
                            <tbody>
                                {items.into_iter().map(|info| {
                                    let current = info.current;
                                    let row = info.clone();
                                    view! {
                                        <tr class:current-session=current>
                                            <td>
                                                <span class="user-agent" title=info.user_agent.clone()>{browser_name(&info.user_agent)}</span>
                                                {current.then(|| view! { " " <span class="badge badge-info">{tr("this_session", lang)}</span> })}
                                            </td>
                                            <td class="mono">{info.address.clone()}</td>
                                            <td class="nowrap">{format_time(info.created_at)}</td>
                                            <td class="nowrap">{format_time(info.last_seen_at)}</td>
                                            <td class="nowrap">{format_time(info.expires_at)}</td>
                                            <td>
                                                <button type="button" class="btn btn-small" on:click=move |_| end.with_value(|f| f(row.clone()))>
                                                    {move || t(if current { "sign_out" } else { "end_session" }, lang.get()).to_owned()}
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
            <Confirm open=all_open title=tr_signal("sign_out_everywhere", lang)
                body=tr_signal("sign_out_everywhere_confirm", lang)
                confirm_label=tr_signal("sign_out_everywhere", lang)
                cancel_label=tr_signal("cancel", lang)
                on_confirm=end_all danger=true />
        </section>
    }
}
