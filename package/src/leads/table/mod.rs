//! The Azure Table destination: a minimal Table service REST client (create table, insert and
//! read an entity) authorized with SharedKeyLite, enough to deliver a lead and to check it.
//!
//! The connection string holds the account key, a secret: [`ConnectionString`] never prints
//! it, and no message or log line contains it.

mod connection;

use std::time::SystemTime;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::Bytes;
use hmac::{Hmac, Mac};
use portal_domain::FieldPath;
use portal_domain::document::TableLeadConfiguration;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use serde_json::{Map, Value, json};
use sha2::Sha256;
use url::Url;

pub use connection::ConnectionString;

use crate::http::{Answer, GuardedClient, HttpError, HttpPolicy, Request};
use crate::leads::retry::{Delivery, RetryPolicy, send_with_retries};
use crate::leads::{ANSWER_EXCERPT, LeadError, LeadOptions, TestLead};

/// The table written to when the configuration names none.
pub const DEFAULT_TABLE: &str = "MarketplaceLeads";

/// The Table service REST API version sent in `x-ms-version`.
const API_VERSION: &str = "2019-02-02";

/// A Table service answer that is not success, or no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    /// No answer.
    #[error("{error}")]
    Http {
        /// Why.
        error: HttpError,
        /// Attempts made.
        attempts: u32,
    },
    /// The service refused.
    #[error("answered {status}: \u{ab}{body}\u{bb}")]
    Status {
        /// Status code.
        status: u16,
        /// The answer body, whitespace collapsed and cut.
        body: String,
        /// Attempts made.
        attempts: u32,
    },
}

/// A minimal Table service client.
#[derive(Debug, Clone)]
pub struct TableClient {
    conn: ConnectionString,
    http: GuardedClient,
    retry: RetryPolicy,
    max_answer_bytes: u64,
}

/// Whether a table name is valid: 3–63 letters and digits, starting with a letter.
pub fn is_valid_table_name(name: &str) -> bool {
    (3..=63).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric())
        && name.as_bytes()[0].is_ascii_alphabetic()
}

impl TableClient {
    /// A client for one account, through the guarded client, retrying transient failures.
    pub fn new(conn: ConnectionString, http: HttpPolicy, retry: RetryPolicy) -> Self {
        Self {
            conn,
            http: GuardedClient::new(http),
            retry,
            max_answer_bytes: 64 * 1024,
        }
    }

    /// Creates the table; an existing table is fine. Returns whether it was created.
    pub async fn create_table(&self, table: &str) -> Result<bool, TableError> {
        let body = json!({ "TableName": table }).to_string();
        let (answer, attempts) = self
            .call(Method::POST, "Tables", Some(Bytes::from(body)))
            .await?;
        match answer.status {
            s if s.is_success() => Ok(true),
            StatusCode::CONFLICT => Ok(false),
            _ => Err(status_error(&answer, attempts)),
        }
    }

    /// Inserts an entity (its properties must include `PartitionKey` and `RowKey`).
    pub async fn insert_entity(
        &self,
        table: &str,
        entity: &Map<String, Value>,
    ) -> Result<(), TableError> {
        let body = Bytes::from(Value::Object(entity.clone()).to_string());
        let (answer, attempts) = self.call(Method::POST, table, Some(body)).await?;
        if answer.status.is_success() {
            Ok(())
        } else {
            Err(status_error(&answer, attempts))
        }
    }

    /// Reads one entity back.
    pub async fn get_entity(
        &self,
        table: &str,
        partition_key: &str,
        row_key: &str,
    ) -> Result<Map<String, Value>, TableError> {
        let resource = format!(
            "{table}(PartitionKey='{}',RowKey='{}')",
            odata_key(partition_key),
            odata_key(row_key)
        );
        let (answer, attempts) = self.call(Method::GET, &resource, None).await?;
        if !answer.status.is_success() {
            return Err(status_error(&answer, attempts));
        }
        match serde_json::from_slice(&answer.body) {
            Ok(Value::Object(map)) => Ok(map),
            _ => Err(TableError::Status {
                status: answer.status.as_u16(),
                body: "the answer is not a JSON entity".into(),
                attempts,
            }),
        }
    }

    /// One signed request to `{endpoint}/{resource}`, retried when transient; the final
    /// answer and the attempts made.
    async fn call(
        &self,
        method: Method,
        resource: &str,
        body: Option<Bytes>,
    ) -> Result<(Answer, u32), TableError> {
        let base = self.conn.table_endpoint().as_str().trim_end_matches('/');
        let url = Url::parse(&format!("{base}/{resource}")).map_err(|_| TableError::Http {
            error: HttpError::BadUrl("the table resource is not a valid URL".into()),
            attempts: 0,
        })?;
        let make = || Request {
            method: method.clone(),
            url: url.to_string(),
            headers: self.headers(&url, body.is_some()),
            body: body.clone(),
        };
        // Only transient answers (429, 5xx) are retried; any other answer is final.
        let (delivery, attempts) =
            send_with_retries(&self.http, self.retry, self.max_answer_bytes, make, |a| {
                a.status.as_u16() < 500 && a.status != StatusCode::TOO_MANY_REQUESTS
            })
            .await;
        match delivery {
            Delivery::Answered(answer) => Ok((answer, attempts)),
            Delivery::Failed(error) => Err(TableError::Http { error, attempts }),
        }
    }

