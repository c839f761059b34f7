//! The catalogue entry: what a customer sees of one offer version, written by the packaging
//! step next to the static product page and read by the preview and catalogue pages and by
//! `GET /api/catalogue`.
//!
//! It holds only what is shown publicly. Lead destinations and their secrets, contacts (not
//! shown publicly), preview subscriptions and disk SAS URLs are never part of it; the
//! description and terms of use are already sanitized HTML.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// One offer version as it appears in the catalogue (`entry.json` in the object store).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogueEntry {
    /// Publisher namespace, e.g. `contoso`.
    pub publisher_id: String,
    /// Offer id, e.g. `contoso-vm`.
    pub offer_id: String,
    /// The offer version this entry was packaged from.
    pub version: u64,
    /// Marketplace title.
    pub title: String,
    /// Search results summary.
    pub summary: String,
    /// Long summary (the product page's lead paragraph).
    pub long_summary: String,
    /// The description as sanitized HTML, safe to embed as is.
    pub description_html: String,
    /// Category keys, e.g. `networking`.
    pub categories: Vec<String>,
    /// The logos, copied next to the entry.
    pub logos: Logos,
    /// Screenshots with their captions.
    pub screenshots: Vec<Screenshot>,
    /// Marketing videos.
    pub videos: Vec<Video>,
    /// Documentation, release notes, FAQ links.
    pub useful_links: Vec<Link>,
    /// Privacy policy URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy_url: Option<String>,
    /// Terms of use as sanitized HTML (plain text comes out as escaped text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms_of_use_html: Option<String>,
    /// Customer support site for public Azure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_url: Option<String>,
    /// Customer support site for Azure Government.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub government_support_url: Option<String>,
    /// The SKUs shown to customers (hidden SKUs are left out).
    pub skus: Vec<Sku>,
    /// When the entry was packaged (UTC).
    #[serde(with = "time::serde::rfc3339")]
    pub packaged_at: OffsetDateTime,
}

/// An image copied into the store next to the entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageAsset {
    /// Object name relative to the entry, e.g. `assets/small-logo.png`.
    pub asset: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// The offer's logos; the hero image is optional in the editor, the others are required
/// before an offer can be published.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Logos {
    /// Small logo (search results).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub small: Option<ImageAsset>,
    /// Medium logo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medium: Option<ImageAsset>,
    /// Large logo (the product page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub large: Option<ImageAsset>,
    /// Wide logo (promotions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wide: Option<ImageAsset>,
    /// Hero image (the product page banner).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hero: Option<ImageAsset>,
}

/// A screenshot and its caption.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Screenshot {
    /// Caption.
    pub name: String,
    /// The image.
    pub image: ImageAsset,
}

/// A marketing video: a YouTube or Vimeo link with a thumbnail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Video {
    /// Title.
    pub name: String,
    /// The video page.
    pub link: String,
    /// The thumbnail, when the publisher gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<ImageAsset>,
}

/// A titled link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Link {
    /// Link text.
    pub title: String,
    /// Target.
    pub url: String,
}

/// A SKU as customers see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sku {
    /// SKU id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: String,
    /// Description (plain text).
    pub description: String,
    /// `Windows` or `Linux`.
    pub os_family: String,
    /// OS friendly name, e.g. `Ubuntu 22.04 LTS`.
    pub os_friendly_name: String,
    /// Recommended VM sizes, the default first.
    pub recommended_vm_sizes: Vec<String>,
    /// Ports opened at deployment.
    pub open_ports: Vec<Port>,
    /// Bring your own license (true) or usage-based billing (false), when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub byol: Option<bool>,
    /// Free trial months of a usage-based SKU, when offered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_trial_months: Option<u32>,
    /// ISO 3166 alpha-2 codes of the countries/regions where it is sold.
    pub regions: Vec<String>,
    /// Disk versions, newest first (the marketplace deploys the newest).
    pub disk_versions: Vec<DiskVersionInfo>,
}

/// A port opened at deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Port {
    /// Friendly name.
    pub name: String,
    /// `TCP` or `UDP`.
    pub protocol: String,
    /// Port number.
    pub port: u32,
}

/// One disk version of a SKU, without its (secret) SAS URLs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiskVersionInfo {
    /// `MAJOR.MINOR.PATCH`.
    pub version: String,
    /// The OS disk's virtual size in bytes, when certification measured it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_disk_size_bytes: Option<u64>,
    /// The data disks in LUN order.
    pub data_disks: Vec<DataDiskInfo>,
}

/// A data disk of a disk version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataDiskInfo {
    /// Logical unit number.
    pub lun: u32,
    /// Virtual size in bytes, when certification measured it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_bytes: Option<u64>,
}

impl CatalogueEntry {
    /// The object-store prefix of this entry: `{publisher}/{offer}/v{version}/`.
    pub fn prefix(&self) -> String {
        entry_prefix(&self.publisher_id, &self.offer_id, self.version)
    }
}

/// The object-store prefix of an offer version's product page, entry and assets.
pub fn entry_prefix(publisher_id: &str, offer_id: &str, version: u64) -> String {
    format!("{publisher_id}/{offer_id}/v{version}/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn entry_serializes_in_camel_case_without_empty_options() {
        let entry = CatalogueEntry {
            publisher_id: "contoso".into(),
            offer_id: "contoso-vm".into(),
            version: 3,
            title: "Contoso VM".into(),
            summary: "s".into(),
            long_summary: "l".into(),
            description_html: "<p>d</p>".into(),
            categories: vec!["networking".into()],
            logos: Logos {
                small: Some(ImageAsset {
                    asset: "assets/small-logo.png".into(),
                    width: 40,
                    height: 40,
                }),
                ..Logos::default()
            },
            screenshots: vec![],
            videos: vec![],
            useful_links: vec![],
            privacy_url: None,
            terms_of_use_html: None,
            support_url: None,
            government_support_url: None,
            skus: vec![],
            packaged_at: OffsetDateTime::UNIX_EPOCH,
        };
        let v = serde_json::to_value(&entry).unwrap();
        assert_eq!(v["publisherId"], "contoso");
        assert_eq!(v["descriptionHtml"], "<p>d</p>");
        assert_eq!(
            v["logos"],
            json!({"small": {"asset": "assets/small-logo.png", "width": 40, "height": 40}})
        );
        assert_eq!(v["packagedAt"], "1970-01-01T00:00:00Z");
        assert!(v.get("privacyUrl").is_none());
        let back: CatalogueEntry = serde_json::from_value(v).unwrap();
        assert_eq!(back, entry);
        assert_eq!(entry.prefix(), "contoso/contoso-vm/v3/");
    }
}
