//! Images fetched from a local server, checked and copied; `package()` into a local store.

use std::sync::Arc;

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::response::Redirect;
use axum::routing::get;
use object_store::ObjectStore;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use portal_domain::catalogue::CatalogueEntry;
use portal_package::http::AddressPolicy;
use portal_package::{
    DiskSize, HttpPolicy, PackageError, PackageInput, PackageOptions, PackageProblem, package,
};
use time::OffsetDateTime;

use crate::helpers::{package_options, png, sample_offer, serve};

fn png_route(bytes: Vec<u8>) -> axum::routing::MethodRouter {
    get(move || {
        let bytes = bytes.clone();
        async move { ([(CONTENT_TYPE, "image/png")], bytes) }
    })
}

/// A server with correct images at `/small.png` … `/shot.png`, and broken ones.
async fn image_server() -> String {
    let router = Router::new()
        .route("/small.png", png_route(png(40, 40)))
        .route("/medium.png", png_route(png(90, 90)))
        .route("/large.png", png_route(png(115, 115)))
        .route("/wide.png", png_route(png(255, 115)))
        .route("/shot.png", png_route(png(533, 324)))
        .route("/big-small.png", png_route(png(64, 64)))
        .route("/huge.png", png_route(vec![0u8; 300 * 1024]))
        .route(
            "/page.html",
            get(|| async { ([(CONTENT_TYPE, "image/png")], "<html>not an image</html>") }),
        )
        .route(
            "/as-html.png",
            get(|| async { ([(CONTENT_TYPE, "text/html")], png(40, 40)) }),
        );
    format!("http://{}", serve(router).await)
}

async fn run(
    doc: &portal_domain::OfferDocument,
    store: &dyn ObjectStore,
    opts: &PackageOptions,
) -> Result<portal_package::Packaged, PackageError> {
    let sizes = [DiskSize {
        sku_id: "standard".into(),
        version: "1.10.0".into(),
        lun: None,
        size_bytes: 30 * 1024 * 1024 * 1024,
    }];
    let input = PackageInput {
        document: doc,
        packaged_at: OffsetDateTime::UNIX_EPOCH,
        disk_sizes: &sizes,
    };
    package(input, store, opts).await
}

fn problems(result: Result<portal_package::Packaged, PackageError>) -> Vec<PackageProblem> {
    match result {
        Err(PackageError::Problems(p)) => p,
        other => panic!("expected problems, got {other:?}"),
    }
}

