//! The Partner Portal web app (Leptos, client-side rendered): sign in, All Offers, the offer
//! Editor and the publishing Status; a reviewer's previews with test deployments; the public
//! catalogue. All rules come from `portal_domain`; this crate renders
//! them and talks to the JSON API through [`api::Api`].

pub mod api;
pub mod components;
pub mod i18n;
pub mod json;
pub mod model;
pub mod pages;
pub mod routes;
pub mod session;
pub mod web;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::components::shell::{RequirePublisher, RequireSession, TopBar};
use crate::i18n::t;
use crate::session::Session;

/// The whole app: session and API client in context, the frame, and the routes.
#[component]
pub fn App() -> impl IntoView {
    let session = Session::restore();
    provide_context(session);
    provide_context(api::Api::new(session));
    let leave_guard = components::leave::LeaveGuard::new();
    provide_context(leave_guard);
    // Before the router: its popstate listener must come second.
    components::leave::guard_history(leave_guard);
    Effect::new(move |_| web::set_document_lang(session.lang.get().tag()));
    let lang = session.lang;
    view! {
        <Router>
            <components::leave::LeaveGuardian />
            <TopBar />
            <main class="page" id="main" tabindex="-1">
                <Routes fallback=move || view! { <p>{t("not_found", lang.get()).to_owned()}</p> }>
                    <Route path=path!("/signin") view=pages::sign_in::SignIn />
                    <Route path=path!("/") view=|| view! { <RequirePublisher><pages::offers::Offers /></RequirePublisher> } />
                    <Route path=path!("/offers/:id/editor") view=|| view! { <RequirePublisher><pages::editor::Editor /></RequirePublisher> } />
                    <Route path=path!("/offers/:id/status") view=|| view! { <RequirePublisher><pages::status::Status /></RequirePublisher> } />
                    <Route path=path!("/reviewer") view=|| view! { <RequireSession><pages::reviewer::Reviewer /></RequireSession> } />
                    <Route path=path!("/preview/:publisher/:offer") view=|| view! { <RequireSession><pages::preview::Preview /></RequireSession> } />
                    <Route path=path!("/catalogue") view=pages::catalogue::Catalogue />
                    <Route path=path!("/catalogue/:publisher/:offer") view=pages::catalogue::Product />
                </Routes>
            </main>
        </Router>
    }
}
