//! All Offers: search, status filter, column sort and paging over the publisher's offers.
//! Works on indexes so 10,000 offers filter and sort without cloning rows.

use portal_domain::Lang;
use portal_domain::api::OfferSummary;
use portal_domain::workflow::OfferStatus;

/// Rows shown per page.
pub const PAGE_SIZE: usize = 50;

/// The status filter's choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum StatusFilter {
    /// Every offer.
    #[default]
    All,
    /// Never published.
    Draft,
    /// A publish is running.
    InProgress,
    /// Waiting for the publisher's sign-off.
    SignOff,
    /// A version is live.
    Live,
    /// The last publish failed.
    Failed,
    /// The last publish was canceled.
    Canceled,
}

impl StatusFilter {
    /// The choices in the filter's order.
    pub const ALL: [StatusFilter; 7] = [
        StatusFilter::All,
        StatusFilter::Draft,
        StatusFilter::InProgress,
        StatusFilter::SignOff,
        StatusFilter::Live,
        StatusFilter::Failed,
        StatusFilter::Canceled,
    ];

    /// A stable value for the `<select>`.
    pub fn key(self) -> &'static str {
        match self {
            StatusFilter::All => "all",
            StatusFilter::Draft => "draft",
            StatusFilter::InProgress => "running",
            StatusFilter::SignOff => "signoff",
            StatusFilter::Live => "live",
            StatusFilter::Failed => "failed",
            StatusFilter::Canceled => "canceled",
        }
    }

    /// Parses [`Self::key`].
    pub fn from_key(key: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|f| f.key() == key)
            .unwrap_or_default()
    }

    /// The words in the filter.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (StatusFilter::All, Lang::En) => "All statuses",
            (StatusFilter::All, Lang::Ko) => "모든 상태",
            (StatusFilter::Draft, Lang::En) => "Draft",
            (StatusFilter::Draft, Lang::Ko) => "초안",
            (StatusFilter::InProgress, Lang::En) => "Publishing",
            (StatusFilter::InProgress, Lang::Ko) => "게시 중",
            (StatusFilter::SignOff, Lang::En) => "Waiting for sign-off",
            (StatusFilter::SignOff, Lang::Ko) => "승인 대기 중",
            (StatusFilter::Live, Lang::En) => "Live",
            (StatusFilter::Live, Lang::Ko) => "라이브",
            (StatusFilter::Failed, Lang::En) => "Failed",
            (StatusFilter::Failed, Lang::Ko) => "실패",
            (StatusFilter::Canceled, Lang::En) => "Canceled",
            (StatusFilter::Canceled, Lang::Ko) => "취소됨",
        }
    }

    /// Whether an offer passes the filter.
    pub fn matches(self, offer: &OfferSummary) -> bool {
        let d = &offer.status_detail;
        match self {
            StatusFilter::All => true,
            StatusFilter::Draft => d.status == OfferStatus::NeverPublished,
            StatusFilter::InProgress => d.status == OfferStatus::Running,
            StatusFilter::SignOff => d.status == OfferStatus::WaitingForPublisherReview,
            StatusFilter::Live => d.live || d.status == OfferStatus::Succeeded,
            StatusFilter::Failed => d.status == OfferStatus::Failed,
            StatusFilter::Canceled => {
                matches!(d.status, OfferStatus::Canceled | OfferStatus::NotStarted)
            }
        }
    }
}

/// The sortable columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortKey {
    /// Offer name.
    Name,
    /// Offer id.
    Id,
    /// Status (in pipeline order).
    Status,
    /// Last change.
    Changed,
}

/// Lowercase search keys of a list of offers, built once when the list arrives so a keystroke
/// only compares: `name\nid` per offer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchKeys {
    keys: Vec<String>,
    name_len: Vec<usize>,
}

