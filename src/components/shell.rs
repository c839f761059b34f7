//! The portal's frame: top bar with navigation (All Offers, Team and History for a member,
//! Previews for a reviewer, the Catalogue), the publisher switcher, language, the signed-in
//! person and Sign out; the session guards of the routes; the tabs of one offer.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::components::{A, Redirect};
use leptos_router::hooks::{use_location, use_navigate};
use portal_domain::Lang;
use portal_domain::accounts::ProfileChange;

use crate::api::{Api, use_api};
use crate::components::leave::use_leave_guard;
use crate::i18n::{t, tr};
use crate::model::account::Who;
use crate::routes::AppRoute;
use crate::session::{Session, use_session};

/// Signs out: the server ends the session and clears its cookie; the app forgets the person
/// whatever it answers (the guards then show Sign in).
pub fn sign_out(api: Api, session: Session) {
    spawn_local(async move {
        // A failed request (the server unreachable) still signs out this page; the cookie
        // then ends at its own expiry.
        let _ = api.sign_out().await;
        session.signed_out();
    });
}

/// Works in another publisher: Team and History show the new one's, every other page is
/// the old one's, so the user goes to All Offers.
pub fn switch_publisher(
    session: Session,
    publisher: &str,
    navigate: impl Fn(&str, NavigateOptions),
) {
    session.switch_publisher(publisher);
    let path = crate::web::location_path().unwrap_or_default();
    let follows = [
        AppRoute::Team.href(),
        AppRoute::History { offer: None }.href(),
    ];
    if !follows.contains(&path) {
        navigate(&AppRoute::Offers.href(), Default::default());
    }
}

/// The top bar.
#[component]
pub fn TopBar() -> impl IntoView {
    let session = use_session();
    let api = use_api();
    let guard = use_leave_guard();
    let navigate = StoredValue::new_local(use_navigate());
    let lang = session.lang;
    let set_lang = move |l: Lang| {
        session.set_lang(l);
        // The person's preference follows them to other browsers and their e-mails.
        if session.is_signed_in() {
            spawn_local(async move {
                let change = ProfileChange {
                    display_name: None,
                    lang: Some(l),
                };
                if let Ok(me) = api.change_profile(&change).await {
                    session.update_me(me);
                }
            });
        }
    };
    let memberships = Memo::new(move |_| {
        session.with_me(|m| {
            m.map(|m| {
                m.memberships
                    .iter()
                    .map(|m| (m.publisher_id.clone(), m.role))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
        })
    });
    let reviews = Memo::new(move |_| {
        session.with_me(|m| m.is_some_and(|m| !m.reviewer_subscriptions.is_empty()))
    });
    let location = use_location();
    let on_signin =
        Memo::new(move |_| location.pathname.get() == AppRoute::SignIn { next: None }.href());
    view! {
        <a class="skip-link" href="#main">{tr("skip", lang)}</a>
        <header class="topbar">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"P"</span>
                {tr("brand", lang)}
            </a>
            <nav class="topnav" aria-label="Portal">
                <Show when=move || !memberships.with(Vec::is_empty)>
                    <A href=AppRoute::Offers.href() exact=true>{tr("all_offers", lang)}</A>
                    <A href=AppRoute::Team.href()>{tr("team", lang)}</A>
                    <A href=AppRoute::History { offer: None }.href()>{tr("history_nav", lang)}</A>
                </Show>
                <Show when=move || reviews.get()>
                    <A href=AppRoute::Reviewer.href()>{tr("previews", lang)}</A>
                </Show>
                <A href=AppRoute::Catalogue.href()>{tr("catalogue", lang)}</A>
            </nav>
            <div class="topbar-right">
                <label class="lang-switch">
                    <span class="visually-hidden">{tr("language", lang)}</span>
                    <select on:change=move |ev| {
                        let v = event_target_value(&ev);
                        set_lang(if v == "ko" { Lang::Ko } else { Lang::En });
                    }>
                        <option value="en" selected=move || lang.get() == Lang::En>"English"</option>
                        <option value="ko" selected=move || lang.get() == Lang::Ko>"한국어"</option>
                    </select>
                </label>
                {move || match memberships.get().as_slice() {
                    [] => ().into_any(),
                    [(publisher, role)] => {
                        let role = *role;
                        view! {
                            <span class="publisher-badge" title=tr("publisher", lang)>
                                {publisher.clone()} " · " {move || role.label(lang.get())}
                            </span>
                        }.into_any()
                    }
                    several => {
                        let options = several.to_vec();
                        view! {
                            <label class="publisher-switch">
                                <span class="visually-hidden">{tr("publisher", lang)}</span>
                                <select id="publisher-switch" on:change=move |ev| {
                                    let p = event_target_value(&ev);
                                    navigate.with_value(|n| guard.switch_publisher(session, p, n));
                                }>
                                    {options.into_iter().map(|(p, role)| {
                                        let value = p.clone();
                                        let chosen = p.clone();
                                        view! {
                                            <option value=value selected=move || session.publisher.get() == chosen>
                                                {move || format!("{p} · {}", role.label(lang.get()))}
                                            </option>
                                        }
                                    }).collect_view()}
                                </select>
                            </label>
                        }.into_any()
                    }
                }}
                <Show when=move || session.is_signed_in()
                    fallback=move || (!on_signin.get()).then(|| view! {
                        <a class="btn btn-quiet" href=AppRoute::SignIn { next: None }.href()>{tr("sign_in", lang)}</a>
                    })>
                    <a class="user-link" href=AppRoute::Account.href() title=tr("account", lang)>
                        {move || session.display_name().unwrap_or_else(|| t("account", lang.get()).to_owned())}
                    </a>
                    <button type="button" class="btn btn-quiet" id="sign-out" on:click=move |_| guard.sign_out(api, session)>
                        {tr("sign_out", lang)}
                    </button>
                </Show>
            </div>
        </header>
    }
}

/// Where a guard stands: still asking who is signed in, nobody, or someone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gate {
    Waiting,
    Out,
    In,
}

/// Shows its children only with a session; otherwise goes to Sign in, which comes back here.
#[component]
pub fn RequireSession(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let lang = session.lang;
    let location = use_location();
    let children = StoredValue::new(children);
    // Only a change of gate re-renders: a profile change must not rebuild the page.
    let gate = Memo::new(move |_| {
        session.who.with(|w| match w {
            Who::Checking => Gate::Waiting,
            Who::SignedOut => Gate::Out,
            Who::SignedIn(_) => Gate::In,
        })
    });
    move || match gate.get() {
        Gate::Waiting => view! { <p class="muted">{tr("loading", lang)}</p> }.into_any(),
        Gate::Out => {
            let here = format!(
                "{}{}",
                location.pathname.get_untracked(),
                location.search.get_untracked()
            );
            let next = (here != "/").then_some(here);
            view! { <Redirect path=AppRoute::SignIn { next }.href() /> }.into_any()
        }
        Gate::In => children.with_value(|c| c()).into_any(),
    }
}

/// Publisher pages: signed-out visitors go to Sign in, reviewers to their previews, someone
/// in no publisher to their account.
#[component]
pub fn RequirePublisher(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let children = StoredValue::new(children);
    let member = Memo::new(move |_| session.is_member());
    view! {
        <RequireSession>
            {move || if member.get() {
                children.with_value(|c| c()).into_any()
            } else if untrack(|| session.is_reviewer()) {
                view! { <Redirect path=AppRoute::Reviewer.href() /> }.into_any()
            } else {
                view! { <Redirect path=AppRoute::Account.href() /> }.into_any()
            }}
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
