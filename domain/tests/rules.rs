//! Every validation rule: a complete offer passes; each broken rule is found at the right field
//! path, with a message in English and Korean.

use portal_domain::document::{
    CrmLeadConfiguration, DataDisk, OpenPort, Screenshot, TableLeadConfiguration, VmImage,
};
use portal_domain::samples::{complete_offer, largest_offer, plan};
use portal_domain::validation::{Options, validate_with};
use portal_domain::{Lang, OfferDocument, Problem, validate};

/// Validates and returns `(path, code)` pairs, checking every message renders in both
/// languages with the field's label.
fn findings(doc: &OfferDocument) -> Vec<(String, &'static str)> {
    let found = validate(doc);
    for f in &found {
        let en = f.message(Lang::En);
        let ko = f.message(Lang::Ko);
        assert!(!en.is_empty() && !ko.is_empty());
        assert_ne!(en, ko, "Korean message missing for {}", f.code());
        assert!(en.contains(f.label(Lang::En)), "{en}");
        assert!(ko.contains(f.label(Lang::Ko)), "{ko}");
    }
    found
        .iter()
        .map(|f| (f.field.to_string(), f.code()))
        .collect()
}

/// Applies `change` to a complete offer and asserts exactly one finding, at `path` with `code`.
fn assert_single(change: impl FnOnce(&mut OfferDocument), path: &str, code: &str) {
    let mut doc = complete_offer("contoso-analytics");
    change(&mut doc);
    let found = findings(&doc);
    assert_eq!(
        found,
        vec![(path.to_owned(), code_static(code))],
        "expected one {code} at {path}"
    );
}

fn code_static(code: &str) -> &'static str {
    // Codes are 'static in the domain; leak the test's copy for comparison convenience.
    Box::leak(code.to_owned().into_boxed_str())
}

const O: &str = "definition.offer.microsoft-azure-marketplace";
const P0: &str = "definition.plans[0]";
const VM: &str = "definition.plans[0].microsoft-azure-virtualmachines";

#[test]
fn complete_and_largest_offers_pass() {
    assert_eq!(findings(&complete_offer("contoso-analytics")), vec![]);
    assert_eq!(validate(&largest_offer()), vec![]);
}

#[test]
fn an_empty_document_lists_every_required_field() {
    let found = findings(&OfferDocument::default());
    let paths: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
    for required in [
        "id",
        "definition.displayText",
        "definition.offer.microsoft-azure-marketplace.title",
        "definition.offer.microsoft-azure-marketplace.summary",
        "definition.offer.microsoft-azure-marketplace.longSummary",
        "definition.offer.microsoft-azure-marketplace.description",
        "definition.offer.microsoft-azure-marketplace.offerMarketingUrlIdentifier",
        "definition.offer.microsoft-azure-marketplace.allowedSubscriptions",
        "definition.offer.microsoft-azure-marketplace.categories",
        "definition.offer.microsoft-azure-marketplace.smallLogo",
        "definition.offer.microsoft-azure-marketplace.mediumLogo",
        "definition.offer.microsoft-azure-marketplace.largeLogo",
        "definition.offer.microsoft-azure-marketplace.wideLogo",
        "definition.offer.microsoft-azure-marketplace.privacyURL",
        "definition.offer.microsoft-azure-marketplace.termsOfUse",
        "definition.offer.microsoft-azure-marketplace.engineeringContactName",
        "definition.offer.microsoft-azure-marketplace.engineeringContactEmail",
        "definition.offer.microsoft-azure-marketplace.engineeringContactPhone",
        "definition.offer.microsoft-azure-marketplace.supportContactName",
        "definition.offer.microsoft-azure-marketplace.supportContactEmail",
        "definition.offer.microsoft-azure-marketplace.supportContactPhone",
        "definition.plans",
    ] {
        assert!(
            paths.contains(&required),
            "{required} not reported; got {paths:?}"
        );
    }
    assert!(
        !paths.contains(&"definition.offer.microsoft-azure-marketplace.heroLogo"),
        "hero is optional"
    );
}

