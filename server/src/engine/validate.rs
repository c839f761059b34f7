//! Step 1, Validate pre-requisites: the domain rules again, on the immutable snapshot, and the
//! notification addresses recorded.

use portal_domain::validation::validate_with;
use portal_domain::workflow::{MessageLevel, StepMessage};

use super::{StepContext, StepOutcome, StepWork};
use crate::store::{from_ms, now_ms};

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
        let emails = ctx.op.emails.clone();
        ctx.info(&format!(
            "Every required field and format rule passed. Notifications go to {emails}."
        ));
        Ok(StepOutcome::Complete)
    }
}
