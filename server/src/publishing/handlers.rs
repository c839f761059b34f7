//! The publishing routes: publish, Go Live, Cancel publish, the status, the operations and a
//! live stream of the status for the web app.

use std::convert::Infallible;
use std::time::Duration;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::Stream;
use portal_domain::Lang;
use portal_domain::api::{API_VERSION, OfferStatusView, OperationView, PublishRequest};
use portal_domain::i18n::label;
use portal_domain::ids::EmailList;
use portal_domain::validation::{FindingDetail, validate_with};
use portal_domain::workflow::{Next, Pipeline, StepId, WorkflowError};
use serde::Deserialize;

use super::Operation;
use super::answers::{operation_view, status_view};
use super::store::{self, PublishConflict};
use crate::accounts::{ManagedOffer, Principal, need};
use crate::audit::Change;
use crate::db::{from_ms, now_ms};
use crate::error::{ApiError, ApiResult};
use crate::extract::{AcceptLang, JsonBody, OfferPath};
use crate::notifications::{self, Event};
use crate::offers::{self, Offer};
use crate::routes::ApiRoute;
use crate::state::AppState;

pub(super) fn routes() -> Vec<ApiRoute> {
    vec![
        ApiRoute::post(
            "/api/publishers/{publisher}/offers/{offer}/publish",
            "publishOffer",
            "Validate, snapshot a new version and start publishing (202 + Location; 422 with findings).",
            publish_offer,
        )
        .body("PublishRequest"),
        ApiRoute::post(
            "/api/publishers/{publisher}/offers/{offer}/golive",
            "goLive",
            "Go Live at publisher sign-off (202 + Location; 409 otherwise).",
            go_live,
        ),
        ApiRoute::post(
            "/api/publishers/{publisher}/offers/{offer}/cancel",
            "cancelPublish",
            "Cancel publish at sign-off; publishing restarts at step 1 (409 otherwise).",
            cancel_publish,
        )
        .success("200"),
        ApiRoute::get(
            "/api/publishers/{publisher}/offers/{offer}/status",
            "getStatus",
            "The seven steps of the latest publish.",
            get_status,
        ),
        ApiRoute::get(
            "/api/publishers/{publisher}/offers/{offer}/submissions",
            "listSubmissions",
            "Operations of the offer, newest first; `status=running` filters.",
            list_submissions,
        ),
        // Some CPP clients send the list with a trailing slash.
        ApiRoute::get(
            "/api/publishers/{publisher}/offers/{offer}/submissions/",
            "listSubmissions",
            "",
            list_submissions,
        )
        .undocumented(),
        ApiRoute::get(
            "/api/publishers/{publisher}/offers/{offer}/operations/{operation}",
            "getOperation",
            "One operation.",
            get_operation,
        ),
        ApiRoute::get(
            "/api/publishers/{publisher}/offers/{offer}/events",
            "offerEvents",
            "Server-Sent Events: the status JSON each time it changes.",
            stream_offer_events,
        ),
    ]
}

fn location(op: &Operation) -> String {
    format!(
        "/api/publishers/{}/offers/{}/operations/{}?api-version={API_VERSION}",
        op.publisher_id, op.offer_id, op.id
    )
}

