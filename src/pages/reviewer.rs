//! `/reviewer`: the previews a reviewer's subscription is allow-listed for.

use leptos::prelude::*;
use portal_domain::api::PreviewSummary;

use crate::api::use_api;
use crate::i18n::{t, tr};
use crate::routes::AppRoute;
use crate::session::use_session;
use crate::web::format_time;

/// The reviewer's previews.
#[component]
pub fn Reviewer() -> impl IntoView {
    let api = use_api();
    let lang = use_session().lang;
    let previews = LocalResource::new(move || async move { api.previews().await });
    view! {
        <section class="reviewer-page">
            <h1>{tr("reviewer_title", lang)}</h1>
            <p class="muted">{tr("reviewer_help", lang)}</p>
            <Transition fallback=move || view! { <p class="muted">{t("loading", lang.get()).to_owned()}</p> }>
                {move || previews.get().map(|r| match r {
                    Err(e) => view! {
                        <div class="banner banner-error" role="alert">
                            <p>{e.describe(lang.get())}</p>
                            <button type="button" class="btn" on:click=move |_| previews.refetch()>{t("retry", lang.get()).to_owned()}</button>
                        </div>
                    }.into_any(),
                    Ok(list) if list.items.is_empty() => view! {
                        <p class="empty">{tr("no_previews", lang)}</p>
                    }.into_any(),
                    Ok(list) => view! {
                        <ul class="preview-list">
                            {list.items.into_iter().map(|p| view! { <PreviewItem preview=p /> }).collect_view()}
                        </ul>
                    }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn PreviewItem(preview: PreviewSummary) -> impl IntoView {
    let lang = use_session().lang;
    let href = AppRoute::Preview {
        publisher: preview.publisher_id.clone(),
        offer: preview.offer_id.clone(),
    }
    .href();
    view! {
        <li class="card preview-item">
            <h2><a href=href>{preview.title.clone()}</a></h2>
            <p class="muted small mono">{format!("{}/{} · v{}", preview.publisher_id, preview.offer_id, preview.version)}</p>
            <p>{preview.summary.clone()}</p>
            <p class="muted small">
                {tr("in_preview_since", lang)} " " {format_time(preview.available_since)}
                " · " {tr("regions_progress", lang)} ": " {preview.regions.join(", ")}
            </p>
        </li>
    }
}
