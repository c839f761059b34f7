//! The current publisher's team: members and their roles, invitations, API keys, and the
//! audit record of who did what.

use gloo_net::http::Request;
use portal_domain::accounts::{
    ApiKey, AuditPage, CreatedApiKey, CreatedInvitation, Invitation, Member, NewApiKey,
    NewInvitation, Role, RoleChange,
};

use super::{Api, ApiError, encode_segment};
use crate::model::history::AuditQuery;

impl Api {
    /// `GET …/members`.
    pub async fn members(&self) -> Result<Vec<Member>, ApiError> {
        self.json(
            self.headers(Request::get(&self.publisher_url("/members", "")))
                .build(),
        )
        .await
    }

    /// `PUT …/members/{user}`: 409 `LastOwner` when it would leave the publisher no owner.
    pub async fn change_role(&self, user_id: &str, role: Role) -> Result<Member, ApiError> {
        let url = self.publisher_url(&format!("/members/{}", encode_segment(user_id)), "");
        self.json(self.headers(Request::put(&url)).json(&RoleChange { role }))
            .await
    }

    /// `DELETE …/members/{user}`: their sessions and keys for this publisher stop at once.
    pub async fn remove_member(&self, user_id: &str) -> Result<(), ApiError> {
        let url = self.publisher_url(&format!("/members/{}", encode_segment(user_id)), "");
        self.empty(self.headers(Request::delete(&url)).build())
            .await
    }

    /// `GET …/invitations`.
    pub async fn invitations(&self) -> Result<Vec<Invitation>, ApiError> {
        self.json(
            self.headers(Request::get(&self.publisher_url("/invitations", "")))
                .build(),
        )
        .await
    }

    /// `POST …/invitations`: the invitation and, this once, its link (also e-mailed).
    pub async fn invite(&self, invitation: &NewInvitation) -> Result<CreatedInvitation, ApiError> {
        self.json(
            self.headers(Request::post(&self.publisher_url("/invitations", "")))
                .json(invitation),
        )
        .await
    }

    /// `DELETE …/invitations/{id}`: the link stops working.
    pub async fn revoke_invitation(&self, id: &str) -> Result<(), ApiError> {
        let url = self.publisher_url(&format!("/invitations/{}", encode_segment(id)), "");
        self.empty(self.headers(Request::delete(&url)).build())
            .await
    }

    /// `GET …/api-keys`.
    pub async fn api_keys(&self) -> Result<Vec<ApiKey>, ApiError> {
        self.json(
            self.headers(Request::get(&self.publisher_url("/api-keys", "")))
                .build(),
        )
        .await
    }

    /// `POST …/api-keys`: the key and, this once, its secret.
    pub async fn create_api_key(&self, key: &NewApiKey) -> Result<CreatedApiKey, ApiError> {
        self.json(
            self.headers(Request::post(&self.publisher_url("/api-keys", "")))
                .json(key),
        )
        .await
    }

    /// `DELETE …/api-keys/{id}`.
    pub async fn revoke_api_key(&self, id: &str) -> Result<(), ApiError> {
        let url = self.publisher_url(&format!("/api-keys/{}", encode_segment(id)), "");
        self.empty(self.headers(Request::delete(&url)).build())
            .await
    }

    /// `GET …/audit`: one page of entries, newest first.
    pub async fn audit(
        &self,
        query: &AuditQuery,
        cursor: Option<&str>,
    ) -> Result<AuditPage, ApiError> {
        let url = self.publisher_url("/audit", &query.to_query(cursor));
        self.json(self.headers(Request::get(&url)).build()).await
    }

    /// The address of `GET …/audit.csv` with the same filters, for a download link (the
    /// session cookie goes along with it; the CSV is an owner's).
    pub fn audit_csv_url(&self, query: &AuditQuery) -> String {
        self.publisher_url("/audit.csv", &query.csv_query())
    }
}
