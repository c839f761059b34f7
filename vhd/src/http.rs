//! [`HttpRangeSource`]: reads an image from a URL with HTTP range requests only.
//!
//! Defences, since the URL comes from a publisher: every request has a time limit; redirects
//! are followed by hand (at most a few), each target re-checked; the host is resolved once per
//! hop, refused if it is loopback/private/link-local/… ([`AddressPolicy`]), and the connection
//! is pinned to the checked address so DNS rebinding cannot bypass the check; a `200` answer
//! (the server ignored `Range`) is an error and its body is dropped unread; a byte and request
//! budget bound what one certification may cost.

use std::io::Read;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::blocking::{Client, Response};
use reqwest::header::{CONTENT_LENGTH, CONTENT_RANGE, ETAG, LAST_MODIFIED, LOCATION, RANGE};
use serde::{Deserialize, Serialize};
use url::{Host, Url};

use crate::source::{RangeSource, ReadError, check_range};

/// Which addresses the client may connect to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddressPolicy {
    /// Allow loopback, private, link-local and other non-public addresses (tests, demos).
    pub allow_private: bool,
    /// One more socket address allowed even when it is not public (exactly this IP and
    /// port): a portal serving its own demo images.
    #[serde(default)]
    pub also_allow: Option<SocketAddr>,
}

impl AddressPolicy {
    /// Whether the policy lets the client connect to `ip` (on any port).
    pub fn allows(self, ip: IpAddr) -> bool {
        self.allow_private || is_public(ip)
    }

    /// Whether the policy lets the client connect to `addr` (IP and port).
    pub fn allows_socket(self, addr: SocketAddr) -> bool {
        self.allows(addr.ip()) || self.also_allow == Some(addr)
    }
}

/// Where a publisher's URL leads once its scheme and, for an IP literal, its address passed
/// [`AddressPolicy::target`]. Every guarded client (this crate's blocking one, packaging's and
/// provisioning's async ones) decides through these two functions, then pins its connection
/// to the address that passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'u> {
    /// An IP literal that the policy allows.
    Address(SocketAddr),
    /// A host name to resolve, then to check with [`AddressPolicy::choose`].
    Name {
        /// The host name.
        name: &'u str,
        /// The port (explicit or the scheme's).
        port: u16,
    },
}

/// Why a guarded client will not contact a URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Not `https://` (nor `http://` where allowed).
    #[error("scheme {0}:// is not allowed; use https://")]
    Scheme(String),
    /// The URL has no port and its scheme none by default.
    #[error("the URL has no port")]
    NoPort,
    /// The URL has no host.
    #[error("the URL has no host")]
    NoHost,
    /// The host is, or resolves only to, addresses the policy refuses.
    #[error(
        "{host} resolves to {addr}, a private, loopback or otherwise non-public address, which this portal does not contact"
    )]
    Address {
        /// The host as written in the URL.
        host: String,
        /// The first refused address.
        addr: IpAddr,
    },
    /// The host name resolved to nothing.
    #[error("{0} has no address")]
    NoAddress(String),
}

impl AddressPolicy {
    /// Checks `url`'s scheme (`https`, or `http` when `allow_http`) and, when its host is an
    /// IP literal, the address; a host name is left to resolve.
    pub fn target(self, url: &Url, allow_http: bool) -> Result<Target<'_>, Refusal> {
        match url.scheme() {
            "https" => {}
            "http" if allow_http => {}
            other => return Err(Refusal::Scheme(other.to_owned())),
        }
        let port = url.port_or_known_default().ok_or(Refusal::NoPort)?;
        let literal = |ip: IpAddr| {
            let addr = SocketAddr::new(ip, port);
            if self.allows_socket(addr) {
                Ok(Target::Address(addr))
            } else {
                Err(Refusal::Address {
                    host: ip.to_string(),
                    addr: ip,
                })
            }
        };
        match url.host().ok_or(Refusal::NoHost)? {
            Host::Ipv4(ip) => literal(ip.into()),
            Host::Ipv6(ip) => literal(ip.into()),
            Host::Domain(_) => Ok(Target::Name {
                name: url.host_str().ok_or(Refusal::NoHost)?,
                port,
            }),
        }
    }

    /// The first of `addrs` (what `name` resolved to) that the policy allows: the address to
    /// pin the connection to.
    pub fn choose(self, name: &str, addrs: &[SocketAddr]) -> Result<SocketAddr, Refusal> {
        match (
            addrs.iter().find(|a| self.allows_socket(**a)),
            addrs.first(),
        ) {
            (Some(addr), _) => Ok(*addr),
            (None, Some(first)) => Err(Refusal::Address {
                host: name.to_owned(),
                addr: first.ip(),
            }),
            (None, None) => Err(Refusal::NoAddress(name.to_owned())),
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || a >= 240) // reserved
}

