//! [`package`]: the product page of one offer version, written to the object store.

use futures_util::future::join_all;
use object_store::ObjectStore;
use object_store::path::Path;
use portal_domain::OfferDocument;
use portal_domain::catalogue::{CatalogueEntry, ImageAsset, entry_prefix};
use portal_domain::validation::image_requirements;
use time::OffsetDateTime;

use crate::assets::{CheckedImage, fetch_image};
use crate::entry::{DiskSize, ImagesByField, build_entry, identity};
use crate::http::{GuardedClient, HttpPolicy};
use crate::page::render_product_page;
use crate::problem::PackageProblem;

/// How packaging fetches images.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageOptions {
    /// The guarded client's policy for image URLs.
    pub http: HttpPolicy,
    /// The largest image file accepted, in bytes.
    pub max_image_bytes: u64,
}

impl Default for PackageOptions {
    fn default() -> Self {
        Self {
            http: HttpPolicy::default(),
            max_image_bytes: 4 * 1024 * 1024,
        }
    }
}

/// What to package.
#[derive(Debug, Clone, Copy)]
pub struct PackageInput<'a> {
    /// The immutable snapshot of the offer version (with `publisherId`, `id`, `version`).
    pub document: &'a OfferDocument,
    /// The time recorded in the entry.
    pub packaged_at: OffsetDateTime,
    /// Disk sizes measured by certification, shown next to the disk versions; may be empty.
    pub disk_sizes: &'a [DiskSize],
}

/// A packaged offer version.
#[derive(Debug, Clone)]
pub struct Packaged {
    /// The catalogue entry written as `entry.json`.
    pub entry: CatalogueEntry,
    /// Every key written: the assets, then `entry.json`, then `index.html`.
    pub keys: Vec<Path>,
}

/// Why packaging failed.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    /// The publisher must fix these (an image of the wrong size, an unreachable URL …).
    #[error("{} problem(s) with the offer's images or identity", .0.len())]
    Problems(Vec<PackageProblem>),
    /// Writing to the object store failed (the operator's side; retrying may help).
    #[error("writing the product page to the object store failed: {0}")]
    Store(#[from] object_store::Error),
}

/// The object names of an offer version's product page: `index.html`.
pub const PAGE_FILE: &str = "index.html";
/// The catalogue entry's file: `entry.json`.
pub const ENTRY_FILE: &str = "entry.json";

/// Fetches every logo, screenshot and video thumbnail of `doc` (all at once, each through the
/// guarded client) and checks each is a PNG of its required pixel size: the images, or every
/// problem found. [`package`] runs it before writing anything; the pipeline's first step runs
/// it too, so a wrong image stops a publish before certification and provisioning.
pub async fn check_images(
    doc: &OfferDocument,
    opts: &PackageOptions,
) -> Result<Vec<CheckedImage>, Vec<PackageProblem>> {
    let client = GuardedClient::new(opts.http.clone());
    let requirements = image_requirements(doc);
    let results = join_all(
        requirements
            .iter()
            .map(|req| fetch_image(&client, req, opts.max_image_bytes)),
    )
    .await;
    let mut images = Vec::new();
    let mut problems = Vec::new();
    for result in results {
        match result {
            Ok(image) => images.push(image),
            Err(p) => problems.push(p),
        }
    }
    if problems.is_empty() {
        Ok(images)
    } else {
        Err(problems)
    }
}

/// Packages one offer version: fetches and checks every logo, screenshot and video thumbnail
/// (all at once, each through the guarded client), builds the catalogue entry with the
/// sanitized description, renders the product page, and writes `assets/*`, `entry.json` and
/// `index.html` under `{publisher}/{offer}/v{version}/` in `store`.
///
/// Nothing is written unless every image passed. Running it again for the same version
/// overwrites the same keys, so a step interrupted half-way can simply run again.
pub async fn package(
    input: PackageInput<'_>,
    store: &dyn ObjectStore,
    opts: &PackageOptions,
) -> Result<Packaged, PackageError> {
    let doc = input.document;
    let id = identity(doc).map_err(PackageError::Problems)?;
    let prefix = entry_prefix(&id.0, &id.1, id.2);

    let images = check_images(doc, opts)
        .await
        .map_err(PackageError::Problems)?;

    let by_field: ImagesByField = images
        .iter()
        .map(|i| {
            let asset = ImageAsset {
                asset: i.asset.clone(),
                width: i.width,
                height: i.height,
            };
            (i.field.to_string(), asset)
        })
        .collect();
    let entry = build_entry(doc, id, &by_field, input.disk_sizes, input.packaged_at);
    let json = serde_json::to_vec_pretty(&entry).expect("a catalogue entry always serializes");
    let page = render_product_page(&entry);

    let mut keys = Vec::new();
    for image in images {
        let key = Path::from(format!("{prefix}{}", image.asset));
        store.put(&key, image.bytes.into()).await?;
        keys.push(key);
    }
    // The entry before the page: whoever sees the page can also read its entry.
    let entry_key = Path::from(format!("{prefix}{ENTRY_FILE}"));
    store.put(&entry_key, json.into()).await?;
    keys.push(entry_key);
    let page_key = Path::from(format!("{prefix}{PAGE_FILE}"));
    store.put(&page_key, page.into()).await?;
    keys.push(page_key);
    tracing::info!(
        publisher.id = %entry.publisher_id,
        offer.id = %entry.offer_id,
        offer.version = entry.version,
        objects = keys.len(),
        "product page packaged"
    );
    Ok(Packaged { entry, keys })
}
