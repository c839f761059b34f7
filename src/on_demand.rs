//! Pages whose code is fetched the first time one of them opens.
//!
//! In the release build (`scripts/build-web.sh`, the `split` feature) each group below and
//! the code only it uses go to wasm files of their own, so a first visit downloads the
//! framework, the frame, Sign in and All Offers, and nothing of the Editor, the Status, the
//! team's, the account's, the reviewer's or the catalogue's pages until they open. Without the feature (`trunk serve`,
//! the browser tests) the groups are ordinary functions in one module.
//!
//! A group that cannot be fetched (the connection dropped, or a new release replaced the
//! files) shows what happened and how to go on instead of taking the app down.

use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;
use leptos_router::LazyRoute;

use crate::components::shell::{RequirePublisher, RequireSession};
use crate::i18n::tr;
use crate::pages;
use crate::session::use_session;

/// What loading a group's view gives: the view, or why its code could not be fetched.
type Loaded = Result<AnyView, SplitLoaderError>;

/// Declares the views of one group (`group { fn name() { view } … }`): with the `split`
/// feature a split point of `wasm_split`, whose first call fetches the group's files.
macro_rules! groups {
    ($($group:ident { $(fn $name:ident() $body:block)* })*) => {$($(
        #[cfg(feature = "split")]
        #[leptos::wasm_split::wasm_split($group, wasm_split_path = ::leptos::wasm_split, fallible)]
        fn $name() -> Loaded {
            Ok($body.into_any())
        }

        #[cfg(not(feature = "split"))]
        async fn $name() -> Loaded {
            Ok($body.into_any())
        }
    )*)*};
}

groups! {
    editor {
        fn editor_view() { view! { <PublisherPage><pages::editor::Editor /></PublisherPage> } }
    }
    status {
        fn status_view() { view! { <PublisherPage><pages::status::Status /></PublisherPage> } }
    }
    team {
        fn team_view() { view! { <PublisherPage><pages::team::Team /></PublisherPage> } }
        fn history_view() { view! { <PublisherPage><pages::history::History /></PublisherPage> } }
    }
    account {
        fn account_view() { view! { <RequireSession><pages::account::Account /></RequireSession> } }
        fn set_password_view() { view! { <pages::set_password::SetPassword /> } }
        fn invitation_view() { view! { <pages::invitation::AcceptInvitation /> } }
    }
    reviewer {
        fn reviewer_view() { view! { <RequireSession><pages::reviewer::Reviewer /></RequireSession> } }
        fn preview_view() { view! { <RequireSession><pages::preview::Preview /></RequireSession> } }
    }
    catalogue {
        fn catalogue_view() { view! { <pages::catalogue::Catalogue /> } }
        fn product_view() { view! { <pages::catalogue::Product /> } }
    }
}

/// Declares a route type (for `Lazy::<T>`) per view.
macro_rules! routes {
    ($($(#[$doc:meta])* $route:ident => $view:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $route;

        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            async fn view(_: Self) -> AnyView {
                $view().await.unwrap_or_else(|_| view! { <LoadFailed /> }.into_any())
            }
        }
    )*};
}

routes! {
    /// `/offers/:id/editor`.
    EditorPage => editor_view;
    /// `/offers/:id/status`.
    StatusPage => status_view;
    /// `/team`.
    TeamPage => team_view;
    /// `/history`.
    HistoryPage => history_view;
    /// `/account`.
    AccountPage => account_view;
    /// `/set-password#token=…`.
    SetPasswordPage => set_password_view;
    /// `/invitation#token=…`.
    InvitationPage => invitation_view;
    /// `/reviewer`.
    ReviewerPage => reviewer_view;
    /// `/preview/:publisher/:offer`.
    PreviewPage => preview_view;
    /// `/catalogue`.
    CataloguePage => catalogue_view;
    /// `/catalogue/:publisher/:offer`.
    ProductPage => product_view;
}

/// A publisher's page: [`RequirePublisher`], and once it shows, the other publisher pages'
/// code fetched in the background ([`prefetch_publisher_pages`]). The frame's guards know
/// nothing of code splitting; the pages that need the prefetch say so here.
#[component]
pub fn PublisherPage(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let children = StoredValue::new(children);
    Effect::new(move |_| {
        if session.is_member() {
            prefetch_publisher_pages();
        }
    });
    view! { <RequirePublisher>{move || children.with_value(|c| c())}</RequirePublisher> }
}

/// Fetches the Editor's and the Status' code in the background, so that opening an offer
/// from All Offers, or switching between its tabs, does not wait for the network. Called
/// once a publisher's page is shown; a failure is left for the navigation to report.
pub fn prefetch_publisher_pages() {
    #[cfg(feature = "split")]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            leptos::task::spawn_local(async {
                // After the page's own requests, not competing with them.
                crate::web::sleep(1500).await;
                let _ = __wasm_split_preload_editor_view().await;
                let _ = __wasm_split_preload_status_view().await;
            });
        });
    }
}

/// A page whose code could not be fetched.
#[component]
fn LoadFailed() -> impl IntoView {
    let lang = use_session().lang;
    view! {
        <div class="banner banner-error load-failed" role="alert">
            <p>{tr("page_load_failed", lang)}</p>
            <button type="button" class="btn" on:click=|_| crate::web::reload()>
                {tr("reload_page", lang)}
            </button>
        </div>
    }
}
