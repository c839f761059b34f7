//! Publishing: publish, Go Live, Cancel publish, the status, the operations and a live
//! stream of the status for the web app.

use std::convert::Infallible;
use std::time::Duration;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::Stream;
use portal_domain::api::{API_VERSION, OfferStatusView, OperationView, PublishRequest};
use portal_domain::i18n::label;
use portal_domain::ids::EmailList;
use portal_domain::validation::{FindingDetail, validate_with};
use portal_domain::workflow::{Next, OperationStatus, Pipeline, StepId, WorkflowError};
use portal_domain::{Lang, OfferDocument};
use serde::Deserialize;

use crate::api::extract::{AcceptLang, JsonBody, OfferPath};
use crate::api::offers::{authorize, load_offer};
use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::notify::{self, Event};
use crate::state::AppState;
use crate::store::{OfferRow, OperationRow, PublishConflict, from_ms, now_ms};
use crate::views;

fn location(op: &OperationRow) -> String {
    format!(
        "/api/publishers/{}/offers/{}/operations/{}?api-version={API_VERSION}",
        op.publisher_id, op.offer_id, op.id
    )
}

fn accepted(op: &OperationRow, lang: Lang) -> ApiResult<Response> {
    let view = views::operation_view(op, lang)?;
    let mut res = (StatusCode::ACCEPTED, Json(view)).into_response();
    if let Ok(v) = HeaderValue::from_str(&location(op)) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

/// `POST …/offers/{offer}/publish`
pub async fn publish_offer(
    State(state): State<AppState>,
    principal: Principal,
    path: OfferPath,
    AcceptLang(lang): AcceptLang,
    JsonBody(req): JsonBody<PublishRequest>,
) -> ApiResult<Response> {
    authorize(&principal, path.publisher.as_str())?;
    let offer = load_offer(&state, &path).await?;
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
        if let Some(running) = state
            .store
            .operations(&offer.publisher_id, &offer.offer_id, true)
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
        let op = new_operation(&offer, &emails.to_string())?;
        let mail = notify::message(&op, Event::PublishAccepted, "");
        match state.store.publish(&offer, &op, &[mail]).await? {
            Ok(()) => {
                tracing::info!(offer.id = %offer.offer_id, operation.id = %op.id, version = op.version, "publish accepted");
                state.wake.notify_waiters();
                return accepted(&op, lang);
            }
            Err(PublishConflict::Running | PublishConflict::DraftChanged) => {
                let again = load_offer(&state, &path).await?;
                if again.draft_hash != offer.draft_hash {
                    check_document(&state, &again, lang)?;
                }
                offer = again;
            }
        }
    }
    Err(WorkflowError::AlreadyRunning.into())
}

