//! The editor's sections and which one holds each field, so a finding can open the right
//! section (and SKU) and each section can show how many problems it has.

use serde::{Deserialize, Serialize};

use crate::i18n::Lang;
use crate::path::{FieldPath, Segment};
use crate::validation::Finding;

/// A section of the offer editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Section {
    /// Offer ID, publisher, name.
    OfferSettings,
    /// SKUs with their disk versions.
    Skus,
    /// The optional Test Drive.
    TestDrive,
    /// Texts, preview audience, categories, images, leads, legal.
    Marketplace,
    /// Engineering and customer support contacts.
    Support,
}

impl Section {
    /// Every section in the editor's order.
    pub const ALL: [Section; 5] = [
        Section::OfferSettings,
        Section::Skus,
        Section::TestDrive,
        Section::Marketplace,
        Section::Support,
    ];

    /// The section that holds a field.
    pub fn of(path: &FieldPath) -> Section {
        match path.0.as_slice() {
            [Segment::Key(d), Segment::Key(p), ..] if d == "definition" && p == "plans" => {
                Section::Skus
            }
            [Segment::Key(d), Segment::Key(o), Segment::Key(k), ..]
                if d == "definition" && o == "offer" =>
            {
                if k.starts_with("microsoft-azure-marketplace-testdrive.") {
                    Section::TestDrive
                } else if k.contains("ContactName")
                    || k.contains("ContactEmail")
                    || k.contains("ContactPhone")
                    || k.ends_with("SupportUrl")
                {
                    Section::Support
                } else {
                    Section::Marketplace
                }
            }
            _ => Section::OfferSettings,
        }
    }

    /// Problems per section, in the editor's order.
    pub fn counts(findings: &[Finding]) -> [(Section, usize); 5] {
        Self::ALL.map(|s| {
            (
                s,
                findings
                    .iter()
                    .filter(|f| Section::of(&f.field) == s)
                    .count(),
            )
        })
    }

    /// The section's title.
    pub fn title(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Section::OfferSettings, Lang::En) => "Offer Settings",
            (Section::OfferSettings, Lang::Ko) => "제품 설정",
            (Section::Skus, _) => "SKUs",
            (Section::TestDrive, Lang::En) => "Test Drive",
            (Section::TestDrive, Lang::Ko) => "테스트 드라이브",
            (Section::Marketplace, Lang::En) => "Marketplace",
            (Section::Marketplace, Lang::Ko) => "마켓플레이스",
            (Section::Support, Lang::En) => "Support",
            (Section::Support, Lang::Ko) => "지원",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_map_to_their_sections() {
        let p = |s: &str| FieldPath::parse(s).unwrap();
        assert_eq!(Section::of(&p("id")), Section::OfferSettings);
        assert_eq!(
            Section::of(&p("definition.displayText")),
            Section::OfferSettings
        );
        assert_eq!(Section::of(&p("definition.plans[2].planId")), Section::Skus);
        assert_eq!(
            Section::of(&p("definition.offer.microsoft-azure-marketplace.title")),
            Section::Marketplace
        );
        assert_eq!(
            Section::of(&p(
                "definition.offer.microsoft-azure-marketplace.supportContactEmail"
            )),
            Section::Support
        );
        assert_eq!(
            Section::of(&p(
                "definition.offer.microsoft-azure-marketplace-testdrive.durationHours"
            )),
            Section::TestDrive
        );
    }
}
