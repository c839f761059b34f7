//! Test leads to a local HTTPS-endpoint stand-in, and the destinations not delivered to.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::routing::post;
use portal_domain::OfferDocument;
use portal_domain::validation::LeadDestination;
use portal_package::{LeadError, send_test_lead};
use serde_json::{Value, json};

use crate::helpers::{lead_options, sample_offer};

/// One request received: its `Content-Type` and body.
type Received = (Option<String>, Vec<u8>);

/// A lead endpoint that answers from a script (the last answer repeats) and records requests.
#[derive(Clone, Default)]
struct Endpoint {
    script: Arc<Vec<(StatusCode, &'static str)>>,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Endpoint {
    fn answering(script: Vec<(StatusCode, &'static str)>) -> Self {
        Self {
            script: Arc::new(script),
            ..Self::default()
        }
    }

    async fn start(&self) -> String {
        async fn receive(
            State(ep): State<Endpoint>,
            headers: axum::http::HeaderMap,
            body: axum::body::Bytes,
        ) -> (StatusCode, &'static str) {
            let mut received = ep.received.lock().unwrap();
            let content_type = headers
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            received.push((content_type, body.to_vec()));
            let i = (received.len() - 1).min(ep.script.len() - 1);
            ep.script[i]
        }
        let router = Router::new()
            .route("/leads", post(receive))
            .with_state(self.clone());
        format!(
            "http://{}/leads?sig=SECRETSIG",
            crate::helpers::serve(router).await
        )
    }

    fn attempts(&self) -> usize {
        self.received.lock().unwrap().len()
    }
}

fn https_offer(url: &str) -> OfferDocument {
    let mut doc = sample_offer("https://example.invalid");
    let o = &mut doc.definition.offer;
    o.lead_destination = Some("HttpsEndpoint".into());
    o.https_endpoint_lead_configuration =
        serde_json::from_value(json!({"httpsEndpointUrl": url})).unwrap();
    doc
}

#[tokio::test]
async fn the_endpoint_receives_exactly_the_documented_payload() {
    let ep = Endpoint::answering(vec![(StatusCode::OK, "ok")]);
    let url = ep.start().await;
    let outcome = send_test_lead(&https_offer(&url), &lead_options())
        .await
        .expect("accepted");
    assert!(outcome.delivered);
    assert_eq!(outcome.destination, LeadDestination::HttpsEndpoint);
    let token = outcome.token.clone().unwrap();
    assert!(
        token.starts_with("MSFT_TEST_") && token[10..].bytes().all(|b| b.is_ascii_digit()),
        "{token}"
    );
    assert!(outcome.message.contains(&token), "{}", outcome.message);
    assert!(
        !outcome.message.contains("SECRETSIG"),
        "the URL's signature must not be shown: {}",
        outcome.message
    );

    let received = ep.received.lock().unwrap().clone();
    assert_eq!(received.len(), 1);
    let (content_type, body) = &received[0];
    assert_eq!(content_type.as_deref(), Some("application/json"));
    let payload: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(
        payload,
        json!({
            "UserDetails": {
                "Company": token,
                "Country": "US",
                "Email": format!("{token}@test.com"),
                "FirstName": token,
                "LastName": token,
                "Phone": "1234567890",
                "Title": token
            },
            "LeadSource": format!("{token}-{token}|contoso.contoso-vm"),
            "ActionCode": token,
            "OfferTitle": "Contoso <Secure> VM",
            "Description": token
        })
    );
}

#[tokio::test]
async fn an_endpoint_answering_500_fails_with_its_answer_after_retries() {
    let ep = Endpoint::answering(vec![(
        StatusCode::INTERNAL_SERVER_ERROR,
        "database\n  is down",
    )]);
    let url = ep.start().await;
    let err = send_test_lead(&https_offer(&url), &lead_options())
        .await
        .unwrap_err();
    assert_eq!(ep.attempts(), 3, "three attempts were allowed");
    match &err {
        LeadError::Rejected {
            field,
            status,
            body,
            attempts,
            message,
        } => {
            assert_eq!(
                field.to_string(),
                "definition.offer.microsoft-azure-marketplace.httpsEndpointLeadConfiguration.httpsEndpointUrl"
            );
            assert_eq!(*status, 500);
            assert_eq!(body, "database is down");
            assert_eq!(*attempts, 3);
            let shown = url.split('?').next().unwrap();
            assert_eq!(
                message,
                &format!(
                    "The lead endpoint {shown} answered 500 Internal Server Error: \u{ab}database is down\u{bb} (after 3 attempts). Fix the endpoint and press Publish again."
                )
            );
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert_eq!(err.code(), "leadRejected");
}

#[tokio::test]
async fn a_transient_503_then_200_succeeds() {
    let ep = Endpoint::answering(vec![
        (StatusCode::SERVICE_UNAVAILABLE, "busy"),
        (StatusCode::ACCEPTED, ""),
    ]);
    let url = ep.start().await;
    let outcome = send_test_lead(&https_offer(&url), &lead_options())
        .await
        .expect("accepted on retry");
    assert!(outcome.delivered);
    assert_eq!(ep.attempts(), 2);
    assert!(
        outcome.message.contains("after 2 attempts"),
        "{}",
        outcome.message
    );
}

#[tokio::test]
async fn a_client_error_is_final_and_not_retried() {
    let ep = Endpoint::answering(vec![(StatusCode::BAD_REQUEST, "schema mismatch")]);
    let url = ep.start().await;
    let err = send_test_lead(&https_offer(&url), &lead_options())
        .await
        .unwrap_err();
    assert_eq!(ep.attempts(), 1);
    assert!(
        matches!(err, LeadError::Rejected { status: 400, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_unreachable_or_private_endpoint_fails_with_the_field_named() {
    // Nothing listens on a port that was just freed: connection refused, retried, then final.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = send_test_lead(
        &https_offer(&format!("http://127.0.0.1:{port}/x")),
        &lead_options(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, LeadError::Unreachable { attempts: 3, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("could not be reached"), "{err}");

    // The default policy refuses loopback before sending anything.
    let ep = Endpoint::answering(vec![(StatusCode::OK, "ok")]);
    let url = ep.start().await.replace("http://", "https://");
    let mut opts = lead_options();
    opts.http = portal_package::HttpPolicy::default();
    let err = send_test_lead(&https_offer(&url), &opts).await.unwrap_err();
    assert!(err.to_string().contains("non-public address"), "{err}");
    assert_eq!(ep.attempts(), 0);
}

fn with_destination(dest: &str, key: &str, config: Value) -> OfferDocument {
    let mut doc = sample_offer("https://example.invalid");
    let mut offer = serde_json::to_value(&doc.definition.offer).unwrap();
    offer["microsoft-azure-marketplace.leadDestination"] = json!(dest);
    offer[format!("microsoft-azure-marketplace.{key}")] = config;
    doc.definition.offer = serde_json::from_value(offer).unwrap();
    doc
}

#[tokio::test]
async fn dynamics_marketo_and_salesforce_are_checked_but_not_delivered_to() {
    let cases = [
        (
            with_destination(
                "DynamicsCrmOnline",
                "crmLeadConfiguration",
                json!({
                    "authentication": "AzureAD",
                    "applicationId": "0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9",
                    "directoryId": "1f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9",
                    "applicationKey": "TOPSECRET"
                }),
            ),
            "Dynamics 365",
        ),
        (
            with_destination(
                "Marketo",
                "marketoLeadConfiguration",
                json!({
                    "serverId": "ys12", "munchkinId": "123-PQR-789", "formId": "1179"
                }),
            ),
            "Marketo",
        ),
        (
            with_destination(
                "Salesforce",
                "salesForceLeadConfiguration",
                json!({"objectIdentifier": "00Do0000000ZHog"}),
            ),
            "Salesforce",
        ),
    ];
    for (doc, name) in cases {
        let outcome = send_test_lead(&doc, &lead_options())
            .await
            .expect("configured");
        assert!(!outcome.delivered);
        assert_eq!(
            outcome.message,
            format!(
                "{name} is configured; this portal does not deliver test leads to {name} yet, so no test lead was sent. Check in {name} that leads arrive once the offer is live."
            )
        );
        assert!(!outcome.message.contains("TOPSECRET"));
    }
}

#[tokio::test]
async fn incomplete_configurations_name_the_field() {
    let doc = with_destination(
        "Marketo",
        "marketoLeadConfiguration",
        json!({"munchkinId": "123-PQR-789", "formId": "abc"}),
    );
    let err = send_test_lead(&doc, &lead_options()).await.unwrap_err();
    assert_eq!(
        err.field().to_string(),
        "definition.offer.microsoft-azure-marketplace.marketoLeadConfiguration.formId"
    );
    assert_eq!(err.code(), "leadConfiguration");

    let doc = with_destination(
        "DynamicsCrmOnline",
        "crmLeadConfiguration",
        json!({"authentication": "Office365", "url": "https://contoso.crm4.dynamics.com", "userName": "lead-writer"}),
    );
    let err = send_test_lead(&doc, &lead_options()).await.unwrap_err();
    assert_eq!(
        err.field().to_string(),
        "definition.offer.microsoft-azure-marketplace.crmLeadConfiguration.password"
    );

    let doc = with_destination("Salesforce", "salesForceLeadConfiguration", json!({}));
    let err = send_test_lead(&doc, &lead_options()).await.unwrap_err();
    assert_eq!(
        err.field().to_string(),
        "definition.offer.microsoft-azure-marketplace.salesForceLeadConfiguration.objectIdentifier"
    );

    let doc = with_destination("HttpsEndpoint", "httpsEndpointLeadConfiguration", json!({}));
    let err = send_test_lead(&doc, &lead_options()).await.unwrap_err();
    assert!(matches!(err, LeadError::Configuration { .. }), "{err:?}");

    let doc = with_destination("AzureBlob", "blobLeadConfiguration", json!({}));
    let err = send_test_lead(&doc, &lead_options()).await.unwrap_err();
    assert!(err.to_string().contains("no longer supported"), "{err}");
}

#[tokio::test]
async fn no_destination_sends_nothing() {
    for dest in [None, Some("None")] {
        let mut doc = sample_offer("https://example.invalid");
        doc.definition.offer.lead_destination = dest.map(str::to_owned);
        let outcome = send_test_lead(&doc, &lead_options()).await.unwrap();
        assert_eq!(outcome.destination, LeadDestination::None);
        assert!(!outcome.delivered);
        assert_eq!(
            outcome.message,
            "No lead destination is configured, so no test lead was sent."
        );
    }
}
