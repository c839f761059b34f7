//! `/set-password#token=…`: sets a password with a one-time link — the operator's `user
//! create` or a reset mail. The token is read from the fragment, which browsers never send
//! to a server, goes only into the request's body, and leaves the address bar once used.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::use_api;
use crate::components::form::{FormError, FormField, focus_first_problem};
use crate::i18n::{tr, tr_signal};
use crate::model::account::{fragment_token, new_password_problems};
use crate::routes::AppRoute;
use crate::session::use_session;

#[derive(Debug, Clone, PartialEq)]
enum Stage {
    Form,
    Done,
    /// Expired or already used: ask for a new link.
    Dead(String),
}

/// The set-password page.
#[component]
pub fn SetPassword() -> impl IntoView {
    let api = use_api();
    let lang = use_session().lang;
    let token = StoredValue::new(fragment_token(&crate::web::location_hash()));
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let problems = RwSignal::new(Vec::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let stage = RwSignal::new(Stage::Form);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(token) = token.get_value() else {
            return;
        };
        if busy.get_untracked() {
            return;
        }
        let found = new_password_problems(
            ("sp-password", "sp-confirm"),
            &password.get_untracked(),
            &confirm.get_untracked(),
            "",
            lang.get_untracked(),
        );
        problems.set(found.clone());
        error.set(None);
        if focus_first_problem(&found) {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let answer = api.set_password(&token, &password.get_untracked()).await;
            busy.try_set(false);
            match answer {
                Ok(()) => {
                    crate::web::drop_fragment();
                    stage.try_set(Stage::Done);
                }
                Err(e) if e.status == 410 => {
                    crate::web::drop_fragment();
                    stage.try_set(Stage::Dead(e.form_message(lang.get_untracked())));
                }
                Err(e) => {
                    error.try_set(Some(e.form_message(lang.get_untracked())));
                    crate::web::focus_after_render("sp-password".to_owned());
                }
            }
        });
    };
    let sign_in = AppRoute::SignIn { next: None }.href();
    view! {
        <section class="signin card">
            <h1>{tr("set_password_title", lang)}</h1>
            {move || match (token.get_value(), stage.get()) {
                (None, _) => view! {
                    <p class="banner banner-warn" role="alert">{tr("link_incomplete", lang)}</p>
                    <a href=sign_in.clone()>{tr("back_to_sign_in", lang)}</a>
                }.into_any(),
                (Some(_), Stage::Done) => view! {
                    <p class="banner banner-info" role="status" id="password-set">{tr("password_set", lang)}</p>
                    <a class="btn btn-primary" href=sign_in.clone()>{tr("sign_in", lang)}</a>
                }.into_any(),
                (Some(_), Stage::Dead(message)) => view! {
                    <p class="banner banner-error" role="alert">{message}</p>
                    <p>{tr("ask_new_link", lang)}</p>
                    <a href=sign_in.clone()>{tr("back_to_sign_in", lang)}</a>
                }.into_any(),
                (Some(_), Stage::Form) => view! {
                    <p class="muted">{tr("set_password_help", lang)}</p>
                    <form on:submit=submit novalidate>
                        <FormField id="sp-password" label=tr_signal("new_password", lang) value=password problems=problems
                            kind="password" autocomplete="new-password" required=true help=tr_signal("password_rules", lang) />
                        <FormField id="sp-confirm" label=tr_signal("confirm_password", lang) value=confirm problems=problems
                            kind="password" autocomplete="new-password" required=true />
                        <FormError id="sp-error" message=error />
                        <div class="form-actions">
                            <button type="submit" class="btn btn-primary" id="sp-submit" disabled=move || busy.get()>
                                {tr("set_password", lang)}
                            </button>
                        </div>
                    </form>
                }.into_any(),
            }}
        </section>
    }
}
