//! The offers routes: list, read (draft, version, slot) and create-or-modify with ETag /
//! If-Match.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portal_domain::OfferDocument;
use portal_domain::api::{OfferSummary, SummaryDefinition};
use portal_domain::document::VM_OFFER_TYPE;
use portal_domain::workflow::StatusSummary;
use serde::Deserialize;

use super::{Offer, answer_document, load, store, stored_draft};
use crate::accounts::{ManagedOffer, ManagedPublisher, need};
use crate::audit::{self, Change};
use crate::db::from_ms;
use crate::error::{ApiError, ApiResult};
use crate::extract::{IfMatch, JsonBody};
use crate::routes::ApiRoute;
use crate::state::{AppState, OfferList};

pub(super) fn routes() -> Vec<ApiRoute> {
    let offer = "/api/publishers/{publisher}/offers/{offer}";
    vec![
        ApiRoute::get(
            "/api/publishers/{publisher}/offers",
            "listOffers",
            "Offers of a publisher with their status; optional `search` and `status` filters.",
            list_offers,
        ),
        ApiRoute::get(
            offer,
            "getOffer",
            "The draft of an offer (ETag header).",
            get_offer,
        ),
        ApiRoute::put(
            offer,
            "putOffer",
            "Create (201) or modify (200, If-Match required: ETag or *) an offer draft.",
            put_offer,
        )
        .body("Offer"),
        ApiRoute::get(
            "/api/publishers/{publisher}/offers/{offer}/versions/{version}",
            "getOfferVersion",
            "An immutable published version.",
            get_offer_version,
        ),
        ApiRoute::get(
            "/api/publishers/{publisher}/offers/{offer}/slot/{slot}",
            "getOfferSlot",
            "The Draft, Preview or Production slot (404 if never reached).",
            get_offer_slot,
        ),
    ]
}

fn with_etag(status: StatusCode, etag: &str, doc: OfferDocument) -> Response {
    let mut res = (status, Json(doc)).into_response();
    if let Ok(v) = HeaderValue::from_str(etag) {
        res.headers_mut().insert(header::ETAG, v);
    }
    res
}

/// Filters of the offers list.
#[derive(Debug, Deserialize)]
struct ListQuery {
    /// Text in the offer id or name.
    search: Option<String>,
    /// A CPP offer status (`running`, `failed` …).
    status: Option<String>,
}

/// `GET /api/publishers/{publisher}/offers`: every offer, newest change first. The list is
/// kept per publisher ([`crate::state::AnswerCache`]): reading 10,000 rows costs tens of
/// milliseconds, most of it handing rows from the database thread to the handler one by one.
async fn list_offers(
    State(state): State<AppState>,
    ManagedPublisher {
        principal,
        publisher,
        ..
    }: ManagedPublisher,
    Query(q): Query<ListQuery>,
) -> ApiResult<Response> {
    let limit = principal.offer_limit(publisher.as_str());
    let search = q
        .search
        .as_deref()
        .map(str::to_lowercase)
        .filter(|s| !s.is_empty());
    let status = q.status.as_deref().filter(|s| !s.is_empty());
    let list = match state.answers.list(publisher.as_str()) {
        Some(list) => list,
        None => read_list(&state, publisher.as_str()).await?,
    };
    if search.is_none() && status.is_none() && limit.is_none() {
        return Ok((
            [(header::CONTENT_TYPE, "application/json")],
            list.body.clone(),
        )
            .into_response());
    }
    let found: Vec<&OfferSummary> = list
        .summaries
        .iter()
        .filter(|o| {
            search.as_deref().is_none_or(|s| {
                o.definition.display_text.to_lowercase().contains(s) || o.id.contains(s)
            }) && status.is_none_or(|st| o.status.as_str() == st)
                && limit.is_none_or(|l| l.contains(&o.id))
        })
        .collect();
    Ok(Json(found).into_response())
}

