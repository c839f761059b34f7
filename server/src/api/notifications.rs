//! The notification outbox of a publisher (e-mails waiting for delivery).

use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;

use crate::api::extract::publisher_id;
use crate::api::offers::authorize;
use crate::auth::Principal;
use crate::error::ApiResult;
use crate::state::AppState;
use crate::views::rfc3339;

/// One notification.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationView {
    id: String,
    kind: String,
    operation_id: Option<String>,
    to: String,
    subject: String,
    body: String,
    created: String,
    delivered: bool,
    /// SMTP delivery attempts so far.
    attempts: i64,
    /// The mail server's last refusal, when delivery failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    last_error: Option<String>,
}

/// `GET /api/publishers/{publisher}/notifications`
pub async fn list_notifications(
    State(state): State<AppState>,
    principal: Principal,
    Path(publisher): Path<String>,
) -> ApiResult<Json<Vec<NotificationView>>> {
    let publisher = publisher_id(&publisher)?;
    authorize(&principal, publisher.as_str())?;
    let rows = state.store.outbox(publisher.as_str()).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| NotificationView {
                id: r.id,
                kind: r.kind,
                operation_id: r.operation_id,
                to: r.recipients,
                subject: r.subject,
                body: r.body,
                created: rfc3339(r.created_ms),
                delivered: r.delivered_ms.is_some(),
                attempts: r.attempts,
                last_error: r.last_error,
            })
            .collect(),
    ))
}
