//! The publishing workflow: its seven steps, their states, and the transitions the source
//! document allows (`reference/publishing-flow.md`). An illegal transition is an error value.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::i18n::Lang;

/// The steps of a publish, in order, with the CPP step ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum StepId {
    /// 1. Validate pre-requisites: required fields and formats; notification e-mails recorded.
    #[serde(rename = "displaydummycertify")]
    ValidatePrerequisites,
    /// 2. Certification of the VM images.
    #[serde(rename = "displaycertify")]
    Certification,
    /// 3. Provisioning: images replicated to every region.
    #[serde(rename = "displayprovision")]
    Provisioning,
    /// 4. Packaging and lead generation registration.
    #[serde(rename = "displaypackage")]
    Packaging,
    /// 5. Offer available in preview for allow-listed subscriptions.
    #[serde(rename = "preview")]
    Preview,
    /// 6. Publisher sign-off: Go Live or Cancel publish.
    #[serde(rename = "publisher-signoff")]
    PublisherSignoff,
    /// 7. Live in the catalogue.
    #[serde(rename = "live")]
    Live,
}

impl StepId {
    /// Every step in order.
    pub const ALL: [StepId; 7] = [
        StepId::ValidatePrerequisites,
        StepId::Certification,
        StepId::Provisioning,
        StepId::Packaging,
        StepId::Preview,
        StepId::PublisherSignoff,
        StepId::Live,
    ];

