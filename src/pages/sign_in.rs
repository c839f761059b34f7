//! `/signin`: sign in with e-mail and password (publishers' members and reviewers alike), and
//! "Forgot password?", which e-mails a link to set a new one. Once signed in — or when the
//! browser already is — a member goes on to where they were going or All Offers, a reviewer
//! to their previews.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api::use_api;
use crate::components::form::{FormError, FormField, focus_first_problem};
use crate::i18n::{t, tr, tr_signal};
use crate::model::account::{email_problem, landing, sign_in_problems};
use crate::routes::AppRoute;
use crate::session::use_session;

/// Which part of the page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    SignIn,
    Forgot,
    ResetSent,
}

/// The sign-in page.
#[component]
pub fn SignIn() -> impl IntoView {
    let session = use_session();
    let lang = session.lang;
    let navigate = StoredValue::new_local(use_navigate());
    let next = use_query_map().with_untracked(|q| q.get("next"));
    // Signed in here, or already: go on.
    Effect::new(move |_| {
        let to = session.with_me(|me| me.map(|me| landing(me, next.as_deref())));
        if let Some(to) = to {
            navigate.with_value(|n| n(&to, Default::default()));
        }
    });
    let mode = RwSignal::new(Mode::SignIn);
    let email = RwSignal::new(String::new());
    view! {
        <section class="signin card">
            {move || match mode.get() {
                Mode::SignIn => view! { <SignInForm email=email mode=mode /> }.into_any(),
                Mode::Forgot => view! { <ForgotForm email=email mode=mode /> }.into_any(),
                Mode::ResetSent => view! {
                    <h1>{tr("reset_sent_title", lang)}</h1>
                    <p role="status" id="reset-sent">
                        {move || t("reset_sent", lang.get()).replace("{email}", email.get().trim())}
                    </p>
                    <button type="button" class="btn" on:click=move |_| mode.set(Mode::SignIn)>
                        {tr("back_to_sign_in", lang)}
                    </button>
                }.into_any(),
            }}
            <p class="signin-catalogue"><a href=AppRoute::Catalogue.href()>{tr("browse_catalogue", lang)}</a></p>
        </section>
    }
}

#[component]
fn SignInForm(email: RwSignal<String>, mode: RwSignal<Mode>) -> impl IntoView {
    let session = use_session();
    let api = use_api();
    let lang = session.lang;
    let password = RwSignal::new(String::new());
    let problems = RwSignal::new(Vec::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let found = sign_in_problems(
            &email.get_untracked(),
            &password.get_untracked(),
            lang.get_untracked(),
        );
        error.set(None);
        problems.set(found.clone());
        if focus_first_problem(&found) {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let answer = api
                .sign_in(&email.get_untracked(), &password.get_untracked())
                .await;
            busy.try_set(false);
            match answer {
                // The page's effect takes it from here.
                Ok(me) => session.signed_in(me),
                Err(e) => {
                    error.try_set(Some(e.form_message(lang.get_untracked())));
                    crate::web::focus_after_render("signin-password".to_owned());
                }
            }
        });
    };
    view! {
        <h1>{tr("sign_in_title", lang)}</h1>
        <p class="muted">{tr("sign_in_help", lang)}</p>
        <form on:submit=submit novalidate aria-describedby="signin-error">
            <FormField id="signin-email" label=tr_signal("email", lang) value=email problems=problems
                kind="email" autocomplete="username" required=true />
            <FormField id="signin-password" label=tr_signal("password", lang) value=password problems=problems
                kind="password" autocomplete="current-password" required=true />
            <FormError id="signin-error" message=error />
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled=move || busy.get()>
                    {move || t(if busy.get() { "signing_in" } else { "sign_in" }, lang.get()).to_owned()}
                </button>
                <button type="button" class="btn btn-link" id="forgot-password" on:click=move |_| mode.set(Mode::Forgot)>
                    {tr("forgot_password", lang)}
                </button>
            </div>
        </form>
    }
}

#[component]
fn ForgotForm(email: RwSignal<String>, mode: RwSignal<Mode>) -> impl IntoView {
    let api = use_api();
    let lang = use_session().lang;
    let problems = RwSignal::new(Vec::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let found: Vec<_> = email_problem(&email.get_untracked(), lang.get_untracked())
            .map(|p| ("reset-email", p))
            .into_iter()
            .collect();
        error.set(None);
        problems.set(found.clone());
        if focus_first_problem(&found) {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let answer = api.request_password_reset(&email.get_untracked()).await;
            busy.try_set(false);
            match answer {
                Ok(()) => {
                    mode.try_set(Mode::ResetSent);
                }
                Err(e) => {
                    error.try_set(Some(e.form_message(lang.get_untracked())));
                }
            }
        });
    };
    view! {
        <h1>{tr("forgot_title", lang)}</h1>
        <p class="muted">{tr("forgot_help", lang)}</p>
        <form on:submit=submit novalidate>
            <FormField id="reset-email" label=tr_signal("email", lang) value=email problems=problems
                kind="email" autocomplete="username" required=true />
            <FormError id="reset-error" message=error />
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled=move || busy.get()>{tr("send_reset", lang)}</button>
                <button type="button" class="btn btn-link" on:click=move |_| mode.set(Mode::SignIn)>{tr("back_to_sign_in", lang)}</button>
            </div>
        </form>
    }
}
