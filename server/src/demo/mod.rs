//! The demo: on first start (empty database) a publisher `contoso` with a token and offers
//! in every state — a draft with missing fields, one publishing, one failed at
//! certification, one at sign-off and one live — whose images are served by the portal
//! itself under `/demo/vhds/` (see [`vhd`]). The failed offer points at the failing image
//! and shows the messages its real certification gives.

pub mod vhd;

use std::net::SocketAddr;

use portal_vhd::{FileSource, MemorySource, RangeSource, SizeLimits};

use portal_domain::OfferDocument;
use portal_domain::samples::{complete_offer, plan};
use portal_domain::workflow::{Pipeline, StepId, StepMessage};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::accounts::{self, TokenFor};
use crate::catalogue;
use crate::db::{Db, from_ms, now_ms};
use crate::images::{ImageCheck, url_without_query};
use crate::offers::{self, Slot};
use crate::publishing::steps::{certification, packaging, provisioning};
use crate::publishing::{self, Operation, disks};
use portal_domain::accounts::Role;

/// The demo publisher.
pub const DEMO_PUBLISHER: &str = "contoso";
const DEMO_EMAILS: &str = "publisher@contoso.com";

/// The address the demo's image URLs name: the server itself, over loopback when it listens
/// everywhere. Certification allows exactly this address without `--allow-private-network`.
pub fn image_host(addr: SocketAddr) -> SocketAddr {
    if addr.ip().is_unspecified() {
        SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), addr.port())
    } else {
        addr
    }
}

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
    let o = &mut doc.definition.offer;
    let logo = |name: &str| Some(format!("{image_base}/assets/{name}"));
    o.small_logo = logo("logo-40.png");
    o.medium_logo = logo("logo-90.png");
    o.large_logo = logo("logo-115.png");
    o.wide_logo = logo("logo-255x115.png");
    o.screenshots = Some(vec![portal_domain::document::Screenshot {
        name: Some("Dashboards".into()),
        url: logo("screenshot-533x324.png"),
        ..Default::default()
    }]);
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

/// A demo offer whose OS disks are `{base}/vhds/{os_image}` and data disks the demo data disk.
fn demo_offer(id: &str, name: &str, base: &str, sas: &str, os_image: &str) -> OfferDocument {
    let mut doc = offer_with_images(id, base, sas);
    doc.definition.display_text = Some(name.into());
    for image in doc
        .definition
        .plans
        .iter_mut()
        .flat_map(|p| p.vm_images.iter_mut().flat_map(|m| m.values_mut()))
    {
        image.os_vhd_url = Some(format!("{base}/vhds/{os_image}?{sas}"));
        for d in image.lun_vhd_details.iter_mut().flatten() {
            d.lun_vhd_url = Some(format!("{base}/vhds/{}?{sas}", vhd::DATA_DISK));
        }
    }
    doc
}

/// The messages the certification of `doc`'s disks gives, read from the demo's image files
/// (or the in-memory fallback) rather than over HTTP, since the server is not serving yet.
async fn certification_messages(
    doc: &OfferDocument,
    images: &vhd::DemoImages,
    t: OffsetDateTime,
) -> anyhow::Result<Vec<StepMessage>> {
    let mut out = Vec::new();
    for disk in disks::of(doc) {
        let name = url_without_query(&disk.url)
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned();
        let path = images.path(&name);
        let report = tokio::task::spawn_blocking(move || {
            let source: Box<dyn RangeSource> = match path {
                Some(p) => Box::new(FileSource::open(p)?),
                None => {
                    let img = vhd::FixedVhd::new(1);
                    Box::new(MemorySource(img.bytes(0, img.len() - 1)))
                }
            };
            Ok::<_, portal_vhd::ReadError>(portal_vhd::certify_disk(
                source,
                disk.kind,
                &SizeLimits::default(),
            ))
        })
        .await??;
        let check = ImageCheck {
            report,
            reused_from_ms: None,
        };
        out.extend(certification::disk_messages(&disk, &check, t));
    }
    Ok(out)
}

struct Seed {
    doc: OfferDocument,
    pipeline: Option<(Pipeline, Option<StepId>)>,
    preview: bool,
    live: bool,
}

/// The tokens the demo creates: the publisher `contoso`'s and a reviewer's (the subscription
/// id every demo offer allow-lists for its preview).
#[derive(Debug, Clone)]
pub struct DemoTokens {
    /// Acts for publisher `contoso`.
    pub publisher: String,
    /// A reviewer of the demo's previews.
    pub reviewer: String,
}