    /// The CPP step id (`displaycertify` …).
    pub fn as_str(self) -> &'static str {
        match self {
            StepId::ValidatePrerequisites => "displaydummycertify",
            StepId::Certification => "displaycertify",
            StepId::Provisioning => "displayprovision",
            StepId::Packaging => "displaypackage",
            StepId::Preview => "preview",
            StepId::PublisherSignoff => "publisher-signoff",
            StepId::Live => "live",
        }
    }

    /// Parses a CPP step id.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// Position in the flow, from 0.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The step after this one.
    pub fn next(self) -> Option<StepId> {
        Self::ALL.get(self.index() + 1).copied()
    }

    /// Whether the portal advances this step by itself (as opposed to waiting for the
    /// publisher).
    pub fn is_automatic(self) -> bool {
        !matches!(self, StepId::PublisherSignoff)
    }

    /// The step's name.
    pub fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (StepId::ValidatePrerequisites, Lang::En) => "Validate Pre-Requisites",
            (StepId::ValidatePrerequisites, Lang::Ko) => "필수 구성 요소 유효성 검사",
            (StepId::Certification, Lang::En) => "Certification",
            (StepId::Certification, Lang::Ko) => "인증",
            (StepId::Provisioning, Lang::En) => "Provisioning",
            (StepId::Provisioning, Lang::Ko) => "프로비전",
            (StepId::Packaging, Lang::En) => "Packaging and Lead Generation Registration",
            (StepId::Packaging, Lang::Ko) => "패키징 및 잠재 고객 생성 등록",
            (StepId::Preview, Lang::En) => "Offer available in Preview",
            (StepId::Preview, Lang::Ko) => "미리 보기에서 제품 사용 가능",
            (StepId::PublisherSignoff, Lang::En) => "Publisher signoff",
            (StepId::PublisherSignoff, Lang::Ko) => "게시자 승인",
            (StepId::Live, Lang::En) => "Live",
            (StepId::Live, Lang::Ko) => "라이브",
        }
    }

    /// What happens in the step.
    pub fn description(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (StepId::ValidatePrerequisites, Lang::En) => {
                "Every required field and format rule is checked, and every image's pixel size; notification e-mail addresses are recorded."
            }
            (StepId::ValidatePrerequisites, Lang::Ko) => {
                "모든 필수 필드와 형식 규칙, 모든 이미지의 픽셀 크기를 확인하고 알림 전자 메일 주소를 기록합니다."
            }
            (StepId::Certification, Lang::En) => {
                "Automated tests of every VM image: the SAS URL rules and the VHD itself."
            }
            (StepId::Certification, Lang::Ko) => {
                "모든 VM 이미지를 자동으로 테스트합니다: SAS URL 규칙과 VHD 자체."
            }
            (StepId::Provisioning, Lang::En) => {
                "Certified images are replicated to every region and verified by checksum."
            }
            (StepId::Provisioning, Lang::Ko) => {
                "인증된 이미지를 모든 지역으로 복제하고 체크섬으로 확인합니다."
            }
            (StepId::Packaging, Lang::En) => {
                "Technical and marketing content are combined into the product page; a test lead is sent if lead management is configured."
            }
            (StepId::Packaging, Lang::Ko) => {
                "기술 및 마케팅 콘텐츠를 제품 페이지로 결합하고, 리드 관리가 구성된 경우 테스트 리드를 보냅니다."
            }
            (StepId::Preview, Lang::En) => {
                "Preview links are ready; only allow-listed subscriptions can open them."
            }
            (StepId::Preview, Lang::Ko) => {
                "미리 보기 링크가 준비되었습니다. 허용된 구독만 열 수 있습니다."
            }
            (StepId::PublisherSignoff, Lang::En) => {
                "Check the preview, then choose Go Live or Cancel publish."
            }
            (StepId::PublisherSignoff, Lang::Ko) => {
                "미리 보기를 확인한 후 라이브로 전환 또는 게시 취소를 선택하세요."
            }
            (StepId::Live, Lang::En) => {
                "The version becomes the production version in the catalogue."
            }
            (StepId::Live, Lang::Ko) => "이 버전이 카탈로그의 프로덕션 버전이 됩니다.",
        }
    }

    /// The time estimate shown to users.
    pub fn estimate(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (StepId::ValidatePrerequisites, Lang::En) => "< 15 min",
            (StepId::ValidatePrerequisites, Lang::Ko) => "15분 미만",
            (StepId::Certification, Lang::En) => "< 5 days",
            (StepId::Certification, Lang::Ko) => "5일 미만",
            (StepId::Provisioning, Lang::En) => "< 1 day",
            (StepId::Provisioning, Lang::Ko) => "1일 미만",
            (StepId::Packaging, Lang::En) => "< 1 hour",
            (StepId::Packaging, Lang::Ko) => "1시간 미만",
            (StepId::Preview | StepId::PublisherSignoff, _) => "—",
            (StepId::Live, Lang::En) => "a few hours",
            (StepId::Live, Lang::Ko) => "몇 시간",
        }
    }
}

/// The state of one step of one operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum StepStatus {
    /// Not reached yet.
    NotStarted,
    /// Work under way.
    InProgress,
    /// Waiting for the publisher (sign-off).
    WaitingForPublisherReview,
    /// Done.
    Complete,
    /// Stopped the operation with errors.
    Failed,
    /// The operation was canceled here.
    Canceled,
}

impl StepStatus {
    /// The CPP literal (`notStarted`, `inProgress` …).
    pub fn as_str(self) -> &'static str {
        match self {
            StepStatus::NotStarted => "notStarted",
            StepStatus::InProgress => "inProgress",
            StepStatus::WaitingForPublisherReview => "waitingForPublisherReview",
            StepStatus::Complete => "complete",
            StepStatus::Failed => "failed",
            StepStatus::Canceled => "canceled",
        }
    }

    /// Parses the CPP literal.
    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::NotStarted,
            Self::InProgress,
            Self::WaitingForPublisherReview,
            Self::Complete,
            Self::Failed,
            Self::Canceled,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }
}

/// The state of an operation (a publish).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum OperationStatus {
    /// Steps are running or waiting for the publisher.
    Running,
    /// A step failed.
    Failed,
    /// The version is live.
    Completed,
    /// The publisher canceled at sign-off.
    Canceled,
}

