//! Sample offers: a complete one that passes every rule (used by tests, the demo and the
//! benchmark) and the largest legal one.

use std::collections::BTreeMap;

use crate::document::{
    DataDisk, Definition, MarketplaceOffer, OfferDocument, OpenPort, Plan, UsefulLink,
    VM_OFFER_TYPE, VirtualMachinePricing, VmImage,
};

/// A preview subscription used by the samples.
pub const SAMPLE_SUBSCRIPTION: &str = "0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9";

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

/// A SKU that passes every rule, with one disk version per entry of `versions`, each with
/// `data_disks` data disks; image URLs start with `image_base`.
pub fn plan(id: &str, image_base: &str, versions: &[&str], data_disks: usize) -> Plan {
    let images: BTreeMap<String, VmImage> = versions
        .iter()
        .map(|v| {
            let disks = (0..data_disks)
                .map(|lun| DataDisk {
                    lun: Some(u32::try_from(lun).unwrap_or(u32::MAX)),
                    lun_vhd_url: Some(format!("{image_base}/vhds/{id}-{v}-data{lun}.vhd?sp=rl")),
                    ..Default::default()
                })
                .collect();
            let image = VmImage {
                os_vhd_url: Some(format!("{image_base}/vhds/{id}-{v}-os.vhd?sp=rl")),
                lun_vhd_details: Some(disks),
                ..Default::default()
            };
            ((*v).to_owned(), image)
        })
        .collect();
    Plan {
        plan_id: s(id),
        sku_title: s("Standard"),
        sku_summary: s("Ubuntu 22.04 with Contoso Analytics preinstalled"),
        sku_description: s("The standard edition for teams up to 50 users."),
        hide_sku: Some(false),
        cloud_availability: Some(vec!["PublicAzure".into()]),
        pricing: Some(VirtualMachinePricing {
            is_byol: Some(true),
            free_trial_duration_in_months: Some(0),
            ..Default::default()
        }),
        os_family: s("Linux"),
        linux_os_type: s("Ubuntu"),
        os_friendly_name: s("Ubuntu 22.04 LTS"),
        recommended_vm_sizes: Some(vec!["d2s-v3".into(), "d4s-v3".into()]),
        open_ports: Some(vec![OpenPort {
            name: s("SSH"),
            protocol: s("TCP"),
            port: Some(22),
            ..Default::default()
        }]),
        vm_images: Some(images),
        regions: Some(vec!["US".into(), "KR".into(), "DE".into()]),
        ..Default::default()
    }
}

/// A complete offer that passes every rule: one SKU, one disk version, no data disks.
pub fn complete_offer(id: &str) -> OfferDocument {
    let asset = "https://assets.contoso.com";
    OfferDocument {
        publisher_id: s("contoso"),
        offer_type_id: s(VM_OFFER_TYPE),
        id: s(id),
        definition: Definition {
            display_text: s("Contoso Analytics"),
            offer: MarketplaceOffer {
                title: s("Contoso Analytics"),
                summary: s("Analytics for your data, ready to run"),
                long_summary: s("Contoso Analytics turns raw logs into dashboards in minutes."),
                description: s(
                    "<p>Contoso Analytics is <b>fast</b>.</p><ul><li>Dashboards</li><li>Alerts</li></ul>",
                ),
                marketing_url_identifier: s(id),
                allowed_subscriptions: Some(vec![SAMPLE_SUBSCRIPTION.into()]),
                useful_links: Some(vec![UsefulLink {
                    link_title: s("Documentation"),
                    link_url: s("https://contoso.com/docs"),
                    ..Default::default()
                }]),
                categories: Some(vec!["analytics".into()]),
                small_logo: Some(format!("{asset}/logo-40.png")),
                medium_logo: Some(format!("{asset}/logo-90.png")),
                large_logo: Some(format!("{asset}/logo-115.png")),
                wide_logo: Some(format!("{asset}/logo-255x115.png")),
                lead_destination: s("None"),
                privacy_url: s("https://contoso.com/privacy"),
                terms_of_use: s("Use at your own risk."),
                engineering_contact_name: s("Jane Doe"),
                engineering_contact_email: s("jane@contoso.com"),
                engineering_contact_phone: s("+1 425 555 0100"),
                support_contact_name: s("Contoso Support"),
                support_contact_email: s("support@contoso.com"),
                support_contact_phone: s("+82 2 555 0100"),
                ..Default::default()
            },
            plans: vec![plan(
                "standard",
                "https://contoso.blob.core.windows.net",
                &["1.0.0"],
                0,
            )],
            ..Default::default()
        },
        ..Default::default()
    }
}

/// The largest legal offer: 100 SKUs × 8 disk versions × 15 data disks.
pub fn largest_offer() -> OfferDocument {
    let versions = [
        "1.0.0", "1.0.1", "1.1.0", "1.2.0", "2.0.0", "2.0.1", "2.1.0", "3.0.0",
    ];
    let mut doc = complete_offer("contoso-largest");
    doc.definition.plans = (0..100)
        .map(|i| {
            plan(
                &format!("sku-{i}"),
                "https://contoso.blob.core.windows.net",
                &versions,
                15,
            )
        })
        .collect();
    doc
}
