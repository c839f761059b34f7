//! "Check image now": runs the Certification step's tests on one disk image in seconds, from
//! the editor, and shows the report under the URL field.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portal_domain::api::ImageCheckRequest;
use portal_domain::certification::{DiskReport, Verdict};
use portal_domain::path::FieldPath;

use crate::api::use_api;
use crate::components::fields::use_editor;
use crate::i18n::t;
use crate::model::doc;

/// Which disk an image check is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiskKind {
    /// The OS disk of a disk version.
    Os,
    /// A data disk.
    Data,
}

#[derive(Debug, Clone, PartialEq)]
enum CheckState {
    Idle,
    Running,
    Done(DiskReport),
    Error(String),
}

/// A "Check image now" button for the URL at `url`; `plan` is the SKU holding it (for the OS
/// family).
#[component]
pub fn ImageCheck(url: FieldPath, plan: FieldPath, kind: DiskKind) -> impl IntoView {
    let ctx = use_editor();
    let api = use_api();
    let lang = ctx.lang;
    let (state, set_state) = signal(CheckState::Idle);
    let url = StoredValue::new(url);
    let plan = StoredValue::new(plan);
    let has_url = Memo::new(move |_| url.with_value(|p| !ctx.text(p).trim().is_empty()));
    // Checking an image is editing's business (the fieldset around the Editor's form
    // disables the button too; this keeps the rule where the button is).
    let refused = crate::components::permission::refused(portal_domain::accounts::Permission::Edit);
    let run = move |_| {
        let (offer, request) = ctx.doc.with_untracked(|d| {
            let offer = d
                .get("id")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned();
            let family = plan.with_value(|p| {
                doc::text(
                    d,
                    &p.clone()
                        .key("microsoft-azure-virtualmachines.operatingSystemFamily"),
                )
            });
            let request = ImageCheckRequest {
                url: url.with_value(|p| doc::text(d, p)).trim().to_owned(),
                kind: match kind {
                    DiskKind::Os => "os".to_owned(),
                    DiskKind::Data => "data".to_owned(),
                },
                os_family: (kind == DiskKind::Os).then(|| {
                    if family.is_empty() {
                        "Linux".to_owned()
                    } else {
                        family
                    }
                }),
            };
            (offer, request)
        });
        set_state.set(CheckState::Running);
        spawn_local(async move {
            let outcome = match api.check_image(&offer, &request).await {
                Ok(report) => CheckState::Done(report),
                Err(e) => CheckState::Error(e.describe(lang.get_untracked())),
            };
            set_state.set(outcome);
        });
    };
    view! {
        <div class="image-check">
            <button type="button" class="btn btn-small"
                disabled=move || !has_url.get() || state.with(|s| *s == CheckState::Running) || refused.with(Option::is_some)
                title=move || refused.get()
                on:click=run>
                {move || match state.get() {
                    CheckState::Running => t("checking_image", lang.get()).to_owned(),
                    _ => t("check_image", lang.get()).to_owned(),
                }}
            </button>
            <div aria-live="polite">
                {move || match state.get() {
                    CheckState::Idle | CheckState::Running => ().into_any(),
                    CheckState::Error(message) => view! { <p class="field-error">{message}</p> }.into_any(),
                    CheckState::Done(report) => view! { <Report report=report /> }.into_any(),
                }}
            </div>
        </div>
    }
}

#[component]
fn Report(report: DiskReport) -> impl IntoView {
    let lang = use_editor().lang;
    let l = lang.get_untracked();
    let summary = format!(
        "{} / {} {} · {} {} · {} KB {}",
        report.passed_count(),
        report.tests.len(),
        t("tests_passed", l),
        report.requests,
        t("requests", l),
        report.bytes_read.div_ceil(1024),
        t("kb_read", l),
    );
    let class = if report.passed() {
        "check-report ok"
    } else {
        "check-report failed"
    };
    let rows = report
        .tests
        .into_iter()
        .filter(|test| test.verdict != Verdict::Pass)
        .map(|test| {
            let mark = match test.verdict {
                Verdict::Fail => "✗",
                Verdict::Warning => "!",
                Verdict::Pass | Verdict::NotRun => "–",
            };
            view! {
                <li class=format!("verdict-{}", test.verdict.as_str()) data-test=test.id.as_str()>
                    <span class="mark" aria-hidden="true">{mark}</span>
                    <strong>{test.name}</strong>" — "{test.message}
                </li>
            }
        })
        .collect_view();
    view! {
        <div class=class>
            <p class="check-summary">{summary}</p>
            <ul class="check-results">{rows}</ul>
        </div>
    }
}
