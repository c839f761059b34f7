//! The Partner Portal web app (Leptos, client-side rendered): sign in, All Offers, the offer
//! Editor and the publishing Status. All rules come from `portal_domain`; this crate renders
//! them and talks to the JSON API through [`api::Api`].

pub mod api;
pub mod components;
pub mod i18n;
pub mod model;
pub mod pages;
pub mod routes;
pub mod session;
pub mod web;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::components::shell::{RequireSession, TopBar};
use crate::i18n::t;
use crate::session::Session;

/// The whole app: session and API client in context, the frame, and the routes.
#[component]
pub fn App() -> impl IntoView {
    let session = Session::restore();
    provide_context(session);
    provide_context(api::Api::new(session));
    Effect::new(move |_| web::set_document_lang(session.lang.get().tag()));
    let lang = session.lang;
    view! {
        <Router>
            <TopBar />
            <main class="page" id="main" tabindex="-1">
                <Routes fallback=move || view! { <p>{t("not_found", lang.get()).to_owned()}</p> }>
                    <Route path=path!("/signin") view=pages::sign_in::SignIn />
                    <Route path=path!("/") view=|| view! { <RequireSession><pages::offers::Offers /></RequireSession> } />
                    <Route path=path!("/offers/:id/editor") view=|| view! { <RequireSession><pages::editor::Editor /></RequireSession> } />
                    <Route path=path!("/offers/:id/status") view=|| view! { <RequireSession><pages::status::Status /></RequireSession> } />
                </Routes>
            </main>
        </Router>
    }
}
