//! The test lead of step 4 (reference §3): when a lead destination is configured, one lead
//! with fake data is sent and must be accepted.
//!
//! - HTTPS endpoint: the documented JSON payload, POSTed through the guarded client; only 2xx
//!   counts, transient failures are retried ([`RetryPolicy`]).
//! - Azure Table: the table is created if missing and one entity inserted through the Table
//!   REST API with SharedKeyLite ([`table`]).
//! - Dynamics 365, Marketo, Salesforce: the configuration is checked and the message says
//!   plainly that this portal does not deliver to them yet.
//!
//! Secrets (the connection string, keys, passwords) never appear in messages or logs.

mod fake;
mod https;
mod retry;
pub mod table;

use portal_domain::validation::{LeadDestination, validate};
use portal_domain::{FieldPath, Lang, OfferDocument};
use time::OffsetDateTime;

pub use fake::{HttpsLeadPayload, TestLead, UserDetails};
pub use retry::RetryPolicy;

use crate::http::HttpPolicy;

/// How test leads are sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadOptions {
    /// The guarded client's policy for lead endpoints and storage accounts.
    pub http: HttpPolicy,
    /// Attempts, back-off and the overall time limit.
    pub retry: RetryPolicy,
    /// The largest answer read from a destination, in bytes.
    pub max_answer_bytes: u64,
}

impl Default for LeadOptions {
    fn default() -> Self {
        Self {
            http: HttpPolicy::default(),
            retry: RetryPolicy::default(),
            max_answer_bytes: 64 * 1024,
        }
    }
}

/// A test lead that was delivered, or a destination that needs none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadOutcome {
    /// The configured destination.
    pub destination: LeadDestination,
    /// Whether a test lead was actually sent and accepted.
    pub delivered: bool,
    /// The delivered lead's `MSFT_TEST_…` token (every customer field holds it).
    pub token: Option<String>,
    /// The step message for the publisher.
    pub message: String,
}

/// Why the test lead failed. Every variant names the field to fix and carries a message for
/// the publisher; none contains a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LeadError {
    /// The destination's configuration is incomplete or malformed.
    #[error("{message}")]
    Configuration {
        /// The field to fix.
        field: FieldPath,
        /// What to fix.
        message: String,
    },
    /// The destination answered, but not with success.
    #[error("{message}")]
    Rejected {
        /// The destination's configuration field.
        field: FieldPath,
        /// The last answer's status code.
        status: u16,
        /// The last answer's body, whitespace collapsed and cut.
        body: String,
        /// Attempts made.
        attempts: u32,
        /// What happened and what to do.
        message: String,
    },
    /// The destination could not be reached.
    #[error("{message}")]
    Unreachable {
        /// The destination's configuration field.
        field: FieldPath,
        /// Attempts made.
        attempts: u32,
        /// What happened and what to do.
        message: String,
    },
}

impl LeadError {
    /// The field the publisher should look at.
    pub fn field(&self) -> &FieldPath {
        match self {
            LeadError::Configuration { field, .. }
            | LeadError::Rejected { field, .. }
            | LeadError::Unreachable { field, .. } => field,
        }
    }

    /// A stable code for step messages.
    pub fn code(&self) -> &'static str {
        match self {
            LeadError::Configuration { .. } => "leadConfiguration",
            LeadError::Rejected { .. } => "leadRejected",
            LeadError::Unreachable { .. } => "leadUnreachable",
        }
    }
}

/// Characters of a destination's answer kept in messages.
const ANSWER_EXCERPT: usize = 300;

fn offer_field(key: &str) -> FieldPath {
    FieldPath::keys(&["definition", "offer"]).key(&format!("microsoft-azure-marketplace.{key}"))
}

/// Sends the test lead of an offer version to its configured destination.
pub async fn send_test_lead(
    doc: &OfferDocument,
    opts: &LeadOptions,
) -> Result<LeadOutcome, LeadError> {
    let o = &doc.definition.offer;
    let dest_field = offer_field("leadDestination");
    let destination = LeadDestination::parse(o.lead_destination.as_deref()).ok_or_else(|| {
        LeadError::Configuration {
            field: dest_field.clone(),
            message: format!(
                "The lead destination \u{201c}{}\u{201d} is not one this portal knows. Choose None, AzureTable, DynamicsCrmOnline, HttpsEndpoint, Marketo or Salesforce.",
                o.lead_destination.as_deref().unwrap_or_default()
            ),
        }
    })?;
    let lead = TestLead::new(
        doc.publisher_id.as_deref().unwrap_or_default(),
        doc.id.as_deref().unwrap_or_default(),
        doc.definition
            .offer
            .title
            .as_deref()
            .unwrap_or(doc.display_name()),
        OffsetDateTime::now_utc(),
    );
    let not_yet = |name: &str, config_key: &str| -> Result<LeadOutcome, LeadError> {
        check_config(doc, &dest_field, &offer_field(config_key))?;
        Ok(LeadOutcome {
            destination,
            delivered: false,
            token: None,
            message: format!(
                "{name} is configured; this portal does not deliver test leads to {name} yet, so no test lead was sent. Check in {name} that leads arrive once the offer is live."
            ),
        })
    };
    match destination {
        LeadDestination::None => Ok(LeadOutcome {
            destination,
            delivered: false,
            token: None,
            message: "No lead destination is configured, so no test lead was sent.".into(),
        }),
        LeadDestination::HttpsEndpoint => {
            let field = offer_field("httpsEndpointLeadConfiguration").key("httpsEndpointUrl");
            let url = o
                .https_endpoint_lead_configuration
                .as_ref()
                .and_then(|c| c.https_endpoint_url.as_deref())
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .ok_or_else(|| LeadError::Configuration {
                    field: field.clone(),
                    message: "The HTTPS endpoint URL is required for the HTTPS endpoint lead destination. Fill it in and press Publish again.".into(),
                })?;
            https::send(url, field, &lead, opts).await.map(|message| LeadOutcome {
                destination,
                delivered: true,
                token: Some(lead.token.clone()),
                message,
            })
        }
        LeadDestination::AzureTable => {
            let config = o.table_lead_configuration.clone().unwrap_or_default();
            table::send(&config, &lead, opts).await.map(|message| LeadOutcome {
                destination,
                delivered: true,
                token: Some(lead.token.clone()),
                message,
            })
        }
        LeadDestination::DynamicsCrmOnline => not_yet("Dynamics 365", "crmLeadConfiguration"),
        LeadDestination::Marketo => not_yet("Marketo", "marketoLeadConfiguration"),
        LeadDestination::Salesforce => not_yet("Salesforce", "salesForceLeadConfiguration"),
        LeadDestination::AzureBlob => Err(LeadError::Configuration {
            field: dest_field,
            message: "Azure Blob is no longer supported as a lead destination and leads sent there are lost. Choose another destination and press Publish again.".into(),
        }),
    }
}

/// The domain's rules for the destination's configuration (one source of truth): the first
/// finding under the configuration, if any, becomes the error.
fn check_config(
    doc: &OfferDocument,
    dest_field: &FieldPath,
    config: &FieldPath,
) -> Result<(), LeadError> {
    let finding = validate(doc)
        .into_iter()
        .find(|f| f.field.starts_with(config) || f.field == *dest_field);
    match finding {
        None => Ok(()),
        Some(f) => Err(LeadError::Configuration {
            message: format!(
                "{} Fix the lead configuration and press Publish again.",
                f.message(Lang::En)
            ),
            field: f.field,
        }),
    }
}
