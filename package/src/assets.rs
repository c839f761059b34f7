//! Logos, screenshots and video thumbnails: fetched through the guarded client, recognised by
//! their content (not their name or declared type), and measured against the exact pixel sizes
//! of the domain ([`portal_domain::validation::image_requirements`]).

use bytes::Bytes;
use imagesize::ImageType;
use portal_domain::FieldPath;
use portal_domain::path::Segment;
use portal_domain::validation::ImageRequirement;

use crate::http::{GuardedClient, HttpError};
use crate::problem::PackageProblem;

/// A checked image, ready to be copied into the store.
#[derive(Debug, Clone)]
pub struct CheckedImage {
    /// The field the URL came from.
    pub field: FieldPath,
    /// Object name relative to the entry, e.g. `assets/small-logo.png`.
    pub asset: String,
    /// The PNG file.
    pub bytes: Bytes,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// Types a server may declare for a PNG file: its own, or none in particular (blob stores
/// often serve `application/octet-stream`).
const ACCEPTED_DECLARED_TYPES: &[&str] = &[
    "image/png",
    "application/octet-stream",
    "binary/octet-stream",
];

/// Fetches one image and checks that it is a PNG of exactly the required size.
pub async fn fetch_image(
    client: &GuardedClient,
    req: &ImageRequirement,
    max_bytes: u64,
) -> Result<CheckedImage, PackageProblem> {
    let label = image_label(&req.field);
    let url = req.url.trim();
    let unreadable = |what: String| PackageProblem::image_unreadable(req.field.clone(), what);
    let answer = client.get(url, max_bytes).await.map_err(|e| {
        let fix = match e {
            HttpError::TooLarge { .. } => "Make the file smaller.",
            HttpError::AddressRefused { .. } | HttpError::BadUrl(_) => "Use a public https:// URL.",
            _ => {
                "Make sure the URL is public and answers with the image, then press Publish again."
            }
        };
        unreadable(format!(
            "{label}: the file at {url} could not be fetched: {e}. {fix}"
        ))
    })?;
    if !answer.status.is_success() {
        return Err(unreadable(format!(
            "{label}: the file at {url} answered {}. Upload the image and check the URL.",
            answer.status
        )));
    }
    let kind = imagesize::image_type(&answer.body).ok();
    if kind != Some(ImageType::Png) {
        let found = match kind {
            Some(other) => format!("a {} image", format!("{other:?}").to_ascii_uppercase()),
            None => "not an image".to_owned(),
        };
        return Err(unreadable(format!(
            "{label} must be a PNG image; the file at {url} is {found}. Save it as PNG."
        )));
    }
    if let Some(declared) = answer.content_type()
        && !ACCEPTED_DECLARED_TYPES.contains(&declared.as_str())
    {
        return Err(unreadable(format!(
            "{label}: the server declares the file at {url} as {declared}, but it is a PNG image. Serve it as image/png."
        )));
    }
    let size = imagesize::blob_size(&answer.body).map_err(|e| {
        unreadable(format!(
            "{label}: the PNG file at {url} could not be read ({e}). Save it again as PNG."
        ))
    })?;
    let (width, height) = (
        u32::try_from(size.width).unwrap_or(u32::MAX),
        u32::try_from(size.height).unwrap_or(u32::MAX),
    );
    if (width, height) != (req.width, req.height) {
        return Err(PackageProblem::wrong_image_size(
            req.field.clone(),
            format!(
                "{label} must be exactly {}×{} pixels; the file at {url} is {width}×{height}. Resize it (without stretching).",
                req.width, req.height
            ),
        ));
    }
    Ok(CheckedImage {
        field: req.field.clone(),
        asset: asset_name(&req.field),
        bytes: answer.body,
        width,
        height,
    })
}

/// Where an image of a field goes, relative to the entry: `assets/small-logo.png`,
/// `assets/screenshot-1.png`, `assets/video-1-thumbnail.png`.
pub fn asset_name(field: &FieldPath) -> String {
    match image_slot(field) {
        Slot::Logo(kind) => format!("assets/{kind}-logo.png"),
        Slot::Screenshot(i) => format!("assets/screenshot-{}.png", i + 1),
        Slot::Thumbnail(i) => format!("assets/video-{}-thumbnail.png", i + 1),
        Slot::Other => "assets/image.png".to_owned(),
    }
}

/// How messages name an image: "The small logo", "Screenshot 2", "The thumbnail of video 1".
pub fn image_label(field: &FieldPath) -> String {
    match image_slot(field) {
        Slot::Logo("hero") => "The hero image".to_owned(),
        Slot::Logo(kind) => format!("The {kind} logo"),
        Slot::Screenshot(i) => format!("Screenshot {}", i + 1),
        Slot::Thumbnail(i) => format!("The thumbnail of video {}", i + 1),
        Slot::Other => "The image".to_owned(),
    }
}

enum Slot {
    Logo(&'static str),
    Screenshot(usize),
    Thumbnail(usize),
    Other,
}

fn image_slot(field: &FieldPath) -> Slot {
    let key = |s: &Segment| match s {
        Segment::Key(k) => k
            .strip_prefix("microsoft-azure-marketplace.")
            .map(str::to_owned),
        _ => None,
    };
    let segs = &field.0;
    for (i, seg) in segs.iter().enumerate() {
        let index = match segs.get(i + 1) {
            Some(Segment::Index(n)) => Some(*n),
            _ => None,
        };
        match (key(seg).as_deref(), index) {
            (Some("smallLogo"), _) => return Slot::Logo("small"),
            (Some("mediumLogo"), _) => return Slot::Logo("medium"),
            (Some("largeLogo"), _) => return Slot::Logo("large"),
            (Some("wideLogo"), _) => return Slot::Logo("wide"),
            (Some("heroLogo"), _) => return Slot::Logo("hero"),
            (Some("screenshots"), Some(n)) => return Slot::Screenshot(n),
            (Some("videos"), Some(n)) => return Slot::Thumbnail(n),
            _ => {}
        }
    }
    Slot::Other
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(key: &str) -> FieldPath {
        FieldPath::keys(&["definition", "offer"]).key(key)
    }

    #[test]
    fn names_and_labels_follow_the_field() {
        let small = offer("microsoft-azure-marketplace.smallLogo");
        assert_eq!(asset_name(&small), "assets/small-logo.png");
        assert_eq!(image_label(&small), "The small logo");
        let hero = offer("microsoft-azure-marketplace.heroLogo");
        assert_eq!(image_label(&hero), "The hero image");
        let shot = offer("microsoft-azure-marketplace.screenshots")
            .index(1)
            .key("url");
        assert_eq!(asset_name(&shot), "assets/screenshot-2.png");
        assert_eq!(image_label(&shot), "Screenshot 2");
        let thumb = offer("microsoft-azure-marketplace.videos")
            .index(0)
            .key("thumbnailUrl");
        assert_eq!(asset_name(&thumb), "assets/video-1-thumbnail.png");
        assert_eq!(image_label(&thumb), "The thumbnail of video 1");
    }
}
