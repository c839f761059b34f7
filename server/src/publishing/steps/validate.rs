//! Step 1, Validate pre-requisites: the domain rules again, on the immutable snapshot; then
//! every logo, screenshot and video thumbnail fetched and measured, as the Editor measures
//! them in the browser and Packaging again before it copies them (a wrong image stops the
//! publish here, not after certification and provisioning); the notification addresses
//! recorded.

use portal_domain::validation::validate_with;
use portal_domain::workflow::{MessageLevel, StepMessage};

use crate::db::{from_ms, now_ms};
use crate::publishing::engine::{StepContext, StepOutcome, StepWork};
use crate::publishing::site::{image_options, problem_messages};

/// The work of step 1.
#[derive(Debug)]
pub struct ValidatePrerequisites;

impl StepWork for ValidatePrerequisites {
    async fn run(&self, ctx: &mut StepContext) -> anyhow::Result<StepOutcome> {
        let findings = validate_with(&ctx.snapshot, ctx.state.settings.validation());
        let now = from_ms(now_ms());
        if !findings.is_empty() {
            let messages = findings
                .iter()
                .map(|f| {
                    let d = f.detail(portal_domain::Lang::En);
                    StepMessage::text(MessageLevel::Error, &d.message, now).at(d.field, d.code)
                })
                .collect();
            return Ok(StepOutcome::Failed(messages));
        }
        let opts = image_options(&ctx.state.settings, &ctx.snapshot);
        let images = match portal_package::check_images(&ctx.snapshot, &opts).await {
            Ok(images) => images.len(),
            Err(problems) => return Ok(StepOutcome::Failed(problem_messages(problems))),
        };
        let images = match images {
            1 => "its image is a PNG file of the required size".to_owned(),
            n => format!("its {n} images are PNG files of their required sizes"),
        };
        let emails = ctx.op.emails.clone();
        ctx.info(&format!(
            "Every required field and format rule passed, and {images}. Notifications go to {emails}."
        ));
        Ok(StepOutcome::Complete)
    }
}
