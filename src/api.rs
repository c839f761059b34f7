//! The typed client of the JSON API: one method per endpoint. Every call sends the bearer
//! token and `api-version`; a 401 signs the user out (the app then shows Sign in), and every
//! error is decoded from the API's envelope into words a publisher understands.

use gloo_net::http::{Request, RequestBuilder, Response};
use leptos::prelude::*;
use portal_domain::Lang;
use portal_domain::api::{
    API_VERSION, ErrorEnvelope, ImageCheckRequest, OfferStatusView, OfferSummary, OperationView,
    PreviewList, Principal, PublishRequest, TestDeployment, TestDeploymentRequest,
};
use portal_domain::catalogue::CatalogueEntry;
use portal_domain::validation::FindingDetail;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::i18n::t;
use crate::json::decode;
use crate::model::editor::IfMatch;
use crate::session::Session;

/// A failed call.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// HTTP status; 0 when the server could not be reached.
    pub status: u16,
    /// The envelope's code (`""` when absent).
    pub code: String,
    /// The envelope's message.
    pub message: String,
    /// Field-level details (validation findings).
    pub details: Vec<FindingDetail>,
}

impl ApiError {
    fn network() -> Self {
        Self {
            status: 0,
            code: "network".into(),
            message: String::new(),
            details: Vec::new(),
        }
    }

    fn decode() -> Self {
        Self {
            status: 0,
            code: "decode".into(),
            message: String::new(),
            details: Vec::new(),
        }
    }

    /// Whether someone else changed the offer (412).
    pub fn is_conflict(&self) -> bool {
        self.status == 412
    }

    /// The sentence shown to the publisher: what happened and what to do, in their language,
    /// followed by the server's own explanation when it adds something.
    pub fn describe(&self, lang: Lang) -> String {
        let key = match (self.status, self.code.as_str()) {
            (0, "decode") => "err_decode",
            (0, _) => "err_network",
            (401, _) => "err_401",
            (403, _) => "err_403",
            (404, _) => "err_404",
            (409, _) => "err_409",
            (412, _) => "err_412",
            (422 | 400, _) if !self.details.is_empty() => "err_422",
            (500.., _) => "err_5xx",
            _ => "err_4xx",
        };
        let base = t(key, lang);
        if self.message.is_empty() || self.status >= 500 {
            base.to_owned()
        } else {
            format!("{base} ({})", self.message)
        }
    }
}

/// A document with its ETag.
#[derive(Debug, Clone, PartialEq)]
pub struct Versioned {
    /// The offer document as JSON (unknown keys preserved).
    pub doc: Value,
    /// The `ETag` header.
    pub etag: Option<String>,
}

/// `GET /api/catalogue`: the live offers.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CatalogueList {
    /// One entry per live offer.
    pub items: Vec<CatalogueEntry>,
}

/// The URL of a live offer's image; public, so a plain `<img src>` loads it.
pub fn catalogue_asset_url(publisher: &str, offer: &str, asset: &str) -> String {
    format!(
        "/api/catalogue/{publisher}/{offer}/assets/{}",
        crate::model::catalogue::asset_name(asset)
    )
}

/// The API client; cheap to copy.
#[derive(Debug, Clone, Copy)]
pub struct Api {
    session: Session,
}

impl Api {
    /// A client acting for the session.
    pub fn new(session: Session) -> Self {
        Self { session }
    }

    fn url(&self, tail: &str) -> String {
        let publisher = self.session.publisher.get_untracked();
        format!("/api/publishers/{publisher}/offers{tail}?api-version={API_VERSION}")
    }

    fn auth(&self, builder: RequestBuilder) -> RequestBuilder {
        let token = self.session.token.get_untracked().unwrap_or_default();
        builder
            .header("Authorization", &format!("Bearer {token}"))
            .header("Accept", "application/json")
            .header("Accept-Language", self.session.lang.get_untracked().tag())
    }

