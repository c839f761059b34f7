//! Notifications: written to the outbox ([`store`]) in the same transaction as the event
//! they report, delivered over SMTP by [`mail`] when `--smtp-url` is set, and always shown in
//! the portal (`GET …/notifications`, [`routes`]).

pub mod mail;
mod routes;
pub mod store;

use crate::db::now_ms;
use crate::publishing::Operation;

pub use routes::routes;

/// A notification in the outbox.
#[derive(Debug, Clone)]
pub struct Notification {
    /// Id.
    pub id: String,
    /// Publisher namespace.
    pub publisher_id: String,
    /// The operation it is about.
    pub operation_id: Option<String>,
    /// `publishAccepted`, `publishFailed` …
    pub kind: String,
    /// Comma-separated addresses.
    pub recipients: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// When it was written.
    pub created_ms: i64,
    /// When it was delivered over SMTP (never without `--smtp-url`).
    pub delivered_ms: Option<i64>,
    /// Delivery attempts so far.
    pub attempts: i64,
    /// The last delivery failure (the mail server's answer).
    pub last_error: Option<String>,
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A publish was accepted.
    PublishAccepted,
    /// A step failed.
    PublishFailed,
    /// The preview is ready.
    PreviewAvailable,
    /// The version is live.
    Live,
    /// The publisher canceled at sign-off.
    Canceled,
}

impl Event {
    fn kind(self) -> &'static str {
        match self {
            Event::PublishAccepted => "publishAccepted",
            Event::PublishFailed => "publishFailed",
            Event::PreviewAvailable => "previewAvailable",
            Event::Live => "live",
            Event::Canceled => "canceled",
        }
    }
}

/// The outbox row for an event of an operation; `detail` is added to the body.
pub fn message(op: &Operation, event: Event, detail: &str) -> Notification {
    let (p, o, v) = (&op.publisher_id, &op.offer_id, op.version);
    let (subject, body) = match event {
        Event::PublishAccepted => (
            format!("Publishing of {o} (version {v}) has started"),
            format!(
                "Your publish request for offer {o} of {p} was accepted. Follow its progress on the Status tab."
            ),
        ),
        Event::PublishFailed => (
            format!("Publishing of {o} (version {v}) failed"),
            format!(
                "Publishing of offer {o} stopped with errors.\n\n{detail}\n\nNext steps: fix the problems listed on the Status tab, then press Publish again; publishing restarts at step 1. If you are stuck, open a support request."
            ),
        ),
        Event::PreviewAvailable => (
            format!("{o} (version {v}) is available in preview"),
            format!(
                "The preview of offer {o} is ready at /preview/{p}/{o}. Check it, then choose Go Live or Cancel publish."
            ),
        ),
        Event::Live => (
            format!("{o} (version {v}) is live"),
            format!("Offer {o} is live in the catalogue at /catalogue/{p}/{o}."),
        ),
        Event::Canceled => (
            format!("Publishing of {o} (version {v}) was canceled"),
            format!(
                "Publishing of offer {o} was canceled at publisher sign-off. Press Publish to start again at step 1."
            ),
        ),
    };
    Notification {
        id: uuid::Uuid::new_v4().to_string(),
        publisher_id: p.clone(),
        operation_id: Some(op.id.clone()),
        kind: event.kind().to_owned(),
        recipients: op.emails.clone(),
        subject,
        body,
        created_ms: now_ms(),
        delivered_ms: None,
        attempts: 0,
        last_error: None,
    }
}
