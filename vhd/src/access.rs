//! The access tests on the URL itself: HTTPS, the SAS token (`sp`, `st`, `se`) and the blob
//! name. They need no network; the range test is done by opening the source.

use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};
use url::Url;

use crate::report::{TestId, TestResult};

/// What the operator allows for URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UrlRules {
    /// Accept `http://` (tests, demos).
    pub allow_http: bool,
    /// Require a SAS token; when false, a URL without one skips the SAS tests.
    pub require_sas: bool,
}

/// Characters allowed in a blob name besides ASCII letters and digits.
const NAME_EXTRA: &[u8] = b"-._~()+,=@";

/// The URL tests. `now` is the certification time (SAS start and expiry are judged against it).
pub fn check_url(raw: &str, rules: UrlRules, now: OffsetDateTime) -> Vec<TestResult> {
    let mut results = Vec::new();
    let url = match Url::parse(raw.trim()) {
        Ok(u) if u.host().is_some() => u,
        _ => {
            results.push(TestResult::fail(
                TestId::AccessHttps,
                "The URL is not a valid absolute URL. Paste the full SAS URL of the VHD blob.",
            ));
            return results;
        }
    };
    results.push(match url.scheme() {
        "https" => TestResult::pass(TestId::AccessHttps, "The URL uses HTTPS."),
        "http" if rules.allow_http => TestResult::pass(
            TestId::AccessHttps,
            "The URL uses plain HTTP, which this installation allows.",
        ),
        _ => TestResult::fail(
            TestId::AccessHttps,
            "The URL must start with https:// (a SAS URL of the storage account's blob endpoint).",
        ),
    });
    let pair = |key: &str| {
        url.query_pairs()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
    };
    let has_sas = pair("sig").is_some() || pair("sp").is_some() || pair("se").is_some();
    if has_sas || rules.require_sas {
        results.push(permissions(pair("sp")));
        results.push(start(pair("st"), now));
        results.push(expiry(pair("se"), now));
    }
    results.push(blob_name(&url));
    results
}

fn permissions(sp: Option<String>) -> TestResult {
    let Some(sp) = sp else {
        return TestResult::fail(
            TestId::AccessSasPermissions,
            "The URL has no SAS token with permissions (sp=rl). Generate a SAS with Read and List permissions \
             and paste the whole URL including the query string.",
        );
    };
    let mut perms: Vec<char> = sp.chars().collect();
    perms.sort_unstable();
    if perms == ['l', 'r'] {
        TestResult::pass(
            TestId::AccessSasPermissions,
            "The SAS grants read and list only.",
        )
    } else {
        TestResult::fail(
            TestId::AccessSasPermissions,
            format!(
                "The SAS permissions are sp={sp}; they must be exactly Read and List (sp=rl), with no write or delete."
            ),
        )
    }
}

fn parse_time(v: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(v, &Rfc3339).ok()
}

fn start(st: Option<String>, now: OffsetDateTime) -> TestResult {
    let latest = now - Duration::days(1);
    match st.as_deref().map(|v| (v, parse_time(v))) {
        None => TestResult::fail(
            TestId::AccessSasStart,
            "The SAS has no start time (st). Set the start one day before today, as a full UTC date-time.",
        ),
        Some((v, None)) => TestResult::fail(
            TestId::AccessSasStart,
            format!(
                "The SAS start time st={v} is not a full date-time such as 2024-05-01T00:00:00Z."
            ),
        ),
        Some((v, Some(t))) if t <= latest => TestResult::pass(
            TestId::AccessSasStart,
            format!("The SAS is valid from {v}."),
        ),
        Some((v, Some(_))) => TestResult::fail(
            TestId::AccessSasStart,
            format!(
                "The SAS starts at {v}, less than a day ago; set the start one day before today to absorb clock skew."
            ),
        ),
    }
}

fn expiry(se: Option<String>, now: OffsetDateTime) -> TestResult {
    let earliest = now + Duration::weeks(3);
    match se.as_deref().map(|v| (v, parse_time(v))) {
        None => TestResult::fail(
            TestId::AccessSasExpiry,
            "The SAS has no expiry time (se). Set it at least three weeks ahead, as a full UTC date-time.",
        ),
        Some((v, None)) => TestResult::fail(
            TestId::AccessSasExpiry,
            format!("The SAS expiry se={v} is not a full date-time such as 2024-06-01T00:00:00Z."),
        ),
        Some((v, Some(t))) if t >= earliest => TestResult::pass(
            TestId::AccessSasExpiry,
            format!("The SAS is valid until {v}."),
        ),
        Some((v, Some(_))) => TestResult::fail(
            TestId::AccessSasExpiry,
            format!(
                "The SAS expires at {v}, less than three weeks from now; generate a new one that lasts at least three weeks."
            ),
        ),
    }
}