fn accepted(op: &Operation, lang: Lang) -> ApiResult<Response> {
    let view = operation_view(op, lang);
    let mut res = (StatusCode::ACCEPTED, Json(view)).into_response();
    if let Ok(v) = HeaderValue::from_str(&location(op)) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

/// `POST …/offers/{offer}/publish`
async fn publish_offer(
    State(state): State<AppState>,
    ManagedOffer {
        principal, path, ..
    }: ManagedOffer<need::Publish>,
    AcceptLang(lang): AcceptLang,
    JsonBody(req): JsonBody<PublishRequest>,
) -> ApiResult<Response> {
    let offer = offers::load(&state, &path).await?;
    check_document(&state, &offer, lang)?;
    let emails = EmailList::parse(&req.metadata.notification_emails).map_err(|e| {
        let field = "notification-emails";
        let message = e.0.message(label(field, lang), lang);
        ApiError::Unprocessable {
            code: "InvalidNotificationEmails",
            message: format!("`{field}`: {message}"),
            details: vec![FindingDetail {
                field: format!("metadata.{field}"),
                code: e.0.code().to_owned(),
                message,
            }],
        }
    })?;
    // A concurrent publish or edit may win the race: read again and decide again (the
    // winner's operation is answered when the draft is the same: publish is idempotent).
    let mut offer = offer;
    for _ in 0..3 {
        if let Some(running) =
            store::of_offer(&state.db, &offer.publisher_id, &offer.offer_id, true)
                .await?
                .into_iter()
                .next()
        {
            return if running.draft_hash == offer.draft_hash {
                accepted(&running, lang)
            } else {
                Err(WorkflowError::AlreadyRunning.into())
            };
        }
        let mut op = Operation::start(
            &offer.publisher_id,
            &offer.offer_id,
            offer.version + 1,
            &offer.draft_hash,
            &emails.to_string(),
        );
        op.started_by = Some(principal.display_name());
        let mail = notifications::message(&op, Event::PublishAccepted, "");
        let change = Change::on_offer(&principal, &op.publisher_id, &op.offer_id, "offer.publish")
            .values(
                None,
                Some(serde_json::json!({"version": op.version, "operation": op.id})),
            );
        match store::publish(&state.db, &offer, &op, &[mail], &change).await? {
            Ok(()) => {
                tracing::info!(offer.id = %offer.offer_id, operation.id = %op.id, version = op.version, "publish accepted");
                state.wake.notify_waiters();
                return accepted(&op, lang);
            }
            Err(PublishConflict::Running | PublishConflict::DraftChanged) => {
                let again = offers::load(&state, &path).await?;
                if again.draft_hash != offer.draft_hash {
                    check_document(&state, &again, lang)?;
                }
                offer = again;
            }
        }
    }
    Err(WorkflowError::AlreadyRunning.into())
}

fn check_document(state: &AppState, offer: &Offer, lang: Lang) -> ApiResult<()> {
    let findings = validate_with(&offer.draft, state.settings.validation());
    if findings.is_empty() {
        return Ok(());
    }
    Err(ApiError::Unprocessable {
        code: "ValidationFailed",
        message: format!(
            "The offer has {} problem(s) to fix before it can be published.",
            findings.len()
        ),
        details: findings.iter().map(|f| f.detail(lang)).collect(),
    })
}

/// Applies a publisher's transition (Go Live, Cancel) to the latest operation.
async fn transition(
    state: &AppState,
    principal: &Principal,
    path: &OfferPath,
    apply: fn(&mut Pipeline, time::OffsetDateTime) -> Result<Next, WorkflowError>,
    event: Option<Event>,
    action: &'static str,
) -> ApiResult<Operation> {
    let offer = offers::load(state, path).await?;
    let mut op = store::latest(&state.db, &offer.publisher_id, &offer.offer_id)
        .await?
        .ok_or(WorkflowError::NothingRunning)?;
    let now = now_ms();
    let next = apply(&mut op.pipeline, from_ms(now))?;
    op.next_step = match next {
        Next::Run(step) => Some(step),
        _ => None,
    };
    op.updated_ms = now;
    op.signed_off_by = Some(principal.display_name());
    let mail: Vec<_> = event
        .map(|e| notifications::message(&op, e, ""))
        .into_iter()
        .collect();
    let change = Change::on_offer(principal, &op.publisher_id, &op.offer_id, action).values(
        None,
        Some(serde_json::json!({"version": op.version, "operation": op.id})),
    );
    if !store::update_if_unchanged(&state.db, &op, &mail, &change).await? {
        return Err(ApiError::Workflow(WorkflowError::StepNotInProgress {
            step: StepId::PublisherSignoff.as_str(),
        }));
    }
    state.wake.notify_waiters();
    Ok(op)
}

/// `POST …/offers/{offer}/golive`
async fn go_live(
    State(state): State<AppState>,
    ManagedOffer {
        principal, path, ..
    }: ManagedOffer<need::GoLive>,
    AcceptLang(lang): AcceptLang,
) -> ApiResult<Response> {
    let op = transition(
        &state,
        &principal,
        &path,
        Pipeline::go_live,
        None,
        "operation.goLive",
    )
    .await?;
    tracing::info!(operation.id = %op.id, "go live");
    accepted(&op, lang)
}

/// `POST …/offers/{offer}/cancel`: only at publisher sign-off.
async fn cancel_publish(
    State(state): State<AppState>,
    ManagedOffer {
        principal, path, ..
    }: ManagedOffer<need::Publish>,
    AcceptLang(lang): AcceptLang,
) -> ApiResult<Json<OperationView>> {
    let op = transition(
        &state,
        &principal,
        &path,
        Pipeline::cancel,
        Some(Event::Canceled),
        "operation.cancel",
    )
    .await?;
    tracing::info!(operation.id = %op.id, "publish canceled");
    Ok(Json(operation_view(&op, lang)))
}

/// The status view of an offer (404 when it does not exist). Reads the latest operation and
/// the offer's state, never the draft.
async fn offer_status(
    state: &AppState,
    path: &OfferPath,
    lang: Lang,
) -> ApiResult<OfferStatusView> {
    let (p, o) = (path.publisher.as_str(), path.offer.as_str());
    // One statement: a step's effects on the offer (preview and production versions) commit
    // together with the operation, and one snapshot never shows one without the other.
    let (offer, latest) = store::status_of(&state.db, p, o)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("Offer `{o}` was not found.")))?;
    Ok(status_view(&offer, latest.as_ref(), lang))
}

