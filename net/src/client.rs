//! The guarded clients, async ([`Client`]) and blocking ([`BlockingClient`]), built once from
//! one [`ClientOptions`], and the one redirect loop they share.
//!
//! Both wrap a `reqwest` client with automatic redirects off, no proxy, rustls, the time
//! limits and the [`PolicyResolver`](crate::resolve). Every request goes through
//! [`Client::send`] (or `send_with`): each URL of the chain — the first and every redirect
//! target — is checked with [`AddressPolicy::target`] before it is sent, and a redirect is
//! followed only by [`Guard::next_hop`], at most `max_redirects` times.

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{
    AUTHORIZATION, COOKIE, HeaderMap, HeaderName, HeaderValue, LOCATION, PROXY_AUTHORIZATION,
};
use reqwest::{Method, StatusCode};
use url::Url;

use crate::error::{Error, Reason};
use crate::policy::AddressPolicy;
use crate::resolve::PolicyResolver;

/// What a guarded client may contact, and how long and how far it may go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientOptions {
    /// Which addresses may be contacted.
    pub policy: AddressPolicy,
    /// Accept `http://` URLs (tests, demos); otherwise only `https://`.
    pub allow_http: bool,
    /// Time limit to connect (name resolution included) and, unless `read_timeout` is set, of
    /// each whole request: headers and body.
    pub timeout: Duration,
    /// For long downloads: the longest wait for the next bytes, instead of a limit on the
    /// whole request. Async client only; the blocking client always limits whole requests.
    pub read_timeout: Option<Duration>,
    /// Redirects followed per request, each target checked again.
    pub max_redirects: u32,
    /// The `User-Agent` header of every request.
    pub user_agent: String,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            policy: AddressPolicy::default(),
            allow_http: false,
            timeout: Duration::from_secs(20),
            read_timeout: None,
            max_redirects: 3,
            user_agent: concat!("partner-portal/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

/// A client could not be built (the TLS backend or the runtime of the blocking client did
/// not start, or the user agent is not a header value).
#[derive(Debug, thiserror::Error)]
#[error("the HTTP client could not be built: {0}")]
pub struct BuildError(String);

/// One request: method, URL, headers, optional body, and whether redirects are followed.
#[derive(Debug, Clone)]
pub struct Request {
    method: Method,
    url: Url,
    headers: HeaderMap,
    body: Option<Bytes>,
    follow_redirects: bool,
}

impl Request {
    /// A request without a body; redirects are followed.
    pub fn new(method: Method, url: Url) -> Self {
        Self {
            method,
            url,
            headers: HeaderMap::new(),
            body: None,
            follow_redirects: true,
        }
    }

    /// A `GET`, following redirects.
    pub fn get(url: Url) -> Self {
        Self::new(Method::GET, url)
    }

    /// A `HEAD`, following redirects.
    pub fn head(url: Url) -> Self {
        Self::new(Method::HEAD, url)
    }

    /// Adds a header.
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.insert(name, value);
        self
    }

    /// Adds headers.
    pub fn headers(mut self, headers: HeaderMap) -> Self {
        self.headers.extend(headers);
        self
    }

    /// Sets the body. A request with a body never follows redirects: the redirect comes back
    /// as the answer (resending a body elsewhere is the caller's decision, not the client's).
    pub fn body(mut self, body: Bytes) -> Self {
        self.body = Some(body);
        self.follow_redirects = false;
        self
    }

    /// Whether redirects are followed (default for requests without a body).
    pub fn follow_redirects(mut self, follow: bool) -> Self {
        self.follow_redirects = follow && self.body.is_none();
        self
    }

    /// The URL.
    pub fn url(&self) -> &Url {
        &self.url
    }
}

/// Parses a URL from a publisher; the error's message holds it redacted.
pub fn parse_url(raw: &str) -> Result<Url, Error> {
    Url::parse(raw.trim()).map_err(|e| Error::invalid_url(raw, e))
}

/// What both clients decide the same way: the policy check of each hop, the redirect step,
/// the time limit named in errors.
#[derive(Debug, Clone)]
struct Guard {
    opts: ClientOptions,
}

/// The redirect statuses followed; other 3xx answers (`304`, `300`) are answers.
fn is_redirect(status: StatusCode) -> bool {
    matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
}

impl Guard {
    /// Checks `at` (a hop of the request for `url`) before it is sent.
    fn check(&self, url: &Url, at: &Url) -> Result<(), Error> {
        self.opts
            .policy
            .target(at, self.opts.allow_http)
            .map(|_| ())
            .map_err(|r| Error::at(url, at, Reason::Refused(r)))
    }

