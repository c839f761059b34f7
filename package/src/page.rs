//! The static product page: one self-contained HTML file (inline CSS, no scripts, a Content
//! Security Policy that forbids them) next to its images. Every text is escaped; the only
//! markup taken from the publisher is the already sanitized description and terms of use.

use std::fmt::Write as _;

use portal_domain::catalogue::{CatalogueEntry, ImageAsset, Sku};
use portal_domain::workflow::escape_html as esc;

use crate::entry::is_web_url;
use crate::sanitize::LINK_REL;

const STYLE: &str = "\
body{margin:0;font:16px/1.5 system-ui,sans-serif;color:#1b1b1b;background:#fff}\
main{max-width:960px;margin:0 auto;padding:24px}\
.hero{display:block;width:100%;max-width:815px;height:auto;margin:0 auto}\
header.offer{display:flex;gap:24px;align-items:center}\
header.offer img{flex:none}\
h1{margin:0 0 4px;font-size:28px}\
.publisher,.summary{margin:0;color:#505050}\
.categories{display:flex;gap:8px;flex-wrap:wrap;padding:0;list-style:none}\
.categories li{background:#eef3fa;border-radius:4px;padding:2px 8px;font-size:14px}\
section{margin-top:32px}\
.screenshots{display:flex;gap:16px;flex-wrap:wrap}\
figure{margin:0}\
figcaption{font-size:14px;color:#505050}\
.sku{border:1px solid #d0d7de;border-radius:6px;padding:16px;margin-bottom:16px}\
.sku h3{margin-top:0}\
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}\
dt{font-weight:600}dd{margin:0}\
footer{margin-top:48px;font-size:13px;color:#6a6a6a}";

/// Renders the product page of an entry. Images are referenced relative to the page
/// (`assets/…`), so the page works wherever the entry's prefix is served.
pub fn render_product_page(entry: &CatalogueEntry) -> String {
    let mut h = String::with_capacity(8 * 1024);
    let title = esc(&entry.title);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src 'self'; style-src 'unsafe-inline'\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <title>{title}</title>\n<meta name=\"description\" content=\"{}\">\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(&entry.summary)
    );
    if let Some(hero) = &entry.logos.hero {
        h.push_str(&img(hero, "", "hero"));
    }
    h.push_str("<main>\n<header class=\"offer\">\n");
    if let Some(logo) = &entry.logos.large {
        h.push_str(&img(logo, &format!("{} logo", entry.title), ""));
    }
    let _ = write!(
        h,
        "<div>\n<h1>{title}</h1>\n<p class=\"publisher\">{}</p>\n<p class=\"summary\">{}</p>\n</div>\n</header>\n",
        esc(&entry.publisher_id),
        esc(&entry.summary)
    );
    if !entry.categories.is_empty() {
        h.push_str("<ul class=\"categories\" aria-label=\"Categories\">");
        for c in &entry.categories {
            let _ = write!(h, "<li>{}</li>", esc(c));
        }
        h.push_str("</ul>\n");
    }
    let _ = write!(
        h,
        "<section class=\"overview\">\n<h2>Overview</h2>\n<p class=\"long-summary\">{}</p>\n<div class=\"description\">{}</div>\n</section>\n",
        esc(&entry.long_summary),
        entry.description_html
    );
    screenshots_and_videos(&mut h, entry);
    if !entry.skus.is_empty() {
        h.push_str("<section class=\"plans\">\n<h2>Plans</h2>\n");
        for sku in &entry.skus {
            render_sku(&mut h, sku);
        }
        h.push_str("</section>\n");
    }
    links_and_legal(&mut h, entry);
    let packaged = entry
        .packaged_at
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let _ = write!(
        h,
        "<footer>{}.{} version {} · packaged {}</footer>\n</main>\n</body>\n</html>\n",
        esc(&entry.publisher_id),
        esc(&entry.offer_id),
        entry.version,
        esc(&packaged)
    );
    h
}

fn img(asset: &ImageAsset, alt: &str, class: &str) -> String {
    let class = if class.is_empty() {
        String::new()
    } else {
        format!(" class=\"{class}\"")
    };
    format!(
        "<img{class} src=\"{}\" width=\"{}\" height=\"{}\" alt=\"{}\">\n",
        esc(&asset.asset),
        asset.width,
        asset.height,
        esc(alt)
    )
}

/// A link when the URL is absolute http(s), plain text otherwise.
fn link(url: &str, text: &str) -> String {
    if is_web_url(url) {
        format!(
            "<a href=\"{}\" rel=\"{LINK_REL}\">{}</a>",
            esc(url),
            esc(text)
        )
    } else {
        esc(text)
    }
}