    async fn send(&self, request: Result<Request, gloo_net::Error>) -> Result<Response, ApiError> {
        let response = request
            .map_err(|_| ApiError::network())?
            .send()
            .await
            .map_err(|_| ApiError::network())?;
        if response.ok() {
            return Ok(response);
        }
        let status = response.status();
        if status == 401 {
            self.session.sign_out();
        }
        let envelope = match response.text().await {
            Ok(text) => decode::<ErrorEnvelope>(&text).ok(),
            Err(_) => None,
        };
        Err(match envelope {
            Some(e) => ApiError {
                status,
                code: e.error.code,
                message: e.error.message,
                details: e.error.details,
            },
            None => ApiError {
                status,
                code: String::new(),
                message: String::new(),
                details: Vec::new(),
            },
        })
    }

    async fn json<T: DeserializeOwned>(
        &self,
        request: Result<Request, gloo_net::Error>,
    ) -> Result<T, ApiError> {
        let response = self.send(request).await?;
        let text = response.text().await.map_err(|_| ApiError::decode())?;
        decode(&text).map_err(|_| ApiError::decode())
    }

    /// `GET /api/publishers/{p}/offers`.
    pub async fn list_offers(&self) -> Result<Vec<OfferSummary>, ApiError> {
        self.json(self.auth(Request::get(&self.url(""))).build())
            .await
    }

    /// `GET …/offers/{o}`: the draft and its ETag.
    pub async fn get_offer(&self, offer: &str) -> Result<Versioned, ApiError> {
        let response = self
            .send(
                self.auth(Request::get(&self.url(&format!("/{offer}"))))
                    .build(),
            )
            .await?;
        let etag = response.headers().get("ETag");
        let text = response.text().await.map_err(|_| ApiError::decode())?;
        let doc = decode::<Value>(&text).map_err(|_| ApiError::decode())?;
        Ok(Versioned { doc, etag })
    }

    /// `PUT …/offers/{o}`: create (no `If-Match`) or modify (`If-Match`); 412 when stale.
    pub async fn put_offer(
        &self,
        offer: &str,
        doc: &Value,
        if_match: IfMatch,
    ) -> Result<Versioned, ApiError> {
        let mut builder = self.auth(Request::put(&self.url(&format!("/{offer}"))));
        if let Some(tag) = if_match.header() {
            builder = builder.header("If-Match", tag);
        }
        let response = self.send(builder.json(doc)).await?;
        let etag = response.headers().get("ETag");
        let text = response.text().await.map_err(|_| ApiError::decode())?;
        let doc = decode::<Value>(&text).map_err(|_| ApiError::decode())?;
        Ok(Versioned { doc, etag })
    }

    /// `POST …/offers/{o}/publish`: 202 with the operation's `Location`.
    pub async fn publish(&self, offer: &str, emails: &str) -> Result<Option<String>, ApiError> {
        let builder = self.auth(Request::post(&self.url(&format!("/{offer}/publish"))));
        let response = self
            .send(builder.json(&PublishRequest::new(emails)))
            .await?;
        Ok(response.headers().get("Location"))
    }

    /// `POST …/offers/{o}/golive`.
    pub async fn go_live(&self, offer: &str) -> Result<(), ApiError> {
        let builder = self.auth(Request::post(&self.url(&format!("/{offer}/golive"))));
        self.send(builder.json(&PublishRequest::default()))
            .await
            .map(drop)
    }

    /// `POST …/offers/{o}/cancel`.
    pub async fn cancel(&self, offer: &str) -> Result<(), ApiError> {
        let builder = self.auth(Request::post(&self.url(&format!("/{offer}/cancel"))));
        self.send(builder.json(&PublishRequest::default()))
            .await
            .map(drop)
    }

    /// `GET …/offers/{o}/status`.
    pub async fn status(&self, offer: &str) -> Result<OfferStatusView, ApiError> {
        self.json(
            self.auth(Request::get(&self.url(&format!("/{offer}/status"))))
                .build(),
        )
        .await
    }

    /// `GET …/offers/{o}/submissions`: the operations, newest first.
    pub async fn submissions(&self, offer: &str) -> Result<Vec<OperationView>, ApiError> {
        self.json(
            self.auth(Request::get(&self.url(&format!("/{offer}/submissions"))))
                .build(),
        )
        .await
    }

    /// `GET …/offers/{o}/operations/{id}`.
    pub async fn operation(&self, offer: &str, id: &str) -> Result<OperationView, ApiError> {
        self.json(
            self.auth(Request::get(
                &self.url(&format!("/{offer}/operations/{id}")),
            ))
            .build(),
        )
        .await
    }