impl SearchKeys {
    /// The keys of `offers`, in the same order.
    pub fn new(offers: &[OfferSummary]) -> Self {
        let mut keys = Vec::with_capacity(offers.len());
        let mut name_len = Vec::with_capacity(offers.len());
        for o in offers {
            let mut key = o.definition.display_text.to_lowercase();
            name_len.push(key.len());
            key.push('\n');
            key.push_str(&o.id.to_lowercase());
            keys.push(key);
        }
        Self { keys, name_len }
    }

    /// The lowercase name of offer `i`.
    pub fn name(&self, i: usize) -> &str {
        &self.keys[i][..self.name_len[i]]
    }

    /// Whether offer `i`'s name or id contains `needle` (already lowercase, no line break).
    pub fn matches(&self, i: usize, needle: &str) -> bool {
        self.keys[i].contains(needle)
    }
}

/// Search, filter, sort and page of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferQuery {
    /// Free text matched against name and id, case-insensitively.
    pub search: String,
    /// Status filter.
    pub filter: StatusFilter,
    /// Sort column.
    pub sort: SortKey,
    /// Ascending?
    pub ascending: bool,
    /// Zero-based page.
    pub page: usize,
}

impl Default for OfferQuery {
    fn default() -> Self {
        Self {
            search: String::new(),
            filter: StatusFilter::All,
            sort: SortKey::Changed,
            ascending: false,
            page: 0,
        }
    }
}

fn status_rank(offer: &OfferSummary) -> (u8, u8, usize, u8) {
    let d = &offer.status_detail;
    let rank = match d.status {
        OfferStatus::Failed => 0,
        OfferStatus::WaitingForPublisherReview => 1,
        OfferStatus::Running => 2,
        OfferStatus::NeverPublished => 3,
        OfferStatus::NotStarted | OfferStatus::Canceled => 4,
        OfferStatus::Succeeded => 5,
    };
    (
        rank,
        u8::from(d.live),
        d.step.map_or(0, |s| s.index()),
        d.progress_percentage,
    )
}

impl OfferQuery {
    /// Clicking a column header: the same column flips the direction, a new one sorts
    /// ascending (newest first for Last change). Goes back to the first page.
    pub fn toggle_sort(&mut self, key: SortKey) {
        if self.sort == key {
            self.ascending = !self.ascending;
        } else {
            self.sort = key;
            self.ascending = key != SortKey::Changed;
        }
        self.page = 0;
    }

    /// Indexes of the matching offers, sorted.
    pub fn apply(&self, offers: &[OfferSummary]) -> Vec<usize> {
        let keys = SearchKeys::new(offers);
        self.filter(offers, &keys, &self.sorted(offers, &keys))
    }

    /// Every offer's index in this query's sort order. Depends only on the sort column and
    /// direction, so typing in the search does not sort again.
    pub fn sorted(&self, offers: &[OfferSummary], keys: &SearchKeys) -> Vec<usize> {
        let mut rows: Vec<usize> = (0..offers.len()).collect();
        rows.sort_by(|&a, &b| {
            let (x, y) = (&offers[a], &offers[b]);
            let ord = match self.sort {
                SortKey::Name => keys.name(a).cmp(keys.name(b)),
                SortKey::Id => x.id.cmp(&y.id),
                SortKey::Status => status_rank(x).cmp(&status_rank(y)),
                SortKey::Changed => x.changed_time.cmp(&y.changed_time),
            }
            .then_with(|| x.id.cmp(&y.id));
            if self.ascending { ord } else { ord.reverse() }
        });
        rows
    }

    /// The rows of `sorted` that pass the status filter and the search, in the same order.
    pub fn filter(
        &self,
        offers: &[OfferSummary],
        keys: &SearchKeys,
        sorted: &[usize],
    ) -> Vec<usize> {
        let needle = self.search.trim().to_lowercase();
        sorted
            .iter()
            .copied()
            .filter(|&i| {
                self.filter.matches(&offers[i]) && (needle.is_empty() || keys.matches(i, &needle))
            })
            .collect()
    }

