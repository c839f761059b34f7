//! `/catalogue` and `/catalogue/:publisher/:offer`: the public catalogue of live offers and a
//! live offer's product page. No sign-in needed.

use leptos::prelude::*;
use portal_domain::catalogue::CatalogueEntry;

use crate::api::{catalogue_asset_url, use_api};
use crate::components::product::{Images, ProductPage};
use crate::i18n::{offer_count, t, tr};
use crate::model::catalogue::search_catalogue;
use crate::routes::AppRoute;
use crate::session::use_session;

/// The catalogue: every live offer, searchable.
#[component]
pub fn Catalogue() -> impl IntoView {
    let api = use_api();
    let lang = use_session().lang;
    let list = LocalResource::new(move || async move { api.catalogue().await });
    let entries = Memo::new(move |_| {
        list.get()
            .and_then(Result::ok)
            .map(|l| l.items)
            .unwrap_or_default()
    });
    let (search, set_search) = signal(String::new());
    let shown = Memo::new(move |_| entries.with(|e| search.with(|s| search_catalogue(e, s))));
    view! {
        <section class="catalogue-page">
            <h1>{tr("catalogue_title", lang)}</h1>
            <div class="toolbar" role="search">
                <label class="toolbar-field">
                    <span>{tr("catalogue_search", lang)}</span>
                    <input id="catalogue-search" type="search"
                        placeholder=tr("catalogue_placeholder", lang)
                        prop:value=move || search.get()
                        on:input=move |ev| set_search.set(event_target_value(&ev)) />
                </label>
                <span class="toolbar-count" aria-live="polite">
                    {move || offer_count(shown.with(Vec::len), lang.get())}
                </span>
            </div>
            <Transition fallback=move || view! { <p class="muted">{t("loading", lang.get()).to_owned()}</p> }>
                {move || list.get().map(|r| match r {
                    Err(e) => view! {
                        <div class="banner banner-error" role="alert">
                            <p>{e.describe(lang.get())}</p>
                            <button type="button" class="btn" on:click=move |_| list.refetch()>{t("retry", lang.get()).to_owned()}</button>
                        </div>
                    }.into_any(),
                    Ok(_) => view! {
                        <ul class="catalogue-grid">
                            <For each=move || shown.get() key=|i| *i let:i>
                                {entries.with_untracked(|e| e.get(i).cloned()).map(|e| view! { <CatalogueCard entry=e /> })}
                            </For>
                        </ul>
                        <Show when=move || shown.with(Vec::is_empty)>
                            <p class="empty">{move || if entries.with(Vec::is_empty) { t("catalogue_empty", lang.get()) } else { t("no_match", lang.get()) }.to_owned()}</p>
                        </Show>
                    }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn CatalogueCard(entry: CatalogueEntry) -> impl IntoView {
    let href = AppRoute::Product {
        publisher: entry.publisher_id.clone(),
        offer: entry.offer_id.clone(),
    }
    .href();
    let logo = entry
        .logos
        .small
        .as_ref()
        .or(entry.logos.medium.as_ref())
        .map(|l| {
            let src = catalogue_asset_url(&entry.publisher_id, &entry.offer_id, &l.asset);
            view! { <img class="card-logo" src=src alt="" width="48" height="48" loading="lazy" /> }
        });
    view! {
        <li class="catalogue-card">
            {logo}
            <div class="card-text">
                <h2><a href=href>{entry.title.clone()}</a></h2>
                <p class="muted small">{entry.publisher_id.clone()}</p>
                <p>{entry.summary.clone()}</p>
                <ul class="chips">
                    {entry.categories.iter().map(|c| view! { <li class="chip">{c.clone()}</li> }).collect_view()}
                </ul>
            </div>
        </li>
    }
}

/// A live offer's product page.
#[component]
pub fn Product() -> impl IntoView {
    let (publisher, offer) = super::publisher_and_offer();
    let api = use_api();
    let lang = use_session().lang;
    let entry = LocalResource::new(move || {
        let (publisher, offer) = (publisher.clone(), offer.clone());
        async move { api.catalogue_entry(&publisher, &offer).await }
    });
    view! {
        <nav class="breadcrumb" aria-label="Breadcrumb">
            <a href=AppRoute::Catalogue.href()>{tr("back_to_catalogue", lang)}</a>
        </nav>
        <Transition fallback=move || view! { <p class="muted">{t("loading", lang.get()).to_owned()}</p> }>
            {move || entry.get().map(|r| match r {
                Ok(e) => view! { <ProductPage entry=e images=Images::Public /> }.into_any(),
                Err(e) => view! { <div class="banner banner-error" role="alert"><p>{e.describe(lang.get())}</p></div> }.into_any(),
            })}
        </Transition>
    }
}
