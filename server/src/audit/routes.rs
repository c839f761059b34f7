//! `GET …/audit` (filtered, paged with a cursor), its CSV export and the chain's check.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use portal_domain::accounts::{AuditPage, AuditVerification};
use serde::Deserialize;

use super::store::{self, Filter};
use crate::accounts::{ManagedPublisher, need};
use crate::error::{ApiError, ApiResult};
use crate::routes::ApiRoute;
use crate::state::AppState;

/// The routes of the audit record.
pub fn routes() -> Vec<ApiRoute> {
    vec![
        ApiRoute::get(
            "/api/publishers/{publisher}/audit",
            "listAudit",
            "Who did what, newest first: filter by `actor` (id or name), `offer`, `action` (or its prefix, such as `offer`), `from` and `to` (RFC 3339); page with `cursor` and `limit` (at most 200).",
            list,
        ),
        ApiRoute::get(
            "/api/publishers/{publisher}/audit.csv",
            "exportAudit",
            "The whole audit record (with the same filters) as CSV. Owners only.",
            export,
        ),
        ApiRoute::get(
            "/api/publishers/{publisher}/audit/verify",
            "verifyAudit",
            "Walks the hash chain of the publisher's audit record: whether every entry is intact and none is missing.",
            verify,
        ),
    ]
}

/// The query of the audit endpoints.
#[derive(Debug, Default, Deserialize)]
struct AuditQuery {
    actor: Option<String>,
    offer: Option<String>,
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
    cursor: Option<String>,
    limit: Option<String>,
}

fn time(field: &str, value: Option<&str>) -> ApiResult<Option<i64>> {
    value
        .filter(|v| !v.is_empty())
        .map(|v| {
            time::OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339)
                .map(crate::db::to_ms)
                .map_err(|_| {
                    ApiError::bad_request(
                        "InvalidAuditQuery",
                        format!("`{field}` must be an RFC 3339 time such as 2026-12-03T09:00:00Z."),
                    )
                })
        })
        .transpose()
}

impl AuditQuery {
    fn filter(&self) -> ApiResult<Filter> {
        let text = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| v.chars().take(200).collect::<String>())
        };
        let before_seq = match self.cursor.as_deref().filter(|c| !c.is_empty()) {
            Some(c) => Some(c.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
                ApiError::bad_request(
                    "InvalidAuditQuery",
                    "`cursor` is not a cursor of this list.",
                )
            })?),
            None => None,
        };
        Ok(Filter {
            actor: text(&self.actor),
            offer: text(&self.offer),
            action: text(&self.action),
            from_ms: time("from", self.from.as_deref())?,
            to_ms: time("to", self.to.as_deref())?,
            before_seq,
        })
    }
}

/// `GET …/audit`
async fn list(
    State(state): State<AppState>,
    ManagedPublisher { publisher, .. }: ManagedPublisher,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Json<AuditPage>> {
    let limit = match q.limit.as_deref().filter(|l| !l.is_empty()) {
        None => 50,
        Some(l) => l.parse::<i64>().unwrap_or(0),
    };
    if !(1..=200).contains(&limit) {
        return Err(ApiError::bad_request(
            "InvalidAuditQuery",
            "`limit` must be between 1 and 200.",
        ));
    }
    let filter = q.filter()?;
    let mut entries = store::list(&state.db, publisher.as_str(), &filter, limit + 1).await?;
    let more = entries.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    entries.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let next_cursor = more
        .then(|| entries.last().map(|e| e.seq.to_string()))
        .flatten();
    Ok(Json(AuditPage {
        entries,
        next_cursor,
    }))
}

/// A CSV field: quoted when needed, and never read as a formula by a spreadsheet.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// `GET …/audit.csv`
async fn export(
    State(state): State<AppState>,
    ManagedPublisher { publisher, .. }: ManagedPublisher<need::ManageTeam>,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Response> {
    let filter = q.filter()?;
    let mut out = String::from(
        "seq,time,actor_kind,actor_id,actor,action,target,address,before,after,hash\n",
    );
    let mut page = filter;
    loop {
        let entries = store::list(&state.db, publisher.as_str(), &page, 1000).await?;
        let Some(last) = entries.last().map(|e| e.seq) else {
            break;
        };
        for e in &entries {
            let json = |v: &Option<serde_json::Value>| {
                v.as_ref().map(ToString::to_string).unwrap_or_default()
            };
            let fields = [
                e.seq.to_string(),
                crate::db::rfc3339(crate::db::to_ms(e.at)),
                e.actor.kind.clone(),
                e.actor.id.clone().unwrap_or_default(),
                e.actor.name.clone(),
                e.action.clone(),
                e.target.clone(),
                e.address.clone(),
                json(&e.before),
                json(&e.after),
                e.hash.clone(),
            ];
            let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
            out.push_str(&line.join(","));
            out.push('\n');
        }
        page.before_seq = Some(last);
    }
    let name = format!("attachment; filename=\"audit-{}.csv\"", publisher.as_str());
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, name),
        ],
        out,
    )
        .into_response())
}

/// `GET …/audit/verify`
async fn verify(
    State(state): State<AppState>,
    ManagedPublisher { publisher, .. }: ManagedPublisher,
) -> ApiResult<Json<AuditVerification>> {
    Ok(Json(store::verify(&state.db, publisher.as_str()).await?))
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
    }
}
