//! Converts database rows to the domain and API types answered to clients.

use anyhow::Context;
use portal_domain::Lang;
use portal_domain::OfferDocument;
use portal_domain::api::{
    Link, OfferStatusView, OperationDefinition, OperationMetadata, OperationView, SubmissionType,
};
use portal_domain::document::VM_OFFER_TYPE;
use portal_domain::workflow::{OfferStatus, OperationStatus, Pipeline, StepStatus};
use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;

use crate::store::{OfferStateRow, OperationRow, from_ms, now_ms};

/// RFC 3339 text of Unix milliseconds.
pub fn rfc3339(ms: i64) -> String {
    from_ms(ms).format(&Rfc3339).unwrap_or_default()
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

/// JSON text and SHA-256 of a stored document.
pub fn encode_document(doc: &OfferDocument) -> anyhow::Result<(String, String)> {
    let text = serde_json::to_string(doc)?;
    let hash = hex::encode(Sha256::digest(text.as_bytes()));
    Ok((text, hash))
}

/// A new entity tag.
pub fn new_etag() -> String {
    format!("\"{}\"", uuid::Uuid::new_v4().simple())
}

/// The pipeline of an operation.
pub fn pipeline(op: &OperationRow) -> anyhow::Result<Pipeline> {
    serde_json::from_str(&op.pipeline).context("stored pipeline")
}

/// Links stored as JSON.
pub fn links(json: &str) -> Vec<Link> {
    serde_json::from_str(json).unwrap_or_default()
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

/// A document as answered: read-only fields filled, secrets blanked.
pub fn answer_document(
    text: &str,
    etag: &str,
    version: i64,
    status: OfferStatus,
    changed_ms: i64,
) -> anyhow::Result<OfferDocument> {
    let mut doc: OfferDocument = serde_json::from_str(text).context("stored document")?;
    doc.etag = Some(etag.to_owned());
    doc.version = Some(u64::try_from(version).unwrap_or(0));
    doc.status = Some(status.as_str().to_owned());
    doc.changed_time = Some(rfc3339(changed_ms));
    Ok(doc.without_secrets())
}

/// An operation as answered.
pub fn operation_view(op: &OperationRow, lang: Lang) -> anyhow::Result<OperationView> {
    let p = pipeline(op)?;
    let version = u64::try_from(op.version).unwrap_or(0);
    let error = (p.status == OperationStatus::Failed).then(|| {
        let step = p.current_step();
        let first = p
            .step(step)
            .messages
            .iter()
            .find(|m| m.level == portal_domain::workflow::MessageLevel::Error)
            .map(|m| m.message_html.clone())
            .unwrap_or_default();
        format!("The publish failed at {}. {first}", step.name(lang))
    });
    Ok(OperationView {
        id: op.id.clone(),
        offer_id: op.offer_id.clone(),
        publisher_id: op.publisher_id.clone(),
        offer_type_id: VM_OFFER_TYPE.into(),
        offer_version: version,
        publishing_version: version,
        submission_type: SubmissionType::Publish,
        submission_state: p.status,
        status: p.status,
        cancellation_request_state: if p.at_signoff() {
            "canCancel".into()
        } else {
            "notCancelable".into()
        },
        definition: OperationDefinition {
            metadata: OperationMetadata {
                emails: op.emails.clone(),
            },
        },
        notification_emails: op.emails.clone(),
        steps: p
            .steps
            .iter()
            .map(|s| portal_domain::api::StepView::new(s, lang))
            .collect(),
        preview_links: links(&op.preview_links),
        live_links: links(&op.live_links),
        created_date_time: from_ms(op.created_ms),
        last_action_date_time: from_ms(op.updated_ms),
        changed_time: from_ms(op.updated_ms),
        error,
    })
}

/// The status of an offer.
pub fn status_view(
    offer: &OfferStateRow,
    latest: Option<&OperationRow>,
    lang: Lang,
) -> anyhow::Result<OfferStatusView> {
    let pipeline = latest.map(pipeline).transpose()?;
    let live = offer.production_version.is_some();
    let draft_changed = offer
        .production_hash
        .as_deref()
        .is_some_and(|h| h != offer.draft_hash);
    let mut view = OfferStatusView::new(
        pipeline.as_ref(),
        live,
        draft_changed,
        lang,
        from_ms(now_ms()),
    );
    if let Some(op) = latest {
        let signed_off_or_further = pipeline.as_ref().is_some_and(|p| {
            p.status != OperationStatus::Canceled
                && p.step(portal_domain::workflow::StepId::Preview).status == StepStatus::Complete
        });
        if signed_off_or_further {
            view.preview_links = links(&op.preview_links);
        }
        view.notification_emails = op.emails.clone();
        view.operation_id = Some(op.id.clone());
    }
    if live {
        view.live_links = live_links(&offer.publisher_id, &offer.offer_id);
    }
    Ok(view)
}

/// The status of an offer from its latest pipeline alone.
pub fn offer_status(latest: Option<&Pipeline>) -> OfferStatus {
    OfferStatus::of(latest)
}
