//! The typed client of the JSON API: one method per endpoint (offers and publishing here,
//! sign-in and the account in [`accounts`], the team, keys and audit record in [`team`]).
//! The browser's session cookie goes along by itself; every call sends `api-version` and
//! `X-Requested-With: partner-portal`, without which the server refuses a write
//! authenticated by the cookie. A 401 signs the user out (the app then shows Sign in), and
//! every error is decoded from the API's envelope into words a publisher understands.

mod accounts;
mod team;

use gloo_net::http::{Request, RequestBuilder, Response};
use leptos::prelude::*;
use portal_domain::Lang;
use portal_domain::api::{
    API_VERSION, ErrorEnvelope, ImageCheckRequest, OfferStatusView, OfferSummary, OperationView,
    PreviewList, PublishRequest, TestDeployment, TestDeploymentRequest,
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

    /// Whether the request's own credentials (a password in its body) were wrong, as
    /// opposed to the session having ended.
    pub fn is_wrong_credentials(&self) -> bool {
        self.status == 401 && self.code == "InvalidCredentials"
    }

    /// The words for a form's error: the server's own message when it has one (a password
    /// rule, a last owner, a dead link name the problem), else [`ApiError::describe`].
    pub fn form_message(&self, lang: Lang) -> String {
        match (self.status, self.code.as_str()) {
            (401, "InvalidCredentials") => t("err_credentials", lang).to_owned(),
            (410, _) => t("err_410", lang).to_owned(),
            (0 | 401 | 500.., _) => self.describe(lang),
            _ if self.message.is_empty() => self.describe(lang),
            _ => self.message.clone(),
        }
    }

    /// The sentence shown to the publisher: what happened and what to do, in their language,
    /// followed by the server's own explanation when it adds something.
    pub fn describe(&self, lang: Lang) -> String {
        let key = match (self.status, self.code.as_str()) {
            (0, "decode") => "err_decode",
            (0, _) => "err_network",
            (401, "InvalidCredentials") => "err_credentials",
            (401, _) => "err_401",
            (403, _) => "err_403",
            (404, _) => "err_404",
            (409, "LastOwner") => "err_last_owner",
            (409, _) => "err_409",
            (410, _) => "err_410",
            (412, _) => "err_412",
            (429, _) => "err_429",
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
        self.publisher_url(&format!("/offers{tail}"), "")
    }

    /// `/api/publishers/{current publisher}{tail}?{query}&api-version=…`; `query` is already
    /// encoded.
    fn publisher_url(&self, tail: &str, query: &str) -> String {
        let publisher = self.session.publisher.get_untracked();
        api_url(&format!("/publishers/{publisher}{tail}"), query)
    }

    /// The headers of every call: JSON, the interface language, and the header the server
    /// asks of every write authenticated by the session cookie (a page on another site
    /// cannot send it without the portal's consent).
    fn headers(&self, builder: RequestBuilder) -> RequestBuilder {
        builder
            .header("X-Requested-With", "partner-portal")
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
        let envelope = match response.text().await {
            Ok(text) => decode::<ErrorEnvelope>(&text).ok(),
            Err(_) => None,
        };
        let error = match envelope {
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
        };
        // The session ended (expired, signed out elsewhere, removed from the team): show Sign
        // in. A wrong password in a form's body is that form's business.
        if status == 401 && !error.is_wrong_credentials() {
            self.session.signed_out();
        }
        Err(error)
    }

    /// Sends a request whose answer has no body worth reading (204, 202).
    async fn empty(&self, request: Result<Request, gloo_net::Error>) -> Result<(), ApiError> {
        self.send(request).await.map(drop)
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
        self.json(self.headers(Request::get(&self.url(""))).build())
            .await
    }

    /// `GET …/offers/{o}`: the draft and its ETag.
    pub async fn get_offer(&self, offer: &str) -> Result<Versioned, ApiError> {
        let response = self
            .send(
                self.headers(Request::get(&self.url(&format!("/{offer}"))))
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
        let mut builder = self.headers(Request::put(&self.url(&format!("/{offer}"))));
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
        let builder = self.headers(Request::post(&self.url(&format!("/{offer}/publish"))));
        let response = self
            .send(builder.json(&PublishRequest::new(emails)))
            .await?;
        Ok(response.headers().get("Location"))
    }

    /// `POST …/offers/{o}/golive`.
    pub async fn go_live(&self, offer: &str) -> Result<(), ApiError> {
        let builder = self.headers(Request::post(&self.url(&format!("/{offer}/golive"))));
        self.send(builder.json(&PublishRequest::default()))
            .await
            .map(drop)
    }

    /// `POST …/offers/{o}/cancel`.
    pub async fn cancel(&self, offer: &str) -> Result<(), ApiError> {
        let builder = self.headers(Request::post(&self.url(&format!("/{offer}/cancel"))));
        self.send(builder.json(&PublishRequest::default()))
            .await
            .map(drop)
    }

    /// `GET …/offers/{o}/status`.
    pub async fn status(&self, offer: &str) -> Result<OfferStatusView, ApiError> {
        self.json(
            self.headers(Request::get(&self.url(&format!("/{offer}/status"))))
                .build(),
        )
        .await
    }

    /// `GET …/offers/{o}/submissions`: the operations, newest first, with who started each
    /// and who pressed Go Live or Cancel.
    pub async fn submissions(&self, offer: &str) -> Result<Vec<OperationView>, ApiError> {
        self.json(
            self.headers(Request::get(&self.url(&format!("/{offer}/submissions"))))
                .build(),
        )
        .await
    }

    /// `GET …/offers/{o}/operations/{id}`.
    pub async fn operation(&self, offer: &str, id: &str) -> Result<OperationView, ApiError> {
        self.json(
            self.headers(Request::get(
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
        let builder = self.headers(Request::post(&self.url(&format!("/{offer}/image-checks"))));
        self.json(builder.json(request)).await
    }

    fn reviewer_url(tail: &str) -> String {
        api_url(&format!("/reviewer/previews{tail}"), "")
    }

    /// `GET /api/reviewer/previews`: the previews allow-listed for the reviewer.
    pub async fn previews(&self) -> Result<PreviewList, ApiError> {
        self.json(self.headers(Request::get(&Self::reviewer_url(""))).build())
            .await
    }

    /// `GET /api/reviewer/previews/{p}/{o}`: the product page data of the version in preview.
    pub async fn preview(&self, publisher: &str, offer: &str) -> Result<CatalogueEntry, ApiError> {
        let url = Self::reviewer_url(&format!("/{publisher}/{offer}"));
        self.json(self.headers(Request::get(&url)).build()).await
    }

    /// `GET /api/reviewer/previews/{p}/{o}/assets/{name}` as an object URL, fetched like every
    /// other call (an `<img src>` would send neither `api-version` nor the app's header, and
    /// a bearer token, for automation, could not go along at all). The caller revokes it.
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
                self.headers(Request::get(&url))
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
        self.json(self.headers(Request::post(&url)).json(request))
            .await
    }

    /// `GET /api/catalogue`: public, no session needed.
    pub async fn catalogue(&self) -> Result<CatalogueList, ApiError> {
        self.json(
            self.headers(Request::get(&api_url("/catalogue", "")))
                .build(),
        )
        .await
    }

    /// `GET /api/catalogue/{p}/{o}`: public, no session needed.
    pub async fn catalogue_entry(
        &self,
        publisher: &str,
        offer: &str,
    ) -> Result<CatalogueEntry, ApiError> {
        let url = api_url(&format!("/catalogue/{publisher}/{offer}"), "");
        self.json(self.headers(Request::get(&url)).build()).await
    }

    /// `GET /api/health`.
    pub async fn health(&self) -> Result<(), ApiError> {
        self.empty(self.headers(Request::get(&api_url("/health", ""))).build())
            .await
    }
}

/// A value for a path segment (ids the server made; encoded all the same).
fn encode_segment(text: &str) -> String {
    crate::routes::encode_query(text)
}

/// `/api{path}?{query}&api-version=…`; `query` is already encoded (empty for none).
fn api_url(path: &str, query: &str) -> String {
    let sep = if query.is_empty() { "" } else { "&" };
    format!("/api{path}?{query}{sep}api-version={API_VERSION}")
}

/// The client from context.
pub fn use_api() -> Api {
    leptos::prelude::expect_context::<Api>()
}
