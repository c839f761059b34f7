//! Step 4, Packaging and lead generation registration: records the product page inputs. Page
//! generation and the test lead are a later issue.

use super::{StepContext, StepOutcome, StepWork};

/// The work of step 4.
#[derive(Debug)]
pub struct Packaging;

impl StepWork for Packaging {
    async fn run(&self, ctx: &mut StepContext) -> anyhow::Result<StepOutcome> {
        let o = &ctx.snapshot.definition.offer;
        let title = o.title.clone().unwrap_or_default();
        let categories = o.categories.clone().unwrap_or_default().join(", ");
        let lead = o.lead_destination.clone().unwrap_or_else(|| "None".into());
        let skus = ctx.snapshot.definition.plans.len();
        ctx.info(&format!(
            "Product page \"{title}\": {skus} SKU(s), categories {categories}; lead destination {lead}."
        ));
        Ok(StepOutcome::Complete)
    }
}
