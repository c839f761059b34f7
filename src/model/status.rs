//! The Status tab's decisions: which actions the rules allow, where a publish failed, how
//! often to poll, and the support request to prepare.

use portal_domain::Lang;
use portal_domain::api::{OfferStatusView, StepView};
use portal_domain::workflow::{OfferStatus, StepId, StepStatus};

/// The buttons the Status tab shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Actions {
    /// Go Live (only at publisher sign-off).
    pub go_live: bool,
    /// Cancel publish (only once the request reached sign-off).
    pub cancel: bool,
    /// Publish again (after a failure or a cancel).
    pub publish_again: bool,
}

impl Actions {
    /// Derives the allowed actions from the status.
    pub fn of(view: &OfferStatusView) -> Self {
        let at_signoff = view.steps.iter().any(|s| {
            s.id == StepId::PublisherSignoff && s.status == StepStatus::WaitingForPublisherReview
        });
        Self {
            go_live: at_signoff,
            cancel: at_signoff,
            publish_again: matches!(
                view.status,
                OfferStatus::Failed | OfferStatus::Canceled | OfferStatus::NotStarted
            ),
        }
    }
}

/// The step that failed, if the publish failed.
pub fn failed_step(view: &OfferStatusView) -> Option<&StepView> {
    view.steps
        .iter()
        .chain(view.preview_step.as_ref())
        .find(|s| s.status == StepStatus::Failed)
}

/// Whether the pipeline may still change by itself (keep polling quickly).
pub fn is_moving(view: &OfferStatusView) -> bool {
    view.status == OfferStatus::Running
}

/// Polling back-off: quick while the pipeline moves and the answer changes, slower when
/// nothing changes or nothing can change without the publisher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    delay_ms: u32,
}

impl Backoff {
    /// The first delay.
    pub const MIN_MS: u32 = 1_000;
    /// The longest delay while the pipeline runs.
    pub const MAX_RUNNING_MS: u32 = 8_000;
    /// The delay while nothing moves (sign-off, failed, live).
    pub const IDLE_MS: u32 = 15_000;
    /// The delay after a failed request grows up to this.
    pub const MAX_ERROR_MS: u32 = 30_000;

    /// Starts quick.
    pub fn new() -> Self {
        Self {
            delay_ms: Self::MIN_MS,
        }
    }

    /// The delay before the next poll after an answer.
    pub fn after_answer(&mut self, changed: bool, moving: bool) -> u32 {
        self.delay_ms = if !moving {
            Self::IDLE_MS
        } else if changed {
            Self::MIN_MS
        } else {
            (self.delay_ms.saturating_mul(3) / 2).clamp(Self::MIN_MS, Self::MAX_RUNNING_MS)
        };
        self.delay_ms
    }

    /// The delay before retrying after a failed request.
    pub fn after_error(&mut self) -> u32 {
        self.delay_ms = (self.delay_ms.saturating_mul(2)).clamp(Self::MIN_MS, Self::MAX_ERROR_MS);
        self.delay_ms
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new()
    }
}

/// Strips tags from a step message's HTML and decodes the escapes the server writes.
pub fn message_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The "Open a support request" link: an e-mail with the failure's context prepared.
pub fn support_mailto(
    support_address: &str,
    publisher: &str,
    offer_id: &str,
    step: Option<&StepView>,
    lang: Lang,
) -> String {
    let step_name = step.map_or("—", |s| s.id.name(lang));
    let subject = match lang {
        Lang::En => format!("Publishing failed: {publisher}/{offer_id} at {step_name}"),
        Lang::Ko => format!("게시 실패: {publisher}/{offer_id} — {step_name}"),
    };
    let mut body = format!("Publisher: {publisher}\nOffer: {offer_id}\nStep: {step_name}\n\n");
    for m in step.map(|s| s.messages.as_slice()).unwrap_or_default() {
        let field = m
            .field
            .as_deref()
            .map(|f| format!(" [{f}]"))
            .unwrap_or_default();
        body.push_str(&format!("- {}{field}\n", message_text(&m.message_html)));
    }
    format!(
        "mailto:{support_address}?subject={}&body={}",
        crate::routes::encode_query(&subject),
        crate::routes::encode_query(&body)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use portal_domain::api::StepView;
    use portal_domain::workflow::{MessageLevel, StatusSummary, StepMessage};
    use time::OffsetDateTime;

    fn view(status: OfferStatus, step: StepId, step_status: StepStatus) -> OfferStatusView {
        let mut steps = StepView::all_not_started(Lang::En);
        for s in &mut steps {
            if s.id < step {
                s.status = StepStatus::Complete;
            } else if s.id == step {
                s.status = step_status;
            }
        }
        let split = portal_domain::api::CppSteps::split(steps);
        OfferStatusView {
            status,
            messages: Vec::new(),
            steps: split.steps,
            preview_step: split.preview,
            preview_links: Vec::new(),
            live_links: Vec::new(),
            notification_emails: String::new(),
            operation_id: Some("op-1".into()),
            started_by: None,
            signed_off_by: None,
            status_detail: StatusSummary {
                status,
                step: Some(step),
                progress_percentage: 0,
                live: false,
                changes_not_published: false,
            },
        }
    }

    #[test]
    fn go_live_and_cancel_only_at_signoff() {
        let signoff = view(
            OfferStatus::WaitingForPublisherReview,
            StepId::PublisherSignoff,
            StepStatus::WaitingForPublisherReview,
        );
        let a = Actions::of(&signoff);
        assert!(a.go_live && a.cancel && !a.publish_again);
        let running = view(
            OfferStatus::Running,
            StepId::Certification,
            StepStatus::InProgress,
        );
        assert_eq!(Actions::of(&running), Actions::default());
    }

    #[test]
    fn a_failure_offers_publish_again_and_names_the_step() {
        let failed = view(
            OfferStatus::Failed,
            StepId::Certification,
            StepStatus::Failed,
        );
        assert!(Actions::of(&failed).publish_again);
        assert_eq!(
            failed_step(&failed).map(|s| s.id),
            Some(StepId::Certification)
        );
    }

    #[test]
    fn backoff_grows_while_nothing_changes_and_resets_on_change() {
        let mut b = Backoff::new();
        assert_eq!(b.after_answer(false, true), 1_500);
        assert_eq!(b.after_answer(false, true), 2_250);
        assert_eq!(b.after_answer(true, true), Backoff::MIN_MS);
        assert_eq!(b.after_answer(false, false), Backoff::IDLE_MS);
        let mut e = Backoff::new();
        for _ in 0..10 {
            e.after_error();
        }
        assert_eq!(e.after_error(), Backoff::MAX_ERROR_MS);
    }

    #[test]
    fn support_mail_carries_offer_step_and_messages() {
        let mut failed = view(
            OfferStatus::Failed,
            StepId::Certification,
            StepStatus::Failed,
        );
        failed.steps[1].messages.push(
            StepMessage::text(
                MessageLevel::Error,
                "VHD footer <bad> & short",
                OffsetDateTime::UNIX_EPOCH,
            )
            .at("definition.plans[0].planId", "vhd"),
        );
        let link = support_mailto(
            "support@example.com",
            "contoso",
            "vm",
            failed_step(&failed),
            Lang::En,
        );
        assert!(link.starts_with("mailto:support@example.com?subject=Publishing%20failed"));
        assert!(link.contains("Certification"));
        assert!(link.contains("%3Cbad%3E%20%26%20short"), "{link}");
        assert!(link.contains("planId"));
    }
}