    /// The redirect step: where to go after `at` answered `status` with `headers`, having
    /// followed `hops` redirects already; `None` when the answer is the answer.
    fn next_hop(
        &self,
        req: &Request,
        at: &Url,
        hops: u32,
        status: StatusCode,
        headers: &HeaderMap,
    ) -> Result<Option<Url>, Error> {
        if !req.follow_redirects || !is_redirect(status) {
            return Ok(None);
        }
        let fail = |reason| Error::at(&req.url, at, reason);
        if hops >= self.opts.max_redirects {
            return Err(fail(Reason::TooManyRedirects(self.opts.max_redirects)));
        }
        let location = headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| fail(Reason::BadRedirect))?;
        let next = at.join(location).map_err(|_| fail(Reason::BadRedirect))?;
        Ok(Some(next))
    }

    /// The headers for the hop from `from` to `to`: credentials stay with their origin.
    fn carry(headers: &mut HeaderMap, from: &Url, to: &Url) {
        if from.origin() != to.origin() {
            for name in [AUTHORIZATION, COOKIE, PROXY_AUTHORIZATION] {
                headers.remove(name);
            }
        }
    }

    fn send_error(&self, url: &Url, at: &Url, e: reqwest::Error) -> Error {
        let limit = match self.opts.read_timeout {
            Some(read) if !e.is_connect() => read,
            _ => self.opts.timeout,
        };
        Error::from_reqwest(url, at, e, limit)
    }
}

/// The guarded async client. Cheap to clone (one connection pool).
#[derive(Debug, Clone)]
pub struct Client {
    inner: reqwest::Client,
    guard: Guard,
}

impl Client {
    /// Builds the client: automatic redirects off, no proxy, the time limits, and the
    /// resolver that checks every address a host resolves to.
    pub fn new(opts: &ClientOptions) -> Result<Self, BuildError> {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .use_rustls_tls()
            .connect_timeout(opts.timeout)
            .user_agent(opts.user_agent.as_str())
            .dns_resolver(PolicyResolver::shared(opts.policy));
        builder = match opts.read_timeout {
            Some(read) => builder.read_timeout(read),
            None => builder.timeout(opts.timeout),
        };
        Ok(Self {
            inner: builder.build().map_err(|e| BuildError(e.to_string()))?,
            guard: Guard { opts: opts.clone() },
        })
    }

    /// The options it was built from.
    pub fn options(&self) -> &ClientOptions {
        &self.guard.opts
    }

    /// Sends `req`, following redirects when it may (each target checked again). The answer
    /// is the last hop's (`Response::url` says where it came from).
    pub async fn send(&self, req: &Request) -> Result<reqwest::Response, Error> {
        self.send_with(req, |_| Ok::<(), Error>(())).await
    }

    /// [`Client::send`], calling `before_each` with each hop's URL after it passed the policy
    /// and before it is sent (to count requests against a budget); its error stops the loop.
    pub async fn send_with<E: From<Error>>(
        &self,
        req: &Request,
        mut before_each: impl FnMut(&Url) -> Result<(), E>,
    ) -> Result<reqwest::Response, E> {
        let guard = &self.guard;
        let (mut at, mut headers, mut hops) = (req.url.clone(), req.headers.clone(), 0);
        loop {
            guard.check(&req.url, &at)?;
            before_each(&at)?;
            let mut builder = self
                .inner
                .request(req.method.clone(), at.clone())
                .headers(headers.clone());
            if let Some(body) = &req.body {
                builder = builder.body(body.clone());
            }
            let resp = builder
                .send()
                .await
                .map_err(|e| guard.send_error(&req.url, &at, e))?;
            match guard.next_hop(req, &at, hops, resp.status(), resp.headers())? {
                None => return Ok(resp),
                Some(next) => {
                    Guard::carry(&mut headers, &at, &next);
                    at = next;
                    hops += 1;
                }
            }
        }
    }

    /// Maps an error met while reading the body of the answer to `req` (from `at`).
    pub fn body_error(&self, req: &Request, at: &Url, e: reqwest::Error) -> Error {
        self.guard.send_error(&req.url, at, e)
    }
}

/// The guarded blocking client (certification reads images from `spawn_blocking`).
#[derive(Debug, Clone)]
pub struct BlockingClient {
    inner: reqwest::blocking::Client,
    guard: Guard,
}

