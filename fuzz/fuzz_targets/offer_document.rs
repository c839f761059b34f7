//! The offer document as a PUT body: any JSON either fails to parse or validates to a list
//! of findings, each naming a field, and a parsed document survives a round trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portal_domain::OfferDocument;
use portal_domain::validation::{Options, validate_with};

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = serde_json::from_slice::<OfferDocument>(data) else {
        return;
    };
    for allow_loopback_http in [false, true] {
        for finding in validate_with(
            &doc,
            Options {
                allow_loopback_http,
            },
        ) {
            let detail = finding.detail(portal_domain::Lang::En);
            assert!(!detail.message.is_empty());
            let _ = finding.detail(portal_domain::Lang::Ko);
        }
    }
    let text = serde_json::to_string(&doc).expect("a parsed document encodes");
    let again: OfferDocument = serde_json::from_str(&text).expect("and parses again");
    assert_eq!(serde_json::to_string(&again).unwrap(), text);
    let _ = doc.without_secrets();
});
