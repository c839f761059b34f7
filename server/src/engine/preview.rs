//! Step 5, Offer available in preview: the preview links; sign-off then waits for the
//! publisher.

use super::{StepContext, StepOutcome, StepWork};
use crate::views;

/// The work of step 5.
#[derive(Debug)]
pub struct Preview;

impl StepWork for Preview {
    async fn run(&self, ctx: &mut StepContext) -> anyhow::Result<StepOutcome> {
        let links = views::preview_links(&ctx.op.publisher_id, &ctx.op.offer_id);
        ctx.op.preview_links = serde_json::to_string(&links)?;
        let uri = links.first().map(|l| l.uri.clone()).unwrap_or_default();
        ctx.info(&format!(
            "The preview is available at {uri} for the allow-listed subscriptions."
        ));
        Ok(StepOutcome::Complete)
    }
}
