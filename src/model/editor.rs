//! The editor's state beyond the document: which fields were touched, whether Publish asked
//! to show every problem, where a finding sends the user, and whether there are unsaved edits.

use std::collections::HashSet;

use portal_domain::path::FieldPath;
use portal_domain::sections::Section;
use portal_domain::{Finding, Lang};
use serde_json::Value;

/// Where to take the user so a field's input is on screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FocusTarget {
    /// The section tab to open.
    pub section: Section,
    /// The SKU to select, for fields inside a SKU.
    pub sku: Option<usize>,
    /// The input's element id (the path's written form).
    pub element_id: String,
}

impl FocusTarget {
    /// The target for a field path.
    pub fn of(path: &FieldPath) -> Self {
        Self {
            section: Section::of(path),
            sku: path.plan_index(),
            element_id: path.to_string(),
        }
    }

    /// Element ids to try, most precise first: a finding about a list item or a whole list
    /// may have no input of its own, so its nearest enclosing field is focused instead.
    pub fn candidates(&self) -> Vec<String> {
        let Some(path) = FieldPath::parse(&self.element_id) else {
            return vec![self.element_id.clone()];
        };
        (1..=path.0.len())
            .rev()
            .map(|n| FieldPath(path.0[..n].to_vec()).to_string())
            .collect()
    }
}

/// Touched fields and the "show everything" switch that Publish turns on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Visibility {
    touched: HashSet<String>,
    show_all: bool,
}

impl Visibility {
    /// Marks a field as touched (left after editing), so its message shows.
    pub fn touch(&mut self, path: &FieldPath) {
        self.touched.insert(path.to_string());
    }

    /// Shows every finding (after Publish).
    pub fn show_all(&mut self) {
        self.show_all = true;
    }

    /// Whether findings are shown for every field.
    pub fn showing_all(&self) -> bool {
        self.show_all
    }

    /// Whether the message of a finding at `path` is shown: once the field (or the list that
    /// holds it) was touched, or for every field after Publish.
    pub fn shows(&self, path: &FieldPath) -> bool {
        self.show_all
            || (1..=path.0.len()).any(|n| {
                self.touched
                    .contains(&FieldPath(path.0[..n].to_vec()).to_string())
            })
    }
}

/// The messages to show next to the input at `path`: findings exactly there, when visible.
pub fn messages_at(
    findings: &[Finding],
    visibility: &Visibility,
    path: &FieldPath,
    lang: Lang,
) -> Vec<String> {
    if !visibility.shows(path) {
        return Vec::new();
    }
    findings
        .iter()
        .filter(|f| &f.field == path)
        .map(|f| f.message(lang))
        .collect()
}

/// The messages for a list (its count rules and its items without their own input).
pub fn messages_under(
    findings: &[Finding],
    visibility: &Visibility,
    path: &FieldPath,
    lang: Lang,
) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f.field.starts_with(path) && visibility.shows(&f.field))
        .map(|f| f.message(lang))
        .collect()
}

/// What pressing Publish leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublishGate {
    /// Problems remain: show all and take the user to the first.
    FixFirst(FocusTarget),
    /// Ready: ask for the notification e-mails.
    AskForEmails,
}

impl PublishGate {
    /// Decides from the current findings, in the editor's section order.
    pub fn decide(findings: &[Finding]) -> Self {
        let first = Section::ALL.iter().find_map(|s| {
            findings
                .iter()
                .find(|f| Section::of(&f.field) == *s)
                .map(|f| FocusTarget::of(&f.field))
        });
        match first {
            Some(target) => PublishGate::FixFirst(target),
            None => PublishGate::AskForEmails,
        }
    }
}

/// The saved draft and its ETag, to tell unsaved edits and to send `If-Match`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SavedDraft {
    /// The document as last loaded or saved.
    pub doc: Value,
    /// Its ETag.
    pub etag: Option<String>,
}

impl SavedDraft {
    /// Whether `current` differs from the saved draft.
    pub fn is_dirty(&self, current: &Value) -> bool {
        &self.doc != current
    }
}