/// Sets one text field of a document.
type SetText = fn(&mut OfferDocument, String);

#[test]
fn text_lengths() {
    let cases: [(&str, usize, SetText); 8] = [
        ("definition.displayText", 50, |d, v| {
            d.definition.display_text = Some(v)
        }),
        (
            "definition.offer.microsoft-azure-marketplace.title",
            50,
            |d, v| d.definition.offer.title = Some(v),
        ),
        (
            "definition.offer.microsoft-azure-marketplace.summary",
            100,
            |d, v| d.definition.offer.summary = Some(v),
        ),
        (
            "definition.offer.microsoft-azure-marketplace.longSummary",
            256,
            |d, v| d.definition.offer.long_summary = Some(v),
        ),
        (
            "definition.offer.microsoft-azure-marketplace.description",
            3000,
            |d, v| d.definition.offer.description = Some(v),
        ),
        (
            "definition.plans[0].microsoft-azure-virtualmachines.skuTitle",
            50,
            |d, v| d.definition.plans[0].sku_title = Some(v),
        ),
        (
            "definition.plans[0].microsoft-azure-virtualmachines.skuSummary",
            100,
            |d, v| d.definition.plans[0].sku_summary = Some(v),
        ),
        (
            "definition.plans[0].microsoft-azure-virtualmachines.skuDescription",
            3000,
            |d, v| d.definition.plans[0].sku_description = Some(v),
        ),
    ];
    for (path, max, set) in cases {
        // Exactly at the limit passes (Korean text counts characters, not bytes).
        let mut at_limit = complete_offer("contoso-analytics");
        set(&mut at_limit, "한".repeat(max));
        assert_eq!(findings(&at_limit), vec![], "{path} at {max}");
        let mut over = complete_offer("contoso-analytics");
        set(&mut over, "a".repeat(max + 1));
        let found = validate(&over);
        assert_eq!(found.len(), 1, "{path}");
        assert_eq!(found[0].field.to_string(), path);
        assert_eq!(
            found[0].problem,
            Problem::TooLong {
                max,
                actual: max + 1
            }
        );
        assert!(
            found[0]
                .message(Lang::En)
                .contains(&format!("at most {max}"))
        );
        assert!(
            found[0]
                .message(Lang::Ko)
                .contains(&format!("{max}자 이하"))
        );
    }
}

#[test]
fn offer_and_sku_ids() {
    assert_single(
        |d| d.id = Some("Contoso_VM".into()),
        "id",
        "invalidIdentifier",
    );
    assert_single(
        |d| d.id = Some("contoso-".into()),
        "id",
        "invalidIdentifier",
    );
    assert_single(|d| d.id = Some("a".repeat(51)), "id", "tooLong");
    assert_single(
        |d| d.definition.plans[0].plan_id = Some("Std".into()),
        &format!("{P0}.planId"),
        "invalidIdentifier",
    );
    assert_single(
        |d| d.definition.plans[0].plan_id = None,
        &format!("{P0}.planId"),
        "required",
    );
    assert_single(
        |d| d.offer_type_id = Some("microsoft-azure-applications".into()),
        "offerTypeId",
        "wrongOfferType",
    );
    let mut doc = complete_offer("contoso-analytics");
    let twin = doc.definition.plans[0].clone();
    doc.definition.plans.push(twin);
    assert_eq!(
        findings(&doc),
        vec![("definition.plans[1].planId".into(), "duplicate")]
    );
}

