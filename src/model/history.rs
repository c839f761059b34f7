//! The History page's state: the filters as the audit endpoint's query, the entries loaded
//! so far with the cursor of the next page, and an entry's before/after values as a list of
//! the fields that changed.

use std::collections::BTreeMap;

use portal_domain::Lang;
use portal_domain::accounts::{AuditEntry, AuditPage};
use serde_json::Value;
use time::{Date, Month};

use crate::i18n::t;
use crate::routes::encode_query;

/// Entries asked for per page.
pub const PAGE_SIZE: u32 = 50;

/// The actions the filter suggests (the server also takes a prefix, `offer`, and may record
/// more: any text can be typed).
pub const KNOWN_ACTIONS: &[&str] = &[
    "offer.create",
    "offer.update",
    "offer.publish",
    "operation.goLive",
    "operation.cancel",
    "member.add",
    "member.role",
    "member.remove",
    "reviewer.add",
    "invitation.create",
    "invitation.revoke",
    "apiKey.create",
    "apiKey.revoke",
    "session.signIn",
    "session.signInFailed",
    "session.end",
    "session.endAll",
    "user.profile",
    "user.password",
    "user.setPassword",
];

/// The History page's filters, as typed: empty means any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// A member's user id.
    pub actor: String,
    /// An offer id.
    pub offer: String,
    /// An action (`offer.publish` …).
    pub action: String,
    /// The first day (`YYYY-MM-DD`, from a date input), from its start, UTC.
    pub from: String,
    /// The last day, to its end, UTC.
    pub to: String,
}

