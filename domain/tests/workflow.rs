//! The publishing workflow: every transition the source document allows works, every one it
//! forbids is refused with an error value.

use portal_domain::Lang;
use portal_domain::workflow::{
    MessageLevel, Next, OfferStatus, OperationStatus, Pipeline, StatusSummary, StepId, StepMessage,
    StepStatus, WorkflowError, check_can_publish,
};
use time::OffsetDateTime;
use time::macros::datetime;

const T0: OffsetDateTime = datetime!(2026-11-25 09:00 UTC);

/// Runs the automatic steps until the pipeline waits for the publisher.
fn to_signoff() -> Pipeline {
    let mut p = Pipeline::start(T0);
    let mut step = StepId::ValidatePrerequisites;
    loop {
        match p.complete(step, T0).expect("automatic step completes") {
            Next::Run(next) => step = next,
            Next::AwaitPublisher => return p,
            Next::Done(s) => panic!("ended early: {s:?}"),
        }
    }
}

#[test]
fn publish_starts_at_step_one() {
    let p = Pipeline::start(T0);
    assert_eq!(p.status, OperationStatus::Running);
    assert_eq!(p.current_step(), StepId::ValidatePrerequisites);
    assert_eq!(
        p.step(StepId::ValidatePrerequisites).status,
        StepStatus::InProgress
    );
    assert_eq!(p.step(StepId::ValidatePrerequisites).started_at, Some(T0));
    assert!(
        p.steps
            .iter()
            .skip(1)
            .all(|s| s.status == StepStatus::NotStarted)
    );
    assert_eq!(p.steps.len(), 7);
}

#[test]
fn automatic_steps_advance_in_order_to_signoff() {
    let mut p = Pipeline::start(T0);
    assert_eq!(
        p.complete(StepId::ValidatePrerequisites, T0),
        Ok(Next::Run(StepId::Certification))
    );
    assert_eq!(
        p.complete(StepId::Certification, T0),
        Ok(Next::Run(StepId::Provisioning))
    );
    assert_eq!(
        p.complete(StepId::Provisioning, T0),
        Ok(Next::Run(StepId::Packaging))
    );
    assert_eq!(
        p.complete(StepId::Packaging, T0),
        Ok(Next::Run(StepId::Preview))
    );
    assert_eq!(p.complete(StepId::Preview, T0), Ok(Next::AwaitPublisher));
    assert!(p.at_signoff());
    assert_eq!(
        p.step(StepId::PublisherSignoff).status,
        StepStatus::WaitingForPublisherReview
    );
    assert_eq!(
        OfferStatus::of(Some(&p)),
        OfferStatus::WaitingForPublisherReview
    );
}

#[test]
fn steps_cannot_be_skipped_or_completed_twice() {
    let mut p = Pipeline::start(T0);
    assert_eq!(
        p.complete(StepId::Provisioning, T0),
        Err(WorkflowError::StepNotInProgress {
            step: "displayprovision"
        })
    );
    p.complete(StepId::ValidatePrerequisites, T0).unwrap();
    assert!(p.complete(StepId::ValidatePrerequisites, T0).is_err());
    assert!(p.progress(StepId::ValidatePrerequisites, 50).is_err());
}

#[test]
fn progress_is_recorded_and_never_goes_back() {
    let mut p = Pipeline::start(T0);
    p.complete(StepId::ValidatePrerequisites, T0).unwrap();
    p.progress(StepId::Certification, 40).unwrap();
    p.progress(StepId::Certification, 20).unwrap();
    assert_eq!(p.step(StepId::Certification).progress_percentage, 40);
    p.progress(StepId::Certification, 250).unwrap();
    assert_eq!(p.step(StepId::Certification).progress_percentage, 100);
    let summary = StatusSummary::new(Some(&p), false, false);
    assert_eq!(summary.label(Lang::En), "Certification — 100%");
}

#[test]
fn a_failure_stops_the_operation_and_a_republish_starts_at_step_one() {
    let mut p = Pipeline::start(T0);
    p.complete(StepId::ValidatePrerequisites, T0).unwrap();
    let msg = StepMessage::text(MessageLevel::Error, "The OS VHD URL answered 404.", T0).at(
        "definition.plans[0].microsoft-azure-virtualmachines.vmImages[\"1.0.0\"].osVhdUrl",
        "imageNotFound",
    );
    assert_eq!(
        p.fail(StepId::Certification, vec![msg.clone()], T0),
        Ok(Next::Done(OperationStatus::Failed))
    );
    assert_eq!(p.status, OperationStatus::Failed);
    assert_eq!(p.current_step(), StepId::Certification);
    assert_eq!(p.step(StepId::Certification).messages, vec![msg]);
    assert_eq!(
        StatusSummary::new(Some(&p), false, false).label(Lang::En),
        "Failed at Certification"
    );
    assert_eq!(
        StatusSummary::new(Some(&p), false, false).label(Lang::Ko),
        "인증 단계에서 실패"
    );
    // Nothing more happens to a failed operation.
    assert!(p.complete(StepId::Certification, T0).is_err());
    assert_eq!(p.go_live(T0), Err(WorkflowError::NothingRunning));
    // Publishing again is allowed and starts over at step 1.
    assert_eq!(check_can_publish(Some(&p)), Ok(()));
    let again = Pipeline::start(T0);
    assert_eq!(again.current_step(), StepId::ValidatePrerequisites);
}