#[tokio::test]
async fn package_writes_page_entry_and_assets_and_is_idempotent() {
    let base = image_server().await;
    let doc = sample_offer(&base);
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(LocalFileSystem::new_with_prefix(dir.path()).unwrap());
    let opts = package_options();

    let first = run(&doc, store.as_ref(), &opts).await.expect("packaged");
    let prefix = "contoso/contoso-vm/v2/";
    let names: Vec<String> = first.keys.iter().map(|k| k.to_string()).collect();
    for want in [
        "assets/small-logo.png",
        "assets/medium-logo.png",
        "assets/large-logo.png",
        "assets/wide-logo.png",
        "assets/screenshot-1.png",
        "assets/video-1-thumbnail.png",
        "entry.json",
        "index.html",
    ] {
        assert!(
            names.contains(&format!("{prefix}{want}")),
            "{want} not in {names:?}"
        );
    }
    // The copied logo is the served file, byte for byte.
    let small = store
        .get(&Path::from(format!("{prefix}assets/small-logo.png")))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(small.as_ref(), png(40, 40).as_slice());

    // entry.json is the returned entry, with what customers see and nothing secret.
    let raw = store
        .get(&Path::from(format!("{prefix}entry.json")))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let text = String::from_utf8(raw.to_vec()).unwrap();
    let entry: CatalogueEntry = serde_json::from_str(&text).unwrap();
    assert_eq!(entry, first.entry);
    assert_eq!(entry.title, "Contoso <Secure> VM");
    assert_eq!(entry.description_html, "<p>Hello <b>world</b></p>");
    assert_eq!(
        entry.terms_of_use_html.as_deref(),
        Some("Use <i>wisely</i>")
    );
    let small_logo = entry.logos.small.as_ref().unwrap();
    assert_eq!(
        (
            small_logo.asset.as_str(),
            small_logo.width,
            small_logo.height
        ),
        ("assets/small-logo.png", 40, 40)
    );
    assert_eq!(entry.screenshots[0].image.asset, "assets/screenshot-1.png");
    assert_eq!(
        entry.useful_links.len(),
        1,
        "the javascript: link is left out"
    );
    assert_eq!(entry.skus.len(), 1, "the hidden SKU is left out");
    let sku = &entry.skus[0];
    let versions: Vec<&str> = sku
        .disk_versions
        .iter()
        .map(|v| v.version.as_str())
        .collect();
    assert_eq!(
        versions,
        ["1.10.0", "1.9.0"],
        "newest first by semantic version"
    );
    assert_eq!(
        sku.disk_versions[0].os_disk_size_bytes,
        Some(30 * 1024 * 1024 * 1024)
    );
    assert_eq!(sku.disk_versions[0].data_disks.len(), 1);
    assert_eq!(sku.disk_versions[1].os_disk_size_bytes, None);
    for secret in [
        "AccountKey",
        "U0VDUkVULUtFWQ",
        "DISKSAS",
        "osVhdUrl",
        "eng@contoso.com",
        "0f1e2d3c",
        "leadDestination",
    ] {
        assert!(!text.contains(secret), "{secret} leaked into entry.json");
    }

    let page = store
        .get(&Path::from(format!("{prefix}index.html")))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let page = String::from_utf8(page.to_vec()).unwrap();
    assert!(page.contains("<h1>Contoso &lt;Secure&gt; VM</h1>"));
    assert!(page.contains("<p>Hello <b>world</b></p>"));
    assert!(!page.contains("<script"));

    // Running again writes the same keys (overwriting) and succeeds.
    let second = run(&doc, store.as_ref(), &opts)
        .await
        .expect("packaged again");
    assert_eq!(second.keys, first.keys);
    assert_eq!(second.entry, first.entry);
}

#[tokio::test]
async fn broken_images_are_refused_with_the_field_named_and_nothing_written() {
    let base = image_server().await;
    let mut doc = sample_offer(&base);
    let o = &mut doc.definition.offer;
    o.small_logo = Some(format!("{base}/big-small.png"));
    o.medium_logo = Some(format!("{base}/page.html"));
    o.large_logo = Some(format!("{base}/huge.png"));
    o.wide_logo = Some(format!("{base}/missing.png"));
    o.hero_logo = Some(format!("{base}/as-html.png"));
    let dir = tempfile::tempdir().unwrap();
    let store = LocalFileSystem::new_with_prefix(dir.path()).unwrap();

    let found = problems(run(&doc, &store, &package_options()).await);
    let at = |key: &str| {
        let field = format!("definition.offer.microsoft-azure-marketplace.{key}");
        found
            .iter()
            .find(|p| p.field.to_string() == field)
            .unwrap_or_else(|| panic!("no problem at {field}: {found:#?}"))
    };
    let small = at("smallLogo");
    assert_eq!(small.code, "wrongImageSize");
    assert_eq!(
        small.message,
        format!(
            "The small logo must be exactly 40×40 pixels; the file at {base}/big-small.png is 64×64. Resize it (without stretching)."
        )
    );
    let medium = at("mediumLogo");
    assert_eq!(medium.code, "imageUnreadable");
    assert!(
        medium.message.contains("must be a PNG image") && medium.message.contains("not an image"),
        "{}",
        medium.message
    );
    let large = at("largeLogo");
    assert!(
        large.message.contains("larger than 262144 bytes"),
        "{}",
        large.message
    );
    let wide = at("wideLogo");
    assert!(
        wide.message.contains("answered 404 Not Found"),
        "{}",
        wide.message
    );
    let hero = at("heroLogo");
    assert!(
        hero.message.contains("declares the file") && hero.message.contains("text/html"),
        "{}",
        hero.message
    );
    assert_eq!(
        found.len(),
        5,
        "screenshots and thumbnails are fine: {found:#?}"
    );

    let mut listing = store.list(None);
    use futures_util::StreamExt as _;
    assert!(
        listing.next().await.is_none(),
        "nothing may be written when an image fails"
    );
}

