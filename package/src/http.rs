//! Packaging's HTTP client for URLs that publishers supply (images, lead endpoints, storage
//! accounts): `portal_net`'s guarded async client (address policy with pinned DNS, `https://`
//! only unless allowed, redirects followed by its one loop with each target checked again,
//! a time limit per request), with answers read into memory up to a size limit. `GET`s follow
//! redirects; requests sent with [`GuardedClient::send`] (leads, table calls) never do.

use std::time::Duration;

use bytes::Bytes;
pub use portal_net::AddressPolicy;
use portal_net::{ClientOptions, Reason, Refusal};
use reqwest::header::{CONTENT_TYPE, HeaderMap};
use reqwest::{Method, StatusCode};
use url::Url;

/// Where the client may go and how long and how much it may take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpPolicy {
    /// Which addresses may be contacted (loopback and private ones only when allowed).
    pub address: AddressPolicy,
    /// Accept `http://` URLs (tests, demos); otherwise only `https://`.
    pub allow_http: bool,
    /// Time limit of one request: connecting, headers and body.
    pub timeout: Duration,
    /// Redirects followed by a GET; requests with a body never follow redirects.
    pub max_redirects: u32,
}

impl Default for HttpPolicy {
    fn default() -> Self {
        Self {
            address: AddressPolicy::default(),
            allow_http: false,
            timeout: Duration::from_secs(20),
            max_redirects: 3,
        }
    }
}

impl HttpPolicy {
    /// The options of the guarded client this policy calls for.
    pub fn client_options(&self) -> ClientOptions {
        ClientOptions {
            policy: self.address,
            allow_http: self.allow_http,
            timeout: self.timeout,
            max_redirects: self.max_redirects,
            ..ClientOptions::default()
        }
    }

    /// A policy for tests and demos: loopback and `http://` allowed, short time limits.
    pub fn loopback_for_tests() -> Self {
        Self {
            address: AddressPolicy {
                allow_private: true,
                also_allow: None,
            },
            allow_http: true,
            timeout: Duration::from_secs(5),
            max_redirects: 3,
        }
    }
}

/// Why a request got no answer (an answer with any status is not an error here).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    /// Not a URL this client may request.
    #[error("{0}")]
    BadUrl(String),
    /// The host resolves only to addresses the policy refuses.
    #[error(
        "{host} resolves to {addr}, a private, loopback or otherwise non-public address, which this portal does not contact"
    )]
    AddressRefused {
        /// Host name as written in the URL.
        host: String,
        /// The refused address.
        addr: String,
    },
    /// The host name could not be resolved.
    #[error("the host {host} could not be resolved ({reason})")]
    Resolve {
        /// Host name.
        host: String,
        /// Resolver answer.
        reason: String,
    },
    /// No answer within the time limit.
    #[error("no answer within {} seconds", .0.as_secs().max(1))]
    Timeout(Duration),
    /// Connecting or reading failed.
    #[error("the connection failed ({0})")]
    Connect(String),
    /// The body is larger than allowed.
    #[error("the answer is larger than {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// More redirects than allowed.
    #[error("more than {0} redirects")]
    TooManyRedirects(u32),
    /// A redirect without a usable `Location`.
    #[error("a redirect without a valid Location header")]
    BadRedirect,
}

impl From<portal_net::Error> for HttpError {
    fn from(e: portal_net::Error) -> Self {
        match e.reason() {
            Reason::Refused(Refusal::Address { host, addr }) => HttpError::AddressRefused {
                host: host.clone(),
                addr: addr.to_string(),
            },
            Reason::Refused(Refusal::NoAddress(host)) => HttpError::Resolve {
                host: host.clone(),
                reason: "no address".into(),
            },
            Reason::Refused(_) | Reason::InvalidUrl(_) => HttpError::BadUrl(e.reason().to_string()),
            Reason::Resolve { host, reason } => HttpError::Resolve {
                host: host.clone(),
                reason: reason.clone(),
            },
            Reason::Timeout(limit) => HttpError::Timeout(*limit),
            Reason::TooManyRedirects(n) => HttpError::TooManyRedirects(*n),
            Reason::BadRedirect => HttpError::BadRedirect,
            Reason::Connect(why) => HttpError::Connect(why.clone()),
            Reason::ConnectionRefused(_) => HttpError::Connect(e.reason().to_string()),
        }
    }
}

impl HttpError {
    /// Whether trying again later may succeed (time-outs and connection failures).
    pub fn is_transient(&self) -> bool {
        matches!(self, HttpError::Timeout(_) | HttpError::Connect(_))
    }
}

