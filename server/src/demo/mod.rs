//! The demo: on first start (empty database) a publisher `contoso` with a token and offers
//! in every state — a draft with missing fields, one publishing, one failed at
//! certification, one at sign-off and one live — whose images are served by the portal
//! itself under `/demo/vhds/`.

pub mod vhd;

use std::net::SocketAddr;

use portal_domain::OfferDocument;
use portal_domain::samples::{complete_offer, plan};
use portal_domain::workflow::{MessageLevel, Pipeline, StepId, StepMessage};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::store::{OfferRow, OperationRow, Store, VersionRow, from_ms, now_ms};
use crate::views;

/// The demo publisher.
pub const DEMO_PUBLISHER: &str = "contoso";
const DEMO_EMAILS: &str = "publisher@contoso.com";

/// A SAS-style query that passes certification (start two days back, expiry in 60 days).
pub fn sas_query(now: OffsetDateTime) -> String {
    let fmt = |t: OffsetDateTime| {
        t.replace_nanosecond(0)
            .unwrap_or(t)
            .format(&Rfc3339)
            .unwrap_or_default()
    };
    format!(
        "sp=rl&st={}&se={}",
        fmt(now - time::Duration::days(2)),
        fmt(now + time::Duration::days(60))
    )
}

/// A complete offer whose images live at `image_base` (`…/vhds/{name}.vhd?sas`).
pub fn offer_with_images(id: &str, image_base: &str, sas: &str) -> OfferDocument {
    let mut doc = complete_offer(id);
    let mut p = plan("standard", image_base, &["1.0.0"], 1);
    for image in p.vm_images.iter_mut().flat_map(|m| m.values_mut()) {
        if let Some(u) = image.os_vhd_url.as_mut() {
            *u = u.replace("?sp=rl", &format!("?{sas}"));
        }
        for d in image.lun_vhd_details.iter_mut().flatten() {
            if let Some(u) = d.lun_vhd_url.as_mut() {
                *u = u.replace("?sp=rl", &format!("?{sas}"));
            }
        }
    }
    doc.definition.plans = vec![p];
    doc
}

struct Seed {
    doc: OfferDocument,
    pipeline: Option<(Pipeline, Option<StepId>)>,
    preview: bool,
    live: bool,
}

