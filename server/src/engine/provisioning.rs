//! Step 3, Provisioning: records which images go to which regions. The replication itself is
//! a later issue.

use super::{StepContext, StepOutcome, StepWork};

/// The work of step 3.
#[derive(Debug)]
pub struct Provisioning;

impl StepWork for Provisioning {
    async fn run(&self, ctx: &mut StepContext) -> anyhow::Result<StepOutcome> {
        let plans: Vec<(String, Vec<String>, usize)> = ctx
            .snapshot
            .definition
            .plans
            .iter()
            .map(|p| {
                (
                    p.plan_id.clone().unwrap_or_default(),
                    p.regions.clone().unwrap_or_default(),
                    p.vm_images.as_ref().map_or(0, |m| m.len()),
                )
            })
            .collect();
        for (sku, regions, images) in plans {
            let regions = if regions.is_empty() {
                "every region".to_owned()
            } else {
                regions.join(", ")
            };
            ctx.info(&format!(
                "SKU {sku}: {images} disk version(s) will be replicated to {regions}."
            ));
        }
        Ok(StepOutcome::Complete)
    }
}