/// Whether `ip` is a public unicast address (IPv4-mapped and embedded IPv4 are judged as IPv4).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let s = v6.segments();
            let embedded = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || v6.is_unique_local()
                || v6.is_unicast_link_local()
                || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || (s[0..6] == [0; 6]) // IPv4-compatible and other ::/96
                || (s[0] == 0x64 && s[1] == 0xff9b && !is_public_v4(embedded(s[6], s[7]))) // NAT64
                || (s[0] == 0x2002 && !is_public_v4(embedded(s[1], s[2])))) // 6to4
        }
    }
}

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
    /// One client per (host, port), each pinned to the address that passed the policy.
    clients: Vec<(String, u16, Client)>,
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

fn refusal(r: Refusal) -> ReadError {
    match r {
        Refusal::Address { host, addr } => ReadError::AddressRefused {
            host,
            addr: addr.to_string(),
        },
        Refusal::NoAddress(_) => ReadError::Connect(r.to_string()),
        Refusal::Scheme(_) | Refusal::NoPort | Refusal::NoHost => ReadError::BadUrl(r.to_string()),
    }
}

fn map_send_error(e: &reqwest::Error, timeout: Duration) -> ReadError {
    if e.is_timeout() {
        return ReadError::Timeout(timeout.as_secs().max(1));
    }
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    ReadError::Connect(msg)
}

