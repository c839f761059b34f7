//! Publishing: the durable pipeline of an offer version from Publish to Live. [`handlers`]
//! answer the CPP routes (publish, Go Live, Cancel, status, operations, the event stream);
//! [`engine`] runs the automatic steps ([`steps`], one file each) with leases; [`store`]
//! holds the SQL; [`disks`] lists the disks a version carries, which several steps and the
//! reviewer's test deployments share.

mod answers;
pub mod disks;
pub mod engine;
mod handlers;
mod site;
pub mod steps;
pub mod store;

use portal_domain::api::Link;
use portal_domain::workflow::{Pipeline, StepId};

use crate::db::{from_ms, now_ms};
use crate::routes::ApiRoute;

/// An operation (a publish) with its pipeline.
#[derive(Debug, Clone)]
pub struct Operation {
    /// Operation id (a GUID).
    pub id: String,
    /// Publisher namespace.
    pub publisher_id: String,
    /// Offer id.
    pub offer_id: String,
    /// The version it publishes.
    pub version: i64,
    /// Hash of that version's document.
    pub draft_hash: String,
    /// The steps and their states.
    pub pipeline: Pipeline,
    /// Notification addresses.
    pub emails: String,
    /// Preview links (once the preview is available).
    pub preview_links: Vec<Link>,
    /// Live links (once live).
    pub live_links: Vec<Link>,
    /// Creation time.
    pub created_ms: i64,
    /// Last change.
    pub updated_ms: i64,
    /// The step a worker must run next (none while waiting or once ended).
    pub next_step: Option<StepId>,
    /// Who started it (a display name; `None` for operations older than people).
    pub started_by: Option<String>,
    /// Who pressed Go Live or Cancel.
    pub signed_off_by: Option<String>,
    /// The pipeline as read from the database: the guard of the publisher's
    /// compare-and-set transitions ([`store::update_if_unchanged`]).
    read_pipeline: String,
}

impl Operation {
    /// A new operation publishing `version` of an offer, at step 1.
    pub fn start(
        publisher_id: &str,
        offer_id: &str,
        version: i64,
        draft_hash: &str,
        emails: &str,
    ) -> Self {
        let now = now_ms();
        Self {
            id: uuid::Uuid::new_v4().to_string(),
            publisher_id: publisher_id.to_owned(),
            offer_id: offer_id.to_owned(),
            version,
            draft_hash: draft_hash.to_owned(),
            pipeline: Pipeline::start(from_ms(now)),
            emails: emails.to_owned(),
            preview_links: Vec::new(),
            live_links: Vec::new(),
            created_ms: now,
            updated_ms: now,
            next_step: Some(StepId::ValidatePrerequisites),
            started_by: None,
            signed_off_by: None,
            read_pipeline: String::new(),
        }
    }
}

/// What the status of an offer needs about the offer (never its draft).
#[derive(Debug, Clone)]
pub struct OfferState {
    /// Publisher namespace.
    pub publisher_id: String,
    /// Offer id.
    pub offer_id: String,
    /// SHA-256 of the draft.
    pub draft_hash: String,
    /// Version live.
    pub production_version: Option<i64>,
    /// The draft hash of the live version.
    pub production_hash: Option<String>,
}

/// The preview links of an offer.
pub fn preview_links(publisher: &str, offer: &str) -> Vec<Link> {
    vec![Link {
        display_text: "Preview".into(),
        uri: format!("/preview/{publisher}/{offer}"),
    }]
}

/// The live links of an offer.
pub fn live_links(publisher: &str, offer: &str) -> Vec<Link> {
    vec![Link {
        display_text: "Marketplace".into(),
        uri: format!("/catalogue/{publisher}/{offer}"),
    }]
}

/// The routes of this feature.
pub fn routes() -> Vec<ApiRoute> {
    handlers::routes()
}