#[test]
fn preview_subscriptions() {
    let subs = format!("{O}.allowedSubscriptions");
    assert_single(
        |d| d.definition.offer.allowed_subscriptions = Some(vec![]),
        &subs,
        "tooFew",
    );
    assert_single(
        |d| d.definition.offer.allowed_subscriptions = None,
        &subs,
        "tooFew",
    );
    assert_single(
        |d| d.definition.offer.allowed_subscriptions = Some(vec!["not-a-guid".into()]),
        &format!("{subs}[0]"),
        "invalidGuid",
    );
    let many: Vec<String> = (0..101)
        .map(|i| format!("00000000-0000-0000-0000-{i:012}"))
        .collect();
    assert_single(
        |d| d.definition.offer.allowed_subscriptions = Some(many),
        &subs,
        "tooMany",
    );
    let hundred: Vec<String> = (0..100)
        .map(|i| format!("00000000-0000-0000-0000-{i:012}"))
        .collect();
    assert_single(
        |d| {
            d.definition.offer.allowed_subscriptions = Some(hundred);
            d.id = Some("BAD".into())
        },
        "id",
        "invalidIdentifier",
    );
    assert_single(
        |d| {
            d.definition.offer.allowed_subscriptions = Some(vec![
                "0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9".into(),
                "0F1E2D3C-4B5A-6978-8695-A4B3C2D1E0F9".into(),
            ])
        },
        &format!("{subs}[1]"),
        "duplicate",
    );
}

#[test]
fn vm_sizes_and_regions_and_ports() {
    let sizes = format!("{VM}.recommendedVMSizes");
    let seven: Vec<String> = (0..7).map(|i| format!("size-{i}")).collect();
    assert_single(
        |d| d.definition.plans[0].recommended_vm_sizes = Some(seven),
        &sizes,
        "tooMany",
    );
    assert_single(
        |d| d.definition.plans[0].recommended_vm_sizes = Some(vec![]),
        &sizes,
        "tooFew",
    );
    assert_single(
        |d| d.definition.plans[0].regions = Some(vec![]),
        &format!("{P0}.regions"),
        "tooFew",
    );
    assert_single(
        |d| d.definition.plans[0].regions = Some(vec!["usa".into()]),
        &format!("{P0}.regions[0]"),
        "invalidRegion",
    );
    assert_single(
        |d| {
            d.definition.plans[0].open_ports = Some(vec![OpenPort {
                port: Some(70000),
                protocol: Some("TCP".into()),
                ..Default::default()
            }])
        },
        &format!("{VM}.openPorts[0].port"),
        "outOfRange",
    );
    assert_single(
        |d| d.definition.plans[0].os_family = Some("BeOS".into()),
        &format!("{VM}.operatingSystemFamily"),
        "invalidChoice",
    );
    assert_single(
        |d| d.definition.plans[0].pricing = None,
        &format!("{P0}.virtualMachinePricing.isByol"),
        "required",
    );
    assert_single(
        |d| d.definition.plans[0].cloud_availability = Some(vec!["Mars".into()]),
        &format!("{VM}.cloudAvailability[0]"),
        "invalidChoice",
    );
}

