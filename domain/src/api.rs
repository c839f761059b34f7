//! Request and response types of the JSON API, shared by the server and the web app. Shapes
//! follow the CPP REST API (`reference/cpp-api.md`); additions are marked as extensions.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::i18n::Lang;
use crate::validation::FindingDetail;
use crate::workflow::{
    MessageLevel, OfferStatus, Pipeline, RegionProgress, StatusSummary, StepId, StepMessage,
    StepState, StepStatus,
};

/// The only API version, accepted as `?api-version=2017-10-31` on every call.
pub const API_VERSION: &str = "2017-10-31";

/// `definition` of an offer summary: just the name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SummaryDefinition {
    /// The offer's name.
    pub display_text: String,
}

/// One entry of `GET /api/publishers/{p}/offers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OfferSummary {
    /// Always `microsoft-azure-virtualmachines`.
    pub offer_type_id: String,
    /// Publisher namespace.
    pub publisher_id: String,
    /// CPP offer status.
    pub status: OfferStatus,
    /// Offer id.
    pub id: String,
    /// Offer version (raised by each publish).
    pub version: u64,
    /// The name.
    pub definition: SummaryDefinition,
    /// Last change of the draft.
    #[serde(with = "time::serde::rfc3339")]
    pub changed_time: OffsetDateTime,
    /// Extension: the step the latest publish is at, for All Offers.
    pub status_detail: StatusSummary,
}

/// `{"metadata":{"notification-emails":"a@x.com,b@y.com"}}`, the body of publish and cancel.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PublishRequest {
    /// The metadata object.
    pub metadata: PublishMetadata,
}

/// The metadata of a publish request.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PublishMetadata {
    /// Comma-separated notification addresses.
    #[serde(rename = "notification-emails", default)]
    pub notification_emails: String,
}

impl PublishRequest {
    /// A request naming these addresses.
    pub fn new(emails: &str) -> Self {
        Self {
            metadata: PublishMetadata {
                notification_emails: emails.to_owned(),
            },
        }
    }
}

/// One step in a status or operation answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StepView {
    /// CPP step id.
    pub id: StepId,
    /// Step name.
    pub step_name: String,
    /// What happens in the step.
    pub description: String,
    /// Step state.
    pub status: StepStatus,
    /// Time estimate.
    pub estimated_time_frame: String,
    /// Work done, 0–100.
    pub progress_percentage: u8,
    /// Messages.
    pub messages: Vec<StepMessage>,
    /// Extension: when the step started.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub started_at: Option<OffsetDateTime>,
    /// Extension: when the step ended.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub ended_at: Option<OffsetDateTime>,
    /// Extension, Provisioning: replication per region.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<RegionProgress>,
}

impl StepView {
    /// Renders a step's state in a language.
    pub fn new(state: &StepState, lang: Lang) -> Self {
        Self {
            id: state.id,
            step_name: state.id.name(lang).to_owned(),
            description: state.id.description(lang).to_owned(),
            status: state.status,
            estimated_time_frame: state.id.estimate(lang).to_owned(),
            progress_percentage: state.progress_percentage,
            messages: state.messages.clone(),
            started_at: state.started_at,
            ended_at: state.ended_at,
            regions: state.regions.clone(),
        }
    }

    /// Every step not started, for an offer with no publish (or after Cancel publish).
    pub fn all_not_started(lang: Lang) -> Vec<Self> {
        StepId::ALL
            .into_iter()
            .map(|id| Self {
                id,
                step_name: id.name(lang).to_owned(),
                description: id.description(lang).to_owned(),
                status: StepStatus::NotStarted,
                estimated_time_frame: id.estimate(lang).to_owned(),
                progress_percentage: 0,
                messages: Vec::new(),
                started_at: None,
                ended_at: None,
                regions: Vec::new(),
            })
            .collect()
    }
}

/// A link to a preview or live page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Link {
    /// What it shows (e.g. the SKU).
    pub display_text: String,
    /// The URL.
    pub uri: String,
}

