//! Step 5, Offer available in preview: the preview links; sign-off then waits for the
//! publisher.

use crate::publishing::engine::{StepContext, StepOutcome, StepWork};
use crate::publishing::preview_links;

/// The work of step 5.
#[derive(Debug)]
pub struct Preview;

impl StepWork for Preview {
    async fn run(&self, ctx: &mut StepContext) -> anyhow::Result<StepOutcome> {
        let links = preview_links(&ctx.op.publisher_id, &ctx.op.offer_id);
        let uri = links.first().map(|l| l.uri.clone()).unwrap_or_default();
        ctx.op.preview_links = links;
        ctx.info(&format!(
            "The preview is available at {uri} for the allow-listed subscriptions."
        ));
        Ok(StepOutcome::Complete)
    }
}