#[test]
fn disk_versions_and_data_disks() {
    let images = format!("{VM}.vmImages");
    assert_single(
        |d| d.definition.plans[0].vm_images = None,
        &images,
        "tooFew",
    );
    let nine = plan(
        "standard",
        "https://x.blob.core.windows.net",
        &[
            "1.0.0", "1.0.1", "1.0.2", "1.0.3", "1.0.4", "1.0.5", "1.0.6", "1.0.7", "1.0.8",
        ],
        0,
    );
    assert_single(
        |d| d.definition.plans[0].vm_images = nine.vm_images,
        &images,
        "tooMany",
    );
    assert_single(
        |d| {
            let imgs = d.definition.plans[0].vm_images.as_mut().unwrap();
            let img = imgs.remove("1.0.0").unwrap();
            imgs.insert("1.0".into(), img);
        },
        &format!("{images}[\"1.0\"]"),
        "invalidDiskVersion",
    );
    assert_single(
        |d| {
            d.definition.plans[0]
                .vm_images
                .as_mut()
                .unwrap()
                .get_mut("1.0.0")
                .unwrap()
                .os_vhd_url = Some("ftp://x/y.vhd".into())
        },
        &format!("{images}[\"1.0.0\"].osVhdUrl"),
        "invalidUrl",
    );
    assert_single(
        |d| {
            d.definition.plans[0]
                .vm_images
                .as_mut()
                .unwrap()
                .get_mut("1.0.0")
                .unwrap()
                .os_vhd_url = Some("http://x.com/y.vhd".into())
        },
        &format!("{images}[\"1.0.0\"].osVhdUrl"),
        "notHttps",
    );
    // Sixteen data disks: too many.
    let sixteen = plan(
        "standard",
        "https://x.blob.core.windows.net",
        &["1.0.0"],
        16,
    );
    assert_single(
        |d| d.definition.plans[0].vm_images = sixteen.vm_images,
        &format!("{images}[\"1.0.0\"].lunVhdDetails"),
        "tooMany",
    );
    // LUNs must be 0, 1, 2 …
    assert_single(
        |d| {
            let img = d.definition.plans[0]
                .vm_images
                .as_mut()
                .unwrap()
                .get_mut("1.0.0")
                .unwrap();
            img.lun_vhd_details = Some(vec![
                DataDisk {
                    lun: Some(0),
                    lun_vhd_url: Some("https://x/d0.vhd".into()),
                    ..Default::default()
                },
                DataDisk {
                    lun: Some(2),
                    lun_vhd_url: Some("https://x/d2.vhd".into()),
                    ..Default::default()
                },
            ]);
        },
        &format!("{images}[\"1.0.0\"].lunVhdDetails[1].lun"),
        "lunOutOfOrder",
    );
    // The same number of data disks in every version.
    let mut doc = complete_offer("contoso-analytics");
    let mut two = plan(
        "standard",
        "https://x.blob.core.windows.net",
        &["1.0.0", "1.1.0"],
        2,
    )
    .vm_images
    .unwrap();
    two.get_mut("1.1.0")
        .unwrap()
        .lun_vhd_details
        .as_mut()
        .unwrap()
        .pop();
    doc.definition.plans[0].vm_images = Some(two);
    let found = validate(&doc);
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].field.to_string(),
        format!("{images}[\"1.1.0\"].lunVhdDetails")
    );
    assert_eq!(
        found[0].problem,
        Problem::DataDiskCountMismatch {
            expected: 2,
            actual: 1,
            reference: "1.0.0".into()
        }
    );
    // Loopback http is accepted only when the operator allows it.
    let mut local = complete_offer("contoso-analytics");
    local.definition.plans[0].vm_images = Some(
        [(
            "1.0.0".to_owned(),
            VmImage {
                os_vhd_url: Some("http://127.0.0.1:8080/vhds/a.vhd".into()),
                ..Default::default()
            },
        )]
        .into(),
    );
    assert_eq!(validate(&local).len(), 1);
    assert_eq!(
        validate_with(
            &local,
            Options {
                allow_loopback_http: true
            }
        ),
        vec![]
    );
}

#[test]
fn urls_contacts_and_links() {
    assert_single(
        |d| d.definition.offer.privacy_url = Some("contoso.com/privacy".into()),
        &format!("{O}.privacyURL"),
        "invalidUrl",
    );
    assert_single(
        |d| d.definition.offer.small_logo = None,
        &format!("{O}.smallLogo"),
        "required",
    );
    assert_single(
        |d| d.definition.offer.hero_logo = Some("http://x.com/h.png".into()),
        &format!("{O}.heroLogo"),
        "notHttps",
    );
    assert_single(
        |d| d.definition.offer.support_contact_email = Some("support at contoso".into()),
        &format!("{O}.supportContactEmail"),
        "invalidEmail",
    );
    assert_single(
        |d| d.definition.offer.engineering_contact_phone = Some("call me".into()),
        &format!("{O}.engineeringContactPhone"),
        "invalidPhone",
    );
    assert_single(
        |d| d.definition.offer.engineering_contact_name = Some("  ".into()),
        &format!("{O}.engineeringContactName"),
        "required",
    );
    assert_single(
        |d| d.definition.offer.public_azure_support_url = Some("javascript:alert(1)".into()),
        &format!("{O}.publicAzureSupportUrl"),
        "invalidUrl",
    );
    let six: Vec<Screenshot> = (0..6)
        .map(|i| Screenshot {
            name: Some(format!("s{i}")),
            url: Some(format!("https://x/s{i}.png")),
            ..Default::default()
        })
        .collect();
    assert_single(
        |d| d.definition.offer.screenshots = Some(six),
        &format!("{O}.screenshots"),
        "tooMany",
    );
    assert_single(
        |d| d.definition.offer.categories = Some(vec![]),
        &format!("{O}.categories"),
        "tooFew",
    );
}

