//! The OpenAPI 3 document of the API, maintained by hand next to the routes (a test checks
//! that every route in [`crate::api::ROUTES`] is described).

use axum::Json;
use serde_json::{Value, json};

/// `(method, path, operationId, summary, success status, request body schema)`.
type Operation = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
);

const OPERATIONS: &[Operation] = &[
    (
        "get",
        "/api/health",
        "getHealth",
        "Liveness check (no authentication).",
        "200",
        None,
    ),
    (
        "get",
        "/api/openapi.json",
        "getOpenapi",
        "This document.",
        "200",
        None,
    ),
    (
        "get",
        "/api/publishers/{publisher}/offers",
        "listOffers",
        "Offers of a publisher with their status; optional `search` and `status` filters.",
        "200",
        None,
    ),
    (
        "get",
        "/api/publishers/{publisher}/offers/{offer}",
        "getOffer",
        "The draft of an offer (ETag header).",
        "200",
        None,
    ),
    (
        "put",
        "/api/publishers/{publisher}/offers/{offer}",
        "putOffer",
        "Create (201) or modify (200, If-Match required: ETag or *) an offer draft.",
        "200",
        Some("Offer"),
    ),
    (
        "get",
        "/api/publishers/{publisher}/offers/{offer}/versions/{version}",
        "getOfferVersion",
        "An immutable published version.",
        "200",
        None,
    ),
    (
        "get",
        "/api/publishers/{publisher}/offers/{offer}/slot/{slot}",
        "getOfferSlot",
        "The Draft, Preview or Production slot (404 if never reached).",
        "200",
        None,
    ),
    (
        "post",
        "/api/publishers/{publisher}/offers/{offer}/publish",
        "publishOffer",
        "Validate, snapshot a new version and start publishing (202 + Location; 422 with findings).",
        "202",
        Some("PublishRequest"),
    ),
    (
        "post",
        "/api/publishers/{publisher}/offers/{offer}/golive",
        "goLive",
        "Go Live at publisher sign-off (202 + Location; 409 otherwise).",
        "202",
        None,
    ),
    (
        "post",
        "/api/publishers/{publisher}/offers/{offer}/cancel",
        "cancelPublish",
        "Cancel publish at sign-off; publishing restarts at step 1 (409 otherwise).",
        "200",
        None,
    ),
    (
        "get",
        "/api/publishers/{publisher}/offers/{offer}/status",
        "getStatus",
        "The seven steps of the latest publish.",
        "200",
        None,
    ),
    (
        "get",
        "/api/publishers/{publisher}/offers/{offer}/submissions",
        "listSubmissions",
        "Operations of the offer, newest first; `status=running` filters.",
        "200",
        None,
    ),
    (
        "get",
        "/api/publishers/{publisher}/offers/{offer}/operations/{operation}",
        "getOperation",
        "One operation.",
        "200",
        None,
    ),
    (
        "get",
        "/api/publishers/{publisher}/offers/{offer}/events",
        "offerEvents",
        "Server-Sent Events: the status JSON each time it changes.",
        "200",
        None,
    ),
    (
        "post",
        "/api/publishers/{publisher}/offers/{offer}/image-checks",
        "checkImage",
        "Check image now: runs the certification tests on one disk image and answers the DiskReport (400 naming the field on bad input).",
        "200",
        Some("ImageCheckRequest"),
    ),
    (
        "get",
        "/api/publishers/{publisher}/notifications",
        "listNotifications",
        "The notification outbox.",
        "200",
        None,
    ),
    (
        "get",
        "/api/me",
        "getMe",
        "Who the token belongs to: {kind: publisher|reviewer, publisherId?, subscriptionId?}.",
        "200",
        None,
    ),
    (
        "get",
        "/api/reviewer/previews",
        "listPreviews",
        "Previews this token may open: a reviewer's allow-listed ones, a publisher's own.",
        "200",
        None,
    ),
    (
        "get",
        "/api/reviewer/previews/{publisher}/{offer}",
        "getPreview",
        "The catalogue entry of the version in preview (404 unless allow-listed).",
        "200",
        None,
    ),
    (
        "get",
        "/api/reviewer/previews/{publisher}/{offer}/page",
        "getPreviewPage",
        "The static product page in preview (text/html, no scripts).",
        "200",
        None,
    ),
    (
        "get",
        "/api/reviewer/previews/{publisher}/{offer}/assets/{name}",
        "getPreviewAsset",
        "A logo or screenshot of the preview.",
        "200",
        None,
    ),
    (
        "post",
        "/api/reviewer/previews/{publisher}/{offer}/test-deployments",
        "testDeployment",
        "Describe a test deployment of a SKU's disk version to a region (409 when a disk is not replicated there yet).",
        "200",
        Some("TestDeploymentRequest"),
    ),
    (
        "get",
        "/api/catalogue",
        "listCatalogue",
        "Live offers' catalogue entries (public).",
        "200",
        None,
    ),
    (
        "get",
        "/api/catalogue/{publisher}/{offer}",
        "getCatalogueEntry",
        "A live offer's catalogue entry (public).",
        "200",
        None,
    ),
    (
        "get",
        "/api/catalogue/{publisher}/{offer}/page",
        "getCataloguePage",
        "A live offer's static product page (public).",
        "200",
        None,
    ),
    (
        "get",
        "/api/catalogue/{publisher}/{offer}/assets/{name}",
        "getCatalogueAsset",
        "A live offer's logo or screenshot (public).",
        "200",
        None,
    ),
];