impl BlockingClient {
    /// Builds the client as [`Client::new`] does; every request is limited as a whole
    /// (`timeout`), `read_timeout` does not apply. Must not be called from async code.
    pub fn new(opts: &ClientOptions) -> Result<Self, BuildError> {
        let inner = reqwest::blocking::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .use_rustls_tls()
            .connect_timeout(opts.timeout)
            .timeout(opts.timeout)
            .user_agent(opts.user_agent.as_str())
            .dns_resolver(PolicyResolver::shared(opts.policy))
            .build()
            .map_err(|e| BuildError(e.to_string()))?;
        Ok(Self {
            inner,
            guard: Guard {
                opts: ClientOptions {
                    read_timeout: None,
                    ..opts.clone()
                },
            },
        })
    }

    /// The options it was built from.
    pub fn options(&self) -> &ClientOptions {
        &self.guard.opts
    }

    /// Sends `req` as [`Client::send`] does.
    pub fn send(&self, req: &Request) -> Result<reqwest::blocking::Response, Error> {
        self.send_with(req, |_| Ok::<(), Error>(()))
    }

    /// Sends `req` as [`Client::send_with`] does.
    pub fn send_with<E: From<Error>>(
        &self,
        req: &Request,
        mut before_each: impl FnMut(&Url) -> Result<(), E>,
    ) -> Result<reqwest::blocking::Response, E> {
        let guard = &self.guard;
        let (mut at, mut headers, mut hops) = (req.url.clone(), req.headers.clone(), 0);
        loop {
            guard.check(&req.url, &at)?;
            before_each(&at)?;
            let mut builder = self
                .inner
                .request(req.method.clone(), at.clone())
                .headers(headers.clone());
            if let Some(body) = &req.body {
                builder = builder.body(body.clone());
            }
            let resp = builder
                .send()
                .map_err(|e| guard.send_error(&req.url, &at, e))?;
            match guard.next_hop(req, &at, hops, resp.status(), resp.headers())? {
                None => return Ok(resp),
                Some(next) => {
                    Guard::carry(&mut headers, &at, &next);
                    at = next;
                    hops += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard(max_redirects: u32) -> Guard {
        Guard {
            opts: ClientOptions {
                max_redirects,
                ..ClientOptions::default()
            },
        }
    }

    fn location(to: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(LOCATION, HeaderValue::from_str(to).unwrap());
        h
    }

    #[test]
    fn the_redirect_step_follows_relative_locations_up_to_the_limit() {
        let url = Url::parse("https://a.example/c/os.vhd?sig=S").unwrap();
        let req = Request::get(url.clone());
        let g = guard(2);
        let next = g
            .next_hop(&req, &url, 0, StatusCode::FOUND, &location("/d/os.vhd"))
            .unwrap();
        assert_eq!(next.unwrap().as_str(), "https://a.example/d/os.vhd");
        let err = g
            .next_hop(&req, &url, 2, StatusCode::FOUND, &location("/d"))
            .unwrap_err();
        assert_eq!(err.reason(), &Reason::TooManyRedirects(2));
        let err = g
            .next_hop(&req, &url, 0, StatusCode::FOUND, &HeaderMap::new())
            .unwrap_err();
        assert_eq!(err.reason(), &Reason::BadRedirect);
        for status in [StatusCode::OK, StatusCode::NOT_MODIFIED] {
            assert_eq!(
                g.next_hop(&req, &url, 0, status, &location("/d")).unwrap(),
                None
            );
        }
    }

    #[test]
    fn requests_with_a_body_return_redirects_as_answers() {
        let url = Url::parse("https://a.example/lead").unwrap();
        let post = Request::new(Method::POST, url.clone())
            .body(Bytes::from_static(b"{}"))
            .follow_redirects(true);
        let step = guard(3).next_hop(
            &post,
            &url,
            0,
            StatusCode::TEMPORARY_REDIRECT,
            &location("/x"),
        );
        assert_eq!(step.unwrap(), None);
    }

    #[test]
    fn credentials_stay_with_their_origin() {
        let a = Url::parse("https://a.example/x").unwrap();
        let b = Url::parse("https://b.example/x").unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_static("SharedKey k"));
        Guard::carry(&mut headers, &a, &a.join("/y").unwrap());
        assert!(headers.contains_key(AUTHORIZATION));
        Guard::carry(&mut headers, &a, &b);
        assert!(!headers.contains_key(AUTHORIZATION));
    }
}
