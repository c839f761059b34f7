//! Component tests in headless Chromium:
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p partner-portal --target wasm32-unknown-unknown`.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use partner_portal::components::fields::{EditorCtx, Field, Kind};
use partner_portal::model::doc;
use partner_portal::model::editor::Visibility;
use portal_domain::{FieldPath, Lang, validate};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Waits until `done` holds, giving the reactive system time to flush, or fails after 2 s.
async fn until(what: &str, done: impl Fn() -> bool) {
    let deadline = js_sys::Date::now() + 2000.0;
    while !done() {
        assert!(
            js_sys::Date::now() < deadline,
            "timed out waiting for: {what}"
        );
        partner_portal::web::sleep(5).await;
    }
}

fn host() -> web_sys::HtmlElement {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .expect("document");
    let host = document.create_element("div").expect("div");
    document
        .body()
        .expect("body")
        .append_child(&host)
        .expect("append");
    host.unchecked_into()
}

fn editor_ctx(lang: Lang) -> EditorCtx {
    let doc_signal = RwSignal::new(serde_json::json!({"id": "vm", "definition": {"offer": {}}}));
    let findings = Memo::new(move |_| {
        doc_signal.with(|d| doc::typed(d).map(|t| validate(&t)).unwrap_or_default())
    });
    EditorCtx {
        doc: doc_signal,
        findings,
        vis: RwSignal::new(Visibility::default()),
        lang: RwSignal::new(lang),
        images: RwSignal::new(Default::default()),
    }
}

#[wasm_bindgen_test]
async fn a_field_shows_its_message_once_touched_and_counts_characters() {
    let el = host();
    let ctx = editor_ctx(Lang::En);
    let title = FieldPath::keys(&["definition", "offer", "microsoft-azure-marketplace.title"]);
    let t2 = title.clone();
    let handle = leptos::mount::mount_to(el.clone(), move || {
        provide_context(ctx);
        view! { <Field path=t2.clone() kind=Kind::Text limit=50 /> }
    });
    let text = || el.text_content().unwrap_or_default();
    until("the label from the domain", || text().contains("Title")).await;
    let text = text();
    assert!(text.contains("0 / 50"), "{text}");
    assert!(
        el.query_selector(".field-error").ok().flatten().is_none(),
        "no message before touch"
    );

    ctx.touch(&title);
    until("the message after touch", || {
        el.query_selector(".field-error").ok().flatten().is_some()
    })
    .await;

    ctx.set(&title, serde_json::json!("Contoso"));
    until("the character count", || {
        el.text_content().unwrap_or_default().contains("7 / 50")
    })
    .await;
    assert!(
        el.query_selector(".field-error").ok().flatten().is_none(),
        "fixed field has no message"
    );
    let input = el.query_selector("input").ok().flatten().expect("input");
    assert_eq!(
        input.id(),
        title.to_string(),
        "the input's id is the finding's path"
    );
    handle.forget();
}

#[wasm_bindgen_test]
async fn typing_into_the_input_updates_the_draft() {
    let el = host();
    let ctx = editor_ctx(Lang::Ko);
    let path = FieldPath::keys(&["definition", "displayText"]);
    let p2 = path.clone();
    let handle = leptos::mount::mount_to(el.clone(), move || {
        provide_context(ctx);
        view! { <Field path=p2.clone() /> }
    });
    until("the input", || {
        el.query_selector("input").ok().flatten().is_some()
    })
    .await;
    let input: web_sys::HtmlInputElement = el
        .query_selector("input")
        .ok()
        .flatten()
        .expect("input")
        .unchecked_into();
    input.set_value("My VM");
    let event = web_sys::Event::new("input").expect("event");
    input.dispatch_event(&event).expect("dispatch");
    until("the draft to take the typed text", || {
        ctx.doc.with_untracked(|d| doc::text(d, &path)) == "My VM"
    })
    .await;
    handle.forget();
}

fn catalogue_entry(description_html: &str) -> portal_domain::catalogue::CatalogueEntry {
    use portal_domain::catalogue::{CatalogueEntry, Link, Logos};
    CatalogueEntry {
        publisher_id: "contoso".into(),
        offer_id: "contoso-vm".into(),
        version: 1,
        title: "Contoso <VM>".into(),
        summary: "A summary".into(),
        long_summary: "A long summary".into(),
        description_html: description_html.into(),
        categories: vec!["networking".into()],
        logos: Logos::default(),
        screenshots: Vec::new(),
        videos: Vec::new(),
        useful_links: vec![Link {
            title: "Docs".into(),
            url: "https://contoso.com/docs".into(),
        }],
        privacy_url: Some("https://contoso.com/privacy".into()),
        terms_of_use_html: Some("<p>Terms &amp; conditions</p>".into()),
        support_url: None,
        government_support_url: None,
        skus: Vec::new(),
        packaged_at: time::OffsetDateTime::UNIX_EPOCH,
    }
}

#[wasm_bindgen_test]
async fn the_product_page_renders_sanitized_html_with_its_allowed_tags_only() {
    use partner_portal::components::product::{Images, ProductPage};
    let el = host();
    // What ammonia leaves of `<p>Fast <b>and</b> safe<script>alert(1)</script>
    // <img src=x onerror=alert(2)></p>`: the script escaped to text, the handler gone.
    let sanitized =
        "<p>Fast <b>and</b> safe&lt;script&gt;alert(1)&lt;/script&gt;<img src=\"x\"></p>";
    let entry = catalogue_entry(sanitized);
    let handle = leptos::mount::mount_to(el.clone(), move || {
        provide_context(partner_portal::session::Session::restore());
        view! { <ProductPage entry=entry.clone() images=Images::Public /> }
    });
    until("the description", || {
        el.query_selector(".product-description b")
            .ok()
            .flatten()
            .is_some()
    })
    .await;
    let description = el
        .query_selector(".product-description")
        .ok()
        .flatten()
        .expect("description");
    assert_eq!(
        description.text_content().unwrap_or_default(),
        "Fast and safe<script>alert(1)</script>",
        "escaped markup shows as text"
    );
    assert!(
        el.query_selector("script").ok().flatten().is_none(),
        "no script element"
    );
    let img = description
        .query_selector("img")
        .ok()
        .flatten()
        .expect("the allowed img");
    assert!(!img.has_attribute("onerror"));
    let title = el.query_selector("h1").ok().flatten().expect("title");
    assert_eq!(
        title.text_content().unwrap_or_default(),
        "Contoso <VM>",
        "the title is text, never markup"
    );
    let terms = el
        .query_selector(".product-terms")
        .ok()
        .flatten()
        .expect("terms");
    assert_eq!(
        terms.text_content().unwrap_or_default(),
        "Terms & conditions"
    );
    handle.forget();
}