fn parameters(path: &str) -> Vec<Value> {
    let mut out: Vec<Value> = path
        .split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
        .collect();
    out.push(
        json!({"name": "api-version", "in": "query", "required": false,
        "schema": {"type": "string", "enum": [portal_domain::api::API_VERSION]}}),
    );
    out
}

/// Builds the document.
pub fn document() -> Value {
    let mut paths = serde_json::Map::new();
    for (method, path, id, summary, status, body) in OPERATIONS {
        let mut op = json!({
            "operationId": id,
            "summary": summary,
            "parameters": parameters(path),
            "responses": {
                *status: {"description": "Success"},
                "default": {"description": "Error envelope", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}}
            }
        });
        if *path != "/api/health"
            && *path != "/api/openapi.json"
            && !path.starts_with("/api/catalogue")
        {
            op["security"] = json!([{"bearer": []}]);
        }
        if *id == "checkImage" {
            op["responses"]["200"]["content"] = json!({"application/json": {"schema": {"$ref": "#/components/schemas/DiskReport"}}});
        }
        if let Some(schema) = body {
            op["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}});
        }
        let entry = paths.entry((*path).to_owned()).or_insert_with(|| json!({}));
        entry[*method] = op;
    }
    json!({
        "openapi": "3.0.3",
        "info": {"title": "Partner Portal API", "version": portal_domain::api::API_VERSION,
                 "description": "CPP-shaped API of Partner Portal. Every error answer is the envelope."},
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "ErrorEnvelope": {"type": "object", "required": ["error"], "properties": {"error": {
                    "type": "object", "required": ["code", "message", "details"], "properties": {
                        "code": {"type": "string"}, "message": {"type": "string"},
                        "details": {"type": "array", "items": {"type": "object", "properties": {
                            "field": {"type": "string"}, "code": {"type": "string"}, "message": {"type": "string"}}}}}}}},
                "PublishRequest": {"type": "object", "required": ["metadata"], "properties": {"metadata": {
                    "type": "object", "properties": {"notification-emails": {"type": "string"}}}}},
                "ImageCheckRequest": {"type": "object", "required": ["url", "kind"], "properties": {
                    "url": {"type": "string", "description": "The SAS URL of the VHD blob."},
                    "kind": {"type": "string", "enum": ["os", "data"]},
                    "osFamily": {"type": "string", "enum": ["Linux", "Windows"], "description": "Required when kind is os."}}},
                "DiskReport": {"type": "object", "required": ["tests", "bytesRead", "requests"], "properties": {
                    "tests": {"type": "array", "items": {"type": "object", "required": ["id", "name", "verdict", "message"], "properties": {
                        "id": {"type": "string", "description": "Stable test id, e.g. vhd.checksum."},
                        "name": {"type": "string"},
                        "verdict": {"type": "string", "enum": ["pass", "fail", "warning", "notRun"]},
                        "message": {"type": "string"}}}},
                    "bytesRead": {"type": "integer"}, "requests": {"type": "integer"}}},
                "TestDeploymentRequest": {"type": "object", "required": ["skuId", "diskVersion", "region"], "properties": {
                    "skuId": {"type": "string"}, "diskVersion": {"type": "string"}, "region": {"type": "string"}}},
                "Offer": {"type": "object", "additionalProperties": true, "properties": {
                    "publisherId": {"type": "string"}, "id": {"type": "string"}, "offerTypeId": {"type": "string"},
                    "definition": {"type": "object", "additionalProperties": true}}}
            }
        }
    })
}

/// `GET /api/openapi.json`
pub async fn get_openapi() -> Json<Value> {
    Json(document())
}
