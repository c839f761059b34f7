//! The Partner Portal web app (Leptos, client-side rendered): the portal's shell with the
//! All Offers, Editor and Status tabs. The tabs' real content arrives with the web app issue;
//! this shell already runs the domain's rules in the browser.

use leptos::prelude::*;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;
use portal_domain::Lang;
use portal_domain::workflow::StepId;

/// The whole app: header, tab navigation and routes.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <header class="topbar">
                <span class="brand">"Partner Portal"</span>
                <nav class="tabs" aria-label="Portal">
                    <A href="/">"All Offers"</A>
                    <A href="/editor">"Editor"</A>
                    <A href="/status">"Status"</A>
                </nav>
            </header>
            <main class="page">
                <Routes fallback=|| view! { <p>"Page not found."</p> }>
                    <Route path=path!("/") view=AllOffers/>
                    <Route path=path!("/editor") view=Editor/>
                    <Route path=path!("/status") view=Status/>
                </Routes>
            </main>
        </Router>
    }
}

#[component]
fn AllOffers() -> impl IntoView {
    view! {
        <h1>"All Offers"</h1>
        <p class="muted">"Your offers and where each one is in the publishing flow."</p>
    }
}

#[component]
fn Editor() -> impl IntoView {
    view! {
        <h1>"Editor"</h1>
        <p class="muted">"Offer Settings, SKUs, Marketplace and Support."</p>
    }
}

/// The publishing steps as the Status tab lists them, from the shared domain crate.
#[component]
fn Status() -> impl IntoView {
    view! {
        <h1>"Status"</h1>
        <ol class="steps">
            {StepId::ALL
                .into_iter()
                .map(|s| view! { <li>{s.name(Lang::En)} " · " <span class="muted">{s.estimate(Lang::En)}</span></li> })
                .collect_view()}
        </ol>
    }
}
