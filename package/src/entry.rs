//! Building the [`CatalogueEntry`] from an offer snapshot: the public texts, the checked
//! images, the visible SKUs. Secrets and private data (lead configuration, contacts, preview
//! subscriptions, SAS URLs) are never copied.

use std::collections::HashMap;

use portal_domain::catalogue::{
    CatalogueEntry, DataDiskInfo, DiskVersionInfo, ImageAsset, Link, Logos, Port, Screenshot, Sku,
    Video,
};
use portal_domain::document::Plan;
use portal_domain::ids::DiskVersion;
use portal_domain::{FieldPath, OfferDocument};
use time::OffsetDateTime;

use crate::problem::PackageProblem;
use crate::sanitize::sanitize_description;

/// A disk size measured by certification, to show next to the disk version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiskSize {
    /// SKU id (`planId`).
    pub sku_id: String,
    /// Disk version, `MAJOR.MINOR.PATCH`.
    pub version: String,
    /// `None` for the OS disk, the LUN for a data disk.
    pub lun: Option<u32>,
    /// Virtual size in bytes.
    pub size_bytes: u64,
}

/// Checked images by the written form of their field path.
pub(crate) type ImagesByField = HashMap<String, ImageAsset>;

const OFFER: &str = "microsoft-azure-marketplace.";

fn offer_field(key: &str) -> String {
    FieldPath::keys(&["definition", "offer"])
        .key(&format!("{OFFER}{key}"))
        .to_string()
}

fn text(v: &Option<String>) -> String {
    v.as_deref().map(str::trim).unwrap_or_default().to_owned()
}

fn filled(v: &Option<String>) -> Option<String> {
    Some(text(v)).filter(|s| !s.is_empty())
}

/// The identity of the offer version: publisher, offer id and version, or a problem for each
/// one missing.
pub(crate) fn identity(doc: &OfferDocument) -> Result<(String, String, u64), Vec<PackageProblem>> {
    let mut problems = Vec::new();
    let publisher = filled(&doc.publisher_id);
    let offer = filled(&doc.id);
    if publisher.is_none() {
        problems.push(PackageProblem::required(
            FieldPath::keys(&["publisherId"]),
            "The snapshot has no publisher id; packaging needs it to name the product page.".into(),
        ));
    }
    if offer.is_none() {
        problems.push(PackageProblem::required(
            FieldPath::keys(&["id"]),
            "The snapshot has no offer id; packaging needs it to name the product page.".into(),
        ));
    }
    if doc.version.is_none() {
        problems.push(PackageProblem::required(
            FieldPath::keys(&["version"]),
            "The snapshot has no version; packaging works on a published version only.".into(),
        ));
    }
    match (publisher, offer, doc.version) {
        (Some(p), Some(o), Some(v)) if problems.is_empty() => Ok((p, o, v)),
        _ => Err(problems),
    }
}