/// Seeds the demo data and returns the demo's tokens, when the database is empty.
pub async fn seed(
    db: &Db,
    addr: SocketAddr,
    images: &vhd::DemoImages,
) -> anyhow::Result<Option<DemoTokens>> {
    if !db.is_empty().await? {
        return Ok(None);
    }
    let token = accounts::create_token(
        db,
        &TokenFor::Publisher(DEMO_PUBLISHER.into()),
        Some("demo"),
    )
    .await?;
    let now = OffsetDateTime::now_utc();
    let sas = sas_query(now);
    let addr = image_host(addr);
    let base = format!("http://{addr}/demo");
    let t = from_ms(now_ms());

    let mut draft = complete_offer("contoso-draft");
    draft.definition.display_text = Some("Contoso Draft (incomplete)".into());
    draft.definition.offer.summary = None;
    draft.definition.offer.categories = None;
    draft.definition.plans.clear();

    let running = Pipeline::start(t);

    let failed_doc = demo_offer(
        "contoso-failed",
        "Contoso Failed Image",
        &base,
        &sas,
        vhd::FAILING_OS,
    );
    let mut failed = Pipeline::start(t);
    failed.complete(StepId::ValidatePrerequisites, t)?;
    let messages = certification_messages(&failed_doc, images, t).await?;
    failed.fail(StepId::Certification, messages, t)?;

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

    let named = |id: &str, name: &str| demo_offer(id, name, &base, &sas, vhd::PASSING_OS);
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
        insert(db, s).await?;
    }
    let reviewer = accounts::create_token(
        db,
        &TokenFor::Reviewer(portal_domain::samples::SAMPLE_SUBSCRIPTION.into()),
        Some("demo-reviewer"),
    )
    .await?;
    for (email, name, role) in DEMO_PEOPLE {
        accounts::users::create_user(
            db,
            &url::Url::parse("http://127.0.0.1/")?,
            DEMO_PUBLISHER,
            email,
            role,
            Some(name),
            Some(DEMO_PASSWORD.to_owned()),
        )
        .await?;
    }
    accounts::users::add_reviewer(
        db,
        DEMO_PUBLISHER,
        DEMO_REVIEWER.0,
        DEMO_REVIEWER.1,
        portal_domain::samples::SAMPLE_SUBSCRIPTION,
        DEMO_PASSWORD,
    )
    .await?;
    Ok(Some(DemoTokens {
        publisher: token,
        reviewer,
    }))
}

/// The password of every demo account (printed by `scripts/start.sh`; change or remove them
/// before the portal holds anything real).
pub const DEMO_PASSWORD: &str = "demo tugboat canyon 42";

/// The demo's members of `contoso`: one per role.
pub const DEMO_PEOPLE: [(&str, &str, Role); 4] = [
    ("owner@contoso.example", "Olivia Owner", Role::Owner),
    ("manager@contoso.example", "Minho Manager", Role::Manager),
    (
        "developer@contoso.example",
        "Dana Developer",
        Role::Developer,
    ),
    ("viewer@contoso.example", "Vic Viewer", Role::Viewer),
];

/// The demo's reviewer: the subscription every demo offer allow-lists for its preview.
pub const DEMO_REVIEWER: (&str, &str) = ("reviewer@fabrikam.example", "Rae Reviewer");

async fn insert(db: &Db, s: Seed) -> anyhow::Result<()> {
    let id = s.doc.id.clone().unwrap_or_default();
    let doc = offers::stored_draft(s.doc, DEMO_PUBLISHER, &id);
    let seed = s.pipeline.map(|(pipeline, next)| {
        let mut op = Operation::start(DEMO_PUBLISHER, &id, 1, "", DEMO_EMAILS);
        op.pipeline = pipeline;
        op.next_step = next;
        if s.preview {
            op.preview_links = publishing::preview_links(DEMO_PUBLISHER, &id);
        }
        if s.live {
            op.live_links = publishing::live_links(DEMO_PUBLISHER, &id);
        }
        publishing::store::Seed {
            operation: op,
            preview: s.preview,
            live: s.live,
        }
    });
    publishing::store::seed_offer(db, DEMO_PUBLISHER, &id, doc, seed).await
}

/// The demo's marketing images (logos in the four required sizes and a screenshot), served
/// at `/demo/assets/{name}` so the demo offers package without reaching the internet.
pub fn asset(name: &str) -> Option<&'static [u8]> {
    Some(match name {
        "logo-40.png" => include_bytes!("assets/logo-40.png"),
        "logo-90.png" => include_bytes!("assets/logo-90.png"),
        "logo-115.png" => include_bytes!("assets/logo-115.png"),
        "logo-255x115.png" => include_bytes!("assets/logo-255x115.png"),
        "logo-815x290.png" => include_bytes!("assets/logo-815x290.png"),
        "screenshot-533x324.png" => include_bytes!("assets/screenshot-533x324.png"),
        _ => return None,
    })
}

/// `GET /demo/assets/{name}`.
pub async fn get_asset(
    axum::extract::Path(name): axum::extract::Path<String>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match asset(&name) {
        Some(bytes) => ([(axum::http::header::CONTENT_TYPE, "image/png")], bytes).into_response(),
        None => axum::http::StatusCode::NOT_FOUND.into_response(),
    }
}

/// Packages the demo's versions in preview and live (their product pages and catalogue
/// entries) through the same code as the Packaging step, once the server is listening (the
/// images come from the portal itself), and replicates the disks of the version in preview.
/// Versions already packaged are left alone.
pub async fn package_demo(state: &crate::state::AppState) -> anyhow::Result<()> {
    // The live versions first: they need no copies, so the catalogue fills at once.
    for slot in [Slot::Production, Slot::Preview] {
        for (publisher, offer, version) in catalogue::store::unpackaged(&state.db, slot).await? {
            let Some(v) = offers::store::version(&state.db, &publisher, &offer, version).await?
            else {
                continue;
            };
            let doc = v.document;
            let live = offers::store::find(&state.db, &publisher, &offer)
                .await?
                .and_then(|o| o.production_version);
            if slot == Slot::Preview && live != Some(version) {
                // So a reviewer can run a test deployment of the demo's offer awaiting
                // sign-off (not of the live one: each copy is a 1 GiB image per region).
                provisioning::replicate_quietly(state, &publisher, &offer, &doc).await?;
            }
            let packaged =
                packaging::package_version(state, &publisher, &offer, version, &doc).await?;
            if let Err(problems) = packaged {
                tracing::warn!(offer.id = %offer, problems = problems.len(), "a demo version could not be packaged");
            }
        }
    }
    Ok(())
}
