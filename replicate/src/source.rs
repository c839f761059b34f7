//! The image client: `portal_net`'s guarded async client (only `https` unless allowed, the
//! address policy with the connection pinned to the checked addresses, no proxy, redirects
//! followed by its one loop with each target checked again, connect and read time limits),
//! and what provisioning asks of it: an image's identity (`HEAD`) and its body as a stream of
//! exactly the expected length. The SAS query string is a secret: it never appears in errors
//! or logs ([`redact`]).

use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use futures::{Stream, StreamExt};
use portal_net::identity::content_length;
pub use portal_net::redact;
use portal_net::{AddressPolicy, ClientOptions, ImageIdentity, Reason, Refusal, Request};
use reqwest::{Response, StatusCode};

use crate::error::ReplicateError;

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

impl SourceOptions {
    /// The options of the guarded client: a gigabyte image takes minutes, so the time limit is
    /// on each wait for bytes, not on the whole request.
    pub fn client_options(&self) -> ClientOptions {
        ClientOptions {
            policy: self.address,
            allow_http: self.allow_http,
            timeout: self.connect_timeout,
            read_timeout: Some(self.read_timeout),
            max_redirects: self.max_redirects,
            ..ClientOptions::default()
        }
    }
}

/// A guarded client's error as a [`ReplicateError`] about the image at its (redacted) URL.
fn source_error(e: &portal_net::Error) -> ReplicateError {
    let url = e.url().to_owned();
    let reason = e.reason();
    match reason {
        Reason::InvalidUrl(why) => ReplicateError::BadSourceUrl {
            url,
            reason: why.clone(),
        },
        Reason::Refused(Refusal::Address { host, addr }) => ReplicateError::AddressRefused {
            url,
            host: host.clone(),
            addr: addr.to_string(),
        },
        Reason::Refused(Refusal::NoAddress(name)) => ReplicateError::SourceVanished {
            url,
            detail: format!("the host {name} has no address"),
        },
        Reason::Resolve { host, reason } => ReplicateError::SourceVanished {
            url,
            detail: format!("the host {host} cannot be resolved: {reason}"),
        },
        Reason::ConnectionRefused(_) => ReplicateError::SourceVanished {
            url,
            detail: reason.to_string(),
        },
        Reason::Refused(_) | Reason::TooManyRedirects(_) | Reason::BadRedirect => {
            ReplicateError::BadSourceUrl {
                url,
                reason: reason.to_string(),
            }
        }
        Reason::Timeout(_) => ReplicateError::SourceFailed {
            url,
            detail: "no answer in time".into(),
        },
        Reason::Connect(why) => ReplicateError::SourceFailed {
            url,
            detail: why.clone(),
        },
    }
}

/// The image client, built once per replication.
#[derive(Debug)]
pub(crate) struct SourceClient {
    /// Building fails only when the TLS backend cannot start; then every request says so.
    client: Result<portal_net::Client, String>,
}

impl SourceClient {
    pub(crate) fn new(opts: &SourceOptions) -> Self {
        let client = portal_net::Client::new(&opts.client_options()).map_err(|e| e.to_string());
        Self { client }
    }

    /// `HEAD`: the image's size, `ETag` and `Last-Modified`.
    pub(crate) async fn identity(&self, url: &str) -> Result<ImageIdentity, ReplicateError> {
        let (_, resp) = self.send(Request::head, url).await?;
        let shown = redact(url);
        check_status(&resp, &shown)?;
        ImageIdentity::of_head(resp.headers()).ok_or_else(|| ReplicateError::SourceFailed {
            url: shown,
            detail: "the server sent no Content-Length for HEAD".into(),
        })
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
        let (client, resp) = self.send(Request::get, url).await?;
        let shown = redact(url);
        check_status(&resp, &shown)?;
        let size = content_length(resp.headers()).unwrap_or(expected.size);
        let now = ImageIdentity::from_headers(resp.headers(), size);
        if let Some(detail) = difference(expected, &now) {
            return Err(ReplicateError::SourceChanged { url: shown, detail });
        }
        let (client, at) = (client.clone(), resp.url().clone());
        let req = Request::get(at.clone());
        Ok(ExactLength::new(
            resp.bytes_stream().boxed(),
            expected.size,
            move |e: reqwest::Error, got: u64| {
                let e = client.body_error(&req, &at, e);
                ReplicateError::SourceFailed {
                    url: shown.clone(),
                    detail: match e.reason() {
                        Reason::Timeout(limit) => {
                            format!("no data for {} s after {got} bytes", limit.as_secs().max(1))
                        }
                        other => format!("the connection broke after {got} bytes: {other}"),
                    },
                }
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

    /// Sends `request(url)` through the guarded client (redirects followed and checked).
    async fn send(
        &self,
        request: fn(url::Url) -> Request,
        url: &str,
    ) -> Result<(&portal_net::Client, Response), ReplicateError> {
        let client = self
            .client
            .as_ref()
            .map_err(|why| ReplicateError::SourceFailed {
                url: redact(url),
                detail: why.clone(),
            })?;
        let req = request(portal_net::parse_url(url).map_err(|e| source_error(&e))?);
        let resp = client.send(&req).await.map_err(|e| source_error(&e))?;
        Ok((client, resp))
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
