//! The product page of an offer version, exactly as customers see it: the public catalogue
//! and a reviewer's preview render this same component from a `CatalogueEntry`. Only the
//! images load differently (public URLs, or blobs fetched with the reviewer's token).

use leptos::prelude::*;
use leptos::task::spawn_local;
use portal_domain::catalogue::{CatalogueEntry, ImageAsset, Sku};

use crate::api::{catalogue_asset_url, use_api};
use crate::i18n::{t, tr};
use crate::model::catalogue::human_bytes;
use crate::session::use_session;

/// Where the page's images come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Images {
    /// A live offer: public URLs.
    Public,
    /// A preview: fetched with the reviewer's token.
    Preview,
}

/// One image of an entry.
#[component]
pub fn Asset(
    /// Publisher id.
    publisher: String,
    /// Offer id.
    offer: String,
    /// The image and its size.
    image: ImageAsset,
    /// How to load it.
    images: Images,
    /// Its text alternative.
    #[prop(into)]
    alt: String,
    /// Its class.
    class: &'static str,
) -> impl IntoView {
    let (w, h) = (image.width, image.height);
    if images == Images::Public {
        let src = catalogue_asset_url(&publisher, &offer, &image.asset);
        return view! { <img class=class src=src alt=alt width=w height=h loading="lazy" /> }
            .into_any();
    }
    let api = use_api();
    let src = RwSignal::new(None::<String>);
    spawn_local(async move {
        if let Ok(url) = api.preview_asset(&publisher, &offer, &image.asset).await
            && let Some(url) = src.try_set(Some(url)).flatten()
        {
            // The page closed before the image arrived.
            let _ = web_sys::Url::revoke_object_url(&url);
        }
    });
    on_cleanup(move || {
        if let Some(url) = src.try_get_untracked().flatten() {
            let _ = web_sys::Url::revoke_object_url(&url);
        }
    });
    view! { <img class=class src=move || src.get() alt=alt width=w height=h /> }.into_any()
}

