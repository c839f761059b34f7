//! The editor's check of image sizes: every logo, screenshot and video thumbnail must have
//! the exact pixel size the marketplace asks for (the domain's `image_requirements`). The
//! browser loads each image URL once and the editor reports a wrong size next to its field,
//! as Packaging would, but before publishing instead of after the first three steps.
//!
//! An image the browser cannot load is left to the server: Packaging fetches it from there,
//! and a URL that only the server can reach is not the publisher's mistake.

use std::collections::HashMap;

use portal_domain::validation::ImageRequirement;
use portal_domain::{Finding, Problem};

/// What the browser knows of one image URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probe {
    /// Waiting (the URL may still be being typed) or loading.
    Pending,
    /// Loaded and decoded: its natural size in pixels.
    Size {
        /// Width.
        width: u32,
        /// Height.
        height: u32,
    },
    /// Could not be loaded or decoded in this browser.
    Unreadable,
}

/// The probes of the editor's image URLs, by URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Measurements(HashMap<String, Probe>);

impl Measurements {
    /// What is known of `url`.
    pub fn get(&self, url: &str) -> Option<Probe> {
        self.0.get(url).copied()
    }

    /// The URLs of `required` to probe: web URLs neither measured nor being measured, each
    /// once.
    pub fn to_probe(&self, required: &[ImageRequirement]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for r in required {
            let url = r.url.trim();
            let web = url.starts_with("https://") || url.starts_with("http://");
            if web && !self.0.contains_key(url) && !out.iter().any(|u| u == url) {
                out.push(url.to_owned());
            }
        }
        out
    }

    /// Records a probe's state.
    pub fn set(&mut self, url: &str, probe: Probe) {
        self.0.insert(url.to_owned(), probe);
    }

    /// Forgets a URL the document no longer has (so it is probed again if it comes back).
    pub fn forget(&mut self, url: &str) {
        self.0.remove(url);
    }

    /// A finding for every image whose measured size is not the required one.
    pub fn findings(&self, required: &[ImageRequirement]) -> Vec<Finding> {
        required
            .iter()
            .filter_map(|r| match self.get(r.url.trim())? {
                Probe::Size { width, height } if (width, height) != (r.width, r.height) => {
                    Some(Finding::new(
                        r.field.clone(),
                        Problem::WrongImageSize {
                            width: r.width,
                            height: r.height,
                            actual_width: width,
                            actual_height: height,
                        },
                    ))
                }
                _ => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portal_domain::path::FieldPath;

    fn req(key: &str, url: &str, width: u32, height: u32) -> ImageRequirement {
        ImageRequirement {
            field: FieldPath::keys(&["definition", "offer", key]),
            url: url.to_owned(),
            width,
            height,
        }
    }

    #[test]
    fn a_wrong_size_is_a_finding_at_the_field_and_the_right_one_is_not() {
        let required = [
            req(
                "microsoft-azure-marketplace.smallLogo",
                "https://x/a.png",
                40,
                40,
            ),
            req(
                "microsoft-azure-marketplace.mediumLogo",
                "https://x/b.png",
                90,
                90,
            ),
        ];
        let mut m = Measurements::default();
        m.set(
            "https://x/a.png",
            Probe::Size {
                width: 40,
                height: 40,
            },
        );
        m.set(
            "https://x/b.png",
            Probe::Size {
                width: 40,
                height: 40,
            },
        );
        let findings = m.findings(&required);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].field, required[1].field);
        assert_eq!(
            findings[0].problem,
            Problem::WrongImageSize {
                width: 90,
                height: 90,
                actual_width: 40,
                actual_height: 40
            }
        );
    }

    #[test]
    fn images_not_measured_or_unreadable_here_are_left_to_the_server() {
        let required = [req(
            "microsoft-azure-marketplace.smallLogo",
            "https://x/a.png",
            40,
            40,
        )];
        let mut m = Measurements::default();
        assert!(m.findings(&required).is_empty());
        m.set("https://x/a.png", Probe::Pending);
        assert!(m.findings(&required).is_empty());
        m.set("https://x/a.png", Probe::Unreadable);
        assert!(m.findings(&required).is_empty());
    }

    #[test]
    fn each_web_url_is_probed_once() {
        let required = [
            req(
                "microsoft-azure-marketplace.smallLogo",
                " https://x/a.png ",
                40,
                40,
            ),
            req(
                "microsoft-azure-marketplace.mediumLogo",
                "https://x/a.png",
                90,
                90,
            ),
            req(
                "microsoft-azure-marketplace.largeLogo",
                "ftp://x/c.png",
                115,
                115,
            ),
            req(
                "microsoft-azure-marketplace.wideLogo",
                "http://127.0.0.1/d.png",
                255,
                115,
            ),
        ];
        let mut m = Measurements::default();
        assert_eq!(
            m.to_probe(&required),
            ["https://x/a.png", "http://127.0.0.1/d.png"]
        );
        m.set("https://x/a.png", Probe::Pending);
        assert_eq!(m.to_probe(&required), ["http://127.0.0.1/d.png"]);
        m.forget("https://x/a.png");
        assert_eq!(m.to_probe(&required).len(), 2);
    }
}