fn blob_name(url: &Url) -> TestResult {
    // The path as parsed keeps percent-escapes, so a space or quote shows up as '%'.
    let name = url.path().rsplit('/').next().unwrap_or("");
    let bad: Vec<char> = name
        .bytes()
        .filter(|b| !b.is_ascii_alphanumeric() && !NAME_EXTRA.contains(b))
        .map(char::from)
        .collect();
    let lower = name.to_ascii_lowercase();
    if name.is_empty() || !lower.ends_with(".vhd") || lower == ".vhd" {
        TestResult::fail(
            TestId::AccessBlobName,
            format!(
                "The URL must name the VHD blob itself, ending in .vhd (…/vhds/<name>.vhd?<sas>); it ends in '{name}'."
            ),
        )
    } else if !bad.is_empty() {
        TestResult::fail(
            TestId::AccessBlobName,
            format!(
                "The blob name '{name}' contains characters that are not allowed ({}); use letters, digits, '-', '_' and '.'.",
                if bad.contains(&'%') {
                    "%, spaces or quotes".to_owned()
                } else {
                    bad.iter().collect::<String>()
                }
            ),
        )
    } else {
        TestResult::pass(TestId::AccessBlobName, format!("The blob is {name}."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Verdict;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-25 12:00 UTC);
    const STRICT: UrlRules = UrlRules {
        allow_http: false,
        require_sas: true,
    };

    fn verdict(results: &[TestResult], id: TestId) -> Option<Verdict> {
        results.iter().find(|r| r.id == id).map(|r| r.verdict)
    }

    #[test]
    fn a_good_sas_url_passes() {
        let r = check_url(
            "https://a.blob.core.windows.net/vhds/ubuntu-22.04.vhd?sv=2020-08-04&sr=c&sp=rl&st=2026-11-20T00:00:00Z&se=2027-01-31T00:00:00Z&sig=abc%3D",
            STRICT,
            NOW,
        );
        assert!(r.iter().all(|t| t.verdict == Verdict::Pass), "{r:#?}");
        assert_eq!(r.len(), 5);
    }

    #[test]
    fn each_sas_rule_fails_alone() {
        let base = "https://a.blob.core.windows.net/vhds/x.vhd?sig=s";
        let r = check_url(
            &format!("{base}&sp=rwl&st=2026-11-20T00:00:00Z&se=2027-01-31T00:00:00Z"),
            STRICT,
            NOW,
        );
        assert_eq!(
            verdict(&r, TestId::AccessSasPermissions),
            Some(Verdict::Fail)
        );
        let r = check_url(
            &format!("{base}&sp=rl&st=2026-11-25T00:00:00Z&se=2027-01-31T00:00:00Z"),
            STRICT,
            NOW,
        );
        assert_eq!(verdict(&r, TestId::AccessSasStart), Some(Verdict::Fail));
        let r = check_url(
            &format!("{base}&sp=rl&st=2026-11-20&se=2027-01-31T00:00:00Z"),
            STRICT,
            NOW,
        );
        assert_eq!(verdict(&r, TestId::AccessSasStart), Some(Verdict::Fail));
        let r = check_url(
            &format!("{base}&sp=rl&st=2026-11-20T00:00:00Z&se=2026-12-10T00:00:00Z"),
            STRICT,
            NOW,
        );
        assert_eq!(verdict(&r, TestId::AccessSasExpiry), Some(Verdict::Fail));
        let r = check_url("https://a.blob.core.windows.net/vhds/x.vhd", STRICT, NOW);
        assert_eq!(
            verdict(&r, TestId::AccessSasPermissions),
            Some(Verdict::Fail)
        );
    }

    #[test]
    fn scheme_and_name() {
        let r = check_url("http://a.example/vhds/x.vhd", STRICT, NOW);
        assert_eq!(verdict(&r, TestId::AccessHttps), Some(Verdict::Fail));
        let open = UrlRules {
            allow_http: true,
            require_sas: false,
        };
        let r = check_url("http://127.0.0.1:8080/vhds/x.vhd", open, NOW);
        assert!(r.iter().all(|t| t.verdict == Verdict::Pass), "{r:#?}");
        for bad in [
            "my disk.vhd",
            "a%25b.vhd",
            "a\"b.vhd",
            "x.vhdx",
            "x.img",
            "",
        ] {
            let r = check_url(&format!("https://a.example/vhds/{bad}"), open, NOW);
            assert_eq!(
                verdict(&r, TestId::AccessBlobName),
                Some(Verdict::Fail),
                "{bad}"
            );
        }
    }
}