/// Seeds the demo data and returns the demo token, when the database is empty.
pub async fn seed(store: &Store, addr: SocketAddr) -> anyhow::Result<Option<String>> {
    if !store.is_empty().await? {
        return Ok(None);
    }
    let token = crate::auth::create_token(store, DEMO_PUBLISHER, Some("demo")).await?;
    let now = OffsetDateTime::now_utc();
    let sas = sas_query(now);
    // Images are fetched from the server itself, over loopback when it listens everywhere.
    let addr = if addr.ip().is_unspecified() {
        SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), addr.port())
    } else {
        addr
    };
    let base = format!("http://{addr}/demo");
    let t = from_ms(now_ms());

    let mut draft = complete_offer("contoso-draft");
    draft.definition.display_text = Some("Contoso Draft (incomplete)".into());
    draft.definition.offer.summary = None;
    draft.definition.offer.categories = None;
    draft.definition.plans.clear();

    let running = Pipeline::start(t);

    let mut failed = Pipeline::start(t);
    failed.complete(StepId::ValidatePrerequisites, t)?;
    let bad = "https://contoso.blob.core.windows.net/vhds/broken disk.vhdx";
    failed.fail(
        StepId::Certification,
        vec![
            StepMessage::text(MessageLevel::Error, "The blob must be a .vhd file (fixed-size VHD); convert VHDX or dynamic disks first.", t)
                .at("definition.plans[0].microsoft-azure-virtualmachines.vmImages[\"1.0.0\"].osVhdUrl", "notVhd"),
            StepMessage::text(MessageLevel::Error, "The SAS must grant exactly Read and List (sp=rl).", t)
                .at("definition.plans[0].microsoft-azure-virtualmachines.vmImages[\"1.0.0\"].osVhdUrl", "sasPermissions"),
        ],
        t,
    )?;
    let mut failed_doc = offer_with_images("contoso-failed", &base, &sas);
    failed_doc.definition.display_text = Some("Contoso Failed Image".into());
    if let Some(img) = failed_doc.definition.plans[0]
        .vm_images
        .iter_mut()
        .flat_map(|m| m.values_mut())
        .next()
    {
        img.os_vhd_url = Some(bad.into());
    }

    let mut signoff = Pipeline::start(t);
    for s in [
        StepId::ValidatePrerequisites,
        StepId::Certification,
        StepId::Provisioning,
        StepId::Packaging,
        StepId::Preview,
    ] {
        signoff.complete(s, t)?;
    }
    let mut live = signoff.clone();
    live.go_live(t)?;
    live.complete(StepId::Live, t)?;

    let named = |id: &str, name: &str| {
        let mut d = offer_with_images(id, &base, &sas);
        d.definition.display_text = Some(name.into());
        d
    };
    let seeds = vec![
        Seed {
            doc: draft,
            pipeline: None,
            preview: false,
            live: false,
        },
        Seed {
            doc: named("contoso-publishing", "Contoso Publishing"),
            pipeline: Some((running, Some(StepId::ValidatePrerequisites))),
            preview: false,
            live: false,
        },
        Seed {
            doc: failed_doc,
            pipeline: Some((failed, None)),
            preview: false,
            live: false,
        },
        Seed {
            doc: named("contoso-signoff", "Contoso At Sign-off"),
            pipeline: Some((signoff, None)),
            preview: true,
            live: false,
        },
        Seed {
            doc: named("contoso-live", "Contoso Analytics Live"),
            pipeline: Some((live, None)),
            preview: true,
            live: true,
        },
    ];
    for s in seeds {
        insert(store, s).await?;
    }
    Ok(Some(token))
}

async fn insert(store: &Store, s: Seed) -> anyhow::Result<()> {
    let id = s.doc.id.clone().unwrap_or_default();
    let doc = views::stored_draft(s.doc, DEMO_PUBLISHER, &id);
    let (draft, hash) = views::encode_document(&doc)?;
    let now = now_ms();
    let published = s.pipeline.is_some();
    let offer = OfferRow {
        publisher_id: DEMO_PUBLISHER.into(),
        offer_id: id.clone(),
        draft: draft.clone(),
        draft_hash: hash.clone(),
        etag: views::new_etag(),
        changed_ms: now,
        version: i64::from(published),
        preview_version: s.preview.then_some(1),
        production_version: s.live.then_some(1),
    };
    let versions: Vec<VersionRow> = if published {
        vec![VersionRow {
            version: 1,
            document: draft,
            draft_hash: hash.clone(),
            created_ms: now,
        }]
    } else {
        Vec::new()
    };
    let ops: Vec<OperationRow> = match s.pipeline {
        None => Vec::new(),
        Some((p, next)) => vec![OperationRow {
            id: uuid::Uuid::new_v4().to_string(),
            publisher_id: DEMO_PUBLISHER.into(),
            offer_id: id.clone(),
            version: 1,
            draft_hash: hash,
            status: p.status.as_str().into(),
            pipeline: serde_json::to_string(&p)?,
            emails: DEMO_EMAILS.into(),
            preview_links: serde_json::to_string(&if s.preview {
                views::preview_links(DEMO_PUBLISHER, &id)
            } else {
                Vec::new()
            })?,
            live_links: serde_json::to_string(&if s.live {
                views::live_links(DEMO_PUBLISHER, &id)
            } else {
                Vec::new()
            })?,
            created_ms: now,
            updated_ms: now,
            next_step: next.map(|s| s.as_str().to_owned()),
        }],
    };
    store.seed_offer(&offer, &versions, &ops).await?;
    Ok(())
}
