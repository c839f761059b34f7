//! The outbound request guard: user-supplied URLs may only reach public addresses unless the
//! operator allows private networks (SSRF protection). Names are resolved once and the
//! request is pinned to the checked address, so DNS cannot change the answer in between.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use reqwest::Url;

/// Whether an address is on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let seg = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (seg[0] & 0xfe00) == 0xfc00 // unique local
                || (seg[0] & 0xffc0) == 0xfe80 // link-local
                || v6 == Ipv6Addr::LOCALHOST)
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || o[0] == 0
        || (o[0] == 100 && (o[1] & 0xc0) == 64) // carrier-grade NAT
        || (o[0] == 198 && (o[1] & 0xfe) == 18)) // benchmarking
}

/// What outbound requests may reach.
#[derive(Debug, Clone)]
pub struct Guard {
    /// Private, loopback and link-local addresses allowed.
    pub allow_private: bool,
    /// This server's own address (always allowed, for the demo images).
    pub own_addr: Option<SocketAddr>,
    /// Time limit of each request.
    pub timeout: Duration,
}

impl Guard {
    fn allowed(&self, addr: SocketAddr) -> bool {
        if self.allow_private || is_public(addr.ip()) {
            return true;
        }
        self.own_addr.is_some_and(|own| {
            own.port() == addr.port() && (addr.ip().is_loopback() || own.ip() == addr.ip())
        })
    }

    /// Whether plain http may be used for this URL (only to allowed non-public addresses).
    pub fn http_allowed(&self) -> bool {
        self.allow_private || self.own_addr.is_some()
    }

    /// Resolves the URL's host and checks every address; returns the address to use.
    pub async fn resolve(&self, url: &Url) -> Result<SocketAddr, String> {
        let host = url.host_str().ok_or("the URL has no host")?;
        let port = url.port_or_known_default().ok_or("the URL has no port")?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let addrs: Vec<SocketAddr> = match host.parse::<IpAddr>() {
            Ok(ip) => vec![SocketAddr::new(ip, port)],
            Err(_) => tokio::time::timeout(self.timeout, tokio::net::lookup_host((host, port)))
                .await
                .map_err(|_| format!("resolving {host} timed out"))?
                .map_err(|e| format!("{host} could not be resolved ({e})"))?
                .collect(),
        };
        let first = *addrs
            .first()
            .ok_or_else(|| format!("{host} has no address"))?;
        if let Some(bad) = addrs.iter().find(|a| !self.allowed(**a)) {
            return Err(format!(
                "{host} resolves to {}, a private, loopback or link-local address that the portal does not contact",
                bad.ip()
            ));
        }
        Ok(first)
    }

    /// A GET with headers, following at most 3 redirects, each target checked again.
    pub async fn get(&self, url: &Url, range: &str) -> Result<reqwest::Response, String> {
        let mut url = url.clone();
        for _ in 0..=3 {
            let addr = self.resolve(&url).await?;
            let host = url.host_str().unwrap_or_default().to_owned();
            let client = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(self.timeout)
                .connect_timeout(self.timeout)
                .resolve(&host, addr)
                .build()
                .map_err(|e| format!("HTTP client: {e}"))?;
            let res = client
                .get(url.clone())
                .header(reqwest::header::RANGE, range)
                .send()
                .await
                .map_err(|e| {
                    if e.is_timeout() {
                        "the request timed out".to_owned()
                    } else {
                        format!("the request failed ({})", e.without_url())
                    }
                })?;
            if res.status().is_redirection() {
                let next = res
                    .headers()
                    .get(reqwest::header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|loc| url.join(loc).ok())
                    .ok_or("a redirect without a valid Location")?;
                if next.scheme() != "https" && !(next.scheme() == "http" && self.http_allowed()) {
                    return Err("a redirect to a non-https URL".into());
                }
                url = next;
                continue;
            }
            return Ok(res);
        }
        Err("more than 3 redirects".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "0.0.0.0",
            "100.64.0.1",
        ] {
            assert!(!is_public(ip.parse().expect("an address")), "{ip}");
        }
        for ip in ["8.8.8.8", "20.1.2.3", "2606:4700::1111"] {
            assert!(is_public(ip.parse().expect("an address")), "{ip}");
        }
    }
}