/// Reads the publisher's list and keeps it, unless another request did while this one
/// waited for its turn.
async fn read_list(state: &AppState, publisher: &str) -> ApiResult<Arc<OfferList>> {
    let lock = state.answers.list_read(publisher);
    let _turn = lock.lock().await;
    if let Some(list) = state.answers.list(publisher) {
        return Ok(list);
    }
    let read_at = std::time::Instant::now();
    let summaries = offer_summaries(state, publisher).await?;
    let body = Bytes::from(serde_json::to_vec(&summaries).map_err(anyhow::Error::from)?);
    let list = Arc::new(OfferList { summaries, body });
    state
        .answers
        .put_list(publisher, read_at, Arc::clone(&list));
    Ok(list)
}

/// Every offer of a publisher as the list shows it.
async fn offer_summaries(state: &AppState, publisher: &str) -> ApiResult<Vec<OfferSummary>> {
    let rows = store::list(&state.db, publisher).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let live = row.production_version.is_some();
            let changed = row
                .production_hash
                .as_deref()
                .is_some_and(|h| h != row.draft_hash);
            let detail = match row.latest {
                Some(b) => StatusSummary {
                    live,
                    changes_not_published: live && changed,
                    ..b
                },
                None => StatusSummary::new(None, live, changed),
            };
            OfferSummary {
                offer_type_id: VM_OFFER_TYPE.into(),
                publisher_id: publisher.to_owned(),
                status: detail.status,
                id: row.offer_id,
                version: u64::try_from(row.version).unwrap_or(0),
                definition: SummaryDefinition {
                    display_text: row.display_name,
                },
                changed_time: from_ms(row.changed_ms),
                status_detail: detail,
            }
        })
        .collect())
}

/// `GET /api/publishers/{publisher}/offers/{offer}`: the draft.
async fn get_offer(
    State(state): State<AppState>,
    ManagedOffer { path, .. }: ManagedOffer,
) -> ApiResult<Response> {
    let offer = load(&state, &path).await?;
    draft_answer(&state, &offer, StatusCode::OK).await
}

async fn draft_answer(state: &AppState, offer: &Offer, code: StatusCode) -> ApiResult<Response> {
    let status = store::latest_status(&state.db, &offer.publisher_id, &offer.offer_id).await?;
    let doc = answer_document(
        &offer.draft,
        &offer.etag,
        offer.version,
        status,
        offer.changed_ms,
    );
    Ok(with_etag(code, &offer.etag, doc))
}

async fn version_answer(state: &AppState, offer: &Offer, version: i64) -> ApiResult<Response> {
    let (p, o) = (&offer.publisher_id, &offer.offer_id);
    let row = store::version(&state.db, p, o, version)
        .await?
        .ok_or_else(|| {
            ApiError::NotFound(format!("Version {version} of offer `{o}` was not found."))
        })?;
    let status = store::latest_status(&state.db, p, o).await?;
    let etag = format!(
        "\"v{}-{}\"",
        row.version,
        &row.draft_hash[..16.min(row.draft_hash.len())]
    );
    let doc = answer_document(&row.document, &etag, row.version, status, row.created_ms);
    Ok(with_etag(StatusCode::OK, &etag, doc))
}

