//! The CPP request bodies other than the offer: publish (with its notification e-mail list),
//! image checks and test deployments. Any bytes parse or fail cleanly; a parsed e-mail list
//! prints back to a list that parses to the same addresses.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portal_domain::api::{ImageCheckRequest, PublishRequest, TestDeploymentRequest};
use portal_domain::ids::EmailList;

fuzz_target!(|data: &[u8]| {
    if let Ok(req) = serde_json::from_slice::<PublishRequest>(data)
        && let Ok(list) = EmailList::parse(&req.metadata.notification_emails)
    {
        let printed = list.to_string();
        let again = EmailList::parse(&printed).expect("a printed list parses");
        assert_eq!(again.to_string(), printed);
    }
    let _ = serde_json::from_slice::<ImageCheckRequest>(data);
    let _ = serde_json::from_slice::<TestDeploymentRequest>(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = EmailList::parse(text);
    }
});
