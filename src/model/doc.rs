//! Editing the offer document by field path. The editor keeps the draft as JSON so that every
//! input is addressed by the same [`FieldPath`] the domain's findings use, and keys the app
//! does not model survive a save untouched.

use portal_domain::OfferDocument;
use portal_domain::path::{FieldPath, Segment};
use serde_json::{Map, Value};

/// The value at `path`, if present.
pub fn get<'a>(doc: &'a Value, path: &FieldPath) -> Option<&'a Value> {
    path.0.iter().try_fold(doc, |v, seg| match seg {
        Segment::Key(k) | Segment::MapKey(k) => v.get(k.as_str()),
        Segment::Index(i) => v.get(*i),
    })
}

/// The value at `path` as the text an input shows ("" when absent).
pub fn text(doc: &Value, path: &FieldPath) -> String {
    match get(doc, path) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

/// The length of the array at `path` (0 when absent).
pub fn len(doc: &Value, path: &FieldPath) -> usize {
    get(doc, path).and_then(Value::as_array).map_or(0, Vec::len)
}

/// The keys of the object at `path` (disk versions), in document order.
pub fn keys(doc: &Value, path: &FieldPath) -> Vec<String> {
    get(doc, path)
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// Sets the value at `path`, creating objects and arrays on the way; `Value::Null` removes the
/// key (an absent optional field, as the server stores it).
pub fn set(doc: &mut Value, path: &FieldPath, value: Value) {
    let Some((last, parents)) = path.0.split_last() else {
        *doc = value;
        return;
    };
    let mut cur = doc;
    for (i, seg) in parents.iter().enumerate() {
        let next_is_index = matches!(path.0.get(i + 1), Some(Segment::Index(_)));
        let empty = || {
            if next_is_index {
                Value::Array(Vec::new())
            } else {
                Value::Object(Map::new())
            }
        };
        cur = match seg {
            Segment::Key(k) | Segment::MapKey(k) => {
                if !cur.is_object() {
                    *cur = Value::Object(Map::new());
                }
                let Value::Object(map) = cur else { return };
                let entry = map.entry(k.clone()).or_insert_with(empty);
                if entry.is_null() {
                    *entry = empty();
                }
                entry
            }
            Segment::Index(n) => {
                if !cur.is_array() {
                    *cur = Value::Array(Vec::new());
                }
                let Value::Array(items) = cur else { return };
                while items.len() <= *n {
                    items.push(empty());
                }
                &mut items[*n]
            }
        };
    }
    match last {
        Segment::Key(k) | Segment::MapKey(k) => {
            if !cur.is_object() {
                *cur = Value::Object(Map::new());
            }
            if let Value::Object(map) = cur {
                if value.is_null() {
                    map.remove(k);
                } else {
                    map.insert(k.clone(), value);
                }
            }
        }
        Segment::Index(n) => {
            if !cur.is_array() {
                *cur = Value::Array(Vec::new());
            }
            if let Value::Array(items) = cur {
                while items.len() <= *n {
                    items.push(Value::Null);
                }
                items[*n] = value;
            }
        }
    }
}

/// Appends `value` to the array at `path`.
pub fn push(doc: &mut Value, path: &FieldPath, value: Value) {
    let n = len(doc, path);
    set(doc, &path.clone().index(n), value);
}

/// Removes the array item or object key that `path` ends with.
pub fn remove(doc: &mut Value, path: &FieldPath) {
    let Some((last, parents)) = path.0.split_last() else {
        return;
    };
    let parent = FieldPath(parents.to_vec());
    let Some(container) = get_mut(doc, &parent) else {
        return;
    };
    match (last, container) {
        (Segment::Index(i), Value::Array(items)) if *i < items.len() => {
            items.remove(*i);
        }
        (Segment::Key(k) | Segment::MapKey(k), Value::Object(map)) => {
            map.remove(k);
        }
        _ => {}
    }
}

fn get_mut<'a>(doc: &'a mut Value, path: &FieldPath) -> Option<&'a mut Value> {
    path.0.iter().try_fold(doc, |v, seg| match seg {
        Segment::Key(k) | Segment::MapKey(k) => v.get_mut(k.as_str()),
        Segment::Index(i) => v.get_mut(*i),
    })
}

/// What an input typed as text becomes in the document: empty text removes the field.
pub fn text_value(raw: &str) -> Value {
    if raw.is_empty() {
        Value::Null
    } else {
        Value::String(raw.to_owned())
    }
}

/// A number input's value: an unparsable or empty entry removes the field, so validation
/// reports it as required instead of the document failing to parse.
pub fn number_value(raw: &str) -> Value {
    raw.trim()
        .parse::<u32>()
        .map(Value::from)
        .unwrap_or(Value::Null)
}

/// The typed document for validation. A draft whose JSON does not match the document shape
/// (only possible with hand-edited data) yields the error text.
///
///
/// Goes through JSON text on purpose: every API type is decoded the same way
/// ([`crate::json::decode`]), so serde_json's parser is compiled for one reader only.
pub fn typed(doc: &Value) -> Result<OfferDocument, String> {
    let text = serde_json::to_string(doc).map_err(|e| e.to_string())?;
    crate::json::decode(&text).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(s: &str) -> FieldPath {
        FieldPath::parse(s).expect("valid path")
    }

    #[test]
    fn set_creates_the_way_and_get_reads_back() {
        let mut doc = json!({});
        let path = p(
            "definition.plans[0].microsoft-azure-virtualmachines.vmImages[\"1.0.0\"].lunVhdDetails[1].lun",
        );
        set(&mut doc, &path, json!(3));
        assert_eq!(text(&doc, &path), "3");
        assert_eq!(len(&doc, &p("definition.plans")), 1);
        assert_eq!(
            keys(
                &doc,
                &p("definition.plans[0].microsoft-azure-virtualmachines.vmImages")
            ),
            vec!["1.0.0".to_owned()]
        );
    }

    #[test]
    fn empty_text_removes_the_key_and_unknown_keys_survive() {
        let mut doc = json!({"definition": {"displayText": "A", "future": 1}});
        set(&mut doc, &p("definition.displayText"), text_value(""));
        assert_eq!(doc, json!({"definition": {"future": 1}}));
    }

    #[test]
    fn push_and_remove_items() {
        let mut doc = json!({});
        let list = p("definition.offer.microsoft-azure-marketplace.categories");
        push(&mut doc, &list, json!("analytics"));
        push(&mut doc, &list, json!("security"));
        remove(&mut doc, &list.clone().index(0));
        assert_eq!(text(&doc, &list.clone().index(0)), "security");
        assert_eq!(len(&doc, &list), 1);
    }

    #[test]
    fn numbers_parse_or_vanish() {
        assert_eq!(number_value("22"), json!(22));
        assert_eq!(number_value("x"), Value::Null);
    }

    #[test]
    fn the_complete_sample_round_trips_through_the_typed_document() {
        let sample = portal_domain::samples::complete_offer("contoso-vm");
        let value = serde_json::to_value(&sample).expect("serializes");
        assert_eq!(typed(&value), Ok(sample));
    }
}
