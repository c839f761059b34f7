//! The catalogue, product page, preview and test deployment: searching live offers, naming
//! images, human-readable sizes and the test deployment's choices.

use portal_domain::api::TestDeploymentRequest;
use portal_domain::catalogue::{CatalogueEntry, Sku};
use portal_domain::workflow::RegionProgress;

/// The name an asset is served under (`assets/small-logo.png` → `small-logo.png`).
pub fn asset_name(asset: &str) -> &str {
    asset.strip_prefix("assets/").unwrap_or(asset)
}

/// Bytes in binary units with one decimal: `512 B`, `1.5 KiB`, `30.0 GiB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    // One decimal, rounded half up, without the float formatting machinery.
    let tenths = (value * 10.0 + 0.5) as u64;
    format!("{}.{} {}", tenths / 10, tenths % 10, UNITS[unit])
}

/// Indexes of the entries matching `search` (title, summary, publisher, offer id or a
/// category; case-insensitive), in the order given.
pub fn search_catalogue(entries: &[CatalogueEntry], search: &str) -> Vec<usize> {
    let needle = search.trim().to_lowercase();
    entries
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            needle.is_empty()
                || [&e.title, &e.summary, &e.publisher_id, &e.offer_id]
                    .into_iter()
                    .chain(&e.categories)
                    .any(|text| text.to_lowercase().contains(&needle))
        })
        .map(|(i, _)| i)
        .collect()
}

/// One region's replication as a bar: percent done and `1.5 GiB of 30.0 GiB`.
pub fn region_bar(region: &RegionProgress) -> (u8, String) {
    let done = u128::from(region.bytes_done.min(region.bytes_total));
    let percent = match (done * 100).checked_div(u128::from(region.bytes_total)) {
        Some(p) => p as u8,
        None if region.state == "done" || region.state == "skipped" => 100,
        None => 0,
    };
    (
        percent,
        format!(
            "{} / {}",
            human_bytes(region.bytes_done),
            human_bytes(region.bytes_total)
        ),
    )
}

/// The test deployment form: a SKU, one of its disk versions, one of the preview's regions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeployForm {
    /// The chosen SKU id.
    pub sku: String,
    /// The chosen disk version.
    pub version: String,
    /// The chosen region.
    pub region: String,
}

impl DeployForm {
    /// The first SKU, its newest disk version and the first region.
    pub fn new(entry: &CatalogueEntry, regions: &[String]) -> Self {
        let mut form = Self {
            region: regions.first().cloned().unwrap_or_default(),
            ..Self::default()
        };
        if let Some(sku) = entry.skus.first() {
            form.choose_sku(entry, &sku.id);
        }
        form
    }

    /// Chooses a SKU; the version goes to that SKU's newest.
    pub fn choose_sku(&mut self, entry: &CatalogueEntry, sku: &str) {
        self.sku = sku.to_owned();
        self.version = Self::sku(entry, sku)
            .and_then(|s| s.disk_versions.first())
            .map(|v| v.version.clone())
            .unwrap_or_default();
    }

    /// The disk versions of the chosen SKU, newest first.
    pub fn versions(&self, entry: &CatalogueEntry) -> Vec<String> {
        Self::sku(entry, &self.sku)
            .map(|s| s.disk_versions.iter().map(|v| v.version.clone()).collect())
            .unwrap_or_default()
    }

