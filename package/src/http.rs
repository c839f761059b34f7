//! The guarded asynchronous HTTP client for URLs that publishers supply (images, lead
//! endpoints, storage accounts).
//!
//! The same defences as `portal_vhd::http`'s blocking client, for `reqwest`'s async API: only
//! `https://` unless the policy allows `http://`; the host is resolved once per request and
//! refused when it is not public ([`AddressPolicy`]), and the connection is pinned to the
//! checked address so DNS rebinding cannot bypass the check; redirects are followed by hand
//! with each target checked again (GET), or not at all (requests with a body); every request
//! has a time limit and every body a size limit.
//!
//! What may be contacted is decided by `portal_vhd`'s [`AddressPolicy::target`] and
//! [`AddressPolicy::choose`], shared by every guarded client of the portal.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
pub use portal_vhd::http::AddressPolicy;
use portal_vhd::http::{Refusal, Target};
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, LOCATION};
use reqwest::{Client, Method, StatusCode};
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

/// The guarded client. Cheap to create; each request gets its own connection pinned to the
/// address that passed the policy.
#[derive(Debug, Clone)]
pub struct GuardedClient {
    policy: HttpPolicy,
}

impl GuardedClient {
    /// A client with a policy.
    pub fn new(policy: HttpPolicy) -> Self {
        Self { policy }
    }

    /// GETs `url`, following redirects by hand (each target checked again), and reads at most
    /// `max_bytes` of the body.
    pub async fn get(&self, url: &str, max_bytes: u64) -> Result<Answer, HttpError> {
        let mut url = parse_url(url)?;
        for hop in 0..=self.policy.max_redirects {
            let req = Request {
                method: Method::GET,
                url: url.to_string(),
                headers: HeaderMap::new(),
                body: None,
            };
            let answer = self.send_once(&req, &url, max_bytes).await?;
            if !answer.status.is_redirection() {
                return Ok(answer);
            }
            if hop == self.policy.max_redirects {
                break;
            }
            let location = answer
                .headers
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or(HttpError::BadRedirect)?;
            url = url.join(location).map_err(|_| HttpError::BadRedirect)?;
        }
        Err(HttpError::TooManyRedirects(self.policy.max_redirects))
    }

    /// Sends one request without following redirects (a redirect comes back as the answer)
    /// and reads at most `max_bytes` of the body.
    pub async fn send(&self, req: &Request, max_bytes: u64) -> Result<Answer, HttpError> {
        let url = parse_url(&req.url)?;
        self.send_once(req, &url, max_bytes).await
    }

    async fn send_once(
        &self,
        req: &Request,
        url: &Url,
        max_bytes: u64,
    ) -> Result<Answer, HttpError> {
        let client = self.client_for(url).await?;
        let mut builder = client
            .request(req.method.clone(), url.clone())
            .headers(req.headers.clone());
        if let Some(body) = &req.body {
            builder = builder.body(body.clone());
        }
        let timeout = self.policy.timeout;
        let mut resp = builder.send().await.map_err(|e| map_error(&e, timeout))?;
        let declared = resp
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > max_bytes) {
            return Err(HttpError::TooLarge { limit: max_bytes });
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| map_error(&e, timeout))? {
            if (body.len() + chunk.len()) as u64 > max_bytes {
                return Err(HttpError::TooLarge { limit: max_bytes });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Answer {
            status: resp.status(),
            headers: resp.headers().clone(),
            body: Bytes::from(body),
            url: url.clone(),
        })
    }

    /// A client that may only reach the checked address of `url`'s host.
    async fn client_for(&self, url: &Url) -> Result<Client, HttpError> {
        let policy = self.policy.address;
        let builder = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(self.policy.timeout)
            .connect_timeout(self.policy.timeout)
            .no_proxy()
            .use_rustls_tls();
        let builder = match policy
            .target(url, self.policy.allow_http)
            .map_err(refusal)?
        {
            Target::Address(_) => builder,
            Target::Name { name, port } => {
                let resolve = tokio::net::lookup_host((name, port));
                let addrs: Vec<SocketAddr> = tokio::time::timeout(self.policy.timeout, resolve)
                    .await
                    .map_err(|_| HttpError::Timeout(self.policy.timeout))?
                    .map_err(|e| HttpError::Resolve {
                        host: name.to_owned(),
                        reason: e.to_string(),
                    })?
                    .collect();
                builder.resolve(name, policy.choose(name, &addrs).map_err(refusal)?)
            }
        };
        builder
            .build()
            .map_err(|e| HttpError::Connect(e.to_string()))
    }
}

fn refusal(r: Refusal) -> HttpError {
    match r {
        Refusal::Address { host, addr } => HttpError::AddressRefused {
            host,
            addr: addr.to_string(),
        },
        Refusal::NoAddress(host) => HttpError::Resolve {
            host,
            reason: "no address".into(),
        },
        Refusal::Scheme(_) | Refusal::NoPort | Refusal::NoHost => HttpError::BadUrl(r.to_string()),
    }
}

fn parse_url(raw: &str) -> Result<Url, HttpError> {
    Url::parse(raw.trim()).map_err(|e| HttpError::BadUrl(format!("not a valid URL ({e})")))
}

fn map_error(e: &reqwest::Error, timeout: Duration) -> HttpError {
    if e.is_timeout() {
        return HttpError::Timeout(timeout);
    }
    // The chain of causes names the real problem ("connection refused", a TLS error …).
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    HttpError::Connect(msg)
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
