//! The guarded HTTP client for images: the URLs come from publishers, so (like
//! `portal_vhd::http`) only `https` unless allowed, the host is resolved once and refused when
//! [`AddressPolicy`] forbids the address, the connection is pinned to the checked address (no
//! DNS rebinding), no proxy, redirects followed by hand with each target re-checked, and
//! connect and read time limits. The SAS query string is a secret: it never appears in errors
//! or logs ([`redact`]).

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use futures::{Stream, StreamExt};
use portal_vhd::{AddressPolicy, ImageIdentity, Refusal, Target};
use reqwest::header::{CONTENT_LENGTH, ETAG, HeaderMap, HeaderName, LAST_MODIFIED, LOCATION};
use reqwest::{Client, Method, Response, StatusCode};
use url::Url;

use crate::error::{ReplicateError, chain};

/// Policy and time limits of the image client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceOptions {
    /// Which addresses may be contacted (loopback and private only when allowed).
    pub address: AddressPolicy,
    /// Accept `http://` image URLs (tests, demos); otherwise only `https://`.
    pub allow_http: bool,
    /// Time limit to connect.
    pub connect_timeout: Duration,
    /// Longest wait for the next bytes of an answer (headers or body).
    pub read_timeout: Duration,
    /// Redirects followed per request, each target checked again.
    pub max_redirects: u32,
}

impl Default for SourceOptions {
    fn default() -> Self {
        Self {
            address: AddressPolicy::default(),
            allow_http: false,
            connect_timeout: Duration::from_secs(20),
            read_timeout: Duration::from_secs(60),
            max_redirects: 3,
        }
    }
}

/// `url` without its query string and fragment (a SAS URL's query holds its signature).
pub fn redact(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut u) => {
            u.set_query(None);
            u.set_fragment(None);
            u.to_string()
        }
        Err(_) => url.split(['?', '#']).next().unwrap_or_default().to_owned(),
    }
}

/// The image client: one pinned `reqwest` client per (host, port) seen.
#[derive(Debug)]
pub(crate) struct SourceClient {
    opts: SourceOptions,
    clients: Mutex<Vec<(String, u16, Client)>>,
}

impl SourceClient {
    pub(crate) fn new(opts: SourceOptions) -> Self {
        Self {
            opts,
            clients: Mutex::new(Vec::new()),
        }
    }

    /// `HEAD`: the image's size, `ETag` and `Last-Modified`.
    pub(crate) async fn identity(&self, url: &str) -> Result<ImageIdentity, ReplicateError> {
        let resp = self.send(Method::HEAD, url).await?;
        let shown = redact(url);
        check_status(&resp, &shown)?;
        let size = header(resp.headers(), CONTENT_LENGTH)
            .and_then(|v| v.trim().parse().ok())
            .ok_or_else(|| ReplicateError::SourceFailed {
                url: shown,
                detail: "the server sent no Content-Length for HEAD".into(),
            })?;
        Ok(identity_of(resp.headers(), size))
    }

    /// `GET` of the whole image, which must still be `expected`; the body as a stream that
    /// fails unless it has exactly `expected.size` bytes.
    pub(crate) async fn body(
        &self,
        url: &str,
        expected: &ImageIdentity,
    ) -> Result<
        impl Stream<Item = Result<Bytes, ReplicateError>> + Send + Unpin + use<>,
        ReplicateError,
    > {
        let resp = self.send(Method::GET, url).await?;
        let shown = redact(url);
        check_status(&resp, &shown)?;
        let size = header(resp.headers(), CONTENT_LENGTH)
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(expected.size);
        let now = identity_of(resp.headers(), size);
        if let Some(detail) = difference(expected, &now) {
            return Err(ReplicateError::SourceChanged { url: shown, detail });
        }
        let read_timeout = self.opts.read_timeout;
        Ok(ExactLength::new(
            resp.bytes_stream().boxed(),
            expected.size,
            move |e: reqwest::Error, got: u64| ReplicateError::SourceFailed {
                url: shown.clone(),
                detail: if e.is_timeout() {
                    format!(
                        "no data for {} s after {got} bytes",
                        read_timeout.as_secs().max(1)
                    )
                } else {
                    format!("the connection broke after {got} bytes: {}", chain(&e))
                },
            },
            {
                let (url, want) = (redact(url), expected.size);
                move |got| ReplicateError::SourceChanged {
                    url: url.clone(),
                    detail: format!("{got} bytes received, {want} expected"),
                }
            },
        ))
    }