#[test]
fn go_live_only_at_signoff() {
    let mut early = Pipeline::start(T0);
    assert_eq!(
        early.go_live(T0),
        Err(WorkflowError::GoLiveNotAtSignoff {
            at: "Validate Pre-Requisites".into()
        })
    );
    let mut p = to_signoff();
    assert_eq!(p.go_live(T0), Ok(Next::Run(StepId::Live)));
    assert_eq!(
        p.step(StepId::PublisherSignoff).status,
        StepStatus::Complete
    );
    assert_eq!(p.step(StepId::Live).status, StepStatus::InProgress);
    // Go Live twice is refused: sign-off has passed.
    assert!(matches!(
        p.go_live(T0),
        Err(WorkflowError::GoLiveNotAtSignoff { .. })
    ));
    assert_eq!(
        p.complete(StepId::Live, T0),
        Ok(Next::Done(OperationStatus::Completed))
    );
    assert_eq!(OfferStatus::of(Some(&p)), OfferStatus::Succeeded);
    assert_eq!(
        StatusSummary::new(Some(&p), true, false).label(Lang::En),
        "Live"
    );
    assert_eq!(
        StatusSummary::new(Some(&p), true, true).label(Lang::En),
        "Live · changes not published"
    );
}

#[test]
fn cancel_only_once_signoff_is_reached_and_it_resets_to_step_one() {
    for steps_done in 0..5 {
        let mut p = Pipeline::start(T0);
        for step in &StepId::ALL[..steps_done] {
            p.complete(*step, T0).unwrap();
        }
        assert!(
            matches!(p.cancel(T0), Err(WorkflowError::CancelNotAtSignoff { .. })),
            "after {steps_done} steps"
        );
        assert_eq!(
            p.status,
            OperationStatus::Running,
            "a refused cancel changes nothing"
        );
    }
    let mut p = to_signoff();
    assert_eq!(p.cancel(T0), Ok(Next::Done(OperationStatus::Canceled)));
    assert_eq!(
        p.step(StepId::PublisherSignoff).status,
        StepStatus::Canceled
    );
    // The offer's publishing status is reset: Publish starts over at step 1.
    assert_eq!(OfferStatus::of(Some(&p)), OfferStatus::NotStarted);
    assert_eq!(check_can_publish(Some(&p)), Ok(()));
    // Cancel after Go Live is refused.
    let mut live = to_signoff();
    live.go_live(T0).unwrap();
    assert!(matches!(
        live.cancel(T0),
        Err(WorkflowError::CancelNotAtSignoff { .. })
    ));
}

#[test]
fn one_running_operation_per_offer() {
    let running = Pipeline::start(T0);
    assert_eq!(
        check_can_publish(Some(&running)),
        Err(WorkflowError::AlreadyRunning)
    );
    assert_eq!(
        check_can_publish(Some(&to_signoff())),
        Err(WorkflowError::AlreadyRunning)
    );
    assert_eq!(check_can_publish(None), Ok(()));
    assert_eq!(
        WorkflowError::AlreadyRunning.code(),
        "OperationAlreadyRunning"
    );
}

#[test]
fn status_labels_for_all_offers() {
    assert_eq!(
        StatusSummary::new(None, false, false).label(Lang::En),
        "Draft"
    );
    let p = to_signoff();
    assert_eq!(
        StatusSummary::new(Some(&p), false, false).label(Lang::En),
        "Preview — waiting for your sign-off"
    );
    assert_eq!(
        StatusSummary::new(Some(&p), true, true).label(Lang::En),
        "Live · Preview — waiting for your sign-off"
    );
}

#[test]
fn step_ids_are_the_cpp_ids() {
    let ids: Vec<&str> = StepId::ALL.iter().map(|s| s.as_str()).collect();
    assert_eq!(
        ids,
        [
            "displaydummycertify",
            "displaycertify",
            "displayprovision",
            "displaypackage",
            "preview",
            "publisher-signoff",
            "live"
        ]
    );
    for s in StepId::ALL {
        assert_eq!(StepId::parse(s.as_str()), Some(s));
        assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        assert_ne!(s.name(Lang::En), s.name(Lang::Ko));
    }
}
