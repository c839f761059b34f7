//! What a publisher's URL may reach under the operator's settings, in one place for every
//! outbound request the server makes for a publisher: certification's range reads,
//! provisioning's downloads, packaging's image fetches and test leads.
//!
//! `--allow-private-network` allows non-public addresses and plain `http`. Without it, the
//! only exception is the portal's own address (the demo's images): exactly that IP and port,
//! and plain `http` only for URLs naming it literally.

use std::net::SocketAddr;

use portal_net::AddressPolicy;
use portal_vhd::{CertifyOptions, HttpOptions};

use crate::state::Settings;

/// The address policy under the settings.
fn address(settings: &Settings) -> AddressPolicy {
    AddressPolicy {
        allow_private: settings.allow_private_network,
        also_allow: settings.own_addr,
    }
}

/// Whether plain `http` is allowed for all of `urls` (none: never without the operator's
/// permission).
fn allow_http(settings: &Settings, urls: &[&str]) -> bool {
    settings.allow_private_network
        || settings
            .own_addr
            .is_some_and(|own| !urls.is_empty() && urls.iter().all(|u| url_names(u, own)))
}

/// Whether `url` is `http://{addr}/…` with the address written literally.
pub fn url_names(url: &str, addr: SocketAddr) -> bool {
    let Ok(u) = url::Url::parse(url) else {
        return false;
    };
    let ip = match u.host() {
        Some(url::Host::Ipv4(ip)) => std::net::IpAddr::V4(ip),
        Some(url::Host::Ipv6(ip)) => std::net::IpAddr::V6(ip),
        _ => return false,
    };
    u.scheme() == "http" && u.port_or_known_default() == Some(addr.port()) && ip == addr.ip()
}

/// The certification options for one image URL.
pub fn certify(settings: &Settings, url: &str) -> CertifyOptions {
    CertifyOptions {
        http: HttpOptions {
            address: address(settings),
            allow_http: allow_http(settings, &[url]),
            timeout: settings.http_timeout,
            ..HttpOptions::default()
        },
        ..CertifyOptions::default()
    }
}

/// The replication options for a version's disk URLs.
pub fn replicate(settings: &Settings, urls: &[&str]) -> portal_replicate::ReplicateOptions {
    portal_replicate::ReplicateOptions {
        source: portal_replicate::SourceOptions {
            address: address(settings),
            allow_http: allow_http(settings, urls),
            ..portal_replicate::SourceOptions::default()
        },
        ..portal_replicate::ReplicateOptions::default()
    }
}

/// The policy for packaging's image fetches and test leads to `urls`.
pub fn package(settings: &Settings, urls: &[&str]) -> portal_package::HttpPolicy {
    portal_package::HttpPolicy {
        address: address(settings),
        allow_http: allow_http(settings, urls),
        timeout: settings.http_timeout,
        ..portal_package::HttpPolicy::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(own: Option<&str>, private: bool) -> Settings {
        Settings {
            allow_private_network: private,
            own_addr: own.map(|a| a.parse().unwrap()),
            min_step: std::time::Duration::ZERO,
            lease: std::time::Duration::from_secs(10),
            http_timeout: std::time::Duration::from_secs(10),
            public_url: url::Url::parse("http://127.0.0.1:8080").unwrap(),
            session_idle: std::time::Duration::from_secs(60),
            session_max: std::time::Duration::from_secs(600),
        }
    }

    #[test]
    fn plain_http_only_to_the_portals_own_literal_address() {
        let demo = settings(Some("127.0.0.1:8080"), false);
        assert!(allow_http(
            &demo,
            &["http://127.0.0.1:8080/demo/vhds/os.vhd"]
        ));
        assert!(
            !allow_http(&demo, &["http://127.0.0.1:8081/x.vhd"]),
            "other port"
        );
        assert!(
            !allow_http(&demo, &["http://localhost:8080/x.vhd"]),
            "a name"
        );
        assert!(
            !allow_http(
                &demo,
                &["http://127.0.0.1:8080/a.vhd", "http://example.com/b.vhd"]
            ),
            "all or none"
        );
        assert!(!allow_http(&demo, &[]), "nothing to allow");
        assert!(allow_http(&settings(None, true), &["http://10.0.0.1/x"]));
        assert!(!allow_http(&settings(None, false), &["http://10.0.0.1/x"]));
    }
}