    async fn send(&self, method: Method, url: &str) -> Result<Response, ReplicateError> {
        let shown = redact(url);
        let mut url = Url::parse(url).map_err(|e| ReplicateError::BadSourceUrl {
            url: shown.clone(),
            reason: e.to_string(),
        })?;
        for _hop in 0..=self.opts.max_redirects {
            let client = self.client_for(&url, &shown).await?;
            let resp = client
                .request(method.clone(), url.clone())
                .send()
                .await
                .map_err(|e| send_error(&e, &shown, &url))?;
            if !resp.status().is_redirection() {
                return Ok(resp);
            }
            let location =
                header(resp.headers(), LOCATION).ok_or_else(|| ReplicateError::BadSourceUrl {
                    url: shown.clone(),
                    reason: format!("HTTP {} without a Location", resp.status().as_u16()),
                })?;
            url = url
                .join(&location)
                .map_err(|e| ReplicateError::BadSourceUrl {
                    url: shown.clone(),
                    reason: format!("redirect to an invalid URL: {e}"),
                })?;
        }
        Err(ReplicateError::BadSourceUrl {
            url: shown,
            reason: format!("more than {} redirects", self.opts.max_redirects),
        })
    }

    async fn client_for(&self, url: &Url, shown: &str) -> Result<Client, ReplicateError> {
        let policy = self.opts.address;
        let refusal = |r: Refusal| match r {
            Refusal::Address { host, addr } => ReplicateError::AddressRefused {
                url: shown.to_owned(),
                host,
                addr: addr.to_string(),
            },
            Refusal::NoAddress(name) => ReplicateError::SourceVanished {
                url: shown.to_owned(),
                detail: format!("the host {name} has no address"),
            },
            Refusal::Scheme(_) | Refusal::NoPort | Refusal::NoHost => {
                ReplicateError::BadSourceUrl {
                    url: shown.to_owned(),
                    reason: r.to_string(),
                }
            }
        };
        let target = policy.target(url, self.opts.allow_http).map_err(refusal)?;
        let (host_key, port) = match target {
            Target::Address(addr) => (addr.ip().to_string(), addr.port()),
            Target::Name { name, port } => (name.to_owned(), port),
        };
        if let Some(c) = self.cached(&host_key, port) {
            return Ok(c);
        }
        let builder = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(self.opts.connect_timeout)
            .read_timeout(self.opts.read_timeout)
            .no_proxy()
            .use_rustls_tls();
        let builder = match target {
            Target::Address(_) => builder,
            Target::Name { name, port } => {
                let addrs: Vec<SocketAddr> = tokio::net::lookup_host((name, port))
                    .await
                    .map_err(|e| ReplicateError::SourceVanished {
                        url: shown.to_owned(),
                        detail: format!("the host {name} cannot be resolved: {e}"),
                    })?
                    .collect();
                builder.resolve(name, policy.choose(name, &addrs).map_err(refusal)?)
            }
        };
        let client = builder.build().map_err(|e| ReplicateError::SourceFailed {
            url: shown.to_owned(),
            detail: chain(&e),
        })?;
        if let Ok(mut clients) = self.clients.lock() {
            clients.push((host_key, port, client.clone()));
        }
        Ok(client)
    }

    fn cached(&self, host: &str, port: u16) -> Option<Client> {
        let clients = self.clients.lock().ok()?;
        clients
            .iter()
            .find(|(h, p, _)| h == host && *p == port)
            .map(|(_, _, c)| c.clone())
    }
}