fn check_document(state: &AppState, offer: &OfferRow, lang: Lang) -> ApiResult<()> {
    let doc: OfferDocument = serde_json::from_str(&offer.draft).map_err(anyhow::Error::from)?;
    let findings = validate_with(&doc, state.settings.validation());
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

fn new_operation(offer: &OfferRow, emails: &str) -> ApiResult<OperationRow> {
    let now = now_ms();
    let pipeline = Pipeline::start(from_ms(now));
    Ok(OperationRow {
        id: uuid::Uuid::new_v4().to_string(),
        publisher_id: offer.publisher_id.clone(),
        offer_id: offer.offer_id.clone(),
        version: offer.version + 1,
        draft_hash: offer.draft_hash.clone(),
        status: OperationStatus::Running.as_str().into(),
        pipeline: serde_json::to_string(&pipeline).map_err(anyhow::Error::from)?,
        emails: emails.to_owned(),
        preview_links: "[]".into(),
        live_links: "[]".into(),
        created_ms: now,
        updated_ms: now,
        next_step: Some(StepId::ValidatePrerequisites.as_str().into()),
    })
}

async fn running_operation(state: &AppState, offer: &OfferRow) -> ApiResult<OperationRow> {
    let latest = state
        .store
        .latest_operation(&offer.publisher_id, &offer.offer_id)
        .await?;
    latest.ok_or_else(|| WorkflowError::NothingRunning.into())
}

/// Applies a publisher's transition (Go Live, Cancel) to the latest operation.
async fn transition(
    state: &AppState,
    path: &OfferPath,
    apply: fn(&mut Pipeline, time::OffsetDateTime) -> Result<Next, WorkflowError>,
    event: Option<Event>,
) -> ApiResult<OperationRow> {
    let offer = load_offer(state, path).await?;
    let mut op = running_operation(state, &offer).await?;
    let old = op.pipeline.clone();
    let mut pipeline = views::pipeline(&op)?;
    let now = now_ms();
    let next = apply(&mut pipeline, from_ms(now))?;
    op.status = pipeline.status.as_str().into();
    op.pipeline = serde_json::to_string(&pipeline).map_err(anyhow::Error::from)?;
    op.next_step = match next {
        Next::Run(step) => Some(step.as_str().into()),
        _ => None,
    };
    op.updated_ms = now;
    let mail: Vec<_> = event
        .map(|e| notify::message(&op, e, ""))
        .into_iter()
        .collect();
    if !state
        .store
        .update_operation_if_unchanged(&op, &old, &mail)
        .await?
    {
        return Err(ApiError::Workflow(WorkflowError::StepNotInProgress {
            step: StepId::PublisherSignoff.as_str(),
        }));
    }
    state.wake.notify_waiters();
    Ok(op)
}

/// `POST …/offers/{offer}/golive`
pub async fn go_live(
    State(state): State<AppState>,
    principal: Principal,
    path: OfferPath,
    AcceptLang(lang): AcceptLang,
) -> ApiResult<Response> {
    authorize(&principal, path.publisher.as_str())?;
    let op = transition(&state, &path, Pipeline::go_live, None).await?;
    tracing::info!(operation.id = %op.id, "go live");
    accepted(&op, lang)
}

/// `POST …/offers/{offer}/cancel`: only at publisher sign-off.
pub async fn cancel_publish(
    State(state): State<AppState>,
    principal: Principal,
    path: OfferPath,
    AcceptLang(lang): AcceptLang,
) -> ApiResult<Json<OperationView>> {
    authorize(&principal, path.publisher.as_str())?;
    let op = transition(&state, &path, Pipeline::cancel, Some(Event::Canceled)).await?;
    tracing::info!(operation.id = %op.id, "publish canceled");
    Ok(Json(views::operation_view(&op, lang)?))
}

/// The status view of an offer (404 when it does not exist). Reads the latest operation and
/// the offer's state, never the draft.
pub async fn offer_status(
    state: &AppState,
    path: &OfferPath,
    lang: Lang,
) -> ApiResult<OfferStatusView> {
    let (p, o) = (path.publisher.as_str(), path.offer.as_str());
    // One statement: a step's effects on the offer (preview and production versions) commit
    // together with the operation, and one snapshot never shows one without the other.
    let (offer, latest) = state
        .store
        .offer_status_rows(p, o)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("Offer `{o}` was not found.")))?;
    Ok(views::status_view(&offer, latest.as_ref(), lang)?)
}

/// `GET …/offers/{offer}/status`
pub async fn get_status(
    State(state): State<AppState>,
    principal: Principal,
    path: OfferPath,
    AcceptLang(lang): AcceptLang,
) -> ApiResult<Response> {
    authorize(&principal, path.publisher.as_str())?;
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
pub struct SubmissionsQuery {
    /// `running` to list only the running operation.
    status: Option<String>,
}

/// `GET …/offers/{offer}/submissions`
pub async fn list_submissions(
    State(state): State<AppState>,
    principal: Principal,
    path: OfferPath,
    AcceptLang(lang): AcceptLang,
    Query(q): Query<SubmissionsQuery>,
) -> ApiResult<Json<Vec<OperationView>>> {
    authorize(&principal, path.publisher.as_str())?;
    let offer = load_offer(&state, &path).await?;
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
    let ops = state
        .store
        .operations(&offer.publisher_id, &offer.offer_id, only_running)
        .await?;
    let views = ops
        .iter()
        .map(|op| views::operation_view(op, lang))
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Json(views))
}

/// `GET …/offers/{offer}/operations/{operation}`
pub async fn get_operation(
    State(state): State<AppState>,
    principal: Principal,
    path: OfferPath,
    AcceptLang(lang): AcceptLang,
    Path((_, _, id)): Path<(String, String, String)>,
) -> ApiResult<Json<OperationView>> {
    authorize(&principal, path.publisher.as_str())?;
    let offer = load_offer(&state, &path).await?;
    let op = state
        .store
        .operation(&offer.publisher_id, &offer.offer_id, &id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("Operation `{id}` was not found.")))?;
    Ok(Json(views::operation_view(&op, lang)?))
}

/// `GET …/offers/{offer}/events`: Server-Sent Events carrying the status JSON each time it
/// changes (polled server-side every 500 ms).
pub async fn stream_offer_events(
    State(state): State<AppState>,
    principal: Principal,
    path: OfferPath,
    AcceptLang(lang): AcceptLang,
) -> ApiResult<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>> {
    authorize(&principal, path.publisher.as_str())?;
    load_offer(&state, &path).await?;
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
