//! [`HttpRangeSource`]: reads an image from a URL with HTTP range requests only.
//!
//! The URL comes from a publisher, so every request goes through `portal_net`'s guarded
//! blocking client: the address policy ([`AddressPolicy`]) with the connection pinned to the
//! checked addresses, redirects followed by its one loop with each target checked again, a
//! time limit per request. On top of it, this source's own defences: a `200` answer (the
//! server ignored `Range`) is an error and its body is dropped unread; a byte and request
//! budget bound what one certification may cost.

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub use portal_net::{AddressPolicy, ImageIdentity, Refusal, Target, is_public};
use portal_net::{BlockingClient, ClientOptions, Reason, Request};
use reqwest::StatusCode;
use reqwest::blocking::Response;
use reqwest::header::{CONTENT_RANGE, ETAG, HeaderValue, RANGE};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::source::{RangeSource, ReadError, check_range};

/// Limits and policy of the HTTP client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpOptions {
    /// Which addresses may be contacted.
    pub address: AddressPolicy,
    /// Accept `http://` URLs (tests, demos); otherwise only `https://`.
    pub allow_http: bool,
    /// Time limit of each request (connect, headers and body).
    pub timeout: Duration,
    /// Redirects followed per request.
    pub max_redirects: u32,
    /// Body bytes one source may read in total.
    pub max_bytes: u64,
    /// Requests one source may send in total (redirect hops included).
    pub max_requests: u32,
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            address: AddressPolicy::default(),
            allow_http: false,
            timeout: Duration::from_secs(20),
            max_redirects: 3,
            max_bytes: 4 * 1024 * 1024,
            max_requests: 64,
        }
    }
}

/// Requests and body bytes of an [`HttpRangeSource`], readable after it was moved away.
#[derive(Debug, Default)]
pub struct HttpCounters {
    requests: AtomicU64,
    bytes: AtomicU64,
}

impl HttpCounters {
    /// HTTP requests sent (redirect hops included).
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Response body bytes read.
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }
}

/// A [`RangeSource`] over HTTP(S) range requests.
#[derive(Debug)]
pub struct HttpRangeSource {
    url: Url,
    opts: HttpOptions,
    /// The guarded client, built once for this source.
    client: BlockingClient,
    len: u64,
    etag: Option<String>,
    counters: Arc<HttpCounters>,
}

/// A parsed `Content-Range: bytes START-END/TOTAL` (or `bytes */TOTAL`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentRange {
    /// First and last byte, absent in the `*/TOTAL` form.
    pub range: Option<(u64, u64)>,
    /// Size of the whole resource.
    pub total: u64,
}

/// Parses a `Content-Range` value; `None` when malformed or the total is unknown (`*`).
pub fn parse_content_range(value: &str) -> Option<ContentRange> {
    let rest = value.trim().strip_prefix("bytes")?.trim_start();
    let (range, total) = rest.split_once('/')?;
    let total: u64 = total.trim().parse().ok()?;
    let range = if range.trim() == "*" {
        None
    } else {
        let (a, b) = range.trim().split_once('-')?;
        let (a, b): (u64, u64) = (a.parse().ok()?, b.parse().ok()?);
        if a > b || b >= total {
            return None;
        }
        Some((a, b))
    };
    Some(ContentRange { range, total })
}

impl HttpOptions {
    /// The options of the guarded client these limits and this policy call for.
    pub fn client_options(&self) -> ClientOptions {
        ClientOptions {
            policy: self.address,
            allow_http: self.allow_http,
            timeout: self.timeout,
            max_redirects: self.max_redirects,
            ..ClientOptions::default()
        }
    }
}