    /// The number of pages for `total` rows (at least one).
    pub fn pages(total: usize) -> usize {
        total.div_ceil(PAGE_SIZE).max(1)
    }

    /// The slice of `rows` on the current page (clamped to the last page).
    pub fn page_of<'a>(&self, rows: &'a [usize]) -> &'a [usize] {
        let page = self.page.min(Self::pages(rows.len()) - 1);
        let start = page * PAGE_SIZE;
        &rows[start..(start + PAGE_SIZE).min(rows.len())]
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use portal_domain::api::SummaryDefinition;
    use portal_domain::workflow::{StatusSummary, StepId};
    use time::OffsetDateTime;

    pub(crate) fn offer(id: &str, name: &str, status: OfferStatus, minute: i64) -> OfferSummary {
        OfferSummary {
            offer_type_id: "microsoft-azure-virtualmachines".into(),
            publisher_id: "contoso".into(),
            status,
            id: id.into(),
            version: 1,
            definition: SummaryDefinition {
                display_text: name.into(),
            },
            changed_time: OffsetDateTime::UNIX_EPOCH + time::Duration::minutes(minute),
            status_detail: StatusSummary {
                status,
                step: (status == OfferStatus::Running).then_some(StepId::Certification),
                progress_percentage: 40,
                live: status == OfferStatus::Succeeded,
                changes_not_published: false,
            },
        }
    }

    fn sample() -> Vec<OfferSummary> {
        vec![
            offer("beta-vm", "Beta", OfferStatus::Running, 3),
            offer("alpha-vm", "alpha", OfferStatus::Succeeded, 1),
            offer("gamma-vm", "Gamma", OfferStatus::Failed, 2),
        ]
    }

    #[test]
    fn default_sort_is_newest_change_first() {
        assert_eq!(OfferQuery::default().apply(&sample()), vec![0, 2, 1]);
    }

    #[test]
    fn search_matches_name_or_id_case_insensitively() {
        let q = OfferQuery {
            search: "ALPHA".into(),
            ..Default::default()
        };
        assert_eq!(q.apply(&sample()), vec![1]);
    }

    #[test]
    fn filter_and_sort_by_name_then_flip() {
        let mut q = OfferQuery::default();
        q.toggle_sort(SortKey::Name);
        assert_eq!(q.apply(&sample()), vec![1, 0, 2]);
        q.toggle_sort(SortKey::Name);
        assert_eq!(q.apply(&sample()), vec![2, 0, 1]);
        q.filter = StatusFilter::Failed;
        assert_eq!(q.apply(&sample()), vec![2]);
        assert_eq!(StatusFilter::from_key("live"), StatusFilter::Live);
    }

    #[test]
    fn filtering_keeps_the_sort_order_and_never_matches_across_name_and_id() {
        let offers = sample();
        let keys = SearchKeys::new(&offers);
        let q = OfferQuery::default();
        let sorted = q.sorted(&offers, &keys);
        assert_eq!(sorted, vec![0, 2, 1]);
        let q = OfferQuery {
            search: "a".into(),
            ..Default::default()
        };
        assert_eq!(q.filter(&offers, &keys, &sorted), vec![0, 2, 1]);
        assert_eq!(keys.name(0), "beta");
        let across = OfferQuery {
            search: "beta beta".into(),
            ..Default::default()
        };
        assert!(across.filter(&offers, &keys, &sorted).is_empty());
    }

    #[test]
    fn ten_thousand_offers_page_in_fifty() {
        let many: Vec<OfferSummary> = (0..10_000)
            .map(|i| offer(&format!("vm-{i}"), "Name", OfferStatus::NeverPublished, i))
            .collect();
        let mut q = OfferQuery::default();
        let rows = q.apply(&many);
        assert_eq!(OfferQuery::pages(rows.len()), 200);
        q.page = 999;
        assert_eq!(q.page_of(&rows).len(), PAGE_SIZE);
        assert_eq!(q.page_of(&rows)[PAGE_SIZE - 1], 0);
    }
}