/// A `YYYY-MM-DD` date (what `<input type="date">` gives). Read by hand: `time`'s parsing
/// machinery would cost the bundle for this one format.
pub fn parse_date(text: &str) -> Option<Date> {
    let mut parts = text.trim().splitn(3, '-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u8 = parts.next()?.parse().ok()?;
    let day: u8 = parts.next()?.parse().ok()?;
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

fn rfc3339(date: Date, end_of_day: bool) -> String {
    let time = if end_of_day { "23:59:59" } else { "00:00:00" };
    format!(
        "{:04}-{:02}-{:02}T{time}Z",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

impl AuditQuery {
    /// Why the filters cannot be sent (a date range that ends before it starts).
    pub fn problem(&self, lang: Lang) -> Option<String> {
        match (parse_date(&self.from), parse_date(&self.to)) {
            (Some(from), Some(to)) if to < from => Some(t("dates_reversed", lang).to_owned()),
            _ => None,
        }
    }

    /// The endpoint's query string (encoded, without `?`): each filter that is set, the page
    /// size, and the cursor of the page wanted.
    pub fn to_query(&self, cursor: Option<&str>) -> String {
        let mut pairs = self.filters();
        if let Some(cursor) = cursor {
            pairs.push(("cursor", cursor.to_owned()));
        }
        pairs.push(("limit", PAGE_SIZE.to_string()));
        encode_pairs(&pairs)
    }

    /// The CSV export's query string: the same filters, every entry.
    pub fn csv_query(&self) -> String {
        encode_pairs(&self.filters())
    }

    fn filters(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        for (key, value) in [
            ("actor", &self.actor),
            ("offer", &self.offer),
            ("action", &self.action),
        ] {
            if !value.trim().is_empty() {
                pairs.push((key, value.trim().to_owned()));
            }
        }
        if let Some(from) = parse_date(&self.from) {
            pairs.push(("from", rfc3339(from, false)));
        }
        if let Some(to) = parse_date(&self.to) {
            pairs.push(("to", rfc3339(to, true)));
        }
        pairs
    }
}

fn encode_pairs(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode_query(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The entries loaded so far, newest first, and where the next page starts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditList {
    /// The entries.
    pub entries: Vec<AuditEntry>,
    /// The cursor of the next (older) page; `None` once the last is loaded.
    pub next_cursor: Option<String>,
}

impl AuditList {
    /// The first page of a new query.
    pub fn first(page: AuditPage) -> Self {
        Self {
            entries: page.entries,
            next_cursor: page.next_cursor,
        }
    }

    /// Adds the next page ("Load more"), skipping any entry already shown (an entry
    /// recorded between the two requests moves the pages).
    pub fn append(&mut self, page: AuditPage) {
        for entry in page.entries {
            if !self.entries.iter().any(|e| e.seq == entry.seq) {
                self.entries.push(entry);
            }
        }
        self.next_cursor = page.next_cursor;
    }
}

/// One value that an entry changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Where, as a dotted path (`definition.displayText`, `plans[0].planId`); empty for a
    /// value that is not an object (a role).
    pub path: String,
    /// The value before (`None`: absent).
    pub before: Option<String>,
    /// The value after (`None`: removed).
    pub after: Option<String>,
}

/// The values that differ between an entry's `before` and `after`, by path in order.
pub fn changes(before: Option<&Value>, after: Option<&Value>) -> Vec<Change> {
    let mut old = BTreeMap::new();
    let mut new = BTreeMap::new();
    if let Some(v) = before {
        leaves(v, String::new(), &mut old);
    }
    if let Some(v) = after {
        leaves(v, String::new(), &mut new);
    }
    let mut paths: Vec<&String> = old.keys().chain(new.keys()).collect();
    paths.sort();
    paths.dedup();
    paths
        .into_iter()
        .filter(|p| old.get(*p) != new.get(*p))
        .map(|p| Change {
            path: p.clone(),
            before: old.get(p).cloned(),
            after: new.get(p).cloned(),
        })
        .collect()
}

fn leaves(value: &Value, path: String, out: &mut BTreeMap<String, String>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, v) in map {
                let p = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                leaves(v, p, out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for (i, v) in items.iter().enumerate() {
                leaves(v, format!("{path}[{i}]"), out);
            }
        }
        Value::String(s) => {
            out.insert(path, s.clone());
        }
        other => {
            out.insert(path, other.to_string());
        }
    }
}

/// The offer an entry's target names (`offer/vm-basic`), to link to it.
pub fn target_offer(target: &str) -> Option<&str> {
    target.strip_prefix("offer/").filter(|o| !o.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use portal_domain::accounts::Actor;
    use serde_json::json;

    fn entry(seq: i64) -> AuditEntry {
        AuditEntry {
            seq,
            at: time::OffsetDateTime::UNIX_EPOCH,
            actor: Actor {
                kind: "user".into(),
                id: Some("u1".into()),
                name: "Owner".into(),
            },
            action: "offer.update".into(),
            target: "offer/vm".into(),
            address: "127.0.0.1".into(),
            before: None,
            after: None,
            hash: String::new(),
        }
    }

    #[test]
    fn filters_become_the_query_with_whole_days_in_utc() {
        let q = AuditQuery {
            actor: "u 1".into(),
            offer: String::new(),
            action: "offer.publish".into(),
            from: "2026-11-01".into(),
            to: "2026-11-30".into(),
        };
        assert_eq!(
            q.to_query(Some("abc")),
            "actor=u%201&action=offer.publish&from=2026-11-01T00%3A00%3A00Z&to=2026-11-30T23%3A59%3A59Z&cursor=abc&limit=50"
        );
        assert_eq!(AuditQuery::default().to_query(None), "limit=50");
        assert_eq!(
            q.csv_query(),
            "actor=u%201&action=offer.publish&from=2026-11-01T00%3A00%3A00Z&to=2026-11-30T23%3A59%3A59Z"
        );
        assert_eq!(q.problem(Lang::En), None);
        let reversed = AuditQuery {
            from: "2026-12-01".into(),
            to: "2026-11-30".into(),
            ..AuditQuery::default()
        };
        assert!(reversed.problem(Lang::En).is_some());
    }

    #[test]
    fn only_real_dates_are_read() {
        assert!(parse_date("2026-02-28").is_some());
        assert_eq!(parse_date("2026-02-30"), None);
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(parse_date(""), None);
    }

    #[test]
    fn load_more_appends_older_entries_once() {
        let mut list = AuditList::first(AuditPage {
            entries: vec![entry(5), entry(4)],
            next_cursor: Some("4".into()),
        });
        list.append(AuditPage {
            entries: vec![entry(4), entry(3)],
            next_cursor: None,
        });
        let seqs: Vec<i64> = list.entries.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [5, 4, 3]);
        assert_eq!(list.next_cursor, None);
    }

    #[test]
    fn the_diff_lists_changed_fields_only() {
        let before =
            json!({"definition": {"displayText": "Old", "plans": [{"planId": "a"}], "same": 1}});
        let after = json!({"definition": {"displayText": "New", "plans": [{"planId": "a"}, {"planId": "b"}], "same": 1}});
        let c = changes(Some(&before), Some(&after));
        assert_eq!(
            c,
            [
                Change {
                    path: "definition.displayText".into(),
                    before: Some("Old".into()),
                    after: Some("New".into()),
                },
                Change {
                    path: "definition.plans[1].planId".into(),
                    before: None,
                    after: Some("b".into()),
                },
            ]
        );
        let role = changes(Some(&json!("developer")), Some(&json!("manager")));
        assert_eq!(role.len(), 1);
        assert_eq!(role[0].path, "");
        assert!(changes(None, None).is_empty());
    }

    #[test]
    fn an_offer_target_names_the_offer() {
        assert_eq!(target_offer("offer/vm-basic"), Some("vm-basic"));
        assert_eq!(target_offer("member/u1"), None);
        assert_eq!(target_offer("offer/"), None);
    }
}
