//! `/signin`: sign in with an access token and a publisher id.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use portal_domain::ids::PublisherId;

use crate::i18n::t;
use crate::routes::AppRoute;
use crate::session::use_session;

/// The sign-in page.
#[component]
pub fn SignIn() -> impl IntoView {
    let session = use_session();
    let lang = session.lang;
    let (token, set_token) = signal(String::new());
    let (publisher, set_publisher) = signal(session.publisher.get_untracked());
    let (error, set_error) = signal(None::<String>);
    let navigate = use_navigate();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let tok = token.get().trim().to_owned();
        if tok.is_empty() {
            set_error.set(Some(t("token_required", lang.get()).to_owned()));
            return;
        }
        let pubr = publisher.get().trim().to_owned();
        if let Err(e) = PublisherId::parse(&pubr) {
            set_error.set(Some(e.0.message(t("publisher", lang.get()), lang.get())));
            return;
        }
        session.sign_in(&tok, &pubr);
        navigate(&AppRoute::Offers.href(), Default::default());
    };
    view! {
        <section class="signin card">
            <h1>{move || t("sign_in_title", lang.get()).to_owned()}</h1>
            <p class="muted">{move || t("sign_in_help", lang.get()).to_owned()}</p>
            <form on:submit=submit novalidate>
                <div class="field">
                    <label for="token">{move || t("token", lang.get()).to_owned()}</label>
                    <input id="token" type="password" autocomplete="off" required
                        prop:value=move || token.get()
                        on:input=move |ev| set_token.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="publisher">{move || t("publisher", lang.get()).to_owned()}</label>
                    <input id="publisher" type="text" required
                        prop:value=move || publisher.get()
                        on:input=move |ev| set_publisher.set(event_target_value(&ev)) />
                </div>
                {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                <button type="submit" class="btn btn-primary">{move || t("sign_in", lang.get()).to_owned()}</button>
            </form>
        </section>
    }
}
