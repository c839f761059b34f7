//! The one error type of the HTTP boundary; every error answer is the JSON envelope
//! `{"error":{"code","message","details":[]}}`. Internal causes are logged, never sent.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portal_domain::api::{API_VERSION, ErrorEnvelope};
use portal_domain::validation::FindingDetail;
use portal_domain::workflow::WorkflowError;

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// `api-version` present but not the supported one.
    #[error("Invalid api version. Allowed values are [{API_VERSION}]")]
    InvalidApiVersion,
    /// A malformed request, with a stable code.
    #[error("{message}")]
    BadRequest {
        /// Stable code.
        code: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The body is larger than the limit.
    #[error("The request body is larger than the limit of {limit} bytes.")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// No or unknown bearer token.
    #[error("A valid bearer token is required (Authorization: Bearer <token>).")]
    Unauthorized,
    /// Not found (also answered for other publishers' resources).
    #[error("{0}")]
    NotFound(String),
    /// The method is not allowed on this path.
    #[error("This method is not allowed on this resource.")]
    MethodNotAllowed,
    /// The `If-Match` tag does not match the stored entity.
    #[error("{0}")]
    PreconditionFailed(String),
    /// A workflow transition the rules refuse.
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
    /// The document breaks rules; one detail per finding.
    #[error("{message}")]
    Unprocessable {
        /// Stable code.
        code: &'static str,
        /// Summary.
        message: String,
        /// The findings.
        details: Vec<FindingDetail>,
    },
    /// The request is valid but the resource's state refuses it (409).
    #[error("{message}")]
    Conflict {
        /// Stable code.
        code: &'static str,
        /// What is in the way and what to do.
        message: String,
    },
    /// Anything else: logged, answered with a generic message.
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        ApiError::Internal(e.into())
    }
}

impl ApiError {
    /// A 400 with a code.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::BadRequest {
            code,
            message: message.into(),
        }
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::InvalidApiVersion => (StatusCode::BAD_REQUEST, "InvalidAPIVersion"),
            ApiError::BadRequest { code, .. } => (StatusCode::BAD_REQUEST, code),
            ApiError::PayloadTooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "PayloadTooLarge"),
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "Unauthorized"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "NotFound"),
            ApiError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowed"),
            ApiError::PreconditionFailed(_) => {
                (StatusCode::PRECONDITION_FAILED, "PreconditionFailed")
            }
            ApiError::Workflow(e) => (StatusCode::CONFLICT, e.code()),
            ApiError::Conflict { code, .. } => (StatusCode::CONFLICT, code),
            ApiError::Unprocessable { code, .. } => (StatusCode::UNPROCESSABLE_ENTITY, code),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "InternalError"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let envelope = match self {
            ApiError::Internal(e) => {
                tracing::error!(error = ?e, "internal error");
                ErrorEnvelope::new(code, "An internal error occurred; it has been logged.")
            }
            ApiError::Unprocessable {
                message, details, ..
            } => ErrorEnvelope::with_details(code, message, details),
            other => ErrorEnvelope::new(code, other.to_string()),
        };
        let mut res = (status, Json(envelope)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        res
    }
}

/// The result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;
