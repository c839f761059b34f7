//! The HTTPS endpoint destination: the test lead as the documented JSON payload, POSTed.

use bytes::Bytes;
use portal_domain::FieldPath;
use reqwest::Method;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderValue};

use super::retry::{Delivery, send_with_retries};
use super::{ANSWER_EXCERPT, LeadError, LeadOptions, TestLead};
use crate::http::{GuardedClient, Request};

/// POSTs the test lead; `Ok` carries the step message.
pub(super) async fn send(
    url: &str,
    field: FieldPath,
    lead: &TestLead,
    opts: &LeadOptions,
) -> Result<String, LeadError> {
    // Lead endpoints often carry a signature in the query (Power Automate's `sig=`).
    let shown = portal_net::redact(url);
    let body = Bytes::from(
        serde_json::to_vec(&lead.https_payload()).expect("the lead payload always serializes"),
    );
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(ACCEPT, HeaderValue::from_static("application/json, */*"));
    let client = GuardedClient::new(opts.http.clone());
    let make = || Request {
        method: Method::POST,
        url: url.to_owned(),
        headers: headers.clone(),
        body: Some(body.clone()),
    };
    let (delivery, attempts) =
        send_with_retries(&client, opts.retry, opts.max_answer_bytes, make, |a| {
            a.status.is_success()
        })
        .await;
    let tries = if attempts == 1 {
        String::new()
    } else {
        format!(" (after {attempts} attempts)")
    };
    match delivery {
        Delivery::Answered(answer) if answer.status.is_success() => {
            tracing::info!(lead.token = %lead.token, status = answer.status.as_u16(), attempts, "test lead accepted by the HTTPS endpoint");
            Ok(format!(
                "The test lead {} was accepted by the lead endpoint {shown} ({}){tries}. Search for MSFT_TEST to find it.",
                lead.token, answer.status
            ))
        }
        Delivery::Answered(answer) => {
            let excerpt = answer.body_excerpt(ANSWER_EXCERPT);
            let redirect = if answer.status.is_redirection() {
                " The endpoint must accept the POST itself; redirects are not followed."
            } else {
                ""
            };
            Err(LeadError::Rejected {
                message: format!(
                    "The lead endpoint {shown} answered {}: \u{ab}{excerpt}\u{bb}{tries}.{redirect} Fix the endpoint and press Publish again.",
                    answer.status
                ),
                field,
                status: answer.status.as_u16(),
                body: excerpt,
                attempts,
            })
        }
        Delivery::Failed(e) => Err(LeadError::Unreachable {
            message: format!(
                "The lead endpoint {shown} could not be reached: {e}{tries}. Fix the endpoint URL or make the endpoint reachable, then press Publish again."
            ),
            field,
            attempts,
        }),
    }
}