/// `GET …/offers/{offer}/status`
async fn get_status(
    State(state): State<AppState>,
    ManagedOffer { path, .. }: ManagedOffer,
    AcceptLang(lang): AcceptLang,
) -> ApiResult<Response> {
    let (p, o) = (path.publisher.as_str(), path.offer.as_str());
    let cache = &state.answers;
    let body = match cache.status(p, o, lang) {
        Some(body) => body,
        None => {
            let read_at = std::time::Instant::now();
            let view = offer_status(&state, &path, lang).await?;
            let body = Bytes::from(serde_json::to_vec(&view).map_err(anyhow::Error::from)?);
            cache.put_status(p, o, lang, read_at, body.clone());
            body
        }
    };
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// Filter of the operations list.
#[derive(Debug, Deserialize)]
struct SubmissionsQuery {
    /// `running` to list only the running operation.
    status: Option<String>,
}

/// `GET …/offers/{offer}/submissions`
async fn list_submissions(
    State(state): State<AppState>,
    ManagedOffer { path, .. }: ManagedOffer,
    AcceptLang(lang): AcceptLang,
    Query(q): Query<SubmissionsQuery>,
) -> ApiResult<Json<Vec<OperationView>>> {
    let offer = offers::load(&state, &path).await?;
    let only_running = match q.status.as_deref() {
        None | Some("") => false,
        Some(s) if s.eq_ignore_ascii_case("running") => true,
        Some(s) => {
            return Err(ApiError::bad_request(
                "InvalidStatusFilter",
                format!("`{s}` is not a supported status filter; use `running`."),
            ));
        }
    };
    let ops = store::of_offer(
        &state.db,
        &offer.publisher_id,
        &offer.offer_id,
        only_running,
    )
    .await?;
    Ok(Json(
        ops.iter().map(|op| operation_view(op, lang)).collect(),
    ))
}

/// `GET …/offers/{offer}/operations/{operation}`
async fn get_operation(
    State(state): State<AppState>,
    ManagedOffer { path, .. }: ManagedOffer,
    AcceptLang(lang): AcceptLang,
    Path((_, _, id)): Path<(String, String, String)>,
) -> ApiResult<Json<OperationView>> {
    let offer = offers::load(&state, &path).await?;
    let op = store::find(&state.db, &offer.publisher_id, &offer.offer_id, &id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("Operation `{id}` was not found.")))?;
    Ok(Json(operation_view(&op, lang)))
}

/// `GET …/offers/{offer}/events`: Server-Sent Events carrying the status JSON each time it
/// changes (polled server-side every 500 ms).
async fn stream_offer_events(
    State(state): State<AppState>,
    ManagedOffer { path, .. }: ManagedOffer,
    AcceptLang(lang): AcceptLang,
) -> ApiResult<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>> {
    offers::load(&state, &path).await?;
    let stream = futures::stream::unfold(
        (state, path, String::new()),
        move |(state, path, last)| async move {
            loop {
                let text = match offer_status(&state, &path, lang).await {
                    Ok(view) => serde_json::to_string(&view).unwrap_or_default(),
                    Err(ApiError::NotFound(_)) => return None,
                    Err(_) => String::new(),
                };
                if !text.is_empty() && text_without_times(&text) != text_without_times(&last) {
                    let event = SseEvent::default().event("status").data(text.clone());
                    return Some((Ok(event), (state, path, text)));
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        },
    );
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// The status JSON without the message timestamps that change on every render.
fn text_without_times(text: &str) -> String {
    let mut v: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    if let Some(m) = v.get_mut("messages") {
        *m = serde_json::Value::Null;
    }
    v.to_string()
}
