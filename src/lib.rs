//! The Partner Portal web app (Leptos, client-side rendered): sign in with a password, All
//! Offers, the offer Editor and the publishing Status; the team, its API keys and the record
//! of who did what; the account; a reviewer's previews with test deployments; the public
//! catalogue. All rules come from `portal_domain`; this crate renders
//! them and talks to the JSON API through [`api::Api`].

pub mod api;
pub mod components;
pub mod i18n;
pub mod json;
pub mod model;
pub mod on_demand;
pub mod pages;
pub mod routes;
pub mod session;
pub mod web;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{Lazy, path};

use crate::components::shell::TopBar;
use crate::i18n::t;
use crate::session::Session;

/// The whole app: session and API client in context, the frame, and the routes.
#[component]
pub fn App() -> impl IntoView {
    let session = Session::restore();
    provide_context(session);
    let api = api::Api::new(session);
    provide_context(api);
    load_session(api, session);
    let leave_guard = components::leave::LeaveGuard::new();
    provide_context(leave_guard);
    // Before the router: its popstate listener must come second.
    components::leave::guard_history(leave_guard);
    Effect::new(move |_| web::set_document_lang(session.lang.get().tag()));
    let lang = session.lang;
    // True while a navigation waits, for a page's code (see `on_demand`) or its data.
    let (routing, set_routing) = signal(false);
    view! {
        <Router set_is_routing=set_routing>
            <components::leave::LeaveGuardian />
            <TopBar />
            <div class="route-progress" class:active=routing role="progressbar"
                aria-label=i18n::tr("page_loading", lang) aria-hidden=move || (!routing.get()).to_string()></div>
            <main class="page" id="main" tabindex="-1" aria-busy=move || routing.get().to_string()>
                <Routes fallback=move || view! { <p>{t("not_found", lang.get()).to_owned()}</p> }>
                    <Route path=path!("/signin") view=pages::sign_in::SignIn />
                    <Route path=path!("/set-password") view={Lazy::<on_demand::SetPasswordPage>::new()} />
                    <Route path=path!("/invitation") view={Lazy::<on_demand::InvitationPage>::new()} />
                    <Route path=path!("/account") view={Lazy::<on_demand::AccountPage>::new()} />
                    <Route path=path!("/team") view={Lazy::<on_demand::TeamPage>::new()} />
                    <Route path=path!("/history") view={Lazy::<on_demand::HistoryPage>::new()} />
                    <Route path=path!("/") view=|| view! { <on_demand::PublisherPage><pages::offers::Offers /></on_demand::PublisherPage> } />
                    <Route path=path!("/offers/:id/editor") view={Lazy::<on_demand::EditorPage>::new()} />
                    <Route path=path!("/offers/:id/status") view={Lazy::<on_demand::StatusPage>::new()} />
                    <Route path=path!("/reviewer") view={Lazy::<on_demand::ReviewerPage>::new()} />
                    <Route path=path!("/preview/:publisher/:offer") view={Lazy::<on_demand::PreviewPage>::new()} />
                    <Route path=path!("/catalogue") view={Lazy::<on_demand::CataloguePage>::new()} />
                    <Route path=path!("/catalogue/:publisher/:offer") view={Lazy::<on_demand::ProductPage>::new()} />
                </Routes>
            </main>
        </Router>
    }
}

/// Asks the server who is signed in, unless nobody can be: on a page anyone may open, a
/// browser that never signed in (or signed out) has no session cookie, and the answer could
/// only be a 401.
fn load_session(api: api::Api, session: Session) {
    let path = web::location_path().unwrap_or_default();
    if !session.was_signed_in() && model::account::is_public_path(&path) {
        session.signed_out();
        return;
    }
    leptos::task::spawn_local(async move {
        match api.me().await {
            Ok(me) => session.signed_in(me),
            // A 401 has signed out already.
            Err(e) if e.status == 401 => {}
            // A server that cannot be reached: Sign in says so when tried; the hint stays for
            // the next load.
            Err(_) => session.who.set(model::account::Who::SignedOut),
        }
    });
}
