//! The portal's frame: top bar with navigation, language switch and sign-out, and the tabs
//! of one offer (Editor, Status).

use leptos::prelude::*;
use leptos_router::components::{A, Redirect};
use portal_domain::Lang;

use crate::i18n::t;
use crate::routes::AppRoute;
use crate::session::use_session;

/// The top bar.
#[component]
pub fn TopBar() -> impl IntoView {
    let session = use_session();
    let lang = session.lang;
    view! {
        <a class="skip-link" href="#main">{move || t("skip", lang.get()).to_owned()}</a>
        <header class="topbar">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"P"</span>
                {move || t("brand", lang.get()).to_owned()}
            </a>
            <nav class="topnav" aria-label="Portal">
                <Show when=move || session.token.get().is_some()>
                    <A href=AppRoute::Offers.href() exact=true>{move || t("all_offers", lang.get()).to_owned()}</A>
                </Show>
            </nav>
            <div class="topbar-right">
                <label class="lang-switch">
                    <span class="visually-hidden">{move || t("language", lang.get()).to_owned()}</span>
                    <select on:change=move |ev| {
                        let v = event_target_value(&ev);
                        session.set_lang(if v == "ko" { Lang::Ko } else { Lang::En });
                    }>
                        <option value="en" selected=move || lang.get() == Lang::En>"English"</option>
                        <option value="ko" selected=move || lang.get() == Lang::Ko>"한국어"</option>
                    </select>
                </label>
                <Show when=move || session.token.get().is_some()>
                    <span class="publisher-badge" title=move || t("publisher", lang.get()).to_owned()>
                        {move || session.publisher.get()}
                    </span>
                    <button type="button" class="btn btn-quiet" on:click=move |_| session.sign_out()>
                        {move || t("sign_out", lang.get()).to_owned()}
                    </button>
                </Show>
            </div>
        </header>
    }
}

/// Shows its children only with a session; otherwise goes to Sign in.
#[component]
pub fn RequireSession(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let children = StoredValue::new(children);
    view! {
        <Show
            when=move || session.token.get().is_some()
            fallback=|| view! { <Redirect path=AppRoute::SignIn.href() /> }
        >
            {children.with_value(|c| c())}
        </Show>
    }
}

/// Which tab of an offer is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfferTab {
    /// The editor.
    Editor,
    /// The status.
    Status,
}

/// The offer's heading with its Editor / Status tabs.
#[component]
pub fn OfferHeader(
    offer: String,
    #[prop(into)] name: Signal<String>,
    current: OfferTab,
    children: Children,
) -> impl IntoView {
    let lang = use_session().lang;
    let editor = AppRoute::editor(&offer).href();
    let status = AppRoute::status(&offer).href();
    view! {
        <div class="offer-header">
            <nav class="breadcrumb" aria-label="Breadcrumb">
                <a href="/">{move || t("all_offers", lang.get()).to_owned()}</a>
                <span aria-hidden="true">" / "</span>
                <span>{offer.clone()}</span>
            </nav>
            <div class="offer-title-row">
                <h1>{move || { let n = name.get(); if n.is_empty() { offer.clone() } else { n } }}</h1>
                <div class="offer-actions">{children()}</div>
            </div>
            <nav class="offer-tabs" aria-label="Offer">
                <a href=editor aria-current=(current == OfferTab::Editor).then_some("page")>
                    {move || t("editor", lang.get()).to_owned()}
                </a>
                <a href=status aria-current=(current == OfferTab::Status).then_some("page")>
                    {move || t("status", lang.get()).to_owned()}
                </a>
            </nav>
        </div>
    }
}
