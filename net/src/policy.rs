//! [`AddressPolicy`]: which destinations a guarded client may contact, and the scheme rule.
//!
//! Two checks, both made before any connection: [`AddressPolicy::target`] on every URL (the
//! first one and every redirect hop: scheme, and the address when the host is an IP literal),
//! and [`AddressPolicy::check_resolved`] on every address a host name resolves to (made by the
//! client's resolver, which hands the connector only addresses that passed).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use serde::{Deserialize, Serialize};
use url::{Host, Url};

/// Which addresses the client may connect to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddressPolicy {
    /// Allow loopback, private, link-local and other non-public addresses (tests, demos).
    pub allow_private: bool,
    /// One more socket address allowed even when it is not public (exactly this IP and
    /// port): a portal serving its own demo images. It applies to URLs that name the address
    /// literally (`http://127.0.0.1:8080/…`): a resolver does not learn the port it resolves
    /// for, so a host name is judged by its addresses alone.
    #[serde(default)]
    pub also_allow: Option<SocketAddr>,
}

/// Where a URL leads once its scheme and, for an IP literal, its address passed
/// [`AddressPolicy::target`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'u> {
    /// An IP literal that the policy allows.
    Address(SocketAddr),
    /// A host name, left to the resolver, which checks what it resolves to with
    /// [`AddressPolicy::check_resolved`].
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
    /// The host is, or resolves to, an address the policy refuses.
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
    /// Whether the policy lets the client connect to `ip` (on any port).
    pub fn allows(self, ip: IpAddr) -> bool {
        self.allow_private || is_public(ip)
    }

    /// Whether the policy lets the client connect to `addr` (IP and port).
    pub fn allows_socket(self, addr: SocketAddr) -> bool {
        self.allows(addr.ip()) || self.also_allow == Some(addr)
    }

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

    /// Checks every address `name` resolved to: all must be allowed.
    ///
    /// A name that resolves to a refused address is refused even when it also resolves to an
    /// allowed one. Connecting only to the allowed ones would be safe too, but a public name
    /// that also points inside the network is either misconfigured or probing, and refusing
    /// it keeps the rule one sentence long: "every address of the host is public".
    pub fn check_resolved(self, name: &str, ips: &[IpAddr]) -> Result<(), Refusal> {
        if ips.is_empty() {
            return Err(Refusal::NoAddress(name.to_owned()));
        }
        match ips.iter().find(|ip| !self.allows(**ip)) {
            Some(ip) => Err(Refusal::Address {
                host: name.to_owned(),
                addr: *ip,
            }),
            None => Ok(()),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn url(u: &str) -> Url {
        Url::parse(u).unwrap()
    }

    #[test]
    fn targets_are_checked_before_any_connection() {
        let public = AddressPolicy::default();
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
        assert_eq!(
            public.target(&url("ftp://images.contoso.com/os.vhd"), true),
            Err(Refusal::Scheme("ftp".into()))
        );
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
    }

    #[test]
    fn also_allow_admits_exactly_one_ip_and_port() {
        let demo: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let own = AddressPolicy {
            allow_private: false,
            also_allow: Some(demo),
        };
        assert!(own.target(&url("http://127.0.0.1:8080/x"), true).is_ok());
        assert!(own.target(&url("http://127.0.0.1:8081/x"), true).is_err());
        assert!(own.allows_socket(demo));
        assert!(!own.allows_socket("127.0.0.1:8081".parse().unwrap()));
        assert!(!own.allows_socket("[::1]:8080".parse().unwrap()));
        assert!(!own.allows_socket("10.0.0.1:8080".parse().unwrap()));
        assert!(own.allows_socket("8.8.8.8:443".parse().unwrap()));
        // A name is judged by its addresses alone: the resolver does not know the port.
        let loopback: IpAddr = "127.0.0.1".parse().unwrap();
        assert!(own.check_resolved("localhost", &[loopback]).is_err());
    }

    #[test]
    fn every_resolved_address_must_be_allowed() {
        let public = AddressPolicy::default();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(
            public.check_resolved("h", &[ip("20.1.2.3"), ip("2603:1030::1")]),
            Ok(())
        );
        // Mixed: refused, naming the refused address, whatever the order.
        for mixed in [
            [ip("10.0.0.7"), ip("20.1.2.3")],
            [ip("20.1.2.3"), ip("10.0.0.7")],
        ] {
            assert_eq!(
                public.check_resolved("h", &mixed),
                Err(Refusal::Address {
                    host: "h".into(),
                    addr: ip("10.0.0.7")
                })
            );
        }
        assert_eq!(
            public.check_resolved("h", &[]),
            Err(Refusal::NoAddress("h".into()))
        );
        let open = AddressPolicy {
            allow_private: true,
            also_allow: None,
        };
        assert_eq!(open.check_resolved("h", &[ip("10.0.0.7")]), Ok(()));
    }

    #[test]
    fn address_classes() {
        let refused = [
            ("127.0.0.1", "loopback"),
            ("10.1.2.3", "private"),
            ("172.16.0.1", "private"),
            ("192.168.1.1", "private"),
            ("169.254.169.254", "link-local (cloud metadata)"),
            ("0.0.0.0", "unspecified"),
            ("0.1.2.3", "this network"),
            ("100.64.0.1", "shared address space (CGNAT)"),
            ("192.0.0.8", "IETF protocol assignments"),
            ("192.0.2.1", "documentation"),
            ("198.51.100.1", "documentation"),
            ("203.0.113.1", "documentation"),
            ("198.18.0.1", "benchmarking"),
            ("224.0.0.1", "multicast"),
            ("240.0.0.1", "reserved"),
            ("255.255.255.255", "broadcast"),
            ("::1", "loopback"),
            ("::", "unspecified"),
            ("fe80::1", "link-local"),
            ("fec0::1", "site-local"),
            ("fc00::1", "unique local"),
            ("fd12::1", "unique local"),
            ("2001:db8::1", "documentation"),
            ("ff02::1", "multicast"),
            ("::ffff:127.0.0.1", "IPv4-mapped loopback"),
            ("::ffff:10.0.0.1", "IPv4-mapped private"),
            ("::127.0.0.1", "IPv4-compatible"),
            ("64:ff9b::a00:1", "NAT64 of a private address"),
            ("2002:a00:1::1", "6to4 of a private address"),
        ];
        let open = AddressPolicy {
            allow_private: true,
            also_allow: None,
        };
        for (a, class) in refused {
            let ip: IpAddr = a.parse().unwrap();
            assert!(!is_public(ip), "{a} ({class}) should be refused");
            assert!(!AddressPolicy::default().allows(ip), "{a} ({class})");
            assert!(
                open.allows(ip),
                "{a} ({class}) is allowed with allow_private"
            );
        }
        for a in [
            "20.150.1.1",
            "8.8.8.8",
            "2603:1030::1",
            "::ffff:20.150.1.1",
            "64:ff9b::1403:0201",
        ] {
            assert!(is_public(a.parse().unwrap()), "{a} should be allowed");
        }
    }
}
