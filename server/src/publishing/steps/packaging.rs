//! Step 4, Packaging and lead generation registration: `portal-package` combines the
//! snapshot's technical and marketing content into the product page — logos and screenshots
//! fetched, checked for type and pixel size and copied into the site store, the description
//! sanitized — and writes `index.html`, `entry.json` and the assets under
//! `{publisher}/{offer}/v{version}/`. Then a test lead with fake data goes to the configured
//! lead destination and must be accepted. The package is recorded (`packages`) for the
//! preview and, after Go Live, the catalogue.

use portal_domain::workflow::{MessageLevel, StepMessage};
use portal_package::{DiskSize, LeadOptions, PackageError, PackageInput, package, send_test_lead};

use crate::catalogue::{self, Package};
use crate::db::{from_ms, now_ms};
use crate::outbound;
use crate::publishing::disks;
use crate::publishing::engine::{StepContext, StepOutcome, StepWork};
use crate::publishing::site::{image_options, problem_messages};
use crate::state::AppState;

/// The work of step 4.
#[derive(Debug)]
pub struct Packaging;

impl StepWork for Packaging {
    async fn run(&self, ctx: &mut StepContext) -> anyhow::Result<StepOutcome> {
        let packaged = package_version(
            &ctx.state,
            &ctx.op.publisher_id,
            &ctx.op.offer_id,
            ctx.op.version,
            &ctx.snapshot,
        )
        .await?;
        let row = match packaged {
            Ok(row) => row,
            Err(messages) => return Ok(StepOutcome::Failed(messages)),
        };
        ctx.info(&format!(
            "Product page written ({}index.html) with its catalogue entry and images; the description was sanitized.",
            row.prefix
        ));
        ctx.progress(60).await?;

        let mut doc = ctx.snapshot.clone();
        identify(
            &mut doc,
            &ctx.op.publisher_id,
            &ctx.op.offer_id,
            ctx.op.version,
        )?;
        let o = &doc.definition.offer;
        let lead_urls: Vec<&str> = o
            .https_endpoint_lead_configuration
            .iter()
            .filter_map(|c| c.https_endpoint_url.as_deref())
            .collect();
        let lead_opts = LeadOptions {
            http: outbound::package(&ctx.state.settings, &lead_urls),
            ..LeadOptions::default()
        };
        match send_test_lead(&doc, &lead_opts).await {
            Ok(outcome) => {
                ctx.info(&outcome.message);
                Ok(StepOutcome::Complete)
            }
            Err(e) => Ok(StepOutcome::Failed(vec![
                StepMessage::text(MessageLevel::Error, &e.to_string(), from_ms(now_ms()))
                    .at(e.field().to_string(), e.code()),
            ])),
        }
    }
}

fn identify(
    doc: &mut portal_domain::OfferDocument,
    publisher: &str,
    offer: &str,
    version: i64,
) -> anyhow::Result<()> {
    doc.publisher_id = Some(publisher.to_owned());
    doc.id = Some(offer.to_owned());
    doc.version = Some(u64::try_from(version)?);
    Ok(())
}

/// Packages one version (the product page, its entry and images in the site store) and
/// records it. `Ok(Err(messages))`: the publisher must fix something (an image of the wrong
/// size …); `Err`: the operator's store failed (the engine retries).
pub async fn package_version(
    state: &AppState,
    publisher: &str,
    offer: &str,
    version: i64,
    snapshot: &portal_domain::OfferDocument,
) -> anyhow::Result<Result<Package, Vec<StepMessage>>> {
    let mut doc = snapshot.clone();
    identify(&mut doc, publisher, offer, version)?;
    let sizes = disk_sizes(state, publisher, offer, &doc).await;
    let o = &doc.definition.offer;
    let input = PackageInput {
        document: &doc,
        packaged_at: from_ms(now_ms()),
        disk_sizes: &sizes,
    };
    let opts = image_options(&state.settings, &doc);
    let packaged = match package(input, state.site.as_ref(), &opts).await {
        Ok(p) => p,
        Err(PackageError::Problems(problems)) => return Ok(Err(problem_messages(problems))),
        Err(e @ PackageError::Store(_)) => return Err(e.into()),
    };
    let entry = packaged.entry;
    let row = Package {
        publisher_id: publisher.to_owned(),
        offer_id: offer.to_owned(),
        version,
        prefix: portal_domain::catalogue::entry_prefix(
            &entry.publisher_id,
            &entry.offer_id,
            entry.version,
        ),
        entry,
        allowed_subscriptions: o
            .allowed_subscriptions
            .iter()
            .flatten()
            .map(|s| s.trim().to_ascii_lowercase())
            .collect(),
        created_ms: now_ms(),
    };
    catalogue::store::save(&state.db, &row).await?;
    Ok(Ok(row))
}

/// The sizes of the snapshot's disks, from their verified copies in the first region.
async fn disk_sizes(
    state: &AppState,
    publisher: &str,
    offer: &str,
    doc: &portal_domain::OfferDocument,
) -> Vec<DiskSize> {
    let Some(region) = state.regions.first() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for d in disks::of(doc) {
        let key = d.key(publisher, offer);
        if let Ok(Some(replica)) = portal_replicate::find_replica(region, &key).await {
            out.push(DiskSize {
                sku_id: d.sku.clone(),
                version: d.version.clone(),
                lun: d.lun(),
                size_bytes: replica.size,
            });
        }
    }
    out
}
