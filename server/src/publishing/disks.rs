//! The disks a version carries: every SKU, every disk version, its OS disk and data disks,
//! with the field path of each URL (so a finding points at the field to fix) and the object
//! key of its copies in the regions. Certification, Provisioning and Packaging read them, and
//! so do the reviewer's test deployments.

use portal_domain::FieldPath;
use portal_domain::OfferDocument;
use portal_vhd::{DiskKind, OsFamily};

/// One disk of a snapshot: its field path, URL and kind, and where it is in the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disk {
    /// The SKU's id (`planId`).
    pub sku: String,
    /// The disk version (a key of `vmImages`).
    pub version: String,
    /// Field path of the URL, e.g. `definition.plans[0]…vmImages["1.0.0"].osVhdUrl`.
    pub field: String,
    /// The URL (with its SAS).
    pub url: String,
    /// OS disk of a family, or data disk.
    pub kind: DiskKind,
}

/// Every disk of a document with its field path, in document order.
pub fn of(doc: &OfferDocument) -> Vec<Disk> {
    let mut out = Vec::new();
    for (i, plan) in doc.definition.plans.iter().enumerate() {
        let family = plan
            .os_family
            .as_deref()
            .and_then(OsFamily::parse)
            .unwrap_or(OsFamily::Linux);
        let images = FieldPath::keys(&["definition", "plans"])
            .index(i)
            .key("microsoft-azure-virtualmachines.vmImages");
        for (version, image) in plan.vm_images.iter().flatten() {
            let at = images.clone().map_key(version);
            let sku = plan.plan_id.clone().unwrap_or_default();
            if let Some(u) = &image.os_vhd_url {
                out.push(Disk {
                    sku: sku.clone(),
                    version: version.clone(),
                    field: at.clone().key("osVhdUrl").to_string(),
                    url: u.clone(),
                    kind: DiskKind::Os { family },
                });
            }
            for (d, disk) in image.lun_vhd_details.iter().flatten().enumerate() {
                if let Some(u) = &disk.lun_vhd_url {
                    let f = at.clone().key("lunVhdDetails").index(d).key("lunVhdUrl");
                    out.push(Disk {
                        sku: sku.clone(),
                        version: version.clone(),
                        field: f.to_string(),
                        url: u.clone(),
                        kind: DiskKind::Data {
                            lun: disk
                                .lun
                                .unwrap_or_else(|| u32::try_from(d).unwrap_or(u32::MAX)),
                        },
                    });
                }
            }
        }
    }
    out
}

impl Disk {
    /// The object key of the disk in every region:
    /// `{publisher}/{offer}/{sku}/{disk version}/os.vhd` or `…/lun{N}.vhd`.
    pub fn key(&self, publisher: &str, offer: &str) -> String {
        let file = match self.kind {
            DiskKind::Data { lun } => format!("lun{lun}.vhd"),
            DiskKind::Os { .. } => "os.vhd".to_owned(),
        };
        format!("{publisher}/{offer}/{}/{}/{file}", self.sku, self.version)
    }

    /// The LUN of a data disk; `None` for the OS disk.
    pub fn lun(&self) -> Option<u32> {
        match self.kind {
            DiskKind::Data { lun } => Some(lun),
            DiskKind::Os { .. } => None,
        }
    }
}
