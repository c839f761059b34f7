//! The shared state of handlers and workers.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use portal_domain::validation::Options;
use tokio::sync::Notify;

use crate::store::Store;

/// Operator choices the handlers and the engine need at run time.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Image URLs may point at private, loopback and link-local addresses.
    pub allow_private_network: bool,
    /// This server's own address, reachable even without `allow_private_network` (the demo's
    /// sample images are served by the portal itself).
    pub own_addr: Option<SocketAddr>,
    /// Minimum duration of each automatic step.
    pub min_step: Duration,
    /// How long a worker's lease on a step lasts without renewal.
    pub lease: Duration,
    /// Time limit of every outbound request.
    pub http_timeout: Duration,
}

impl Settings {
    /// The validation options these settings imply.
    pub fn validation(&self) -> Options {
        Options {
            allow_loopback_http: self.allow_private_network || self.own_addr.is_some(),
        }
    }
}

/// One `Clone` state for every handler and worker.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// Operator settings.
    pub settings: Arc<Settings>,
    /// Wakes the workers when a step becomes runnable.
    pub wake: Arc<Notify>,
}
