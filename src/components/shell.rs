//! The portal's frame: top bar with navigation (All Offers or Previews, and the Catalogue),
//! language switch and sign-out; the session guards of the routes; the tabs of one offer.

use leptos::prelude::*;
use leptos_router::components::{A, Redirect};
use portal_domain::Lang;

use crate::components::leave::use_leave_guard;
use crate::i18n::{t, tr};
use crate::routes::AppRoute;
use crate::session::use_session;

/// The top bar.
#[component]
pub fn TopBar() -> impl IntoView {
    let session = use_session();
    let guard = use_leave_guard();
    let lang = session.lang;
    view! {
        <a class="skip-link" href="#main">{tr("skip", lang)}</a>
        <header class="topbar">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"P"</span>
                {tr("brand", lang)}
            </a>
            <nav class="topnav" aria-label="Portal">
                <Show when=move || session.token.get().is_some()>
                    {move || if session.is_reviewer() {
                        view! { <A href=AppRoute::Reviewer.href()>{tr("previews", lang)}</A> }.into_any()
                    } else {
                        view! { <A href=AppRoute::Offers.href() exact=true>{tr("all_offers", lang)}</A> }.into_any()
                    }}
                </Show>
                <A href=AppRoute::Catalogue.href()>{tr("catalogue", lang)}</A>
            </nav>
            <div class="topbar-right">
                <label class="lang-switch">
                    <span class="visually-hidden">{tr("language", lang)}</span>
                    <select on:change=move |ev| {
                        let v = event_target_value(&ev);
                        session.set_lang(if v == "ko" { Lang::Ko } else { Lang::En });
                    }>
                        <option value="en" selected=move || lang.get() == Lang::En>"English"</option>
                        <option value="ko" selected=move || lang.get() == Lang::Ko>"한국어"</option>
                    </select>
                </label>
                <Show when=move || session.token.get().is_some()>
                    <span class="publisher-badge" title=move || t(if session.is_reviewer() { "reviewer" } else { "publisher" }, lang.get()).to_owned()>
                        {move || if session.is_reviewer() { t("reviewer", lang.get()).to_owned() } else { session.publisher.get() }}
                    </span>
                    <button type="button" class="btn btn-quiet" on:click=move |_| guard.sign_out(session)>
                        {tr("sign_out", lang)}
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

/// Publisher pages: signed-out visitors go to Sign in, reviewers to their previews.
#[component]
pub fn RequirePublisher(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let children = StoredValue::new(children);
    view! {
        <RequireSession>
            <Show
                when=move || !session.is_reviewer()
                fallback=|| view! { <Redirect path=AppRoute::Reviewer.href() /> }
            >
                {children.with_value(|c| c())}
            </Show>
        </RequireSession>
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
                <a href="/">{tr("all_offers", lang)}</a>
                <span aria-hidden="true">" / "</span>
                <span>{offer.clone()}</span>
            </nav>
            <div class="offer-title-row">
                <h1>{move || { let n = name.get(); if n.is_empty() { offer.clone() } else { n } }}</h1>
                <div class="offer-actions">{children()}</div>
            </div>
            <nav class="offer-tabs" aria-label="Offer">
                <a href=editor aria-current=(current == OfferTab::Editor).then_some("page")>
                    {tr("editor", lang)}
                </a>
                <a href=status aria-current=(current == OfferTab::Status).then_some("page")>
                    {tr("status", lang)}
                </a>
            </nav>
        </div>
    }
}
