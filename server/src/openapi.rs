//! The OpenAPI 3 document of the API: its paths come from the route table
//! ([`crate::routes::all`]), so every route served is described; the schemas are written here.

use axum::Json;
use serde_json::{Value, json};

use crate::routes::Access;

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
    for route in crate::routes::all().iter().filter(|r| r.documented) {
        let mut op = json!({
            "operationId": route.operation_id,
            "summary": route.summary,
            "parameters": parameters(route.path),
            "responses": {
                route.success: {"description": "Success"},
                "default": {"description": "Error envelope", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}}
            }
        });
        if route.access == Access::SignedIn {
            op["security"] = json!([{"bearer": []}, {"session": []}]);
        }
        if route.operation_id == "checkImage" {
            op["responses"]["200"]["content"] = json!({"application/json": {"schema": {"$ref": "#/components/schemas/DiskReport"}}});
        }
        if let Some(schema) = route.body {
            op["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}});
        }
        let entry = paths
            .entry(route.path.to_owned())
            .or_insert_with(|| json!({}));
        entry[route.method] = op;
    }
    json!({
        "openapi": "3.0.3",
        "info": {"title": "Partner Portal API", "version": portal_domain::api::API_VERSION,
                 "description": "CPP-shaped API of Partner Portal. Every error answer is the envelope."},
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "An API key (`pp_…`): Team page, `POST …/api-keys` or `portal-server token create`."},
                "session": {"type": "apiKey", "in": "cookie", "name": "portal_session", "description": "The browser session set by `POST /api/session`; writes also need `X-Requested-With: partner-portal`."}
            },
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
                "SignIn": {"type": "object", "required": ["email", "password"], "properties": {
                    "email": {"type": "string", "format": "email"}, "password": {"type": "string", "format": "password"}}},
                "ProfileChange": {"type": "object", "properties": {
                    "displayName": {"type": "string", "maxLength": portal_domain::accounts::MAX_DISPLAY_NAME_CHARS}, "lang": {"type": "string", "enum": ["en", "ko"]}}},
                "PasswordChange": {"type": "object", "required": ["currentPassword", "newPassword"], "properties": {
                    "currentPassword": {"type": "string", "format": "password"},
                    "newPassword": {"type": "string", "format": "password", "minLength": portal_domain::accounts::MIN_PASSWORD_CHARS}}},
                "ResetRequest": {"type": "object", "required": ["email"], "properties": {"email": {"type": "string", "format": "email"}}},
                "SetPassword": {"type": "object", "required": ["token", "password"], "properties": {
                    "token": {"type": "string"}, "password": {"type": "string", "format": "password", "minLength": portal_domain::accounts::MIN_PASSWORD_CHARS}}},
                "RoleChange": {"type": "object", "required": ["role"], "properties": {"role": {"$ref": "#/components/schemas/Role"}}},
                "Role": {"type": "string", "enum": ["owner", "manager", "developer", "viewer"]},
                "NewInvitation": {"type": "object", "required": ["email", "as"], "properties": {
                    "email": {"type": "string", "format": "email"},
                    "as": {"oneOf": [
                        {"type": "object", "required": ["kind", "role"], "properties": {"kind": {"enum": ["member"]}, "role": {"$ref": "#/components/schemas/Role"}}},
                        {"type": "object", "required": ["kind", "subscriptionId"], "properties": {"kind": {"enum": ["reviewer"]}, "subscriptionId": {"type": "string", "format": "uuid"}}}]}}},
                "InvitationToken": {"type": "object", "required": ["token"], "properties": {"token": {"type": "string"}}},
                "AcceptInvitation": {"type": "object", "required": ["token", "password"], "properties": {
                    "token": {"type": "string"}, "password": {"type": "string", "format": "password"}, "displayName": {"type": "string"}}},
                "NewApiKey": {"type": "object", "required": ["name", "role"], "properties": {
                    "name": {"type": "string", "maxLength": portal_domain::accounts::MAX_KEY_NAME_CHARS},
                    "role": {"$ref": "#/components/schemas/Role"},
                    "expiresAt": {"type": "string", "format": "date-time"},
                    "offers": {"type": "array", "items": {"type": "string"}, "description": "Limits the key to these offers; all when empty."}}},
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

#[cfg(test)]
mod tests {
    #[test]
    fn every_request_body_names_a_schema_of_the_document() {
        let doc = super::document();
        for route in crate::routes::all().iter().filter(|r| r.documented) {
            if let Some(schema) = route.body {
                assert!(
                    doc["components"]["schemas"][schema].is_object(),
                    "{} {}: schema {schema} is not in the document",
                    route.method,
                    route.path
                );
            }
        }
    }
}