/// `GET …/offers/{offer}/versions/{version}`
async fn get_offer_version(
    State(state): State<AppState>,
    ManagedOffer { path, .. }: ManagedOffer,
    Path((_, _, version)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    let version: i64 = version.parse().ok().filter(|v| *v >= 1).ok_or_else(|| {
        ApiError::bad_request(
            "InvalidVersion",
            format!("`{version}` is not a version number (1, 2, …)."),
        )
    })?;
    let offer = load(&state, &path).await?;
    version_answer(&state, &offer, version).await
}

/// `GET …/offers/{offer}/slot/{slot}` with `Draft`, `Preview` or `Production`.
async fn get_offer_slot(
    State(state): State<AppState>,
    ManagedOffer { path, .. }: ManagedOffer,
    Path((_, _, slot)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    let offer = load(&state, &path).await?;
    let version = match slot.to_ascii_lowercase().as_str() {
        "draft" => return draft_answer(&state, &offer, StatusCode::OK).await,
        "preview" => offer.preview_version,
        "production" => offer.production_version,
        _ => {
            return Err(ApiError::bad_request(
                "InvalidSlot",
                format!("`{slot}` is not a slot; use Draft, Preview or Production."),
            ));
        }
    };
    let version = version.ok_or_else(|| {
        ApiError::NotFound(format!(
            "Offer `{}` has never reached the {slot} slot.",
            offer.offer_id
        ))
    })?;
    version_answer(&state, &offer, version).await
}

/// `PUT …/offers/{offer}`: creates (201) or modifies (200, If-Match required).
async fn put_offer(
    State(state): State<AppState>,
    ManagedOffer {
        principal, path, ..
    }: ManagedOffer<need::Edit>,
    if_match: IfMatch,
    JsonBody(doc): JsonBody<OfferDocument>,
) -> ApiResult<Response> {
    let (p, o) = (path.publisher.as_str(), path.offer.as_str());
    if let Some(id) = doc.id.as_deref().filter(|id| *id != o) {
        return Err(ApiError::bad_request(
            "IdMismatch",
            format!("`id` in the body (`{id}`) does not match the offer id in the path (`{o}`)."),
        ));
    }
    if let Some(pid) = doc.publisher_id.as_deref().filter(|pid| *pid != p) {
        return Err(ApiError::bad_request(
            "PublisherIdMismatch",
            format!(
                "`publisherId` in the body (`{pid}`) does not match the publisher in the path (`{p}`)."
            ),
        ));
    }
    let mut doc = stored_draft(doc, p, o);
    let Some(existing) = store::find(&state.db, p, o).await? else {
        if let IfMatch::Tag(_) = if_match {
            return Err(ApiError::PreconditionFailed(format!(
                "Offer `{o}` does not exist, so no entity tag can match; omit If-Match to create it."
            )));
        }
        let change = Change::on_offer(&principal, p, o, "offer.create");
        let Some(created) = store::insert(&state.db, p, o, doc, &change).await? else {
            return Err(ApiError::PreconditionFailed(format!(
                "Offer `{o}` was created by someone else meanwhile; read it and send its ETag in If-Match."
            )));
        };
        tracing::info!(publisher.id = %p, offer.id = %o, "offer created");
        return draft_answer(&state, &created, StatusCode::CREATED).await;
    };
    let expected = match &if_match {
        IfMatch::Absent => {
            return Err(ApiError::bad_request(
                "IfMatchRequired",
                "Modifying an offer requires an If-Match header: its ETag, or * to overwrite.",
            ));
        }
        IfMatch::Any => None,
        IfMatch::Tag(t) => Some(t.as_str()),
    };
    if let Some(tag) = expected
        && !etag_matches(tag, &existing.etag)
    {
        return Err(stale());
    }
    doc.keep_secrets_from(&existing.draft);
    let if_etag = expected.map(|_| existing.etag.as_str());
    let (before, after) = audit::diff(
        &serde_json::to_value(existing.draft.without_secrets()).map_err(anyhow::Error::from)?,
        &serde_json::to_value(doc.without_secrets()).map_err(anyhow::Error::from)?,
    )
    .map_or((None, None), |(b, a)| (Some(b), Some(a)));
    let change = Change::on_offer(&principal, p, o, "offer.update").values(before, after);
    let Some(updated) = store::update_draft(&state.db, &existing, doc, if_etag, &change).await?
    else {
        return Err(stale());
    };
    tracing::info!(publisher.id = %p, offer.id = %o, "offer modified");
    draft_answer(&state, &updated, StatusCode::OK).await
}

fn stale() -> ApiError {
    ApiError::PreconditionFailed(
        "The offer was changed since you read it (ETag mismatch); read it again and retry.".into(),
    )
}

fn etag_matches(sent: &str, stored: &str) -> bool {
    let norm = |s: &str| {
        s.trim()
            .trim_start_matches("W/")
            .trim_matches('"')
            .to_owned()
    };
    sent.split(',').any(|t| norm(t) == norm(stored))
}
