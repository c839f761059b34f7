//! The description's HTML: hostile markup neutralized, allowed formatting kept.

use portal_package::sanitize_description;

/// Markup that must never survive, whatever it is wrapped in.
const FORBIDDEN: &[&str] = &[
    "<script",
    "</script",
    "onerror",
    "onclick",
    "onload",
    "onmouseover",
    "javascript:",
    "vbscript:",
    "data:",
    "<style",
    "style=",
    "<iframe",
    "<img",
    "<svg",
    "<object",
    "<embed",
    "<form",
    "<input",
    "<meta",
    "<link",
    "<base",
    "srcdoc",
    "<!--",
    "<math",
    "<template",
];

fn assert_clean(input: &str) -> String {
    let out = sanitize_description(input);
    let lower = out.to_ascii_lowercase();
    for bad in FORBIDDEN {
        assert!(
            !lower.contains(bad),
            "{bad:?} survived in {out:?} (from {input:?})"
        );
    }
    out
}

#[test]
fn scripts_styles_and_frames_are_removed_with_their_content() {
    let out = assert_clean(
        "<p>Hi</p><script>alert('x')</script><style>body{display:none}</style>\
         <iframe src=\"https://evil.example\">frame text</iframe><noscript>ns</noscript>",
    );
    assert_eq!(out, "<p>Hi</p>");
}

#[test]
fn event_handlers_and_styles_are_dropped_but_the_text_stays() {
    let out = assert_clean(
        "<p onclick=\"steal()\" style=\"color:red\" class=\"x\" id=\"y\">Text</p>\
         <img src=x onerror=alert(1)><b onmouseover=alert(2)>bold</b>",
    );
    assert_eq!(out, "<p>Text</p><b>bold</b>");
}

#[test]
fn dangerous_link_schemes_lose_their_href() {
    for href in [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "&#106;avascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "//evil.example/relative",
    ] {
        let out = assert_clean(&format!("<a href=\"{href}\">click</a>"));
        assert!(!out.contains("href"), "{href}: {out}");
        assert!(out.contains(">click</a>"), "{href}: {out}");
    }
}

#[test]
fn nested_and_malformed_tricks_are_neutralized() {
    for input in [
        "<scr<script>ipt>alert(1)</scr</script>ipt>",
        "<<script>script>alert(1)<</script>/script>",
        "<svg><script>alert(1)</script></svg>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<a href=\"https://ok.example\"<img src=x onerror=alert(1)>>x</a>",
        "<p title=\"\"><img src=x onerror=alert(1)>\"></p>",
        "<!--<img src=x onerror=alert(1)>-->",
        "<div><form action=\"https://evil\"><input name=p></form></div>",
        "<base href=\"https://evil/\"><meta http-equiv=refresh content=0>",
        "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
        "<p>unclosed <b>bold <i>italic",
    ] {
        let out = assert_clean(input);
        // Whatever text remains is escaped: no raw `<` that starts a tag other than allowed ones.
        for tag in out.split('<').skip(1) {
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect();
            assert!(
                portal_domain::html::ALLOWED_TAGS.contains(&name.as_str()),
                "tag {name:?} in {out:?} (from {input:?})"
            );
        }
    }
}

#[test]
fn allowed_formatting_survives() {
    let input = "<h2>Features</h2><p>Fast <strong>and</strong> <em>safe</em>, <u>simple</u>.<br>\
                 Read <a href=\"https://contoso.com/docs\" title=\"Docs\">the docs</a> or \
                 <a href=\"mailto:help@contoso.com\">mail us</a>.</p>\
                 <ul><li>one</li></ul><ol><li>two</li></ol><h6>small</h6><i>i</i><b>b</b>";
    let out = assert_clean(input);
    for kept in [
        "<h2>Features</h2>",
        "<strong>and</strong>",
        "<em>safe</em>",
        "<u>simple</u>",
        "<br>",
        "<ul><li>one</li></ul>",
        "<ol><li>two</li></ol>",
        "<h6>small</h6>",
        "<i>i</i>",
        "<b>b</b>",
        "<a href=\"https://contoso.com/docs\" title=\"Docs\" rel=\"noopener noreferrer nofollow\">the docs</a>",
        "<a href=\"mailto:help@contoso.com\" rel=\"noopener noreferrer nofollow\">mail us</a>",
    ] {
        assert!(out.contains(kept), "{kept} missing in {out}");
    }
}

#[test]
fn a_publisher_rel_or_target_is_replaced() {
    let out = assert_clean("<a href=\"https://x.example\" rel=\"opener\" target=\"_blank\">x</a>");
    assert_eq!(
        out,
        "<a href=\"https://x.example\" rel=\"noopener noreferrer nofollow\">x</a>"
    );
}
