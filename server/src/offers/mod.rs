//! Offers: drafts edited with ETag / `If-Match`, the immutable versions a publish takes, and
//! the slots (Draft, Preview, Production). [`store`] holds their SQL; [`handlers`] the CPP
//! routes `GET`/`PUT …/offers/{offer}`, the versions, the slots and the offers list.

mod handlers;
pub mod store;

use portal_domain::OfferDocument;
use portal_domain::workflow::{OfferStatus, StatusSummary};

use crate::db::rfc3339;
use crate::error::{ApiError, ApiResult};
use crate::extract::OfferPath;
use crate::routes::ApiRoute;
use crate::state::AppState;

/// A stored offer: its draft, decoded, and its counters.
#[derive(Debug, Clone)]
pub struct Offer {
    /// Publisher namespace.
    pub publisher_id: String,
    /// Offer id.
    pub offer_id: String,
    /// The draft.
    pub draft: OfferDocument,
    /// SHA-256 of the stored draft.
    pub draft_hash: String,
    /// Entity tag of the draft.
    pub etag: String,
    /// Last change of the draft.
    pub changed_ms: i64,
    /// Highest published version (0 before the first publish).
    pub version: i64,
    /// Version in preview.
    pub preview_version: Option<i64>,
    /// Version live.
    pub production_version: Option<i64>,
}

/// An offer as the offers list needs it (never its draft), with its latest operation's
/// status summary.
#[derive(Debug, Clone)]
pub struct OfferListing {
    /// Offer id.
    pub offer_id: String,
    /// The draft's display name.
    pub display_name: String,
    /// SHA-256 of the draft.
    pub draft_hash: String,
    /// Last change of the draft.
    pub changed_ms: i64,
    /// Highest published version.
    pub version: i64,
    /// Version live.
    pub production_version: Option<i64>,
    /// The latest operation's summary, without the live facts.
    pub latest: Option<StatusSummary>,
    /// The draft hash of the live version.
    pub production_hash: Option<String>,
}

/// An immutable snapshot taken by a publish.
#[derive(Debug, Clone)]
pub struct Version {
    /// The version number.
    pub version: i64,
    /// The document.
    pub document: OfferDocument,
    /// SHA-256 of the document.
    pub draft_hash: String,
    /// When it was taken.
    pub created_ms: i64,
}

/// The published slots of an offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// The version in preview (`offers.preview_version`).
    Preview,
    /// The live version (`offers.production_version`).
    Production,
}

impl Slot {
    /// The column of `offers` holding the slot's version.
    pub(crate) fn column(self) -> &'static str {
        match self {
            Slot::Preview => "preview_version",
            Slot::Production => "production_version",
        }
    }
}

/// The routes of this feature.
pub fn routes() -> Vec<ApiRoute> {
    handlers::routes()
}

/// Loads the offer in the path or answers 404.
pub async fn load(state: &AppState, path: &OfferPath) -> ApiResult<Offer> {
    store::find(&state.db, path.publisher.as_str(), path.offer.as_str())
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("Offer `{}` was not found.", path.offer)))
}

/// The stored form of a draft: read-only fields dropped, ids set from the path.
pub fn stored_draft(mut doc: OfferDocument, publisher: &str, offer: &str) -> OfferDocument {
    doc.publisher_id = Some(publisher.to_owned());
    doc.id = Some(offer.to_owned());
    doc.version = None;
    doc.status = None;
    doc.etag = None;
    doc.changed_time = None;
    doc
}

/// A document as answered: read-only fields filled, secrets blanked.
fn answer_document(
    doc: &OfferDocument,
    etag: &str,
    version: i64,
    status: OfferStatus,
    changed_ms: i64,
) -> OfferDocument {
    let mut doc = doc.clone();
    doc.etag = Some(etag.to_owned());
    doc.version = Some(u64::try_from(version).unwrap_or(0));
    doc.status = Some(status.as_str().to_owned());
    doc.changed_time = Some(rfc3339(changed_ms));
    doc.without_secrets()
}
