//! One module per route.

pub mod account;
pub mod catalogue;
pub mod editor;
pub mod history;
pub mod invitation;
pub mod offers;
pub mod preview;
pub mod reviewer;
pub mod set_password;
pub mod sign_in;
pub mod status;
pub mod team;

use leptos::prelude::*;

/// The `:publisher` and `:offer` of the current route (the product and preview pages), as
/// they were when the page opened.
fn publisher_and_offer() -> (String, String) {
    leptos_router::hooks::use_params_map().with_untracked(|p| {
        (
            p.get("publisher").unwrap_or_default(),
            p.get("offer").unwrap_or_default(),
        )
    })
}