fn send_error(e: &reqwest::Error, shown: &str, url: &Url) -> ReplicateError {
    let refused = {
        let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
        let mut found = false;
        while let Some(c) = cur {
            if let Some(io) = c.downcast_ref::<std::io::Error>() {
                found |= io.kind() == std::io::ErrorKind::ConnectionRefused;
            }
            cur = c.source();
        }
        found
    };
    if refused {
        let at = url.host_str().unwrap_or_default();
        return ReplicateError::SourceVanished {
            url: shown.to_owned(),
            detail: format!("nothing answers at {at} any more (connection refused)"),
        };
    }
    let detail = if e.is_timeout() {
        "no answer in time".to_owned()
    } else {
        chain(e)
    };
    ReplicateError::SourceFailed {
        url: shown.to_owned(),
        detail,
    }
}

fn check_status(resp: &Response, shown: &str) -> Result<(), ReplicateError> {
    match resp.status() {
        s if s.is_success() => Ok(()),
        StatusCode::NOT_FOUND | StatusCode::GONE => Err(ReplicateError::SourceVanished {
            url: shown.to_owned(),
            detail: format!("HTTP {}", resp.status().as_u16()),
        }),
        s => Err(ReplicateError::SourceStatus {
            url: shown.to_owned(),
            status: s.as_u16(),
        }),
    }
}

fn header(headers: &HeaderMap, name: HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn identity_of(headers: &HeaderMap, size: u64) -> ImageIdentity {
    ImageIdentity {
        size,
        etag: header(headers, ETAG),
        last_modified: header(headers, LAST_MODIFIED),
    }
}

/// What differs between two identities of one image, if anything. A validator the server
/// sent only once is not compared.
pub(crate) fn difference(before: &ImageIdentity, now: &ImageIdentity) -> Option<String> {
    if before.size != now.size {
        return Some(format!("size {} became {}", before.size, now.size));
    }
    if let (Some(a), Some(b)) = (&before.etag, &now.etag)
        && a != b
    {
        return Some(format!("ETag {a} became {b}"));
    }
    if let (Some(a), Some(b)) = (&before.last_modified, &now.last_modified)
        && a != b
    {
        return Some(format!("Last-Modified {a} became {b}"));
    }
    None
}

/// Passes a byte stream through, failing as soon as it yields more than `size` bytes, or at
/// its end when it yielded fewer (`wrong_length(bytes)`); `broken(err, bytes)` maps its errors.
/// Ends after the first error.
pub(crate) struct ExactLength<S, B, W> {
    inner: S,
    size: u64,
    got: u64,
    done: bool,
    broken: B,
    wrong_length: W,
}

impl<S, B, W> ExactLength<S, B, W> {
    pub(crate) fn new(inner: S, size: u64, broken: B, wrong_length: W) -> Self {
        Self {
            inner,
            size,
            got: 0,
            done: false,
            broken,
            wrong_length,
        }
    }
}

impl<S, E, B, W> Stream for ExactLength<S, B, W>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    B: Fn(E, u64) -> ReplicateError + Unpin,
    W: Fn(u64) -> ReplicateError + Unpin,
{
    type Item = Result<Bytes, ReplicateError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(None);
        }
        let item = match ready!(this.inner.poll_next_unpin(cx)) {
            Some(Ok(chunk)) => {
                this.got += chunk.len() as u64;
                if this.got > this.size {
                    Err((this.wrong_length)(this.got))
                } else {
                    return Poll::Ready(Some(Ok(chunk)));
                }
            }
            Some(Err(e)) => Err((this.broken)(e, this.got)),
            None if this.got != this.size => Err((this.wrong_length)(this.got)),
            None => {
                this.done = true;
                return Poll::Ready(None);
            }
        };
        this.done = true;
        Poll::Ready(Some(item))
    }
}
