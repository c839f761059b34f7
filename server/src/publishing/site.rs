//! The product page's images, which step 1 checks and Packaging fetches again before it copies
//! them into the site store: how they are fetched and how their problems become step
//! messages.

use portal_domain::workflow::{MessageLevel, StepMessage};
use portal_package::PackageOptions;

use crate::db::{from_ms, now_ms};
use crate::outbound;
use crate::state::Settings;

/// How the document's images are fetched: the guarded client under the operator's settings,
/// for the URLs the domain lists.
pub fn image_options(settings: &Settings, doc: &portal_domain::OfferDocument) -> PackageOptions {
    let images = portal_domain::validation::image_requirements(doc);
    let image_urls: Vec<&str> = images.iter().map(|i| i.url.as_str()).collect();
    PackageOptions {
        http: outbound::package(settings, &image_urls),
        ..PackageOptions::default()
    }
}

/// The step's error messages for what the publisher must fix, each at its field.
pub fn problem_messages(problems: Vec<portal_package::PackageProblem>) -> Vec<StepMessage> {
    let now = from_ms(now_ms());
    problems
        .into_iter()
        .map(|p| {
            StepMessage::text(MessageLevel::Error, &p.message, now).at(p.field.to_string(), p.code)
        })
        .collect()
}