    /// The headers of a request, with `x-ms-date` now and the SharedKeyLite signature.
    fn headers(&self, url: &Url, has_body: bool) -> HeaderMap {
        let date = httpdate::fmt_http_date(SystemTime::now());
        let signature = self.sign(&date, url);
        let mut h = HeaderMap::new();
        let mut put = |name: &'static str, value: &str| {
            if let Ok(v) = HeaderValue::from_str(value) {
                h.insert(name, v);
            }
        };
        put("x-ms-date", &date);
        put("x-ms-version", API_VERSION);
        put("DataServiceVersion", "3.0;NetFx");
        put("MaxDataServiceVersion", "3.0;NetFx");
        put(ACCEPT.as_str(), "application/json;odata=nometadata");
        if has_body {
            put(CONTENT_TYPE.as_str(), "application/json");
            put("Prefer", "return-no-content");
        }
        put(
            AUTHORIZATION.as_str(),
            &format!("SharedKeyLite {}:{signature}", self.conn.account()),
        );
        h
    }

    /// SharedKeyLite for the Table service: HMAC-SHA256 over `date \n /account/path[?comp=…]`.
    fn sign(&self, date: &str, url: &Url) -> String {
        let mut resource = format!("/{}{}", self.conn.account(), url.path());
        if let Some((_, comp)) = url
            .query_pairs()
            .find(|(k, _)| k.eq_ignore_ascii_case("comp"))
        {
            resource.push_str("?comp=");
            resource.push_str(&comp);
        }
        let string_to_sign = format!("{date}\n{resource}");
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.conn.key)
            .expect("HMAC accepts keys of any length");
        mac.update(string_to_sign.as_bytes());
        BASE64.encode(mac.finalize().into_bytes())
    }
}

/// Quotes in OData key literals are doubled.
fn odata_key(key: &str) -> String {
    key.replace('\'', "''")
}

fn status_error(answer: &Answer, attempts: u32) -> TableError {
    TableError::Status {
        status: answer.status.as_u16(),
        body: answer.body_excerpt(ANSWER_EXCERPT),
        attempts,
    }
}

/// The entity of a test lead: partition `publisher.offer`, row the lead's token, and the
/// customer fields under the HTTPS payload's names.
pub fn lead_entity(lead: &TestLead) -> Map<String, Value> {
    let payload = lead.https_payload();
    let u = payload.user_details;
    let entity = json!({
        "PartitionKey": lead.offer,
        "RowKey": lead.token,
        "LeadSource": payload.lead_source,
        "ActionCode": payload.action_code,
        "OfferTitle": payload.offer_title,
        "Description": payload.description,
        "FirstName": u.first_name,
        "LastName": u.last_name,
        "Email": u.email,
        "Phone": u.phone,
        "Country": u.country,
        "Company": u.company,
        "Title": u.title,
    });
    match entity {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// Delivers the test lead to the configured table; `Ok` carries the step message.
pub(in crate::leads) async fn send(
    config: &TableLeadConfiguration,
    lead: &TestLead,
    opts: &LeadOptions,
) -> Result<String, LeadError> {
    let base = FieldPath::keys(&["definition", "offer"])
        .key("microsoft-azure-marketplace.tableLeadConfiguration");
    let cs_field = base.clone().key("connectionString");
    let raw = config
        .connection_string
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| LeadError::Configuration {
            field: cs_field.clone(),
            message: "The storage account connection string is required for the Azure Table lead destination. Fill it in and press Publish again.".into(),
        })?;
    let conn = ConnectionString::parse(raw).map_err(|reason| LeadError::Configuration {
        field: cs_field.clone(),
        message: format!(
            "The storage account connection string is not usable: {reason}. Copy it again from the storage account's Access keys page and press Publish again."
        ),
    })?;
    let table = match config.extra.get("tableName") {
        None | Some(Value::Null) => DEFAULT_TABLE.to_owned(),
        Some(Value::String(t)) if is_valid_table_name(t.trim()) => t.trim().to_owned(),
        Some(_) => {
            return Err(LeadError::Configuration {
                field: base.key("tableName"),
                message: "The table name must be 3 to 63 letters and digits, starting with a letter (for example MarketplaceLeads).".into(),
            });
        }
    };
    let account = conn.account().to_owned();
    let endpoint = conn.table_endpoint().to_string();
    let client = TableClient::new(conn, opts.http.clone(), opts.retry);
    let tries = |attempts: u32| {
        if attempts > 1 {
            format!(" (after {attempts} attempts)")
        } else {
            String::new()
        }
    };
    let fail = |e: TableError| match e {
        TableError::Status {
            status,
            body,
            attempts,
        } => LeadError::Rejected {
            message: format!(
                "The Azure Table storage account {account} ({endpoint}) answered {status} for table {table}: \u{ab}{body}\u{bb}{}. Check the connection string and the account, then press Publish again.",
                tries(attempts)
            ),
            field: cs_field.clone(),
            status,
            body,
            attempts,
        },
        TableError::Http { error, attempts } => LeadError::Unreachable {
            message: format!(
                "The Azure Table storage account {account} ({endpoint}) could not be reached: {error}{}. Check the connection string, then press Publish again.",
                tries(attempts)
            ),
            field: cs_field.clone(),
            attempts,
        },
    };
    let created = client.create_table(&table).await.map_err(fail)?;
    client
        .insert_entity(&table, &lead_entity(lead))
        .await
        .map_err(fail)?;
    tracing::info!(lead.token = %lead.token, storage.account = %account, table = %table, created, "test lead written to Azure Table");
    Ok(format!(
        "The test lead {} was written to table {table} of storage account {account}. Search for MSFT_TEST to find it.",
        lead.token
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names() {
        assert!(is_valid_table_name("MarketplaceLeads"));
        assert!(!is_valid_table_name("1leads"));
        assert!(!is_valid_table_name("ab"));
        assert!(!is_valid_table_name("lead-s"));
    }
}
