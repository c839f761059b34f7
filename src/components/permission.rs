//! What the signed-in person's role may not do: a control it refuses stays visible but
//! disabled, and says why in words under it (named by the control's `aria-describedby`), so
//! nobody is left guessing at a greyed-out button.

use leptos::prelude::*;
use portal_domain::accounts::Permission;

use crate::session::use_session;

/// Why the role in the current publisher refuses `permission`; `None` while it allows it.
pub fn refused(permission: Permission) -> Memo<Option<String>> {
    let session = use_session();
    Memo::new(move |_| session.refusal(permission))
}

/// The `aria-describedby` of a control that `refusal` may disable: `id` while refused.
pub fn described_by(
    refusal: Memo<Option<String>>,
    id: &'static str,
) -> impl Fn() -> Option<&'static str> + Copy {
    move || refusal.with(Option::is_some).then_some(id)
}

/// The reason, as a line of text with `id`, shown while the role refuses.
#[component]
pub fn Refusal(
    /// The element id the disabled control points at.
    id: &'static str,
    /// The refusal from [`refused`].
    refusal: Memo<Option<String>>,
) -> impl IntoView {
    move || {
        refusal.get().map(|why| {
            view! {
                <p class="refusal" id=id>{why}</p>
            }
        })
    }
}