    /// `POST …/offers/{o}/image-checks`: "Check image now".
    pub async fn check_image(
        &self,
        offer: &str,
        request: &ImageCheckRequest,
    ) -> Result<portal_domain::certification::DiskReport, ApiError> {
        let builder = self.auth(Request::post(&self.url(&format!("/{offer}/image-checks"))));
        self.json(builder.json(request)).await
    }

    /// `GET /api/me` with a token not yet signed in: who it belongs to. `Ok(None)` when the
    /// server predates the endpoint (404), so sign-in falls back to the typed publisher id.
    pub async fn me(&self, token: &str) -> Result<Option<Principal>, ApiError> {
        let request = Request::get(&format!("/api/me?api-version={API_VERSION}"))
            .header("Authorization", &format!("Bearer {token}"))
            .header("Accept", "application/json")
            .build();
        match self.json(request).await {
            Ok(p) => Ok(Some(p)),
            Err(e) if e.status == 404 => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn reviewer_url(tail: &str) -> String {
        format!("/api/reviewer/previews{tail}?api-version={API_VERSION}")
    }

    /// `GET /api/reviewer/previews`: the previews allow-listed for the reviewer.
    pub async fn previews(&self) -> Result<PreviewList, ApiError> {
        self.json(self.auth(Request::get(&Self::reviewer_url(""))).build())
            .await
    }

    /// `GET /api/reviewer/previews/{p}/{o}`: the product page data of the version in preview.
    pub async fn preview(&self, publisher: &str, offer: &str) -> Result<CatalogueEntry, ApiError> {
        let url = Self::reviewer_url(&format!("/{publisher}/{offer}"));
        self.json(self.auth(Request::get(&url)).build()).await
    }

    /// `GET /api/reviewer/previews/{p}/{o}/assets/{name}` as an object URL: preview images
    /// need the bearer token, which must not go into an `<img src>`. The caller revokes it.
    pub async fn preview_asset(
        &self,
        publisher: &str,
        offer: &str,
        asset: &str,
    ) -> Result<String, ApiError> {
        let name = crate::model::catalogue::asset_name(asset);
        let url = Self::reviewer_url(&format!("/{publisher}/{offer}/assets/{name}"));
        let response = self
            .send(
                self.auth(Request::get(&url))
                    .header("Accept", "image/*")
                    .build(),
            )
            .await?;
        let blob = web_sys::Response::from(response)
            .blob()
            .map_err(|_| ApiError::decode())?;
        let blob = wasm_bindgen_futures::JsFuture::from(blob)
            .await
            .map_err(|_| ApiError::network())?;
        web_sys::Url::create_object_url_with_blob(&blob.into()).map_err(|_| ApiError::decode())
    }

    /// `POST /api/reviewer/previews/{p}/{o}/test-deployments`.
    pub async fn test_deployment(
        &self,
        publisher: &str,
        offer: &str,
        request: &TestDeploymentRequest,
    ) -> Result<TestDeployment, ApiError> {
        let url = Self::reviewer_url(&format!("/{publisher}/{offer}/test-deployments"));
        self.json(self.auth(Request::post(&url)).json(request))
            .await
    }

    /// `GET /api/catalogue`: public, no token.
    pub async fn catalogue(&self) -> Result<CatalogueList, ApiError> {
        self.json(
            Request::get(&format!("/api/catalogue?api-version={API_VERSION}"))
                .header("Accept", "application/json")
                .build(),
        )
        .await
    }

    /// `GET /api/catalogue/{p}/{o}`: public, no token.
    pub async fn catalogue_entry(
        &self,
        publisher: &str,
        offer: &str,
    ) -> Result<CatalogueEntry, ApiError> {
        self.json(
            Request::get(&format!(
                "/api/catalogue/{publisher}/{offer}?api-version={API_VERSION}"
            ))
            .header("Accept", "application/json")
            .build(),
        )
        .await
    }

    /// `GET /api/health`: whether the token works is checked by listing offers instead.
    pub async fn health(&self) -> Result<(), ApiError> {
        self.send(Request::get(&format!("/api/health?api-version={API_VERSION}")).build())
            .await
            .map(drop)
    }
}

/// The client from context.
pub fn use_api() -> Api {
    leptos::prelude::expect_context::<Api>()
}