    fn sku<'a>(entry: &'a CatalogueEntry, id: &str) -> Option<&'a Sku> {
        entry.skus.iter().find(|s| s.id == id)
    }

    /// The request, once every choice is made.
    pub fn request(&self) -> Option<TestDeploymentRequest> {
        (!self.sku.is_empty() && !self.version.is_empty() && !self.region.is_empty()).then(|| {
            TestDeploymentRequest {
                sku_id: self.sku.clone(),
                disk_version: self.version.clone(),
                region: self.region.clone(),
            }
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use portal_domain::catalogue::{DiskVersionInfo, Logos, Port};
    use time::OffsetDateTime;

    pub(crate) fn sku(id: &str, versions: &[&str]) -> Sku {
        Sku {
            id: id.into(),
            title: format!("{id} title"),
            summary: "summary".into(),
            description: "description".into(),
            os_family: "Linux".into(),
            os_friendly_name: "Ubuntu 22.04 LTS".into(),
            recommended_vm_sizes: vec!["Standard_D2s_v3".into()],
            open_ports: vec![Port {
                name: "ssh".into(),
                protocol: "TCP".into(),
                port: 22,
            }],
            byol: Some(false),
            free_trial_months: None,
            regions: vec!["US".into()],
            disk_versions: versions
                .iter()
                .map(|v| DiskVersionInfo {
                    version: (*v).into(),
                    os_disk_size_bytes: Some(1 << 30),
                    data_disks: Vec::new(),
                })
                .collect(),
        }
    }

    pub(crate) fn entry(offer: &str, title: &str, categories: &[&str]) -> CatalogueEntry {
        CatalogueEntry {
            publisher_id: "contoso".into(),
            offer_id: offer.into(),
            version: 2,
            title: title.into(),
            summary: format!("{title} summary"),
            long_summary: "long summary".into(),
            description_html: "<p>Description</p>".into(),
            categories: categories.iter().map(|c| (*c).to_owned()).collect(),
            logos: Logos::default(),
            screenshots: Vec::new(),
            videos: Vec::new(),
            useful_links: Vec::new(),
            privacy_url: Some("https://contoso.com/privacy".into()),
            terms_of_use_html: None,
            support_url: None,
            government_support_url: None,
            skus: vec![sku("gold", &["2.0.0", "1.0.0"]), sku("silver", &["1.1.0"])],
            packaged_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn assets_are_served_by_their_file_name() {
        assert_eq!(asset_name("assets/small-logo.png"), "small-logo.png");
        assert_eq!(asset_name("hero.png"), "hero.png");
    }

    #[test]
    fn sizes_in_binary_units() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(1023), "1023 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(1 << 30), "1.0 GiB");
        assert_eq!(human_bytes(30 * (1 << 30) + (1 << 29)), "30.5 GiB");
        assert_eq!(human_bytes(u64::MAX), "16384.0 PiB");
    }

    #[test]
    fn catalogue_search_covers_title_publisher_and_categories() {
        let entries = vec![
            entry("vm-a", "Contoso Firewall", &["security"]),
            entry("vm-b", "Data Gateway", &["networking"]),
        ];
        assert_eq!(search_catalogue(&entries, ""), vec![0, 1]);
        assert_eq!(search_catalogue(&entries, "FIREWALL"), vec![0]);
        assert_eq!(search_catalogue(&entries, "network"), vec![1]);
        assert_eq!(search_catalogue(&entries, "contoso"), vec![0, 1]);
        assert!(search_catalogue(&entries, "nothing").is_empty());
    }

    #[test]
    fn region_bars_show_percent_and_sizes() {
        let r = RegionProgress {
            name: "eastus".into(),
            bytes_done: 1 << 29,
            bytes_total: 1 << 30,
            state: "copying".into(),
        };
        assert_eq!(region_bar(&r), (50, "512.0 MiB / 1.0 GiB".into()));
        let empty = RegionProgress {
            bytes_total: 0,
            bytes_done: 0,
            state: "skipped".into(),
            ..r
        };
        assert_eq!(region_bar(&empty).0, 100);
    }

    #[test]
    fn the_deploy_form_starts_at_the_newest_version_and_follows_the_sku() {
        let e = entry("vm-a", "A", &[]);
        let mut form = DeployForm::new(&e, &["eastus".into(), "westeurope".into()]);
        assert_eq!(
            form.request(),
            Some(TestDeploymentRequest {
                sku_id: "gold".into(),
                disk_version: "2.0.0".into(),
                region: "eastus".into(),
            })
        );
        assert_eq!(form.versions(&e), vec!["2.0.0", "1.0.0"]);
        form.choose_sku(&e, "silver");
        assert_eq!(form.version, "1.1.0");
        assert_eq!(
            DeployForm::new(&e, &[]).request(),
            None,
            "no region to deploy to"
        );
    }
}
