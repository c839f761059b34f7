//! DNS pinning: the clients' resolver resolves each host once per connection, checks every
//! address with [`AddressPolicy::check_resolved`] and hands the connector only those
//! addresses, so the connection goes where the check looked (no DNS rebinding between a check
//! and a connect).
//!
//! reqwest does not call a resolver for IP literals; those are checked before each request by
//! [`AddressPolicy::target`] in the redirect loop.

use std::net::SocketAddr;
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::policy::AddressPolicy;

/// A host name that could not be resolved (the resolver's error, found again in reqwest's
/// chain of causes by [`crate::Error::from_reqwest`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the host {host} could not be resolved ({reason})")]
pub(crate) struct ResolveFailure {
    pub(crate) host: String,
    pub(crate) reason: String,
}

/// The resolver of every guarded client.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PolicyResolver {
    pub(crate) policy: AddressPolicy,
}

impl PolicyResolver {
    pub(crate) fn shared(policy: AddressPolicy) -> Arc<Self> {
        Arc::new(Self { policy })
    }
}

impl Resolve for PolicyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            // Port 0: the connector puts in the URL's port.
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map_err(|e| ResolveFailure {
                    host: host.clone(),
                    reason: e.to_string(),
                })?
                .collect();
            let ips: Vec<_> = addrs.iter().map(SocketAddr::ip).collect();
            policy.check_resolved(&host, &ips)?;
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}
