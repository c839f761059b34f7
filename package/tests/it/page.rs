//! The product page: every text escaped, only the sanitized description embedded as HTML.

use portal_domain::catalogue::{CatalogueEntry, ImageAsset, Link, Logos, Screenshot, Sku, Video};
use portal_package::{render_product_page, sanitize_description};
use time::OffsetDateTime;

fn hostile_entry() -> CatalogueEntry {
    let attack = "<script>alert(1)</script>\"'&";
    CatalogueEntry {
        publisher_id: "contoso".into(),
        offer_id: "contoso-vm".into(),
        version: 7,
        title: format!("Title {attack}"),
        summary: format!("Summary {attack}"),
        long_summary: format!("Long {attack}"),
        description_html: sanitize_description(
            "<p>Good <b>bold</b></p><img src=x onerror=alert(1)><script>alert(2)</script>",
        ),
        categories: vec![format!("cat {attack}")],
        logos: Logos {
            large: Some(ImageAsset {
                asset: "assets/large-logo.png".into(),
                width: 115,
                height: 115,
            }),
            ..Logos::default()
        },
        screenshots: vec![Screenshot {
            name: format!("Shot {attack}"),
            image: ImageAsset {
                asset: "assets/screenshot-1.png".into(),
                width: 533,
                height: 324,
            },
        }],
        videos: vec![Video {
            name: "Tour".into(),
            link: "javascript:alert(3)".into(),
            thumbnail: None,
        }],
        useful_links: vec![Link {
            title: format!("Docs {attack}"),
            url: "https://contoso.com/docs?a=1&b=\"2\"".into(),
        }],
        privacy_url: Some("javascript:alert(4)".into()),
        terms_of_use_html: Some(sanitize_description("<i>Terms</i><script>x</script>")),
        support_url: None,
        government_support_url: None,
        skus: vec![Sku {
            id: "std".into(),
            title: format!("SKU {attack}"),
            summary: "s".into(),
            description: format!("d {attack}"),
            os_family: "Linux".into(),
            os_friendly_name: format!("OS {attack}"),
            recommended_vm_sizes: vec!["a1-standard".into()],
            open_ports: vec![],
            byol: Some(true),
            free_trial_months: None,
            regions: vec!["US".into()],
            disk_versions: vec![],
        }],
        packaged_at: OffsetDateTime::UNIX_EPOCH,
    }
}

#[test]
fn texts_are_escaped_and_only_the_sanitized_description_is_html() {
    let page = render_product_page(&hostile_entry());
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(!page.contains("<script"), "{page}");
    assert!(!page.contains("onerror"), "{page}");
    assert!(
        !page.contains("javascript:"),
        "unsafe links must not be linked: {page}"
    );
    assert!(
        page.contains("<title>Title &lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;</title>")
    );
    assert!(page.contains("<h1>Title &lt;script&gt;"));
    assert!(page.contains("Long &lt;script&gt;"));
    assert!(page.contains("<li>cat &lt;script&gt;"));
    assert!(page.contains("SKU &lt;script&gt;"));
    assert!(page.contains("OS &lt;script&gt;"));
    assert!(page.contains("<figcaption>Shot &lt;script&gt;"));
    // The sanitized description goes in as markup.
    assert!(
        page.contains("<div class=\"description\"><p>Good <b>bold</b></p></div>"),
        "{page}"
    );
    assert!(page.contains("<div class=\"terms\"><i>Terms</i></div>"));
    // URLs are escaped inside attributes, and links get a safe rel.
    assert!(page.contains(
        "<a href=\"https://contoso.com/docs?a=1&amp;b=&quot;2&quot;\" rel=\"noopener noreferrer nofollow\">Docs &lt;script&gt;"
    ));
    assert!(page.contains("src=\"assets/large-logo.png\" width=\"115\" height=\"115\""));
}

#[test]
fn the_page_is_self_contained_and_forbids_scripts() {
    let page = render_product_page(&hostile_entry());
    assert!(page.contains("Content-Security-Policy"));
    assert!(page.contains("default-src 'none'"));
    assert!(page.contains("<style>"));
    assert!(!page.contains("<link"), "no external stylesheet");
    assert!(!page.contains("http://"), "nothing fetched from elsewhere");
}