/// How a save sends `If-Match`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfMatch {
    /// Modify only if nobody changed it since this ETag.
    Etag(String),
    /// Overwrite whatever is stored (after the user chose to).
    Any,
    /// Create (no header).
    None,
}

impl IfMatch {
    /// The header value, if any.
    pub fn header(&self) -> Option<&str> {
        match self {
            IfMatch::Etag(e) => Some(e),
            IfMatch::Any => Some("*"),
            IfMatch::None => None,
        }
    }
}

/// Problem counts per section for the tab badges; Test Drive only when it has problems or
/// is enabled.
pub fn badge_counts(findings: &[Finding]) -> Vec<(Section, usize)> {
    Section::counts(findings).to_vec()
}

/// The skeleton of a new offer, as the New offer dialog creates it.
pub fn new_offer_document(publisher: &str, offer_id: &str, name: &str) -> Value {
    serde_json::json!({
        "publisherId": publisher,
        "offerTypeId": portal_domain::document::VM_OFFER_TYPE,
        "id": offer_id,
        "definition": {
            "displayText": name,
            "offer": {},
            "plans": []
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use portal_domain::validate;

    fn p(s: &str) -> FieldPath {
        FieldPath::parse(s).expect("valid path")
    }

    #[test]
    fn a_message_shows_once_touched_or_after_publish() {
        let doc =
            crate::model::doc::typed(&new_offer_document("contoso", "vm", "VM")).expect("typed");
        let findings = validate(&doc);
        let title = p("definition.offer.microsoft-azure-marketplace.title");
        let mut vis = Visibility::default();
        assert!(messages_at(&findings, &vis, &title, Lang::En).is_empty());
        vis.touch(&title);
        let shown = messages_at(&findings, &vis, &title, Lang::En);
        assert_eq!(shown.len(), 1, "{shown:?}");
        let summary = p("definition.offer.microsoft-azure-marketplace.summary");
        assert!(messages_at(&findings, &vis, &summary, Lang::En).is_empty());
        vis.show_all();
        assert!(!messages_at(&findings, &vis, &summary, Lang::Ko).is_empty());
    }

    #[test]
    fn touching_a_list_shows_its_items_messages() {
        let mut vis = Visibility::default();
        vis.touch(&p("definition.plans"));
        assert!(vis.shows(&p("definition.plans[0].planId")));
        assert!(!vis.shows(&p("definition.displayText")));
    }

    #[test]
    fn publish_goes_to_the_first_problem_in_section_order() {
        let doc =
            crate::model::doc::typed(&new_offer_document("contoso", "vm", "VM")).expect("typed");
        match PublishGate::decide(&validate(&doc)) {
            PublishGate::FixFirst(t) => assert_eq!(t.section, Section::Skus),
            other => panic!("expected problems, got {other:?}"),
        }
        let complete = portal_domain::samples::complete_offer("contoso-vm");
        assert_eq!(
            PublishGate::decide(&validate(&complete)),
            PublishGate::AskForEmails
        );
    }

    #[test]
    fn a_sku_field_opens_its_sku_and_falls_back_to_enclosing_inputs() {
        let t = FocusTarget::of(&p(
            "definition.plans[2].microsoft-azure-virtualmachines.recommendedVMSizes[1]",
        ));
        assert_eq!(t.section, Section::Skus);
        assert_eq!(t.sku, Some(2));
        assert_eq!(
            t.candidates()[1],
            "definition.plans[2].microsoft-azure-virtualmachines.recommendedVMSizes"
        );
    }

    #[test]
    fn dirty_tracking_and_if_match() {
        let saved = SavedDraft {
            doc: serde_json::json!({"id": "a"}),
            etag: Some("\"1\"".into()),
        };
        assert!(!saved.is_dirty(&serde_json::json!({"id": "a"})));
        assert!(saved.is_dirty(&serde_json::json!({"id": "b"})));
        assert_eq!(IfMatch::Any.header(), Some("*"));
        assert_eq!(IfMatch::None.header(), None);
    }
}