impl From<portal_net::Error> for ReadError {
    fn from(e: portal_net::Error) -> Self {
        match e.reason() {
            Reason::InvalidUrl(why) => ReadError::BadUrl(why.clone()),
            Reason::Refused(Refusal::Address { host, addr }) => ReadError::AddressRefused {
                host: host.clone(),
                addr: addr.to_string(),
            },
            Reason::Refused(r @ Refusal::NoAddress(_)) => ReadError::Connect(r.to_string()),
            Reason::Refused(r) => ReadError::BadUrl(r.to_string()),
            Reason::TooManyRedirects(n) => ReadError::TooManyRedirects(*n),
            Reason::BadRedirect => ReadError::BadRedirect,
            Reason::Timeout(limit) => ReadError::Timeout(limit.as_secs().max(1)),
            r @ (Reason::Resolve { .. } | Reason::ConnectionRefused(_) | Reason::Connect(_)) => {
                ReadError::Connect(r.to_string())
            }
        }
    }
}

impl HttpRangeSource {
    /// A source for `url` that has sent nothing yet.
    fn new(url: &str, opts: HttpOptions) -> Result<Self, ReadError> {
        let url = portal_net::parse_url(url)?;
        let client = BlockingClient::new(&opts.client_options())
            .map_err(|e| ReadError::Connect(e.to_string()))?;
        Ok(Self {
            url,
            opts,
            client,
            len: 0,
            etag: None,
            counters: Arc::new(HttpCounters::default()),
        })
    }

    /// Checks the URL, then reads the first sector to learn the size (`Content-Range` total)
    /// and to prove the server answers range requests with 206.
    pub fn open(url: &str, opts: HttpOptions) -> Result<Self, ReadError> {
        let mut src = Self::new(url, opts)?;
        // Azure Blob Storage does not document suffix ranges, so ask for the first sector.
        let resp = src.send(0, 511)?;
        if resp.status() == StatusCode::RANGE_NOT_SATISFIABLE {
            // Only an empty resource cannot satisfy bytes=0-511.
            let cr = header(&resp, CONTENT_RANGE).and_then(|v| parse_content_range(&v));
            return match cr {
                Some(ContentRange {
                    range: None,
                    total: 0,
                }) => Ok(src),
                _ => Err(ReadError::Status(416)),
            };
        }
        let (cr, etag) = src.check_partial(&resp, 0)?;
        let (_, end) = cr.range.unwrap_or((0, 0));
        if end != 511 && end + 1 != cr.total {
            return Err(ReadError::BadContentRange(format!(
                "asked for bytes 0-511, got {end} as the last byte of {}",
                cr.total
            )));
        }
        src.len = cr.total;
        src.etag = etag;
        let mut sink = vec![0; (end + 1) as usize];
        src.read_body(resp, &mut sink)?;
        Ok(src)
    }

    /// The counters, shared: keep a handle before moving the source into a certification.
    pub fn counters(&self) -> Arc<HttpCounters> {
        Arc::clone(&self.counters)
    }

    /// The URL after redirects.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// Sends `Range: bytes=start-end` through the guarded client.
    fn send(&mut self, start: u64, end: u64) -> Result<Response, ReadError> {
        let range = HeaderValue::from_str(&format!("bytes={start}-{end}"))
            .map_err(|e| ReadError::BadUrl(e.to_string()))?;
        self.send_request(Request::get(self.url.clone()).header(RANGE, range))
    }

    /// Sends `req`, each hop (redirects included) counted against the request budget; later
    /// requests go straight to the URL that answered.
    fn send_request(&mut self, req: Request) -> Result<Response, ReadError> {
        let (counters, max) = (&self.counters, self.opts.max_requests);
        let resp = self.client.send_with(&req, |_| {
            if counters.requests() >= u64::from(max) {
                return Err(ReadError::RequestBudget(max));
            }
            counters.requests.fetch_add(1, Ordering::Relaxed);
            Ok(())
        })?;
        self.url = resp.url().clone();
        Ok(resp)
    }

