//! Step 7, Live: the operation's version becomes the production version (set in the same
//! transaction that completes the step).

use crate::publishing::engine::{StepContext, StepOutcome, StepWork};
use crate::publishing::live_links;

/// The work of step 7.
#[derive(Debug)]
pub struct Live;

impl StepWork for Live {
    async fn run(&self, ctx: &mut StepContext) -> anyhow::Result<StepOutcome> {
        ctx.op.live_links = live_links(&ctx.op.publisher_id, &ctx.op.offer_id);
        let version = ctx.op.version;
        ctx.info(&format!(
            "Version {version} is the production version in the catalogue."
        ));
        Ok(StepOutcome::Complete)
    }
}
