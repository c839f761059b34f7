//! Sanitizing the publisher's "simple HTML" (description, terms of use) with ammonia before it
//! is embedded in a product page.
//!
//! The allow-list is the domain's ([`portal_domain::html::ALLOWED_TAGS`], links with `href` and
//! `title` only), so what validation tells the publisher and what rendering keeps agree. The
//! validation rule is advice; this is the enforcement, whatever validation said.

use std::collections::{HashMap, HashSet};

use ammonia::{Builder, UrlRelative};
use portal_domain::html::{ALLOWED_LINK_ATTRIBUTES, ALLOWED_TAGS};

/// Elements removed together with everything inside them: their content is code, styling or
/// embedded documents, never text meant for a reader.
const DROPPED_WITH_CONTENT: &[&str] = &[
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "noscript", "noembed",
    "noframes", "template", "svg", "math", "textarea", "select", "title", "xmp", "head",
];

/// The `rel` every kept link gets: no access to the opener, no referrer, no endorsement.
pub const LINK_REL: &str = "noopener noreferrer nofollow";

/// Sanitizes description HTML: keeps only the simple tags (p, br, b, strong, i, em, u, ul, ol,
/// li, h1–h6, a), links only with absolute `http`, `https` or `mailto` URLs and a `title`, adds
/// `rel="noopener noreferrer nofollow"` to links, and drops every other tag (keeping its text),
/// every other attribute (styles, event handlers, classes, ids), comments, and scripts,
/// styles and embedded documents with their content.
pub fn sanitize_description(html: &str) -> String {
    builder().clean(html).to_string()
}

fn builder() -> Builder<'static> {
    let tags: HashSet<&str> = ALLOWED_TAGS.iter().copied().collect();
    let link_attributes: HashSet<&str> = ALLOWED_LINK_ATTRIBUTES.iter().copied().collect();
    let mut builder = Builder::empty();
    builder
        .tags(tags)
        .clean_content_tags(DROPPED_WITH_CONTENT.iter().copied().collect())
        .generic_attributes(HashSet::new())
        .generic_attribute_prefixes(HashSet::new())
        .tag_attributes(HashMap::from([("a", link_attributes)]))
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .url_relative(UrlRelative::Deny)
        .link_rel(Some(LINK_REL))
        .strip_comments(true);
    builder
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_escaped() {
        assert_eq!(sanitize_description("a < b & c"), "a &lt; b &amp; c");
    }

    #[test]
    fn relative_links_lose_their_href() {
        assert_eq!(
            sanitize_description("<a href=\"/admin\">x</a>"),
            format!("<a rel=\"{LINK_REL}\">x</a>")
        );
    }
}
