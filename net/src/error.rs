//! [`Error`]: why a guarded request got no answer, naming the URL without its secrets
//! ([`redact`]).

use std::error::Error as StdError;
use std::time::Duration;

use url::Url;

use crate::policy::Refusal;
use crate::resolve::ResolveFailure;

/// `raw` as it may appear in messages and logs: without its query string and fragment (a SAS
/// URL's query holds its signature, a Logic App trigger's its key) and without user name and
/// password. Text that is not a URL keeps what comes before any `?` or `#`, minus any
/// `user:password@`.
pub fn redact(raw: &str) -> String {
    match Url::parse(raw.trim()) {
        Ok(url) => redact_url(&url),
        Err(_) => {
            let head = raw.split(['?', '#']).next().unwrap_or_default();
            match (head.find("://"), head.rfind('@')) {
                (Some(scheme_end), Some(at)) if at > scheme_end => {
                    format!("{}{}", &head[..scheme_end + 3], &head[at + 1..])
                }
                (None, Some(at)) => head[at + 1..].to_owned(),
                _ => head.to_owned(),
            }
        }
    }
}

/// [`redact`] of a parsed URL.
pub fn redact_url(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    // Only URLs that cannot have credentials refuse these, and then there are none.
    let _ = shown.set_password(None);
    let _ = shown.set_username("");
    shown.to_string()
}

/// What went wrong, without the URL (that is in [`Error`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Reason {
    /// The text is not a URL.
    #[error("not a valid URL ({0})")]
    InvalidUrl(String),
    /// The policy refuses the URL: its scheme, or the address its host is or resolves to.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The host name could not be resolved.
    #[error("the host {host} could not be resolved ({reason})")]
    Resolve {
        /// The host name.
        host: String,
        /// The resolver's answer.
        reason: String,
    },
    /// More redirects than allowed.
    #[error("more than {0} redirects")]
    TooManyRedirects(u32),
    /// A redirect without a usable `Location`.
    #[error("a redirect without a valid Location header")]
    BadRedirect,
    /// No answer (or no further bytes) within the time limit.
    #[error("no answer within {} seconds", .0.as_secs().max(1))]
    Timeout(Duration),
    /// Nothing listens at the address (TCP connection refused).
    #[error("nothing answers at {0} (connection refused)")]
    ConnectionRefused(String),
    /// Connecting, TLS or the transfer failed otherwise.
    #[error("the connection failed ({0})")]
    Connect(String),
}

/// Why a guarded request got no answer (an answer with any status is not an error).
///
/// Every URL it holds or prints is redacted ([`redact`]): the query string, which holds SAS
/// signatures, never reaches a message or a log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    url: String,
    hop: Option<String>,
    reason: Reason,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.hop {
            Some(hop) => write!(f, "{} (redirected to {hop}): {}", self.url, self.reason),
            None => write!(f, "{}: {}", self.url, self.reason),
        }
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&self.reason)
    }
}

impl Error {
    /// An error about `url` (the URL as requested) met at `at` (the redirect hop, or `url`).
    pub(crate) fn at(url: &Url, at: &Url, reason: Reason) -> Self {
        Self {
            url: redact_url(url),
            hop: (at != url).then(|| redact_url(at)),
            reason,
        }
    }

    /// The URL as requested, redacted.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The redirect target (redacted) where it failed, when it was not the first URL.
    pub fn redirected_to(&self) -> Option<&str> {
        self.hop.as_deref()
    }

    /// What went wrong.
    pub fn reason(&self) -> &Reason {
        &self.reason
    }

    /// Whether trying again later may succeed (time-outs and connection failures).
    pub fn is_transient(&self) -> bool {
        matches!(self.reason, Reason::Timeout(_) | Reason::Connect(_))
    }

    /// Whether the policy refused the destination (scheme or address).
    pub fn refusal(&self) -> Option<&Refusal> {
        match &self.reason {
            Reason::Refused(r) => Some(r),
            _ => None,
        }
    }