    /// Requires a 206 whose range starts at `start`; returns it and the ETag.
    fn check_partial(
        &self,
        resp: &Response,
        start: u64,
    ) -> Result<(ContentRange, Option<String>), ReadError> {
        match resp.status() {
            StatusCode::PARTIAL_CONTENT => {}
            StatusCode::OK => return Err(ReadError::RangeIgnored),
            s => return Err(ReadError::Status(s.as_u16())),
        }
        let raw = header(resp, CONTENT_RANGE)
            .ok_or_else(|| ReadError::BadContentRange("missing".into()))?;
        let cr =
            parse_content_range(&raw).ok_or_else(|| ReadError::BadContentRange(raw.clone()))?;
        match cr.range {
            Some((s, _)) if s == start => Ok((cr, header(resp, ETAG))),
            _ => Err(ReadError::BadContentRange(format!(
                "asked for a range starting at {start}, got '{raw}'"
            ))),
        }
    }

    /// Reads exactly `buf.len()` body bytes, never more than one extra byte.
    fn read_body(&self, resp: Response, buf: &mut [u8]) -> Result<(), ReadError> {
        let want = buf.len() as u64;
        if self.counters.bytes() + want > self.opts.max_bytes {
            return Err(ReadError::ByteBudget(self.opts.max_bytes));
        }
        let mut got = 0usize;
        let mut limited = resp.take(want + 1);
        let mut extra = [0u8; 1];
        loop {
            let target = if got < buf.len() {
                &mut buf[got..]
            } else {
                &mut extra[..]
            };
            let n = limited.read(target).map_err(|e| {
                if e.kind() == std::io::ErrorKind::TimedOut || e.to_string().contains("timed out") {
                    ReadError::Timeout(self.opts.timeout.as_secs().max(1))
                } else {
                    ReadError::Connect(e.to_string())
                }
            })?;
            if n == 0 {
                break;
            }
            got += n;
            if got > buf.len() {
                break;
            }
        }
        self.counters.bytes.fetch_add(got as u64, Ordering::Relaxed);
        if got as u64 != want {
            return Err(ReadError::BodyLength {
                want,
                got: got as u64,
            });
        }
        Ok(())
    }
}

/// One `HEAD` request through the same guarded client as [`HttpRangeSource`] (address policy,
/// pinned address, redirects checked by hand, time limit): the image's size, `ETag` and
/// `Last-Modified`, to tell whether it changed since it was last certified. Reads no body.
pub fn probe(url: &str, opts: &HttpOptions) -> Result<ImageIdentity, ReadError> {
    let mut src = HttpRangeSource::new(url, opts.clone())?;
    let resp = src.send_request(Request::head(src.url.clone()))?;
    if !resp.status().is_success() {
        return Err(ReadError::Status(resp.status().as_u16()));
    }
    ImageIdentity::of_head(resp.headers())
        .ok_or_else(|| ReadError::BadContentRange("no Content-Length in the HEAD answer".into()))
}

fn header(resp: &Response, name: reqwest::header::HeaderName) -> Option<String> {
    portal_net::identity::header(resp.headers(), name)
}

impl RangeSource for HttpRangeSource {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<(), ReadError> {
        check_range(offset, buf.len(), self.len)?;
        if buf.is_empty() {
            return Ok(());
        }
        let end = offset + buf.len() as u64 - 1;
        let resp = self.send(offset, end)?;
        let (cr, etag) = self.check_partial(&resp, offset)?;
        if cr.total != self.len || cr.range.map(|r| r.1) != Some(end) {
            return Err(ReadError::Changed);
        }
        if self.etag.is_some() && etag != self.etag {
            return Err(ReadError::Changed);
        }
        self.read_body(resp, buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range_forms() {
        assert_eq!(
            parse_content_range("bytes 0-511/1024"),
            Some(ContentRange {
                range: Some((0, 511)),
                total: 1024
            })
        );
        assert_eq!(
            parse_content_range("bytes */0"),
            Some(ContentRange {
                range: None,
                total: 0
            })
        );
        assert_eq!(parse_content_range("bytes 0-511/*"), None);
        assert_eq!(parse_content_range("bytes 600-511/1024"), None);
        assert_eq!(parse_content_range("bytes 0-1024/1024"), None);
        assert_eq!(parse_content_range("items 0-1/2"), None);
    }
}
