//! The "simple HTML" rule for descriptions: which tags and attributes a publisher may use.
//!
//! This is a validation rule, not a sanitizer: it tells the publisher what to change. Rendering
//! still sanitizes on the server with a maintained sanitizer, whatever this check said.

use crate::i18n::Problem;

/// Tags allowed in descriptions and terms of use.
pub const ALLOWED_TAGS: &[&str] = &[
    "p", "br", "b", "strong", "i", "em", "u", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
    "a",
];

/// Attributes allowed on `<a>`; no other tag takes attributes.
pub const ALLOWED_LINK_ATTRIBUTES: &[&str] = &["href", "title"];

/// Checks that `text` uses only the simple tags, with an https (or mailto) `href` as the only
/// meaningful attribute. Returns the first problem found.
pub fn check_simple_html(text: &str) -> Result<(), Problem> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(off) = text[i..].find('<') {
        let start = i + off + 1;
        let rest = &text[start..];
        if rest.starts_with("!--") {
            // A comment: skip it whole; an unterminated comment swallows the rest.
            i = comment_end(rest).map_or(text.len(), |e| start + e);
            continue;
        }
        let closing = rest.starts_with('/');
        let name_start = start + usize::from(closing);
        let name_len = text[name_start..]
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if name_len == 0 {
            // `<` not starting a tag (e.g. "a < b", "<!DOCTYPE", "<?xml") is text unless it
            // looks like markup.
            match bytes.get(name_start) {
                Some(b'!' | b'?') => {
                    return Err(Problem::DisallowedHtmlTag { tag: "!".into() });
                }
                _ => {
                    i = start;
                    continue;
                }
            }
        }
        let name = text[name_start..name_start + name_len].to_ascii_lowercase();
        if !ALLOWED_TAGS.contains(&name.as_str()) {
            return Err(Problem::DisallowedHtmlTag { tag: name });
        }
        let end = find_tag_end(text, name_start + name_len);
        let attrs = &text[name_start + name_len..end.min(text.len())];
        check_attributes(&name, attrs)?;
        i = (end + 1).min(text.len());
    }
    Ok(())
}

/// The index of the `>` closing a tag, honouring quoted attribute values.
fn find_tag_end(text: &str, from: usize) -> usize {
    let mut quote: Option<char> = None;
    for (off, c) in text[from..].char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return from + off,
            _ => {}
        }
    }
    text.len()
}

/// Where a comment that starts `rest` (`!--…`, after the `<`) ends, just past its `>`, as
/// an HTML5 parser ends it: at `-->` or `--!>`, and at once for `<!-->` and `<!--->`. The
/// opening dashes count as part of a closing sequence (`<!-->`, `<!---!>`), but `<!--!>` is
/// not closed. A checker that ended comments later than the browser would let markup past.
fn comment_end(rest: &str) -> Option<usize> {
    // `--` + content: `-->` here also finds `<!-->` (at 0) and `<!--->` (at 1).
    let arrow = rest.get(1..)?.find("-->").map(|e| 1 + e + 3);
    // `-` + content: `--!>` at 0 is `<!---!>`; `<!--!>` cannot match.
    let bang = rest.get(2..)?.find("--!>").map(|e| 2 + e + 4);
    match (arrow, bang) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn check_attributes(tag: &str, attrs: &str) -> Result<(), Problem> {
    let mut rest = attrs.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
    while !rest.is_empty() {
        let name_len = rest
            .find(|c: char| c.is_whitespace() || c == '=' || c == '/' || c == '>')
            .unwrap_or(rest.len());
        let name = rest[..name_len].to_ascii_lowercase();
        rest = rest[name_len..].trim_start();
        let mut value = String::new();
        if let Some(r) = rest.strip_prefix('=') {
            let r = r.trim_start();
            let (v, after) = match r.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let body = &r[1..];
                    let end = body.find(q).unwrap_or(body.len());
                    (&body[..end], body.get(end + 1..).unwrap_or(""))
                }
                _ => {
                    let end = r.find(char::is_whitespace).unwrap_or(r.len());
                    (&r[..end], &r[end..])
                }
            };
            value = v.to_owned();
            rest = after;
        }
        if !name.is_empty() {
            let allowed = tag == "a" && ALLOWED_LINK_ATTRIBUTES.contains(&name.as_str());
            if !allowed {
                return Err(Problem::DisallowedHtmlAttribute { attribute: name });
            }
            if name == "href" {
                let v = value.trim().to_ascii_lowercase();
                if !(v.starts_with("https://") || v.starts_with("mailto:")) {
                    return Err(Problem::DisallowedHtmlAttribute {
                        attribute: format!("href={}", value.trim()),
                    });
                }
            }
        }
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_markup_passes() {
        let ok = "<p>Fast <b>and</b> <em>safe</em>.<br/>See <a href=\"https://contoso.com\" title='docs'>docs</a></p>\
                  <ul><li>one</li></ul><!-- note --> 3 < 4";
        assert_eq!(check_simple_html(ok), Ok(()));
    }

    #[test]
    fn hostile_markup_is_named() {
        let cases = [
            (
                "<script>alert(1)</script>",
                Problem::DisallowedHtmlTag {
                    tag: "script".into(),
                },
            ),
            (
                "<img src=x onerror=alert(1)>",
                Problem::DisallowedHtmlTag { tag: "img".into() },
            ),
            (
                "<p onclick=\"x()\">hi</p>",
                Problem::DisallowedHtmlAttribute {
                    attribute: "onclick".into(),
                },
            ),
            (
                "<a href=\"javascript:alert(1)\">x</a>",
                Problem::DisallowedHtmlAttribute {
                    attribute: "href=javascript:alert(1)".into(),
                },
            ),
            (
                "<P STYLE='x'>",
                Problem::DisallowedHtmlAttribute {
                    attribute: "style".into(),
                },
            ),
            (
                "<iframe src=https://evil>",
                Problem::DisallowedHtmlTag {
                    tag: "iframe".into(),
                },
            ),
            (
                "<!DOCTYPE html>",
                Problem::DisallowedHtmlTag { tag: "!".into() },
            ),
        ];
        for (html, expected) in cases {
            assert_eq!(check_simple_html(html), Err(expected), "{html}");
        }
    }

    #[test]
    fn comments_end_where_a_browser_ends_them() {
        let script = Err(Problem::DisallowedHtmlTag {
            tag: "script".into(),
        });
        for html in [
            "<!-- x --!><script>alert(1)</script>",
            "<!---!><script>alert(1)</script>",
            "<!--><script>alert(1)</script>",
            "<!---><script>alert(1)</script>",
            "<!-- x ---><script>alert(1)</script>",
        ] {
            assert_eq!(check_simple_html(html), script, "{html}");
        }
        // Inside a quoted attribute value, markup is the value's text.
        let quoted = "<a href=\"https://x\" title='\"><script>alert(1)</script>'>docs</a>";
        assert_eq!(check_simple_html(quoted), Ok(()));
        // Not closed: a browser reads the rest as the comment's text.
        assert_eq!(check_simple_html("<!--!><script>alert(1)</script>"), Ok(()));
        assert_eq!(check_simple_html("<!-- <!-- --> <b>ok</b>"), Ok(()));
    }

    #[test]
    fn unterminated_input_does_not_panic() {
        for s in [
            "<",
            "<a",
            "<a href=",
            "<a href=\"",
            "<!--",
            "</",
            "<p",
            "<a href='https://x' title",
        ] {
            let _ = check_simple_html(s);
        }
    }
}
