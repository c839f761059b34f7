//! Property tests: random documents never make validation panic, and every document — with
//! keys we do not model at any level — round-trips to the same JSON.

use portal_domain::{OfferDocument, validate};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// Any JSON scalar or small nested value.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        ".{0,40}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z.]{1,12}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Text that stresses the rules: empty, long, HTML, non-ASCII.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        ".{0,60}",
        "[a-z0-9-]{0,55}",
        "(<[a-z!/]{0,8}( [a-z]{1,6}=\"[^\"]{0,10}\")?>|[^<]{0,10}){0,8}",
        "[가-힣]{0,300}",
        "https?://[a-z0-9.:\\[\\]@-]{0,20}/[a-z%. ]{0,10}",
    ]
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    prop::option::of(text())
}

prop_compose! {
    fn extra()(m in prop::collection::btree_map("x-[a-z]{1,8}", any_json(), 0..3)) -> Map<String, Value> {
        m.into_iter().collect()
    }
}

prop_compose! {
    fn disk()(lun in prop::option::of(0u32..20), url in opt_text(), x in extra()) -> Value {
        let mut m = x;
        if let Some(l) = lun { m.insert("lun".into(), json!(l)); }
        if let Some(u) = url { m.insert("lunVhdUrl".into(), json!(u)); }
        Value::Object(m)
    }
}

prop_compose! {
    fn plan()(
        id in opt_text(), title in opt_text(), family in opt_text(),
        sizes in prop::option::of(prop::collection::vec(text(), 0..8)),
        regions in prop::option::of(prop::collection::vec("[A-Za-z]{1,3}", 0..4)),
        images in prop::option::of(prop::collection::btree_map("[0-9.]{1,7}", (opt_text(), prop::collection::vec(disk(), 0..4)), 0..4)),
        port in prop::option::of(0u32..70000),
        byol in prop::option::of(any::<bool>()),
        x in extra(),
    ) -> Value {
        let mut m = x;
        if let Some(v) = id { m.insert("planId".into(), json!(v)); }
        if let Some(v) = title { m.insert("microsoft-azure-virtualmachines.skuTitle".into(), json!(v)); }
        if let Some(v) = family { m.insert("microsoft-azure-virtualmachines.operatingSystemFamily".into(), json!(v)); }
        if let Some(v) = sizes { m.insert("microsoft-azure-virtualmachines.recommendedVMSizes".into(), json!(v)); }
        if let Some(v) = regions { m.insert("regions".into(), json!(v)); }
        if let Some(p) = port { m.insert("microsoft-azure-virtualmachines.openPorts".into(), json!([{"port": p, "protocol": "TCP"}])); }
        if let Some(b) = byol { m.insert("virtualMachinePricing".into(), json!({"isByol": b})); }
        if let Some(imgs) = images {
            let obj: Map<String, Value> = imgs.into_iter().map(|(k, (os, disks))| {
                let mut img = Map::new();
                if let Some(os) = os { img.insert("osVhdUrl".into(), json!(os)); }
                img.insert("lunVhdDetails".into(), Value::Array(disks));
                (k, Value::Object(img))
            }).collect();
            m.insert("microsoft-azure-virtualmachines.vmImages".into(), Value::Object(obj));
        }
        Value::Object(m)
    }
}

prop_compose! {
    fn document()(
        id in opt_text(), name in opt_text(), title in opt_text(), description in opt_text(),
        subs in prop::option::of(prop::collection::vec(text(), 0..4)),
        email in opt_text(), phone in opt_text(), lead in prop::option::of(prop_oneof![
            Just("None".to_owned()), Just("AzureTable".to_owned()), Just("DynamicsCrmOnline".to_owned()),
            Just("HttpsEndpoint".to_owned()), Just("Marketo".to_owned()), Just("Salesforce".to_owned()),
            Just("AzureBlob".to_owned()), text()]),
        test_drive in prop::option::of(any::<bool>()),
        plans in prop::collection::vec(plan(), 0..4),
        top_extra in extra(), def_extra in extra(), offer_extra in extra(),
    ) -> Value {
        let mut offer = offer_extra;
        if let Some(v) = title { offer.insert("microsoft-azure-marketplace.title".into(), json!(v)); }
        if let Some(v) = description { offer.insert("microsoft-azure-marketplace.description".into(), json!(v)); }
        if let Some(v) = subs { offer.insert("microsoft-azure-marketplace.allowedSubscriptions".into(), json!(v)); }
        if let Some(v) = email { offer.insert("microsoft-azure-marketplace.supportContactEmail".into(), json!(v)); }
        if let Some(v) = phone { offer.insert("microsoft-azure-marketplace.supportContactPhone".into(), json!(v)); }
        if let Some(v) = lead { offer.insert("microsoft-azure-marketplace.leadDestination".into(), json!(v)); }
        if let Some(v) = test_drive { offer.insert("microsoft-azure-marketplace-testdrive.enabled".into(), json!(v)); }
        let mut def = def_extra;
        if let Some(v) = name { def.insert("displayText".into(), json!(v)); }
        def.insert("offer".into(), Value::Object(offer));
        def.insert("plans".into(), Value::Array(plans));
        let mut top = top_extra;
        if let Some(v) = id { top.insert("id".into(), json!(v)); }
        top.insert("definition".into(), Value::Object(def));
        Value::Object(top)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn documents_round_trip_and_validate_without_panicking(original in document()) {
        let doc: OfferDocument = serde_json::from_value(original.clone()).expect("shape is valid");
        prop_assert_eq!(serde_json::to_value(&doc).expect("serializes"), original);
        for finding in validate(&doc) {
            let _ = finding.message(portal_domain::Lang::En);
            let _ = finding.message(portal_domain::Lang::Ko);
            // Every path the validator reports can be parsed back by the web app.
            let text = finding.field.to_string();
            prop_assert_eq!(portal_domain::FieldPath::parse(&text), Some(finding.field.clone()));
        }
    }

    #[test]
    fn arbitrary_json_never_panics(value in any_json()) {
        if let Ok(doc) = serde_json::from_value::<OfferDocument>(value) {
            let _ = validate(&doc);
        }
    }

    #[test]
    fn html_check_never_panics(s in ".{0,200}") {
        let _ = portal_domain::html::check_simple_html(&s);
    }
}