/// The product page.
#[component]
pub fn ProductPage(entry: CatalogueEntry, images: Images) -> impl IntoView {
    let lang = use_session().lang;
    let p = entry.publisher_id.clone();
    let o = entry.offer_id.clone();
    let asset = move |image: &ImageAsset, alt: String, class: &'static str| {
        view! { <Asset publisher=p.clone() offer=o.clone() image=image.clone() images=images alt=alt class=class /> }
    };
    let logo = entry
        .logos
        .large
        .as_ref()
        .or(entry.logos.medium.as_ref())
        .map(|l| asset(l, String::new(), "product-logo"));
    let hero = entry
        .logos
        .hero
        .as_ref()
        .map(|l| asset(l, String::new(), "product-hero"));
    let shots = entry
        .screenshots
        .iter()
        .map(|s| {
            view! {
                <figure class="shot">
                    {asset(&s.image, s.name.clone(), "shot-image")}
                    <figcaption>{s.name.clone()}</figcaption>
                </figure>
            }
        })
        .collect_view();
    let videos = entry
        .videos
        .iter()
        .map(|v| {
            let thumb = v
                .thumbnail
                .as_ref()
                .map(|th| asset(th, String::new(), "video-thumb"));
            view! {
                <li><a class="video" href=v.link.clone() target="_blank" rel="noopener noreferrer">
                    {thumb}<span>{v.name.clone()}</span>
                </a></li>
            }
        })
        .collect_view();
    let has_media = !entry.screenshots.is_empty() || !entry.videos.is_empty();
    let links = entry
        .useful_links
        .iter()
        .map(|l| view! { <li><a href=l.url.clone() target="_blank" rel="noopener noreferrer">{l.title.clone()}</a></li> })
        .collect_view();
    let has_links = !entry.useful_links.is_empty();
    let skus = entry
        .skus
        .into_iter()
        .map(|s| view! { <SkuCard sku=s /> })
        .collect_view();
    let link = |url: Option<String>, key: &'static str| {
        url.map(|u| view! { <li><a href=u target="_blank" rel="noopener noreferrer">{move || t(key, lang.get()).to_owned()}</a></li> })
    };
    view! {
        <article class="product" aria-labelledby="product-title">
            {hero.map(|h| view! { <div class="product-hero-wrap">{h}</div> })}
            <header class="product-head">
                {logo}
                <div class="product-head-text">
                    <h1 id="product-title">{entry.title.clone()}</h1>
                    <p class="muted">{tr("by_publisher", lang)} " " <span class="product-publisher">{entry.publisher_id.clone()}</span></p>
                    <p class="product-summary">{entry.summary.clone()}</p>
                    <ul class="chips" aria-label=tr("categories", lang)>
                        {entry.categories.iter().map(|c| view! { <li class="chip">{c.clone()}</li> }).collect_view()}
                    </ul>
                </div>
            </header>
            <p class="product-lead">{entry.long_summary.clone()}</p>
            <section class="product-section">
                <h2>{tr("description", lang)}</h2>
                // Sanitized by the server (ammonia) before it was stored: only safe tags remain.
                <div class="product-description" inner_html=entry.description_html.clone()></div>
            </section>
            <section class="product-section">
                <h2>{tr("plans", lang)}</h2>
                <div class="sku-cards">{skus}</div>
            </section>
            {has_media.then(|| view! {
                <section class="product-section">
                    <h2>{tr("screenshots", lang)}</h2>
                    <div class="shots">{shots}</div>
                    <ul class="videos">{videos}</ul>
                </section>
            })}
            {has_links.then(|| view! {
                <section class="product-section">
                    <h2>{tr("useful_links", lang)}</h2>
                    <ul class="link-list">{links}</ul>
                </section>
            })}
            <section class="product-section">
                <h2>{tr("legal", lang)}</h2>
                <ul class="link-list">
                    {link(entry.privacy_url, "privacy")}
                    {link(entry.support_url, "support_site")}
                    {link(entry.government_support_url, "support_gov")}
                </ul>
                {entry.terms_of_use_html.map(|html| view! {
                    <h3>{tr("terms", lang)}</h3>
                    // Sanitized by the server, like the description.
                    <div class="product-terms" inner_html=html></div>
                })}
            </section>
        </article>
    }
}

#[component]
fn SkuCard(sku: Sku) -> impl IntoView {
    let lang = use_session().lang;
    let pricing = match sku.byol {
        Some(true) => Some("byol"),
        Some(false) => Some("payg"),
        None => None,
    };
    let trial = sku.free_trial_months.filter(|m| *m > 0);
    let size = sku
        .disk_versions
        .first()
        .and_then(|v| v.os_disk_size_bytes)
        .map(human_bytes);
    let ports = sku
        .open_ports
        .iter()
        .map(|p| format!("{} {}/{}", p.name, p.port, p.protocol))
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <div class="sku-card">
            <h3>{sku.title.clone()}</h3>
            <p>{sku.summary.clone()}</p>
            <p class="muted small">{sku.description.clone()}</p>
            <dl class="sku-facts">
                <dt>{tr("os", lang)}</dt>
                <dd>{format!("{} ({})", sku.os_friendly_name, sku.os_family)}</dd>
                {pricing.map(|k| view! {
                    <dt>{tr("pricing", lang)}</dt>
                    <dd>{move || t(k, lang.get()).to_owned()}
                        {trial.map(|m| view! { " · " {move || format!("{m} {}", t("trial_months", lang.get()))} })}
                    </dd>
                })}
                <dt>{tr("recommended_size", lang)}</dt>
                <dd class="mono">{sku.recommended_vm_sizes.join(", ")}</dd>
                {(!ports.is_empty()).then(|| view! {
                    <dt>{tr("open_ports", lang)}</dt>
                    <dd>{ports}</dd>
                })}
                {size.map(|s| view! {
                    <dt>{tr("os_disk", lang)}</dt>
                    <dd>{s}</dd>
                })}
            </dl>
        </div>
    }
}