/// `GET …/offers/{o}/status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OfferStatusView {
    /// CPP offer status.
    pub status: OfferStatus,
    /// Messages for the offer.
    pub messages: Vec<StepMessage>,
    /// The six steps the CPP documents, in its order (see [`CppSteps`]).
    pub steps: Vec<StepView>,
    /// Extension: the stage "Offer available in preview", which the CPP does not list as a
    /// step (the web app shows it between Packaging and sign-off: [`Self::stages`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview_step: Option<StepView>,
    /// Preview links (once the preview is ready).
    pub preview_links: Vec<Link>,
    /// Live links (once live).
    pub live_links: Vec<Link>,
    /// Comma-separated notification addresses of the latest publish.
    pub notification_emails: String,
    /// Extension: the latest operation's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_id: Option<String>,
    /// Extension: who started the latest operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_by: Option<String>,
    /// Extension: who pressed Go Live or Cancel on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_off_by: Option<String>,
    /// Extension: the All Offers summary.
    pub status_detail: StatusSummary,
}

/// The seven stages of the pipeline as a CPP answer lists them: the six documented step ids
/// in the documented order in `steps` (a client written from the CPP reference may index
/// them), and the preview stage apart, as the extension `previewStep`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CppSteps {
    /// `displaydummycertify`, `displaycertify`, `displayprovision`, `displaypackage`,
    /// `publisher-signoff`, `live`.
    pub steps: Vec<StepView>,
    /// `preview`.
    pub preview: Option<StepView>,
}

impl CppSteps {
    /// Splits the seven stages.
    pub fn split(stages: Vec<StepView>) -> Self {
        let (preview, steps): (Vec<StepView>, Vec<StepView>) =
            stages.into_iter().partition(|s| s.id == StepId::Preview);
        Self {
            steps,
            preview: preview.into_iter().next(),
        }
    }

    /// The seven stages again, the preview before publisher sign-off.
    pub fn join(steps: &[StepView], preview: Option<&StepView>) -> Vec<StepView> {
        let mut out = steps.to_vec();
        if let Some(p) = preview {
            let at = out
                .iter()
                .position(|s| s.id == StepId::PublisherSignoff)
                .unwrap_or(out.len());
            out.insert(at, p.clone());
        }
        out
    }
}

impl OfferStatusView {
    /// All seven stages in pipeline order, the preview included.
    pub fn stages(&self) -> Vec<StepView> {
        CppSteps::join(&self.steps, self.preview_step.as_ref())
    }

    /// The status of an offer from its latest pipeline. After Cancel publish the steps are
    /// shown reset to step 1, with a message saying so.
    pub fn new(
        latest: Option<&Pipeline>,
        live: bool,
        draft_changed: bool,
        lang: Lang,
        now: OffsetDateTime,
    ) -> Self {
        let summary = StatusSummary::new(latest, live, draft_changed);
        let mut messages = Vec::new();
        let steps = match latest {
            Some(p) if p.status != crate::workflow::OperationStatus::Canceled => {
                p.steps.iter().map(|s| StepView::new(s, lang)).collect()
            }
            Some(_) => {
                let text = match lang {
                    Lang::En => {
                        "The last publish was canceled at publisher sign-off. Press Publish to start again at step 1."
                    }
                    Lang::Ko => {
                        "마지막 게시가 게시자 승인 단계에서 취소되었습니다. 게시를 눌러 1단계부터 다시 시작하세요."
                    }
                };
                messages.push(StepMessage::text(MessageLevel::Information, text, now));
                StepView::all_not_started(lang)
            }
            None => StepView::all_not_started(lang),
        };
        let CppSteps { steps, preview } = CppSteps::split(steps);
        Self {
            status: summary.status,
            messages,
            steps,
            preview_step: preview,
            preview_links: Vec::new(),
            live_links: Vec::new(),
            notification_emails: String::new(),
            operation_id: None,
            started_by: None,
            signed_off_by: None,
            status_detail: summary,
        }
    }
}

/// Kinds of operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SubmissionType {
    /// A publish (through to live).
    Publish,
}

/// `definition.metadata.emails` of an operation list entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationDefinition {
    /// The metadata.
    pub metadata: OperationMetadata,
}

/// Operation metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationMetadata {
    /// Comma-separated notification addresses.
    pub emails: String,
}