/// An answer with its body read (up to a limit).
#[derive(Debug, Clone)]
pub struct Answer {
    /// Status code.
    pub status: StatusCode,
    /// Response headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
    /// The URL that answered (after redirects).
    pub url: Url,
}

impl Answer {
    /// The `Content-Type` header without parameters, lowercased.
    pub fn content_type(&self) -> Option<String> {
        let raw = self.headers.get(CONTENT_TYPE)?.to_str().ok()?;
        let media = raw.split(';').next().unwrap_or("").trim();
        Some(media.to_ascii_lowercase()).filter(|m| !m.is_empty())
    }

    /// The body as text for messages: lossy UTF-8, whitespace collapsed, cut at `max` characters
    /// (marked with `…`).
    pub fn body_excerpt(&self, max: usize) -> String {
        let text = String::from_utf8_lossy(&self.body);
        let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if collapsed.chars().count() <= max {
            collapsed
        } else {
            let mut cut: String = collapsed.chars().take(max).collect();
            cut.push('…');
            cut
        }
    }
}

/// A request: method, headers and an optional body.
#[derive(Debug, Clone)]
pub struct Request {
    /// HTTP method.
    pub method: Method,
    /// The URL.
    pub url: String,
    /// Extra headers.
    pub headers: HeaderMap,
    /// The body, if any.
    pub body: Option<Bytes>,
}

/// The guarded client, built once from its policy; clones share one connection pool.
#[derive(Debug, Clone)]
pub struct GuardedClient {
    /// Building fails only when the TLS backend cannot start; then every request says so.
    client: Result<portal_net::Client, HttpError>,
}

impl GuardedClient {
    /// A client with a policy.
    pub fn new(policy: HttpPolicy) -> Self {
        let client = portal_net::Client::new(&policy.client_options())
            .map_err(|e| HttpError::Connect(e.to_string()));
        Self { client }
    }

    /// GETs `url`, following redirects (each target checked again), and reads at most
    /// `max_bytes` of the body.
    pub async fn get(&self, url: &str, max_bytes: u64) -> Result<Answer, HttpError> {
        let req = portal_net::Request::get(portal_net::parse_url(url)?);
        self.exchange(&req, max_bytes).await
    }

    /// Sends one request without following redirects (a redirect comes back as the answer)
    /// and reads at most `max_bytes` of the body.
    pub async fn send(&self, req: &Request, max_bytes: u64) -> Result<Answer, HttpError> {
        let url = portal_net::parse_url(&req.url)?;
        let mut out = portal_net::Request::new(req.method.clone(), url)
            .headers(req.headers.clone())
            .follow_redirects(false);
        if let Some(body) = &req.body {
            out = out.body(body.clone());
        }
        self.exchange(&out, max_bytes).await
    }

    async fn exchange(
        &self,
        req: &portal_net::Request,
        max_bytes: u64,
    ) -> Result<Answer, HttpError> {
        let client = self.client.as_ref().map_err(Clone::clone)?;
        let mut resp = client.send(req).await?;
        let url = resp.url().clone();
        let declared = portal_net::identity::content_length(resp.headers());
        if declared.is_some_and(|n| n > max_bytes) {
            return Err(HttpError::TooLarge { limit: max_bytes });
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| client.body_error(req, &url, e))?
        {
            if (body.len() + chunk.len()) as u64 > max_bytes {
                return Err(HttpError::TooLarge { limit: max_bytes });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Answer {
            status: resp.status(),
            headers: resp.headers().clone(),
            body: Bytes::from(body),
            url,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn refuses_other_schemes_and_private_addresses_by_default() {
        let client = GuardedClient::new(HttpPolicy::default());
        for (url, want) in [
            ("ftp://example.com/x.png", "scheme ftp://"),
            ("http://example.com/x.png", "scheme http://"),
            ("https://127.0.0.1/x.png", "non-public"),
            ("https://[::1]/x.png", "non-public"),
            ("https://169.254.169.254/latest", "non-public"),
            ("https://localhost/x.png", "non-public"),
            ("not a url", "not a valid URL"),
        ] {
            let err = client.get(url, 1024).await.unwrap_err();
            assert!(err.to_string().contains(want), "{url}: {err}");
            assert!(!err.is_transient(), "{url}");
        }
    }

    #[test]
    fn excerpts_are_collapsed_and_cut() {
        let answer = Answer {
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            body: Bytes::from_static(b"  line one\n\n  line two  "),
            url: Url::parse("https://example.com").unwrap(),
        };
        assert_eq!(answer.body_excerpt(100), "line one line two");
        assert_eq!(answer.body_excerpt(4), "line…");
    }
}
