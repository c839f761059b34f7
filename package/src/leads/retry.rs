//! Sending one request with retries: transient failures (no connection, time-outs, 408, 429,
//! 5xx) are retried with exponential back-off, within a number of attempts and an overall
//! time limit.

use std::time::Duration;

use reqwest::StatusCode;
use tokio::time::Instant;

use crate::http::{Answer, GuardedClient, HttpError, Request};

/// How often and how long to try delivering a lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total (at least one).
    pub attempts: u32,
    /// Wait after the first failure; doubled after each further one.
    pub first_backoff: Duration,
    /// The longest wait between two attempts.
    pub max_backoff: Duration,
    /// Time limit of all attempts and waits together.
    pub deadline: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 4,
            first_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(10),
            deadline: Duration::from_secs(60),
        }
    }
}

/// How delivery ended.
#[derive(Debug)]
pub(crate) enum Delivery {
    /// The last answer (accepted or not).
    Answered(Answer),
    /// No answer on the last attempt.
    Failed(HttpError),
}

/// Whether an answer is worth another try.
fn transient_status(status: StatusCode) -> bool {
    status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
        || status.is_server_error()
}

/// Sends the request built by `make` until `accepted` holds or the failure is final. Returns
/// the outcome and the number of attempts made.
pub(crate) async fn send_with_retries(
    client: &GuardedClient,
    policy: RetryPolicy,
    max_bytes: u64,
    mut make: impl FnMut() -> Request,
    accepted: impl Fn(&Answer) -> bool,
) -> (Delivery, u32) {
    let deadline = Instant::now() + policy.deadline;
    let mut backoff = policy.first_backoff;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let req = make();
        let outcome = match tokio::time::timeout_at(deadline, client.send(&req, max_bytes)).await {
            Ok(Ok(answer)) => Delivery::Answered(answer),
            Ok(Err(e)) => Delivery::Failed(e),
            Err(_) => {
                return (
                    Delivery::Failed(HttpError::Timeout(policy.deadline)),
                    attempt,
                );
            }
        };
        let retry = match &outcome {
            Delivery::Answered(a) => !accepted(a) && transient_status(a.status),
            Delivery::Failed(e) => e.is_transient(),
        };
        let out_of_time = Instant::now() + backoff >= deadline;
        if !retry || attempt >= policy.attempts.max(1) || out_of_time {
            return (outcome, attempt);
        }
        tracing::debug!(
            attempt,
            backoff_ms = backoff.as_millis() as u64,
            "lead delivery failed; retrying"
        );
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(policy.max_backoff);
    }
}
