//! Step 7, Live: the operation's version becomes the production version (set in the same
//! transaction that completes the step).

use super::{StepContext, StepOutcome, StepWork};
use crate::views;

/// The work of step 7.
#[derive(Debug)]
pub struct Live;

impl StepWork for Live {
    async fn run(&self, ctx: &mut StepContext) -> anyhow::Result<StepOutcome> {
        let links = views::live_links(&ctx.op.publisher_id, &ctx.op.offer_id);
        ctx.op.live_links = serde_json::to_string(&links)?;
        let version = ctx.op.version;
        ctx.info(&format!(
            "Version {version} is the production version in the catalogue."
        ));
        Ok(StepOutcome::Complete)
    }
}