impl OperationStatus {
    /// The CPP literal.
    pub fn as_str(self) -> &'static str {
        match self {
            OperationStatus::Running => "running",
            OperationStatus::Failed => "failed",
            OperationStatus::Completed => "completed",
            OperationStatus::Canceled => "canceled",
        }
    }

    /// Parses the CPP literal.
    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Running, Self::Failed, Self::Completed, Self::Canceled]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }
}

/// The severity of a step message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum MessageLevel {
    /// Progress and facts.
    Information,
    /// Something to look at that does not stop the operation.
    Warning,
    /// Why a step failed.
    Error,
}

/// A message attached to a step; `field` and `code` let the UI link it to the input to fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StepMessage {
    /// The message as HTML (text is escaped).
    pub message_html: String,
    /// Severity.
    pub level: MessageLevel,
    /// When it was recorded.
    #[serde(with = "time::serde::rfc3339")]
    pub timestamp: OffsetDateTime,
    /// The field or asset it concerns, as a field path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The stable code of the finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

impl StepMessage {
    /// A message from plain text, escaped for HTML.
    pub fn text(level: MessageLevel, text: &str, timestamp: OffsetDateTime) -> Self {
        Self {
            message_html: escape_html(text),
            level,
            timestamp,
            field: None,
            code: None,
        }
    }

    /// Ties the message to a field.
    #[must_use]
    pub fn at(mut self, field: impl Into<String>, code: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self.code = Some(code.into());
        self
    }
}

/// Escapes `& < > " '` so text can be placed in HTML.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One step's state within an operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StepState {
    /// Which step.
    pub id: StepId,
    /// Its state.
    pub status: StepStatus,
    /// Work done, 0–100, from real work (tests run, bytes copied).
    pub progress_percentage: u8,
    /// When the step started.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub started_at: Option<OffsetDateTime>,
    /// When the step ended.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub ended_at: Option<OffsetDateTime>,
    /// Messages recorded by the step's work.
    pub messages: Vec<StepMessage>,
    /// Extension, Provisioning: bytes copied to each region.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<RegionProgress>,
}

/// Replication of an operation's disks to one region (the Provisioning step's detail).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegionProgress {
    /// Region name as the operator configured it (`eastus`).
    pub name: String,
    /// Bytes copied and verified, or found already present.
    pub bytes_done: u64,
    /// Bytes of every disk of the version.
    pub bytes_total: u64,
    /// `pending`, `copying`, `verifying`, `done` or `skipped` (already present).
    pub state: String,
}

impl StepState {
    fn new(id: StepId) -> Self {
        Self {
            id,
            status: StepStatus::NotStarted,
            progress_percentage: 0,
            started_at: None,
            ended_at: None,
            messages: Vec::new(),
            regions: Vec::new(),
        }
    }
}

/// Why a transition was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    /// Go Live outside publisher sign-off.
    #[error("Go Live is only possible at publisher sign-off; this publish is at {at}.")]
    GoLiveNotAtSignoff {
        /// Where the operation is.
        at: String,
    },
    /// Cancel before sign-off (or after it ended).
    #[error(
        "A publish can only be canceled once it has reached publisher sign-off; this publish is at {at}."
    )]
    CancelNotAtSignoff {
        /// Where the operation is.
        at: String,
    },
    /// A step event for a step that is not the one in progress.
    #[error("Step {step} is not in progress.")]
    StepNotInProgress {
        /// The step named by the event.
        step: &'static str,
    },
    /// An event for an operation that has ended.
    #[error("The operation has already ended ({status}).")]
    OperationEnded {
        /// Its final status.
        status: &'static str,
    },
    /// A publish while another operation runs.
    #[error(
        "A publish of this offer is already running; wait for it, or cancel it at sign-off, before publishing again."
    )]
    AlreadyRunning,
    /// Go Live or Cancel with nothing running.
    #[error("No publish of this offer is running.")]
    NothingRunning,
}