#[test]
fn description_html_is_limited_to_simple_tags() {
    assert_single(
        |d| d.definition.offer.description = Some("<p>Hi</p><script>alert(1)</script>".into()),
        &format!("{O}.description"),
        "disallowedHtmlTag",
    );
    assert_single(
        |d| d.definition.offer.description = Some("<p onmouseover=\"steal()\">Hi</p>".into()),
        &format!("{O}.description"),
        "disallowedHtmlAttribute",
    );
}

#[test]
fn lead_destinations_need_their_configuration() {
    let cfg = |k: &str| format!("{O}.{k}");
    assert_single(
        |d| d.definition.offer.lead_destination = Some("Carrier pigeon".into()),
        &format!("{O}.leadDestination"),
        "invalidChoice",
    );
    assert_single(
        |d| d.definition.offer.lead_destination = Some("AzureBlob".into()),
        &format!("{O}.leadDestination"),
        "unsupportedLeadDestination",
    );
    assert_single(
        |d| d.definition.offer.lead_destination = Some("AzureTable".into()),
        &format!("{}.connectionString", cfg("tableLeadConfiguration")),
        "required",
    );
    assert_single(
        |d| {
            d.definition.offer.lead_destination = Some("AzureTable".into());
            d.definition.offer.table_lead_configuration = Some(TableLeadConfiguration {
                connection_string: Some("nonsense".into()),
                ..Default::default()
            });
        },
        &format!("{}.connectionString", cfg("tableLeadConfiguration")),
        "invalidChoice",
    );
    assert_single(
        |d| d.definition.offer.lead_destination = Some("HttpsEndpoint".into()),
        &format!("{}.httpsEndpointUrl", cfg("httpsEndpointLeadConfiguration")),
        "required",
    );
    assert_single(
        |d| d.definition.offer.lead_destination = Some("Salesforce".into()),
        &format!("{}.objectIdentifier", cfg("salesForceLeadConfiguration")),
        "required",
    );
    let mut doc = complete_offer("contoso-analytics");
    doc.definition.offer.lead_destination = Some("Marketo".into());
    let codes = findings(&doc);
    assert_eq!(codes.len(), 2, "{codes:?}");
    let mut doc = complete_offer("contoso-analytics");
    doc.definition.offer.lead_destination = Some("DynamicsCrmOnline".into());
    doc.definition.offer.crm_lead_configuration = Some(CrmLeadConfiguration {
        authentication: Some("AzureAD".into()),
        application_id: Some("x".into()),
        ..Default::default()
    });
    let found = findings(&doc);
    assert_eq!(
        found,
        vec![
            (
                format!("{}.applicationId", cfg("crmLeadConfiguration")),
                "invalidGuid"
            ),
            (
                format!("{}.directoryId", cfg("crmLeadConfiguration")),
                "required"
            ),
            (
                format!("{}.applicationKey", cfg("crmLeadConfiguration")),
                "required"
            ),
        ]
    );
}

#[test]
fn test_drive_fields_apply_only_when_enabled() {
    let mut doc = complete_offer("contoso-analytics");
    doc.definition.offer.test_drive_enabled = Some(false);
    assert_eq!(findings(&doc), vec![]);
    doc.definition.offer.test_drive_enabled = Some(true);
    let found = findings(&doc);
    assert_eq!(found.len(), 5, "{found:?}");
    assert!(
        found
            .iter()
            .all(|(p, _)| p.contains("microsoft-azure-marketplace-testdrive."))
    );
}