/// Builds the entry. `images` holds the checked images; an image missing there is left out.
pub(crate) fn build_entry(
    doc: &OfferDocument,
    (publisher_id, offer_id, version): (String, String, u64),
    images: &ImagesByField,
    disk_sizes: &[DiskSize],
    packaged_at: OffsetDateTime,
) -> CatalogueEntry {
    let o = &doc.definition.offer;
    let image = |field: String| images.get(&field).cloned();
    let logos = Logos {
        small: image(offer_field("smallLogo")),
        medium: image(offer_field("mediumLogo")),
        large: image(offer_field("largeLogo")),
        wide: image(offer_field("wideLogo")),
        hero: image(offer_field("heroLogo")),
    };
    let list_field = |key: &str, i: usize, leaf: &str| {
        FieldPath::keys(&["definition", "offer"])
            .key(&format!("{OFFER}{key}"))
            .index(i)
            .key(leaf)
            .to_string()
    };
    let screenshots = o
        .screenshots
        .iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, s)| {
            Some(Screenshot {
                name: text(&s.name),
                image: image(list_field("screenshots", i, "url"))?,
            })
        })
        .collect();
    let videos = o
        .videos
        .iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, v)| {
            Some(Video {
                name: text(&v.name),
                link: filled(&v.link).filter(|l| is_web_url(l))?,
                thumbnail: image(list_field("videos", i, "thumbnailUrl")),
            })
        })
        .collect();
    let useful_links = o
        .useful_links
        .iter()
        .flatten()
        .filter_map(|l| {
            let url = filled(&l.link_url).filter(|u| is_web_url(u))?;
            Some(Link {
                title: filled(&l.link_title).unwrap_or_else(|| url.clone()),
                url,
            })
        })
        .collect();
    CatalogueEntry {
        publisher_id,
        offer_id,
        version,
        title: filled(&o.title).unwrap_or_else(|| doc.display_name().to_owned()),
        summary: text(&o.summary),
        long_summary: text(&o.long_summary),
        description_html: sanitize_description(o.description.as_deref().unwrap_or_default()),
        categories: o
            .categories
            .iter()
            .flatten()
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
            .collect(),
        logos,
        screenshots,
        videos,
        useful_links,
        privacy_url: filled(&o.privacy_url).filter(|u| is_web_url(u)),
        terms_of_use_html: filled(&o.terms_of_use).map(|t| sanitize_description(&t)),
        support_url: filled(&o.public_azure_support_url).filter(|u| is_web_url(u)),
        government_support_url: filled(&o.fairfax_support_url).filter(|u| is_web_url(u)),
        skus: doc
            .definition
            .plans
            .iter()
            .filter(|p| p.hide_sku != Some(true))
            .map(|p| sku(p, disk_sizes))
            .collect(),
        packaged_at,
    }
}

/// Whether a URL may become a link on the page: absolute `http(s)`.
pub(crate) fn is_web_url(raw: &str) -> bool {
    url::Url::parse(raw).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
}

fn sku(plan: &Plan, disk_sizes: &[DiskSize]) -> Sku {
    let id = text(&plan.plan_id);
    let size_of = |version: &str, lun: Option<u32>| {
        disk_sizes
            .iter()
            .find(|d| d.sku_id == id && d.version == version && d.lun == lun)
            .map(|d| d.size_bytes)
    };
    let mut versions: Vec<(Option<DiskVersion>, DiskVersionInfo)> = plan
        .vm_images
        .iter()
        .flatten()
        .map(|(version, image)| {
            let info = DiskVersionInfo {
                version: version.clone(),
                os_disk_size_bytes: size_of(version, None),
                data_disks: image
                    .lun_vhd_details
                    .iter()
                    .flatten()
                    .enumerate()
                    .map(|(i, d)| {
                        let lun = d.lun.unwrap_or(u32::try_from(i).unwrap_or(u32::MAX));
                        DataDiskInfo {
                            lun,
                            size_bytes: size_of(version, Some(lun)),
                        }
                    })
                    .collect(),
            };
            (DiskVersion::parse(version).ok(), info)
        })
        .collect();
    // Newest first by semantic version (the map orders "1.10.0" before "1.9.0").
    versions.sort_by_key(|v| std::cmp::Reverse(v.0));
    Sku {
        title: text(&plan.sku_title),
        summary: text(&plan.sku_summary),
        description: text(&plan.sku_description),
        os_family: text(&plan.os_family),
        os_friendly_name: text(&plan.os_friendly_name),
        recommended_vm_sizes: plan.recommended_vm_sizes.clone().unwrap_or_default(),
        open_ports: plan
            .open_ports
            .iter()
            .flatten()
            .filter_map(|p| {
                Some(Port {
                    name: text(&p.name),
                    protocol: text(&p.protocol),
                    port: p.port?,
                })
            })
            .collect(),
        byol: plan.pricing.as_ref().and_then(|p| p.is_byol),
        free_trial_months: plan
            .pricing
            .as_ref()
            .and_then(|p| p.free_trial_duration_in_months)
            .filter(|m| *m > 0),
        regions: plan.regions.clone().unwrap_or_default(),
        disk_versions: versions.into_iter().map(|(_, info)| info).collect(),
        id,
    }
}