fn screenshots_and_videos(h: &mut String, entry: &CatalogueEntry) {
    if !entry.screenshots.is_empty() {
        h.push_str("<section class=\"screenshots-section\">\n<h2>Screenshots</h2>\n<div class=\"screenshots\">\n");
        for s in &entry.screenshots {
            let _ = writeln!(
                h,
                "<figure>{}<figcaption>{}</figcaption></figure>",
                img(&s.image, &s.name, ""),
                esc(&s.name)
            );
        }
        h.push_str("</div>\n</section>\n");
    }
    if !entry.videos.is_empty() {
        h.push_str("<section class=\"videos\">\n<h2>Videos</h2>\n<div class=\"screenshots\">\n");
        for v in &entry.videos {
            let thumb = v
                .thumbnail
                .as_ref()
                .map(|t| img(t, &v.name, ""))
                .unwrap_or_default();
            let _ = writeln!(
                h,
                "<figure>{thumb}<figcaption>{}</figcaption></figure>",
                link(&v.link, &v.name)
            );
        }
        h.push_str("</div>\n</section>\n");
    }
}

fn render_sku(h: &mut String, sku: &Sku) {
    let _ = write!(
        h,
        "<article class=\"sku\" id=\"sku-{}\">\n<h3>{}</h3>\n<p>{}</p>\n<p>{}</p>\n<dl>\n",
        esc(&sku.id),
        esc(&sku.title),
        esc(&sku.summary),
        esc(&sku.description)
    );
    let _ = writeln!(
        h,
        "<dt>Operating system</dt><dd>{} ({})</dd>",
        esc(&sku.os_friendly_name),
        esc(&sku.os_family)
    );
    if let Some(byol) = sku.byol {
        let license = if byol {
            "Bring your own license"
        } else {
            "Usage-based, billed monthly"
        };
        let _ = writeln!(h, "<dt>License</dt><dd>{license}</dd>");
    }
    if let Some(months) = sku.free_trial_months {
        let _ = writeln!(h, "<dt>Free trial</dt><dd>{months} month(s)</dd>");
    }
    if !sku.recommended_vm_sizes.is_empty() {
        let _ = writeln!(
            h,
            "<dt>Recommended sizes</dt><dd>{}</dd>",
            esc(&sku.recommended_vm_sizes.join(", "))
        );
    }
    if !sku.open_ports.is_empty() {
        let ports: Vec<String> = sku
            .open_ports
            .iter()
            .map(|p| format!("{} {}/{}", p.name, p.port, p.protocol))
            .collect();
        let _ = writeln!(h, "<dt>Open ports</dt><dd>{}</dd>", esc(&ports.join(", ")));
    }
    if let Some(latest) = sku.disk_versions.first() {
        let mut disks = esc(&latest.version).to_string();
        if let Some(size) = latest.os_disk_size_bytes {
            let _ = write!(disks, ", OS disk {}", gib(size));
        }
        if !latest.data_disks.is_empty() {
            let _ = write!(disks, ", {} data disk(s)", latest.data_disks.len());
        }
        let _ = writeln!(h, "<dt>Image version</dt><dd>{disks}</dd>");
    }
    if !sku.regions.is_empty() {
        let _ = writeln!(
            h,
            "<dt>Available in</dt><dd>{}</dd>",
            esc(&sku.regions.join(", "))
        );
    }
    h.push_str("</dl>\n</article>\n");
}

fn gib(bytes: u64) -> String {
    let gib = bytes as f64 / (1024.0 * 1024.0 * 1024.0);
    if gib >= 1.0 {
        format!("{gib:.0} GiB")
    } else {
        format!("{:.0} MiB", bytes as f64 / (1024.0 * 1024.0))
    }
}

fn links_and_legal(h: &mut String, entry: &CatalogueEntry) {
    if !entry.useful_links.is_empty() {
        h.push_str("<section class=\"links\">\n<h2>Useful links</h2>\n<ul>\n");
        for l in &entry.useful_links {
            let _ = writeln!(h, "<li>{}</li>", link(&l.url, &l.title));
        }
        h.push_str("</ul>\n</section>\n");
    }
    let support: Vec<String> = [
        (&entry.support_url, "Support"),
        (
            &entry.government_support_url,
            "Support for Azure Government",
        ),
    ]
    .into_iter()
    .filter_map(|(url, text)| {
        url.as_deref()
            .map(|u| format!("<li>{}</li>", link(u, text)))
    })
    .collect();
    if !support.is_empty() {
        let _ = write!(
            h,
            "<section class=\"support\">\n<h2>Support</h2>\n<ul>{}</ul>\n</section>\n",
            support.join("")
        );
    }
    if entry.privacy_url.is_some() || entry.terms_of_use_html.is_some() {
        h.push_str("<section class=\"legal\">\n<h2>Legal</h2>\n");
        if let Some(url) = &entry.privacy_url {
            let _ = writeln!(h, "<p>{}</p>", link(url, "Privacy policy"));
        }
        if let Some(terms) = &entry.terms_of_use_html {
            let _ = write!(
                h,
                "<h3>Terms of use</h3>\n<div class=\"terms\">{terms}</div>\n"
            );
        }
        h.push_str("</section>\n");
    }
}