/// An operation: an entry of `GET …/submissions` and the answer of `GET …/operations/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationView {
    /// Operation id (a GUID).
    pub id: String,
    /// Offer id.
    pub offer_id: String,
    /// Publisher namespace.
    pub publisher_id: String,
    /// Always `microsoft-azure-virtualmachines`.
    pub offer_type_id: String,
    /// The offer version the publish works on (its immutable snapshot).
    pub offer_version: u64,
    /// Same as `offer_version` (CPP lists both).
    pub publishing_version: u64,
    /// `publish`.
    pub submission_type: SubmissionType,
    /// Operation status (list form).
    pub submission_state: crate::workflow::OperationStatus,
    /// Operation status (single form).
    pub status: crate::workflow::OperationStatus,
    /// `canCancel` at sign-off, `notCancelable` otherwise.
    pub cancellation_request_state: String,
    /// Notification addresses.
    pub definition: OperationDefinition,
    /// Same addresses, as in the single-operation form.
    pub notification_emails: String,
    /// The six steps the CPP documents (see [`CppSteps`]).
    pub steps: Vec<StepView>,
    /// Extension: the preview stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview_step: Option<StepView>,
    /// Preview links.
    pub preview_links: Vec<Link>,
    /// Live links.
    pub live_links: Vec<Link>,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_date_time: OffsetDateTime,
    /// Last update.
    #[serde(with = "time::serde::rfc3339")]
    pub last_action_date_time: OffsetDateTime,
    /// Same as `last_action_date_time` (CPP lists both).
    #[serde(with = "time::serde::rfc3339")]
    pub changed_time: OffsetDateTime,
    /// The failure message of a failed operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Extension: who started it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_by: Option<String>,
    /// Extension: who pressed Go Live or Cancel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_off_by: Option<String>,
}

/// `POST …/offers/{o}/image-checks` ("Check image now"): certify one disk image right away.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageCheckRequest {
    /// The VHD's SAS URL. Missing reads as empty, which the server refuses naming the field.
    #[serde(default)]
    pub url: String,
    /// `os` or `data` (likewise).
    #[serde(default)]
    pub kind: String,
    /// `Linux` or `Windows`, for an OS disk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_family: Option<String>,
}

/// Who a token belongs to: `GET /api/me`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Principal {
    /// `publisher` (edits and publishes its offers) or `reviewer` (opens allow-listed
    /// previews).
    pub kind: PrincipalKind,
    /// The publisher namespace of a publisher token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher_id: Option<String>,
    /// The Azure subscription id of a reviewer token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_id: Option<String>,
}

/// The kinds of principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PrincipalKind {
    /// A publisher's token.
    Publisher,
    /// A product reviewer's token (one preview subscription id).
    Reviewer,
}

/// One preview a reviewer may open: `GET /api/reviewer/previews`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewSummary {
    /// Publisher namespace.
    pub publisher_id: String,
    /// Offer id.
    pub offer_id: String,
    /// The version in preview.
    pub version: u64,
    /// Offer title.
    pub title: String,
    /// Offer summary.
    pub summary: String,
    /// Where the preview may be deployed for a test (regions holding its disks).
    pub regions: Vec<String>,
    /// When the preview became available.
    #[serde(with = "time::serde::rfc3339")]
    pub available_since: OffsetDateTime,
}

/// A list of previews.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewList {
    /// The previews.
    pub items: Vec<PreviewSummary>,
}

/// `POST /api/reviewer/previews/{publisher}/{offer}/test-deployments`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestDeploymentRequest {
    /// SKU (plan) id.
    pub sku_id: String,
    /// Disk version (a key of the SKU's `vmImages`).
    pub disk_version: String,
    /// Region name.
    pub region: String,
}

/// What a test deployment would deploy: every disk present and verified in the region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestDeployment {
    /// SKU id.
    pub sku_id: String,
    /// Disk version.
    pub disk_version: String,
    /// Region.
    pub region: String,
    /// The OS disk first, then data disks by LUN.
    pub disks: Vec<DeployedDisk>,
    /// The first recommended VM size of the SKU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommended_vm_size: Option<String>,
    /// Ports to open.
    pub open_ports: Vec<PortRule>,
}

