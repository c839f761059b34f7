//! `portal-package`: the work of pipeline step 4, "Packaging and lead generation
//! registration".
//!
//! - [`package`]: builds the [`CatalogueEntry`](portal_domain::catalogue::CatalogueEntry) of an
//!   offer version, fetches and checks its images ([`assets`]), renders the static product page
//!   ([`render_product_page`]) and writes `index.html`, `entry.json` and `assets/*` under
//!   `{publisher}/{offer}/v{version}/` in an object store.
//! - [`sanitize_description`]: the description's HTML through ammonia with the domain's
//!   allow-list.
//! - [`send_test_lead`]: the test lead with fake data to the configured lead destination
//!   ([`leads`]).
//! - [`http`]: the guarded async HTTP client every outbound request goes through.

pub mod assets;
pub mod entry;
pub mod http;
pub mod leads;
pub mod package;
pub mod page;
pub mod problem;
pub mod sanitize;

pub use entry::DiskSize;
pub use http::{GuardedClient, HttpError, HttpPolicy};
pub use leads::{LeadError, LeadOptions, LeadOutcome, RetryPolicy, send_test_lead};
pub use package::{
    ENTRY_FILE, PAGE_FILE, PackageError, PackageInput, PackageOptions, Packaged, check_images,
    package,
};
pub use page::render_product_page;
pub use problem::PackageProblem;
pub use sanitize::sanitize_description;