impl WorkflowError {
    /// A stable code for the error envelope.
    pub fn code(&self) -> &'static str {
        match self {
            WorkflowError::GoLiveNotAtSignoff { .. } => "GoLiveNotAllowed",
            WorkflowError::CancelNotAtSignoff { .. } => "CancelNotAllowed",
            WorkflowError::StepNotInProgress { .. } => "StepNotInProgress",
            WorkflowError::OperationEnded { .. } => "OperationEnded",
            WorkflowError::AlreadyRunning => "OperationAlreadyRunning",
            WorkflowError::NothingRunning => "NoOperationRunning",
        }
    }
}

/// What the engine must do after a transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Run this step's work.
    Run(StepId),
    /// Wait for the publisher (sign-off).
    AwaitPublisher,
    /// The operation has ended.
    Done(OperationStatus),
}

/// The pipeline of one operation: its status and the state of every step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pipeline {
    /// Operation status.
    pub status: OperationStatus,
    /// The seven steps in order.
    pub steps: Vec<StepState>,
}

impl Pipeline {
    /// A publish was accepted: step 1 starts. A republish — after a failure, a cancel or a
    /// completed publish — is always a new pipeline, so it always starts at step 1.
    pub fn start(now: OffsetDateTime) -> Self {
        let mut steps: Vec<StepState> = StepId::ALL.into_iter().map(StepState::new).collect();
        steps[0].status = StepStatus::InProgress;
        steps[0].started_at = Some(now);
        Self {
            status: OperationStatus::Running,
            steps,
        }
    }

    /// The state of a step.
    pub fn step(&self, id: StepId) -> &StepState {
        &self.steps[id.index()]
    }

    fn step_mut(&mut self, id: StepId) -> &mut StepState {
        &mut self.steps[id.index()]
    }

    /// The step the operation is at: the one in progress, waiting, failed or canceled; the
    /// last step once completed.
    pub fn current_step(&self) -> StepId {
        self.steps
            .iter()
            .find(|s| !matches!(s.status, StepStatus::Complete | StepStatus::NotStarted))
            .map_or(StepId::Live, |s| s.id)
    }

    fn ensure_running(&self) -> Result<(), WorkflowError> {
        if self.status == OperationStatus::Running {
            Ok(())
        } else {
            Err(WorkflowError::OperationEnded {
                status: self.status.as_str(),
            })
        }
    }

    fn ensure_in_progress(&self, step: StepId) -> Result<(), WorkflowError> {
        self.ensure_running()?;
        if self.step(step).status == StepStatus::InProgress {
            Ok(())
        } else {
            Err(WorkflowError::StepNotInProgress {
                step: step.as_str(),
            })
        }
    }

    /// Records progress of the step in progress; progress never goes backwards.
    pub fn progress(&mut self, step: StepId, percent: u8) -> Result<(), WorkflowError> {
        self.ensure_in_progress(step)?;
        let s = self.step_mut(step);
        s.progress_percentage = s.progress_percentage.max(percent.min(100));
        Ok(())
    }

    /// Adds a message to a step.
    pub fn message(&mut self, step: StepId, message: StepMessage) {
        self.step_mut(step).messages.push(message);
    }

    /// Replaces the per-region replication progress of a step (Provisioning).
    pub fn set_regions(&mut self, step: StepId, regions: Vec<RegionProgress>) {
        self.step_mut(step).regions = regions;
    }

    /// The step's work succeeded: the step completes and the next one starts.
    pub fn complete(&mut self, step: StepId, now: OffsetDateTime) -> Result<Next, WorkflowError> {
        self.ensure_in_progress(step)?;
        let s = self.step_mut(step);
        s.status = StepStatus::Complete;
        s.progress_percentage = 100;
        s.ended_at = Some(now);
        match step.next() {
            None => {
                self.status = OperationStatus::Completed;
                Ok(Next::Done(OperationStatus::Completed))
            }
            Some(next) => {
                let n = self.step_mut(next);
                n.started_at = Some(now);
                if next.is_automatic() {
                    n.status = StepStatus::InProgress;
                    Ok(Next::Run(next))
                } else {
                    n.status = StepStatus::WaitingForPublisherReview;
                    Ok(Next::AwaitPublisher)
                }
            }
        }
    }

