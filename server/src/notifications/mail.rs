//! SMTP delivery of the outbox (lettre): a worker claims the oldest due notification with a
//! lease (so several processes never send one twice), sends it to each recipient, and records
//! the outcome. Failures are retried with exponential back-off (30 s, 1 min, 2 min … capped at
//! an hour) up to [`MAX_ATTEMPTS`]; the last server answer is kept for the portal to show. The
//! SMTP URL may hold a password: it is a [`Secret`] and never logged.

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::task::JoinHandle;

use super::{Notification, store};
use crate::config::Secret;
use crate::db::now_ms;
use crate::state::AppState;

/// Attempts per notification before it is left undelivered (its last error shown).
pub const MAX_ATTEMPTS: i64 = 8;
/// How long a claimed notification is held by the worker sending it.
const HOLD: Duration = Duration::from_secs(120);

/// An SMTP transport and the sender address.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The wait before the first retry; each further one doubles it, up to an hour.
    first_retry: Duration,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// From `smtp://[user:pass@]host[:port]` (plain; add `?tls=required` for STARTTLS) or
    /// `smtps://…` (TLS), and the sender (`Partner Portal <portal@example.com>`).
    pub fn new(url: &Secret, from: &str, first_retry: Duration) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
            .map_err(|e| anyhow::anyhow!("--smtp-url is not a valid SMTP URL: {e}"))?
            .timeout(Some(Duration::from_secs(30)))
            .build();
        let from = from
            .parse()
            .map_err(|e| anyhow::anyhow!("--smtp-from `{from}` is not an address: {e}"))?;
        Ok(Self {
            transport,
            from,
            first_retry,
        })
    }

    /// Sends one notification to every recipient; the error is the server's answer.
    async fn send(&self, row: &Notification) -> Result<(), String> {
        let mut builder = Message::builder()
            .from(self.from.clone())
            .subject(row.subject.clone());
        let mut any = false;
        for to in row
            .recipients
            .split([',', ';'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let mailbox: Mailbox = to
                .parse()
                .map_err(|e| format!("recipient `{to}` is not an address: {e}"))?;
            builder = builder.to(mailbox);
            any = true;
        }
        if !any {
            return Err("the notification has no recipients".into());
        }
        let message = builder
            .header(ContentType::TEXT_PLAIN)
            .body(row.body.clone())
            .map_err(|e| e.to_string())?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// The wait before attempt `n + 1` after `n` failed ones.
pub fn backoff(first: Duration, attempts: i64) -> Duration {
    let exp = u32::try_from(attempts.clamp(1, 8) - 1).unwrap_or(0);
    (first * 2u32.pow(exp)).min(Duration::from_secs(3600))
}

/// Starts the delivery worker.
pub fn spawn_delivery(state: AppState, mailer: Mailer) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let now = now_ms();
            let hold = now + i64::try_from(HOLD.as_millis()).unwrap_or(120_000);
            match store::claim(&state.db, now, hold, MAX_ATTEMPTS).await {
                Ok(Some(row)) => deliver(&state, &mailer, &row).await,
                Ok(None) => {
                    tokio::select! {
                        () = state.wake.notified() => {}
                        () = tokio::time::sleep(Duration::from_secs(1)) => {}
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, "claiming mail failed");
                    tokio::time::sleep(Duration::from_secs(5)).await;
                }
            }
        }
    })
}

async fn deliver(state: &AppState, mailer: &Mailer, row: &Notification) {
    let result = match mailer.send(row).await {
        Ok(()) => {
            tracing::info!(notification.id = %row.id, kind = %row.kind, "notification delivered");
            store::delivered(&state.db, &row.id, now_ms()).await
        }
        Err(e) => {
            let wait = backoff(mailer.first_retry, row.attempts);
            tracing::warn!(notification.id = %row.id, attempt = row.attempts, error = %e, "notification not delivered; will retry");
            let retry = now_ms() + i64::try_from(wait.as_millis()).unwrap_or(i64::MAX / 2);
            store::failed(&state.db, &row.id, retry, &e).await
        }
    };
    if let Err(e) = result {
        tracing::error!(error = %e, "recording a delivery failed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RETRY: Duration = Duration::from_secs(30);

    #[test]
    fn backoff_doubles_and_is_capped() {
        let first = Duration::from_secs(30);
        assert_eq!(backoff(first, 1), Duration::from_secs(30));
        assert_eq!(backoff(first, 2), Duration::from_secs(60));
        assert_eq!(backoff(first, 4), Duration::from_secs(240));
        assert_eq!(backoff(first, 20), Duration::from_secs(3600));
    }

    #[test]
    fn bad_urls_are_named_without_the_password() {
        let err = Mailer::new(&"nope://user:hunter2@x".parse().unwrap(), "a@x.com", RETRY)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("--smtp-url") && !err.contains("hunter2"),
            "{err}"
        );
        let err = Mailer::new(
            &"smtp://localhost:2525".parse().unwrap(),
            "not an address",
            RETRY,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("--smtp-from"), "{err}");
    }
}
