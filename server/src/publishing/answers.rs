//! The CPP answers of publishing: an operation and the status of an offer, from the typed
//! records.

use portal_domain::Lang;
use portal_domain::api::{
    CppSteps, OfferStatusView, OperationDefinition, OperationMetadata, OperationView, StepView,
    SubmissionType,
};
use portal_domain::document::VM_OFFER_TYPE;
use portal_domain::workflow::{OperationStatus, StepStatus};

use super::{OfferState, Operation, live_links};
use crate::db::{from_ms, now_ms};

/// An operation as answered.
pub fn operation_view(op: &Operation, lang: Lang) -> OperationView {
    let p = &op.pipeline;
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
    let stages = CppSteps::split(p.steps.iter().map(|s| StepView::new(s, lang)).collect());
    OperationView {
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
        steps: stages.steps,
        preview_step: stages.preview,
        preview_links: op.preview_links.clone(),
        live_links: op.live_links.clone(),
        created_date_time: from_ms(op.created_ms),
        last_action_date_time: from_ms(op.updated_ms),
        changed_time: from_ms(op.updated_ms),
        error,
        started_by: op.started_by.clone(),
        signed_off_by: op.signed_off_by.clone(),
    }
}

/// The status of an offer.
pub fn status_view(offer: &OfferState, latest: Option<&Operation>, lang: Lang) -> OfferStatusView {
    let pipeline = latest.map(|op| &op.pipeline);
    let live = offer.production_version.is_some();
    let draft_changed = offer
        .production_hash
        .as_deref()
        .is_some_and(|h| h != offer.draft_hash);
    let mut view = OfferStatusView::new(pipeline, live, draft_changed, lang, from_ms(now_ms()));
    if let Some(op) = latest {
        let signed_off_or_further = pipeline.is_some_and(|p| {
            p.status != OperationStatus::Canceled
                && p.step(portal_domain::workflow::StepId::Preview).status == StepStatus::Complete
        });
        if signed_off_or_further {
            view.preview_links = op.preview_links.clone();
        }
        view.notification_emails = op.emails.clone();
        view.operation_id = Some(op.id.clone());
        view.started_by.clone_from(&op.started_by);
        view.signed_off_by.clone_from(&op.signed_off_by);
    }
    if live {
        view.live_links = live_links(&offer.publisher_id, &offer.offer_id);
    }
    view
}