impl HttpRangeSource {
    /// Checks the URL, then reads the first sector to learn the size (`Content-Range` total)
    /// and to prove the server answers range requests with 206.
    pub fn open(url: &str, opts: HttpOptions) -> Result<Self, ReadError> {
        let url = Url::parse(url).map_err(|e| ReadError::BadUrl(e.to_string()))?;
        let mut src = Self {
            url,
            opts,
            clients: Vec::new(),
            len: 0,
            etag: None,
            counters: Arc::new(HttpCounters::default()),
        };
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

    fn client_for(&mut self, url: &Url) -> Result<Client, ReadError> {
        let policy = self.opts.address;
        let target = policy.target(url, self.opts.allow_http).map_err(refusal)?;
        let (host_key, port) = match target {
            Target::Address(addr) => (addr.ip().to_string(), addr.port()),
            Target::Name { name, port } => (name.to_owned(), port),
        };
        if let Some((_, _, c)) = self
            .clients
            .iter()
            .find(|(h, p, _)| *h == host_key && *p == port)
        {
            return Ok(c.clone());
        }
        let builder = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(self.opts.timeout)
            .connect_timeout(self.opts.timeout)
            .no_proxy()
            .use_rustls_tls();
        let builder = match target {
            Target::Address(_) => builder,
            Target::Name { name, port } => {
                let addrs: Vec<SocketAddr> = (name, port)
                    .to_socket_addrs()
                    .map_err(|e| ReadError::Connect(format!("cannot resolve {name}: {e}")))?
                    .collect();
                builder.resolve(name, policy.choose(name, &addrs).map_err(refusal)?)
            }
        };
        let client = builder
            .build()
            .map_err(|e| ReadError::Connect(e.to_string()))?;
        self.clients.push((host_key, port, client.clone()));
        Ok(client)
    }

    /// Sends `Range: bytes=start-end`, following redirects by hand.
    fn send(&mut self, start: u64, end: u64) -> Result<Response, ReadError> {
        self.send_with(Some((start, end)))
    }

    /// Sends a ranged GET, or a HEAD when `range` is `None`, following redirects by hand.
    fn send_with(&mut self, range: Option<(u64, u64)>) -> Result<Response, ReadError> {
        let mut url = self.url.clone();
        for hop in 0..=self.opts.max_redirects {
            let client = self.client_for(&url)?;
            if self.counters.requests() >= u64::from(self.opts.max_requests) {
                return Err(ReadError::RequestBudget(self.opts.max_requests));
            }
            self.counters.requests.fetch_add(1, Ordering::Relaxed);
            let request = match range {
                Some((start, end)) => client
                    .get(url.clone())
                    .header(RANGE, format!("bytes={start}-{end}")),
                None => client.head(url.clone()),
            };
            let resp = request
                .send()
                .map_err(|e| map_send_error(&e, self.opts.timeout))?;
            if !resp.status().is_redirection() {
                // Later requests go straight to where the blob really is.
                self.url = url;
                return Ok(resp);
            }
            if hop == self.opts.max_redirects {
                break;
            }
            let location = header(&resp, LOCATION).ok_or(ReadError::BadRedirect)?;
            url = url.join(&location).map_err(|_| ReadError::BadRedirect)?;
        }
        Err(ReadError::TooManyRedirects(self.opts.max_redirects))
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

/// What identifies one version of an image without reading it: its size and the validators
/// the server sends (Azure Blob storage sends both `ETag` and `Last-Modified`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageIdentity {
    /// Size in bytes (`Content-Length` of a HEAD).
    pub size: u64,
    /// `ETag`, if sent.
    pub etag: Option<String>,
    /// `Last-Modified`, if sent.
    pub last_modified: Option<String>,
}

impl ImageIdentity {
    /// True when there is a validator besides the size, so an unchanged identity means an
    /// unchanged image.
    pub fn has_validator(&self) -> bool {
        self.etag.is_some() || self.last_modified.is_some()
    }
}

/// One `HEAD` request through the same guarded client as [`HttpRangeSource`] (address policy,
/// pinned address, redirects checked by hand, time limit): the image's size, `ETag` and
/// `Last-Modified`, to tell whether it changed since it was last certified. Reads no body.
pub fn probe(url: &str, opts: &HttpOptions) -> Result<ImageIdentity, ReadError> {
    let url = Url::parse(url).map_err(|e| ReadError::BadUrl(e.to_string()))?;
    let mut src = HttpRangeSource {
        url,
        opts: opts.clone(),
        clients: Vec::new(),
        len: 0,
        etag: None,
        counters: Arc::new(HttpCounters::default()),
    };
    let resp = src.send_with(None)?;
    if !resp.status().is_success() {
        return Err(ReadError::Status(resp.status().as_u16()));
    }
    let size = header(&resp, CONTENT_LENGTH)
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| ReadError::BadContentRange("no Content-Length in the HEAD answer".into()))?;
    Ok(ImageIdentity {
        size,
        etag: header(&resp, ETAG),
        last_modified: header(&resp, LAST_MODIFIED),
    })
}

fn header(resp: &Response, name: reqwest::header::HeaderName) -> Option<String> {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
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
    fn targets_are_checked_before_any_connection() {
        let public = AddressPolicy::default();
        let url = |u: &str| Url::parse(u).unwrap();
        let https = url("https://images.contoso.com/os.vhd");
        assert_eq!(
            public.target(&https, false),
            Ok(Target::Name {
                name: "images.contoso.com",
                port: 443
            })
        );
        let plain = url("http://images.contoso.com/os.vhd");
        assert_eq!(
            public.target(&plain, false),
            Err(Refusal::Scheme("http".into()))
        );
        assert!(public.target(&plain, true).is_ok());
        for private in [
            "https://127.0.0.1/x",
            "https://[::1]/x",
            "https://169.254.169.254/x",
            "https://10.0.0.1/x",
        ] {
            let err = public.target(&url(private), false).unwrap_err();
            assert!(matches!(err, Refusal::Address { .. }), "{private}: {err}");
            assert!(err.to_string().contains("non-public"));
        }
        let public_ip = url("https://20.1.2.3:8443/x");
        assert_eq!(
            public.target(&public_ip, false),
            Ok(Target::Address("20.1.2.3:8443".parse().unwrap()))
        );
        let demo: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let own = AddressPolicy {
            allow_private: false,
            also_allow: Some(demo),
        };
        assert!(own.target(&url("http://127.0.0.1:8080/x"), true).is_ok());
        assert!(own.target(&url("http://127.0.0.1:8081/x"), true).is_err());
    }

    #[test]
    fn the_first_allowed_address_is_chosen_to_pin() {
        let public = AddressPolicy::default();
        let a = |s: &str| s.parse::<SocketAddr>().unwrap();
        let mixed = [a("10.0.0.7:443"), a("20.1.2.3:443")];
        assert_eq!(public.choose("h", &mixed), Ok(a("20.1.2.3:443")));
        assert_eq!(
            public.choose("h", &[a("192.168.1.1:443")]),
            Err(Refusal::Address {
                host: "h".into(),
                addr: "192.168.1.1".parse().unwrap()
            })
        );
        assert_eq!(public.choose("h", &[]), Err(Refusal::NoAddress("h".into())));
    }

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

    #[test]
    fn address_classes() {
        let private = [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fc00::1",
            "fd12::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "ff02::1",
            "64:ff9b::a00:1",
            "2002:a00:1::1",
            "::127.0.0.1",
        ];
        for a in private {
            let ip: IpAddr = a.parse().unwrap();
            assert!(!is_public(ip), "{a} should be refused");
            assert!(
                AddressPolicy {
                    allow_private: true,
                    also_allow: None,
                }
                .allows(ip)
            );
        }
        let own: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let policy = AddressPolicy {
            allow_private: false,
            also_allow: Some(own),
        };
        assert!(policy.allows_socket(own));
        assert!(!policy.allows_socket("127.0.0.1:8081".parse().unwrap()));
        assert!(!policy.allows_socket("[::1]:8080".parse().unwrap()));
        assert!(!policy.allows_socket("10.0.0.1:8080".parse().unwrap()));
        assert!(policy.allows_socket("8.8.8.8:443".parse().unwrap()));
        for a in ["20.150.1.1", "8.8.8.8", "2603:1030::1", "::ffff:20.150.1.1"] {
            assert!(is_public(a.parse().unwrap()), "{a} should be allowed");
        }
    }
}
