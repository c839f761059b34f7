//! The notification outbox of a publisher (e-mails waiting for delivery).

use axum::Json;
use axum::extract::State;
use serde::Serialize;

use super::store;
use crate::accounts::ManagedPublisher;
use crate::db::rfc3339;
use crate::error::ApiResult;
use crate::routes::ApiRoute;
use crate::state::AppState;

/// The routes of this feature.
pub fn routes() -> Vec<ApiRoute> {
    vec![ApiRoute::get(
        "/api/publishers/{publisher}/notifications",
        "listNotifications",
        "The notification outbox.",
        list_notifications,
    )]
}

/// One notification.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct NotificationView {
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
async fn list_notifications(
    State(state): State<AppState>,
    ManagedPublisher { publisher, .. }: ManagedPublisher,
) -> ApiResult<Json<Vec<NotificationView>>> {
    let rows = store::of_publisher(&state.db, publisher.as_str()).await?;
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
