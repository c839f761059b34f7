//! The shared state of handlers and workers.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use portal_domain::Lang;
use portal_domain::api::OfferSummary;

use portal_domain::validation::Options;
use tokio::sync::Notify;

use crate::db::Db;

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
    /// The portal's public URL: links in e-mails, the `Origin` writes must come from, and
    /// whether cookies are `Secure` (https).
    pub public_url: url::Url,
    /// A session unused this long ends.
    pub session_idle: Duration,
    /// A session ends this long after sign-in, used or not.
    pub session_max: Duration,
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
    pub db: Db,
    /// Verified API keys and sessions.
    pub credentials: Arc<crate::accounts::Credentials>,
    /// Operator settings.
    pub settings: Arc<Settings>,
    /// Wakes the workers when a step becomes runnable.
    pub wake: Arc<Notify>,
    /// Rendered status answers and offers lists (the most read endpoints).
    pub answers: Arc<AnswerCache>,
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

/// A publisher's offers list as read from the database: the summaries (filtered for queries
/// with a search or a status) and the unfiltered answer's JSON.
#[derive(Debug)]
pub struct OfferList {
    /// Every offer, newest change first.
    pub summaries: Vec<OfferSummary>,
    /// `summaries` as JSON.
    pub body: Bytes,
}

/// Rendered answers of the most read endpoints: `GET …/status` per offer and language, and
/// the offers list per publisher. This process drops an offer's status and its publisher's list
/// whenever it changes the offer or its operation (API writes and every engine transition);
/// changes made by *other* server processes on a shared database show after at most
/// [`AnswerCache::TTL`].
#[derive(Debug, Default)]
pub struct AnswerCache {
    statuses: Mutex<HashMap<StatusKey, (Instant, Bytes)>>,
    lists: Mutex<HashMap<String, (Instant, Arc<OfferList>)>>,
    /// One list read at a time per publisher: when a list goes stale under load, the requests
    /// that find it gone wait for one read instead of each reading the database.
    list_reads: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl AnswerCache {
    /// How long an answer is served without reading the database again.
    pub const TTL: Duration = Duration::from_millis(500);
    /// Status answers kept at most; they are all dropped when there would be more.
    const MAX_STATUSES: usize = 10_000;
    /// JSON bytes of the lists kept at most (the summaries take about as much again); they
    /// are all dropped when there would be more.
    const MAX_LIST_BYTES: usize = 32 * 1024 * 1024;

    /// A fresh status answer for the offer in a language.
    pub fn status(&self, publisher: &str, offer: &str, lang: Lang) -> Option<Bytes> {
        let entries = self.statuses.lock().ok()?;
        let (at, body) = entries.get(&(publisher.to_owned(), offer.to_owned(), lang))?;
        (at.elapsed() < Self::TTL).then(|| body.clone())
    }

    /// Keeps a status answer read at `read_at` (taken before the database read, so an
    /// invalidation racing with the read is never hidden for longer than the TTL).
    pub fn put_status(
        &self,
        publisher: &str,
        offer: &str,
        lang: Lang,
        read_at: Instant,
        body: Bytes,
    ) {
        if let Ok(mut entries) = self.statuses.lock() {
            if entries.len() >= Self::MAX_STATUSES {
                entries.clear();
            }
            entries.insert(
                (publisher.to_owned(), offer.to_owned(), lang),
                (read_at, body),
            );
        }
    }

    /// A fresh offers list of the publisher.
    pub fn list(&self, publisher: &str) -> Option<Arc<OfferList>> {
        let entries = self.lists.lock().ok()?;
        let (at, list) = entries.get(publisher)?;
        (at.elapsed() < Self::TTL).then(|| Arc::clone(list))
    }

    /// The lock to hold while reading the publisher's list from the database (check
    /// [`Self::list`] again once it is held).
    pub fn list_read(&self, publisher: &str) -> Arc<tokio::sync::Mutex<()>> {
        match self.list_reads.lock() {
            Ok(mut locks) => Arc::clone(locks.entry(publisher.to_owned()).or_default()),
            Err(_) => Arc::default(),
        }
    }

    /// Keeps a publisher's offers list read at `read_at` (as for [`Self::put_status`]).
    pub fn put_list(&self, publisher: &str, read_at: Instant, list: Arc<OfferList>) {
        if list.body.len() > Self::MAX_LIST_BYTES {
            return;
        }
        if let Ok(mut entries) = self.lists.lock() {
            entries.remove(publisher);
            let kept: usize = entries.values().map(|(_, l)| l.body.len()).sum();
            if kept + list.body.len() > Self::MAX_LIST_BYTES {
                entries.clear();
            }
            entries.insert(publisher.to_owned(), (read_at, list));
        }
    }

    /// Drops every cached status answer of an offer and its publisher's list.
    pub fn invalidate(&self, publisher: &str, offer: &str) {
        if let Ok(mut entries) = self.statuses.lock() {
            for lang in Lang::ALL {
                entries.remove(&(publisher.to_owned(), offer.to_owned(), lang));
            }
        }
        if let Ok(mut entries) = self.lists.lock() {
            entries.remove(publisher);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_answers_are_served_until_invalidated_or_old() {
        let cache = AnswerCache::default();
        let body = Bytes::from_static(b"{}");
        cache.put_status("contoso", "vm", Lang::En, Instant::now(), body.clone());
        assert_eq!(cache.status("contoso", "vm", Lang::En), Some(body.clone()));
        assert_eq!(
            cache.status("contoso", "vm", Lang::Ko),
            None,
            "per language"
        );
        assert_eq!(
            cache.status("contoso", "other", Lang::En),
            None,
            "per offer"
        );
        cache.invalidate("contoso", "vm");
        assert_eq!(
            cache.status("contoso", "vm", Lang::En),
            None,
            "a write drops it"
        );
        let old = Instant::now()
            .checked_sub(AnswerCache::TTL)
            .unwrap_or_else(Instant::now);
        cache.put_status("contoso", "vm", Lang::En, old, body);
        assert_eq!(
            cache.status("contoso", "vm", Lang::En),
            None,
            "an answer older than the TTL is not served"
        );
    }

    fn list(body: &'static [u8]) -> Arc<OfferList> {
        Arc::new(OfferList {
            summaries: Vec::new(),
            body: Bytes::from_static(body),
        })
    }

    #[test]
    fn a_publishers_list_is_dropped_by_a_write_to_any_of_its_offers() {
        let cache = AnswerCache::default();
        cache.put_list("contoso", Instant::now(), list(b"[1]"));
        cache.put_list("fabrikam", Instant::now(), list(b"[2]"));
        assert_eq!(cache.list("contoso").unwrap().body, &b"[1]"[..]);
        cache.invalidate("contoso", "any-offer");
        assert!(cache.list("contoso").is_none(), "a write drops it");
        assert!(cache.list("fabrikam").is_some(), "per publisher");
        let old = Instant::now()
            .checked_sub(AnswerCache::TTL)
            .unwrap_or_else(Instant::now);
        cache.put_list("contoso", old, list(b"[3]"));
        assert!(cache.list("contoso").is_none(), "older than the TTL");
    }

    #[test]
    fn lists_are_bounded_by_their_bytes() {
        let cache = AnswerCache::default();
        let of_len = |n: usize| {
            Arc::new(OfferList {
                summaries: Vec::new(),
                body: Bytes::from(vec![b'x'; n]),
            })
        };
        let half = AnswerCache::MAX_LIST_BYTES / 2 + 1;
        cache.put_list("a", Instant::now(), of_len(half));
        cache.put_list("b", Instant::now(), of_len(half));
        assert!(cache.list("a").is_none() && cache.list("b").is_some());
        cache.put_list("c", Instant::now(), of_len(AnswerCache::MAX_LIST_BYTES + 1));
        assert!(cache.list("c").is_none(), "never kept");
    }
}