    /// The step's work failed: the operation stops here. The publisher fixes the problem and
    /// publishes again, which starts a new pipeline at step 1.
    pub fn fail(
        &mut self,
        step: StepId,
        messages: Vec<StepMessage>,
        now: OffsetDateTime,
    ) -> Result<Next, WorkflowError> {
        self.ensure_in_progress(step)?;
        let s = self.step_mut(step);
        s.status = StepStatus::Failed;
        s.ended_at = Some(now);
        s.messages.extend(messages);
        self.status = OperationStatus::Failed;
        Ok(Next::Done(OperationStatus::Failed))
    }

    /// Go Live: only at publisher sign-off.
    pub fn go_live(&mut self, now: OffsetDateTime) -> Result<Next, WorkflowError> {
        self.ensure_running()
            .map_err(|_| WorkflowError::NothingRunning)?;
        if self.step(StepId::PublisherSignoff).status != StepStatus::WaitingForPublisherReview {
            return Err(WorkflowError::GoLiveNotAtSignoff {
                at: self.current_step().name(Lang::En).to_owned(),
            });
        }
        let s = self.step_mut(StepId::PublisherSignoff);
        s.status = StepStatus::Complete;
        s.progress_percentage = 100;
        s.ended_at = Some(now);
        let live = self.step_mut(StepId::Live);
        live.status = StepStatus::InProgress;
        live.started_at = Some(now);
        Ok(Next::Run(StepId::Live))
    }

    /// Cancel publish: only once sign-off is reached. The operation ends as canceled and the
    /// offer's publishing status goes back to step 1.
    pub fn cancel(&mut self, now: OffsetDateTime) -> Result<Next, WorkflowError> {
        self.ensure_running()
            .map_err(|_| WorkflowError::NothingRunning)?;
        if self.step(StepId::PublisherSignoff).status != StepStatus::WaitingForPublisherReview {
            return Err(WorkflowError::CancelNotAtSignoff {
                at: self.current_step().name(Lang::En).to_owned(),
            });
        }
        let s = self.step_mut(StepId::PublisherSignoff);
        s.status = StepStatus::Canceled;
        s.ended_at = Some(now);
        self.status = OperationStatus::Canceled;
        Ok(Next::Done(OperationStatus::Canceled))
    }

    /// Whether this pipeline is at sign-off, waiting for Go Live or Cancel.
    pub fn at_signoff(&self) -> bool {
        self.status == OperationStatus::Running
            && self.step(StepId::PublisherSignoff).status == StepStatus::WaitingForPublisherReview
    }
}

/// A new publish is refused while another operation of the offer runs.
pub fn check_can_publish(latest: Option<&Pipeline>) -> Result<(), WorkflowError> {
    match latest {
        Some(p) if p.status == OperationStatus::Running => Err(WorkflowError::AlreadyRunning),
        _ => Ok(()),
    }
}

/// The CPP offer status (`GET …/status` and the offers list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum OfferStatus {
    /// Never published.
    NeverPublished,
    /// Publishing status reset (after Cancel publish): Publish starts at step 1.
    NotStarted,
    /// At publisher sign-off.
    WaitingForPublisherReview,
    /// A publish is running.
    Running,
    /// The last publish went live.
    Succeeded,
    /// The last publish was canceled.
    Canceled,
    /// The last publish failed.
    Failed,
}

impl OfferStatus {
    /// Derives the offer status from its latest operation.
    pub fn of(latest: Option<&Pipeline>) -> Self {
        match latest {
            None => OfferStatus::NeverPublished,
            Some(p) => match p.status {
                OperationStatus::Running if p.at_signoff() => {
                    OfferStatus::WaitingForPublisherReview
                }
                OperationStatus::Running => OfferStatus::Running,
                OperationStatus::Completed => OfferStatus::Succeeded,
                OperationStatus::Failed => OfferStatus::Failed,
                // Cancel publish resets the publishing status to step 1.
                OperationStatus::Canceled => OfferStatus::NotStarted,
            },
        }
    }