    /// A URL that does not parse; `raw` is redacted.
    pub fn invalid_url(raw: &str, e: url::ParseError) -> Self {
        Self {
            url: redact(raw),
            hop: None,
            reason: Reason::InvalidUrl(e.to_string()),
        }
    }

    /// Maps a `reqwest` error met while sending to `at` (or, from callers, while reading the
    /// body of its answer) to an [`Error`] about `url`. `timeout` is the limit to name when
    /// it timed out. reqwest's own message (which holds the whole URL) is used without it.
    pub fn from_reqwest(url: &Url, at: &Url, e: reqwest::Error, timeout: Duration) -> Self {
        let reason = if e.is_timeout() {
            Reason::Timeout(timeout)
        } else if let Some(r) = find::<Refusal>(&e) {
            Reason::Refused(r.clone())
        } else if let Some(ResolveFailure { host, reason }) = find::<ResolveFailure>(&e) {
            Reason::Resolve {
                host: host.clone(),
                reason: reason.clone(),
            }
        } else if connection_refused(&e) {
            let host = match (at.host_str(), at.port_or_known_default()) {
                (Some(h), Some(p)) => format!("{h}:{p}"),
                (h, _) => h.unwrap_or_default().to_owned(),
            };
            Reason::ConnectionRefused(host)
        } else {
            Reason::Connect(chain(&e.without_url()))
        };
        Self::at(url, at, reason)
    }
}

/// The first cause of type `T` in `e`'s chain.
fn find<'e, T: StdError + 'static>(e: &'e (dyn StdError + 'static)) -> Option<&'e T> {
    let mut cur = Some(e);
    while let Some(c) = cur {
        if let Some(t) = c.downcast_ref::<T>() {
            return Some(t);
        }
        cur = c.source();
    }
    None
}

fn connection_refused(e: &(dyn StdError + 'static)) -> bool {
    find::<std::io::Error>(e).is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused)
}

/// The error and its causes on one line, without repeating a cause already in the text.
pub fn chain(err: &(dyn StdError + 'static)) -> String {
    let mut text = err.to_string();
    let mut cur = err.source();
    while let Some(e) = cur {
        let part = e.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        cur = e.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_drops_query_fragment_and_credentials() {
        assert_eq!(
            redact("https://a.blob.core.windows.net/c/os.vhd?sv=2024&sig=SECRET#frag"),
            "https://a.blob.core.windows.net/c/os.vhd"
        );
        assert_eq!(
            redact(
                "https://user:pw@prod.logic.azure.com/workflows/1/triggers?api-version=1&sig=SECRET"
            ),
            "https://prod.logic.azure.com/workflows/1/triggers"
        );
        // Not a URL: what comes before the query, without credentials.
        assert_eq!(
            redact("https://user:pw@host:99999/x?sig=SECRET"),
            "https://host:99999/x"
        );
        assert_eq!(redact("not a url?sig=SECRET"), "not a url");
    }

    #[test]
    fn messages_hold_no_query() {
        let url = Url::parse("https://h.example/os.vhd?sig=SECRET").unwrap();
        let hop = Url::parse("https://10.0.0.1/os.vhd?sig=OTHER").unwrap();
        let err = Error::at(
            &url,
            &hop,
            Reason::Refused(Refusal::Address {
                host: "10.0.0.1".into(),
                addr: "10.0.0.1".parse().unwrap(),
            }),
        );
        let shown = err.to_string();
        assert!(
            !shown.contains("SECRET") && !shown.contains("OTHER"),
            "{shown}"
        );
        assert!(shown.starts_with("https://h.example/os.vhd (redirected to https://10.0.0.1/os.vhd): 10.0.0.1 resolves to 10.0.0.1"), "{shown}");
        let bad = Error::invalid_url("https://h:99999/x?sig=SECRET", url::ParseError::InvalidPort);
        assert!(!bad.to_string().contains("SECRET"), "{bad}");
    }
}
