//! The record of who did what: every change writes an [`Change`] in the transaction of the
//! change itself. Entries form one hash chain per publisher (each hash covers the previous
//! hash and the entry), so a changed or deleted entry shows in [`verify`]. Owners read the
//! record through [`routes`] and export it as CSV.

mod routes;
pub mod store;

use portal_domain::accounts::Actor;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::accounts::Principal;

pub use routes::routes;

/// The chain of what belongs to no publisher (a failed sign-in for an unknown address).
pub const NO_PUBLISHER: &str = "";

/// A change to record.
#[derive(Debug, Clone)]
pub struct Change {
    /// The publisher whose chain it joins ([`NO_PUBLISHER`] for none).
    pub publisher: String,
    /// Who made it.
    pub actor: Actor,
    /// The client address.
    pub address: String,
    /// What: `offer.update`, `operation.goLive`, `member.role` …
    pub action: &'static str,
    /// What it was done to: `offer/vm`, `member/<user id>` …
    pub target: String,
    /// The offer it concerns, for the offer filter.
    pub offer: Option<String>,
    /// Values before.
    pub before: Option<Value>,
    /// Values after.
    pub after: Option<Value>,
}

impl Change {
    /// A change by a signed-in caller.
    pub fn by(
        principal: &Principal,
        publisher: &str,
        action: &'static str,
        target: impl Into<String>,
    ) -> Self {
        Self {
            publisher: publisher.to_owned(),
            actor: principal.actor(),
            address: principal.address.clone(),
            action,
            target: target.into(),
            offer: None,
            before: None,
            after: None,
        }
    }

    /// A change to an offer (`target` `offer/{offer}`).
    pub fn on_offer(
        principal: &Principal,
        publisher: &str,
        offer: &str,
        action: &'static str,
    ) -> Self {
        Self {
            offer: Some(offer.to_owned()),
            ..Self::by(principal, publisher, action, format!("offer/{offer}"))
        }
    }

    /// With the values before and after.
    pub fn values(mut self, before: Option<Value>, after: Option<Value>) -> Self {
        self.before = before;
        self.after = after;
        self
    }
}

/// The hash of an entry: SHA-256 over the previous entry's hash and the entry's fields, each
/// length-prefixed so no two entries share an encoding.
pub(crate) fn entry_hash(prev: &str, fields: &[&str]) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    for f in fields {
        h.update((f.len() as u64).to_be_bytes());
        h.update(f.as_bytes());
    }
    hex::encode(h.finalize())
}

/// The leaves in which two JSON documents differ, as two objects from JSON pointer to value
/// (absent on one side: `null`), so an edit's entry holds what changed rather than two whole
/// documents. `None` when they are equal.
pub fn diff(before: &Value, after: &Value) -> Option<(Value, Value)> {
    let mut old = serde_json::Map::new();
    let mut new = serde_json::Map::new();
    diff_into(String::new(), before, after, &mut old, &mut new);
    (!old.is_empty() || !new.is_empty()).then_some((Value::Object(old), Value::Object(new)))
}

fn diff_into(
    at: String,
    a: &Value,
    b: &Value,
    old: &mut serde_json::Map<String, Value>,
    new: &mut serde_json::Map<String, Value>,
) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let key = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                let null = Value::Null;
                diff_into(
                    key,
                    x.get(k).unwrap_or(&null),
                    y.get(k).unwrap_or(&null),
                    old,
                    new,
                );
            }
        }
        _ if a == b => {}
        _ => {
            old.insert(at.clone(), a.clone());
            new.insert(at, b.clone());
        }
    }
}

pub use store::verify;

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_diff_holds_only_the_changed_leaves() {
        let a = json!({"title": "A", "skus": [1, 2], "same": {"x": 1}, "gone": true});
        let b = json!({"title": "B", "skus": [1, 2, 3], "same": {"x": 1}, "a/b": 1});
        let (old, new) = diff(&a, &b).expect("differs");
        assert_eq!(
            old,
            json!({"/title": "A", "/skus": [1, 2], "/gone": true, "/a~1b": null})
        );
        assert_eq!(
            new,
            json!({"/title": "B", "/skus": [1, 2, 3], "/gone": null, "/a~1b": 1})
        );
        assert_eq!(diff(&a, &a), None);
    }

    #[test]
    fn hashes_depend_on_every_field_and_its_bounds() {
        let h = entry_hash("p", &["ab", "c"]);
        assert_ne!(h, entry_hash("p", &["a", "bc"]));
        assert_ne!(h, entry_hash("q", &["ab", "c"]));
        assert_eq!(h, entry_hash("p", &["ab", "c"]));
    }
}
