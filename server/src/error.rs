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
    /// No session and no valid API key.
    #[error("Sign in first, or send a valid API key (Authorization: Bearer <key>).")]
    Unauthorized,
    /// A sign-in with an unknown address or a wrong password (the same answer for both).
    #[error("The e-mail address or the password is not right.")]
    InvalidCredentials,
    /// The caller's role lacks a permission (403 naming it).
    #[error("{message}")]
    Forbidden {
        /// The permission needed.
        permission: portal_domain::accounts::Permission,
        /// What is missing and who can do it.
        message: String,
    },
    /// A cookie-authenticated write without the app's header or from a foreign origin.
    #[error("{0}")]
    CsrfRefused(String),
    /// Too many attempts; try again after `retry_after_s`.
    #[error("{message}")]
    TooManyRequests {
        /// Stable code.
        code: &'static str,
        /// When to try again.
        message: String,
        /// Seconds until the next attempt may succeed (`Retry-After`).
        retry_after_s: u64,
    },
    /// A link that worked once and no longer does (used, revoked, expired).
    #[error("{message}")]
    Gone {
        /// Stable code.
        code: &'static str,
        /// What happened and what to do.
        message: String,
    },
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

    /// A 422 naming one field.
    pub fn invalid(code: &'static str, field: &str, message: String) -> Self {
        ApiError::Unprocessable {
            code,
            message: format!("`{field}`: {message}"),
            details: vec![FindingDetail {
                field: field.to_owned(),
                code: "invalid".to_owned(),
                message,
            }],
        }
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::InvalidApiVersion => (StatusCode::BAD_REQUEST, "InvalidAPIVersion"),
            ApiError::BadRequest { code, .. } => (StatusCode::BAD_REQUEST, code),
            ApiError::PayloadTooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "PayloadTooLarge"),
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "Unauthorized"),
            ApiError::InvalidCredentials => (StatusCode::UNAUTHORIZED, "InvalidCredentials"),
            ApiError::Forbidden { .. } => (StatusCode::FORBIDDEN, "Forbidden"),
            ApiError::CsrfRefused(_) => (StatusCode::FORBIDDEN, "CsrfRefused"),
            ApiError::TooManyRequests { code, .. } => (StatusCode::TOO_MANY_REQUESTS, code),
            ApiError::Gone { code, .. } => (StatusCode::GONE, code),
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
        let retry_after = match &self {
            ApiError::TooManyRequests { retry_after_s, .. } => Some(*retry_after_s),
            _ => None,
        };
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
        if let Some(secs) = retry_after {
            res.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
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
