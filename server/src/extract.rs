//! Extractors that turn request parts into checked values or envelope errors: JSON bodies
//! (size, UTF-8, syntax and types named by path), ids in the path, `If-Match`, the language.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use portal_domain::Lang;
use portal_domain::ids::{OfferId, PublisherId};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// The largest request body accepted.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// A JSON body parsed with errors that name the offending path.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge { limit: BODY_LIMIT }
            } else {
                ApiError::bad_request("InvalidBody", e.body_text())
            }
        })?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// Parses JSON, naming the path of a wrong type.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        ApiError::bad_request(
            "InvalidUtf8",
            format!(
                "The request body is not valid UTF-8 (at byte {}).",
                e.valid_up_to()
            ),
        )
    })?;
    if text.trim().is_empty() {
        return Err(ApiError::bad_request(
            "InvalidJson",
            "The request body is empty; JSON is required.",
        ));
    }
    let mut de = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_data() {
            ApiError::bad_request(
                "InvalidJsonType",
                format!("Wrong type at `{path}`: {inner}"),
            )
        } else {
            ApiError::bad_request("InvalidJson", format!("Malformed JSON: {inner}"))
        }
    })
}

/// `{publisherId}` and `{offerId}` from the path, parsed.
#[derive(Debug)]
pub struct OfferPath {
    /// Publisher namespace.
    pub publisher: PublisherId,
    /// Offer id.
    pub offer: OfferId,
}

/// Parses a publisher id from the path.
pub fn publisher_id(raw: &str) -> Result<PublisherId, ApiError> {
    PublisherId::parse(raw).map_err(|_| {
        ApiError::bad_request(
            "InvalidPublisherId",
            format!("`{raw}` is not a valid publisher id (lowercase letters, digits and dashes, at most 50)."),
        )
    })
}

/// Parses an offer id from the path.
pub fn offer_id(raw: &str) -> Result<OfferId, ApiError> {
    OfferId::parse(raw).map_err(|_| {
        ApiError::bad_request(
            "InvalidOfferId",
            format!("`{raw}` is not a valid offer id (lowercase letters, digits and dashes, at most 50)."),
        )
    })
}

fn path_error(e: axum::extract::rejection::PathRejection) -> ApiError {
    ApiError::bad_request("InvalidPath", e.body_text())
}

/// The path's parameters by name (`""` for one that is absent).
async fn path_params<S: Send + Sync>(
    parts: &mut Parts,
    state: &S,
) -> Result<Vec<(String, String)>, ApiError> {
    let Path(params): Path<Vec<(String, String)>> = Path::from_request_parts(parts, state)
        .await
        .map_err(path_error)?;
    Ok(params)
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> &'a str {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

impl<S: Send + Sync> FromRequestParts<S> for OfferPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let params = path_params(parts, state).await?;
        Ok(Self {
            publisher: publisher_id(param(&params, "publisher"))?,
            offer: offer_id(param(&params, "offer"))?,
        })
    }
}

/// `{publisherId}` from the path, parsed.
#[derive(Debug)]
pub struct PublisherPath(pub PublisherId);

impl<S: Send + Sync> FromRequestParts<S> for PublisherPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let params = path_params(parts, state).await?;
        Ok(Self(publisher_id(param(&params, "publisher"))?))
    }
}

/// The language negotiated from `Accept-Language`.
#[derive(Debug, Clone, Copy)]
pub struct AcceptLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for AcceptLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let lang = parts
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(Lang::negotiate)
            .unwrap_or_default();
        Ok(Self(lang))
    }
}

/// The `If-Match` header, when present.
#[derive(Debug, Clone)]
pub enum IfMatch {
    /// No header.
    Absent,
    /// `*`: last one wins.
    Any,
    /// A specific entity tag.
    Tag(String),
}

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let Some(value) = parts.headers.get(header::IF_MATCH) else {
            return Ok(IfMatch::Absent);
        };
        let value = value
            .to_str()
            .map_err(|_| ApiError::bad_request("InvalidIfMatch", "If-Match is not valid text."))?
            .trim();
        Ok(if value == "*" {
            IfMatch::Any
        } else {
            IfMatch::Tag(value.to_owned())
        })
    }
}
