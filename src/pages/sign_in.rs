//! `/signin`: sign in with an access token. The server says whose token it is (`GET /api/me`):
//! a publisher goes to All Offers, a reviewer to the previews. A server without that endpoint
//! (404) is signed in to with the publisher id typed here, as before.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use portal_domain::api::PrincipalKind;
use portal_domain::ids::PublisherId;

use crate::api::use_api;
use crate::i18n::{t, tr};
use crate::routes::AppRoute;
use crate::session::use_session;

/// The sign-in page.
#[component]
pub fn SignIn() -> impl IntoView {
    let session = use_session();
    let api = use_api();
    let lang = session.lang;
    let (token, set_token) = signal(String::new());
    let (publisher, set_publisher) = signal(session.publisher.get_untracked());
    let (error, set_error) = signal(None::<String>);
    let (busy, set_busy) = signal(false);
    let navigate = StoredValue::new_local(use_navigate());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let tok = token.get().trim().to_owned();
        if tok.is_empty() {
            set_error.set(Some(t("token_required", lang.get()).to_owned()));
            return;
        }
        if busy.get() {
            return;
        }
        let typed = publisher.get().trim().to_owned();
        set_busy.set(true);
        set_error.set(None);
        spawn_local(async move {
            let l = lang.get_untracked();
            let to = match api.me(&tok).await {
                Ok(Some(me)) => match (me.kind, me.publisher_id) {
                    (PrincipalKind::Reviewer, _) => {
                        session.sign_in_reviewer(&tok);
                        Ok(AppRoute::Reviewer)
                    }
                    (PrincipalKind::Publisher, Some(p)) => {
                        session.sign_in(&tok, &p);
                        Ok(AppRoute::Offers)
                    }
                    (PrincipalKind::Publisher, None) => Err(t("err_decode", l).to_owned()),
                },
                // A server without `/api/me`: the typed publisher id, checked as before.
                Ok(None) => match PublisherId::parse(&typed) {
                    Ok(_) => {
                        session.sign_in(&tok, &typed);
                        Ok(AppRoute::Offers)
                    }
                    Err(e) => Err(e.0.message(t("publisher", l), l)),
                },
                Err(e) => Err(e.describe(l)),
            };
            set_busy.try_set(false);
            match to {
                Ok(route) => navigate.with_value(|n| n(&route.href(), Default::default())),
                Err(message) => {
                    set_error.try_set(Some(message));
                }
            }
        });
    };
    view! {
        <section class="signin card">
            <h1>{tr("sign_in_title", lang)}</h1>
            <p class="muted">{tr("sign_in_help", lang)}</p>
            <form on:submit=submit novalidate>
                <div class="field">
                    <label for="token">{tr("token", lang)}</label>
                    <input id="token" type="password" autocomplete="off" required
                        prop:value=move || token.get()
                        on:input=move |ev| set_token.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="publisher">{tr("publisher_optional", lang)}</label>
                    <p class="help" id="publisher-help">{tr("publisher_help", lang)}</p>
                    <input id="publisher" type="text" aria-describedby="publisher-help"
                        prop:value=move || publisher.get()
                        on:input=move |ev| set_publisher.set(event_target_value(&ev)) />
                </div>
                {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                <button type="submit" class="btn btn-primary" disabled=move || busy.get()>{tr("sign_in", lang)}</button>
            </form>
            <p class="signin-catalogue"><a href=AppRoute::Catalogue.href()>{tr("browse_catalogue", lang)}</a></p>
        </section>
    }
}