#[tokio::test]
async fn private_addresses_are_refused_unless_allowed() {
    let base = image_server().await;
    let doc = sample_offer(&base);
    let dir = tempfile::tempdir().unwrap();
    let store = LocalFileSystem::new_with_prefix(dir.path()).unwrap();
    let opts = PackageOptions {
        http: HttpPolicy {
            allow_http: true,
            ..HttpPolicy::default()
        },
        ..package_options()
    };
    let found = problems(run(&doc, &store, &opts).await);
    // Every image (4 logos, 1 screenshot, 1 thumbnail) points at loopback.
    assert_eq!(found.len(), 6, "{found:#?}");
    let shot = found
        .iter()
        .find(|p| {
            p.field.to_string() == "definition.offer.microsoft-azure-marketplace.screenshots[0].url"
        })
        .expect("the screenshot is named");
    assert!(
        shot.message.starts_with("Screenshot 1: the file at"),
        "{}",
        shot.message
    );
    assert!(
        shot.message.contains("non-public address"),
        "{}",
        shot.message
    );
    assert!(
        shot.message.contains("Use a public https:// URL."),
        "{}",
        shot.message
    );
}

#[tokio::test]
async fn a_snapshot_without_identity_is_refused() {
    let mut doc = sample_offer("https://example.invalid");
    doc.version = None;
    doc.publisher_id = None;
    let dir = tempfile::tempdir().unwrap();
    let store = LocalFileSystem::new_with_prefix(dir.path()).unwrap();
    let found = problems(run(&doc, &store, &package_options()).await);
    let fields: Vec<String> = found.iter().map(|p| p.field.to_string()).collect();
    assert_eq!(fields, ["publisherId", "version"]);
}

#[tokio::test]
async fn redirect_targets_are_checked_again() {
    let target = image_server().await;
    let to = format!("{target}/small.png");
    let router = Router::new().route(
        "/logo.png",
        get(move || {
            let to = to.clone();
            async move { Redirect::temporary(&to) }
        }),
    );
    let redirector = serve(router).await;
    let mut doc = sample_offer(&target);
    doc.definition.offer.small_logo = Some(format!("http://{redirector}/logo.png"));
    let dir = tempfile::tempdir().unwrap();
    let store = LocalFileSystem::new_with_prefix(dir.path()).unwrap();

    // Only the redirecting server is allowed: the hop to the other loopback port is refused.
    let only_redirector = PackageOptions {
        http: HttpPolicy {
            address: AddressPolicy {
                allow_private: false,
                also_allow: Some(redirector),
            },
            allow_http: true,
            ..HttpPolicy::default()
        },
        ..package_options()
    };
    let found = problems(run(&doc, &store, &only_redirector).await);
    let small = found
        .iter()
        .find(|p| p.field.to_string().ends_with("smallLogo"))
        .expect("the small logo is refused");
    assert!(
        small.message.contains("non-public address"),
        "{}",
        small.message
    );

    // With loopback allowed the redirect is followed and the image checked as usual.
    let packaged = run(&doc, &store, &package_options())
        .await
        .expect("packaged");
    assert_eq!(packaged.entry.logos.small.as_ref().unwrap().width, 40);
}
