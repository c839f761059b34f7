//! The shared state of handlers and workers.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use portal_domain::Lang;

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
    /// Rendered status answers (the most polled endpoint).
    pub status_cache: Arc<StatusCache>,
    /// Where product pages, catalogue entries and their assets are written (Packaging).
    pub site: Arc<dyn object_store::ObjectStore>,
    /// The regions certified disks are replicated to (Provisioning).
    pub regions: Arc<Vec<portal_replicate::Region>>,
}

impl AppState {
    /// The configured regions' names, in order.
    pub fn region_names(&self) -> Vec<String> {
        self.regions.iter().map(|r| r.name.clone()).collect()
    }
}

/// Publisher, offer and language of a cached status answer.
type StatusKey = (String, String, Lang);

/// Rendered `GET …/status` answers per offer and language. This process drops an offer's
/// entries whenever it changes the offer or its operation (API writes and every engine
/// transition); changes made by *other* server processes on a shared database show after at
/// most [`StatusCache::TTL`].
#[derive(Debug, Default)]
pub struct StatusCache {
    entries: Mutex<HashMap<StatusKey, (Instant, Bytes)>>,
}

impl StatusCache {
    /// How long an answer is served without reading the database again.
    pub const TTL: Duration = Duration::from_millis(500);
    /// Entries kept at most; the cache is emptied when it would grow past this.
    const MAX_ENTRIES: usize = 10_000;

    /// A fresh answer for the offer in a language.
    pub fn get(&self, publisher: &str, offer: &str, lang: Lang) -> Option<Bytes> {
        let entries = self.entries.lock().ok()?;
        let (at, body) = entries.get(&(publisher.to_owned(), offer.to_owned(), lang))?;
        (at.elapsed() < Self::TTL).then(|| body.clone())
    }

    /// Keeps an answer read at `read_at` (taken before the database read, so an invalidation
    /// racing with the read is never hidden for longer than the TTL).
    pub fn put(&self, publisher: &str, offer: &str, lang: Lang, read_at: Instant, body: Bytes) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= Self::MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(
                (publisher.to_owned(), offer.to_owned(), lang),
                (read_at, body),
            );
        }
    }

    /// Drops every cached answer of an offer.
    pub fn invalidate(&self, publisher: &str, offer: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            for lang in Lang::ALL {
                entries.remove(&(publisher.to_owned(), offer.to_owned(), lang));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_answers_are_served_until_invalidated_or_old() {
        let cache = StatusCache::default();
        let body = Bytes::from_static(b"{}");
        cache.put("contoso", "vm", Lang::En, Instant::now(), body.clone());
        assert_eq!(cache.get("contoso", "vm", Lang::En), Some(body.clone()));
        assert_eq!(cache.get("contoso", "vm", Lang::Ko), None, "per language");
        assert_eq!(cache.get("contoso", "other", Lang::En), None, "per offer");
        cache.invalidate("contoso", "vm");
        assert_eq!(
            cache.get("contoso", "vm", Lang::En),
            None,
            "a write drops it"
        );
        let old = Instant::now()
            .checked_sub(StatusCache::TTL)
            .unwrap_or_else(Instant::now);
        cache.put("contoso", "vm", Lang::En, old, body);
        assert_eq!(
            cache.get("contoso", "vm", Lang::En),
            None,
            "an answer older than the TTL is not served"
        );
    }
}