/// One disk of a test deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeployedDisk {
    /// `os` or `data`.
    pub kind: String,
    /// LUN of a data disk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lun: Option<u32>,
    /// Where the verified copy is (object store URL of the region).
    pub location: String,
    /// Size in bytes.
    pub size_bytes: u64,
    /// SHA-256 of the copy, hex.
    pub sha256: String,
}

/// An open port of a SKU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortRule {
    /// Rule name.
    pub name: String,
    /// `TCP` or `UDP`.
    pub protocol: String,
    /// Port number.
    pub port: u32,
}

/// The body of every error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorEnvelope {
    /// The error.
    pub error: ErrorBody,
}

/// `{"code","message","details"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Stable code (`InvalidAPIVersion`, `ValidationFailed` …).
    pub code: String,
    /// What went wrong, for people.
    pub message: String,
    /// Per-field findings.
    #[serde(default)]
    pub details: Vec<FindingDetail>,
}

impl ErrorEnvelope {
    /// An error without details.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            error: ErrorBody {
                code: code.into(),
                message: message.into(),
                details: Vec::new(),
            },
        }
    }

    /// An error with per-field details.
    pub fn with_details(
        code: impl Into<String>,
        message: impl Into<String>,
        details: Vec<FindingDetail>,
    ) -> Self {
        Self {
            error: ErrorBody {
                code: code.into(),
                message: message.into(),
                details,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn status_lists_the_six_documented_steps_in_order_and_the_preview_apart() {
        let t = OffsetDateTime::UNIX_EPOCH;
        let mut p = Pipeline::start(t);
        // Up to sign-off: the four automatic steps and the preview.
        for &s in &StepId::ALL[..5] {
            p.complete(s, t).unwrap();
        }
        let view = OfferStatusView::new(Some(&p), false, false, Lang::En, t);
        let json = serde_json::to_value(&view).unwrap();
        let ids: Vec<&str> = json["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids,
            [
                "displaydummycertify",
                "displaycertify",
                "displayprovision",
                "displaypackage",
                "publisher-signoff",
                "live"
            ]
        );
        assert_eq!(json["previewStep"]["id"], "preview");
        assert_eq!(json["previewStep"]["status"], "complete");
        let stages: Vec<StepId> = view.stages().iter().map(|s| s.id).collect();
        assert_eq!(stages, StepId::ALL, "the web app's seven stages, in order");
        let never = OfferStatusView::new(None, false, false, Lang::En, t);
        assert_eq!(never.steps.len(), 6);
        assert_eq!(never.stages().len(), 7);
    }

    #[test]
    fn publish_request_uses_the_cpp_key() {
        let req: PublishRequest =
            serde_json::from_value(json!({"metadata": {"notification-emails": "a@x.com,b@y.com"}}))
                .unwrap();
        assert_eq!(req.metadata.notification_emails, "a@x.com,b@y.com");
        assert_eq!(
            serde_json::to_value(PublishRequest::new("a@x.com")).unwrap()["metadata"]["notification-emails"],
            "a@x.com"
        );
    }

    #[test]
    fn error_envelope_shape() {
        let e = ErrorEnvelope::new(
            "InvalidAPIVersion",
            "Invalid api version. Allowed values are [2017-10-31]",
        );
        assert_eq!(
            serde_json::to_value(e).unwrap(),
            json!({"error": {"code": "InvalidAPIVersion", "message": "Invalid api version. Allowed values are [2017-10-31]", "details": []}})
        );
    }

    #[test]
    fn status_view_steps_have_cpp_fields() {
        let now = time::macros::datetime!(2026-11-25 09:00 UTC);
        let p = Pipeline::start(now);
        let v = serde_json::to_value(OfferStatusView::new(Some(&p), false, false, Lang::En, now))
            .unwrap();
        let step = &v["steps"][0];
        assert_eq!(step["id"], "displaydummycertify");
        assert_eq!(step["stepName"], "Validate Pre-Requisites");
        assert_eq!(step["status"], "inProgress");
        assert_eq!(step["estimatedTimeFrame"], "< 15 min");
        assert_eq!(step["progressPercentage"], 0);
        assert_eq!(v["status"], "running");
        assert_eq!(
            v["steps"].as_array().map(Vec::len),
            Some(6),
            "the CPP's six"
        );
        assert_eq!(v["previewStep"]["id"], "preview");
    }
}