    /// The CPP literal.
    pub fn as_str(self) -> &'static str {
        match self {
            OfferStatus::NeverPublished => "neverPublished",
            OfferStatus::NotStarted => "notStarted",
            OfferStatus::WaitingForPublisherReview => "waitingForPublisherReview",
            OfferStatus::Running => "running",
            OfferStatus::Succeeded => "succeeded",
            OfferStatus::Canceled => "canceled",
            OfferStatus::Failed => "failed",
        }
    }
}

/// What All Offers shows for an offer: the status with the step it is at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusSummary {
    /// The CPP offer status.
    pub status: OfferStatus,
    /// The step the latest operation is at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<StepId>,
    /// That step's progress.
    pub progress_percentage: u8,
    /// Whether a version is live in the catalogue.
    pub live: bool,
    /// Whether the draft differs from the live version.
    pub changes_not_published: bool,
}

impl StatusSummary {
    /// Summarizes an offer from its latest operation, whether a version is live, and whether
    /// the draft changed since that version.
    pub fn new(latest: Option<&Pipeline>, live: bool, draft_changed: bool) -> Self {
        let step = latest.map(Pipeline::current_step);
        let progress = match (latest, step) {
            (Some(p), Some(s)) => p.step(s).progress_percentage,
            _ => 0,
        };
        Self {
            status: OfferStatus::of(latest),
            step,
            progress_percentage: progress,
            live,
            changes_not_published: live && draft_changed,
        }
    }

    /// The words All Offers shows: "Certification — 40%", "Failed at Certification",
    /// "Preview — waiting for your sign-off", "Live", "Live · changes not published".
    pub fn label(&self, lang: Lang) -> String {
        let step = self.step.map(|s| s.name(lang)).unwrap_or("");
        let running_label = || match lang {
            Lang::En => format!("{step} — {}%", self.progress_percentage),
            Lang::Ko => format!("{step} — {}%", self.progress_percentage),
        };
        let base = match (self.status, lang) {
            (OfferStatus::NeverPublished, Lang::En) => "Draft".to_owned(),
            (OfferStatus::NeverPublished, Lang::Ko) => "초안".to_owned(),
            (OfferStatus::Running, _) => running_label(),
            (OfferStatus::WaitingForPublisherReview, Lang::En) => {
                "Preview — waiting for your sign-off".to_owned()
            }
            (OfferStatus::WaitingForPublisherReview, Lang::Ko) => {
                "미리 보기 — 게시자 승인 대기 중".to_owned()
            }
            (OfferStatus::Failed, Lang::En) => format!("Failed at {step}"),
            (OfferStatus::Failed, Lang::Ko) => format!("{step} 단계에서 실패"),
            (OfferStatus::Canceled | OfferStatus::NotStarted, Lang::En) => {
                "Publish canceled".to_owned()
            }
            (OfferStatus::Canceled | OfferStatus::NotStarted, Lang::Ko) => "게시 취소됨".to_owned(),
            (OfferStatus::Succeeded, Lang::En) => "Live".to_owned(),
            (OfferStatus::Succeeded, Lang::Ko) => "라이브".to_owned(),
        };
        let live_note = match lang {
            Lang::En => " · changes not published",
            Lang::Ko => " · 게시되지 않은 변경 내용",
        };
        match self.status {
            OfferStatus::Succeeded if self.changes_not_published => format!("{base}{live_note}"),
            OfferStatus::Succeeded => base,
            _ if self.live => {
                let prefix = match lang {
                    Lang::En => "Live",
                    Lang::Ko => "라이브",
                };
                format!("{prefix} · {base}")
            }
            _ => base,
        }
    }
}
