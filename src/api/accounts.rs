//! Signing in and out, the signed-in person's profile, password and sessions, and the
//! one-time links (set a password, accept an invitation). A link's token only ever goes in a
//! request body.

use gloo_net::http::Request;
use portal_domain::accounts::{
    AcceptInvitation, InvitationOffer, InvitationToken, Me, PasswordChange, ProfileChange,
    ResetRequest, SessionInfo, SetPassword, SignIn,
};

use super::{Api, ApiError, api_url, encode_segment};

impl Api {
    /// `POST /api/session`: signs in (the server sets the session cookie) and says who.
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<Me, ApiError> {
        let body = SignIn {
            email: email.trim().to_owned(),
            password: password.to_owned(),
        };
        let me = self
            .json(
                self.headers(Request::post(&api_url("/session", "")))
                    .json(&body),
            )
            .await?;
        Ok(me)
    }

    /// `DELETE /api/session`: signs out this browser.
    pub async fn sign_out(&self) -> Result<(), ApiError> {
        self.empty(
            self.headers(Request::delete(&api_url("/session", "")))
                .build(),
        )
        .await
    }

    /// `GET /api/me`: who is signed in (401 when nobody is).
    pub async fn me(&self) -> Result<Me, ApiError> {
        self.json(self.headers(Request::get(&api_url("/me", ""))).build())
            .await
    }

    /// `PATCH /api/me`: the display name and language.
    pub async fn change_profile(&self, change: &ProfileChange) -> Result<Me, ApiError> {
        self.json(
            self.headers(Request::patch(&api_url("/me", "")))
                .json(change),
        )
        .await
    }

    /// `PUT /api/me/password`.
    pub async fn change_password(&self, current: &str, new: &str) -> Result<(), ApiError> {
        let body = PasswordChange {
            current_password: current.to_owned(),
            new_password: new.to_owned(),
        };
        self.empty(
            self.headers(Request::put(&api_url("/me/password", "")))
                .json(&body),
        )
        .await
    }

    /// `GET /api/me/sessions`.
    pub async fn sessions(&self) -> Result<Vec<SessionInfo>, ApiError> {
        self.json(
            self.headers(Request::get(&api_url("/me/sessions", "")))
                .build(),
        )
        .await
    }

    /// `DELETE /api/me/sessions`: signs out everywhere, this browser included.
    pub async fn end_all_sessions(&self) -> Result<(), ApiError> {
        self.empty(
            self.headers(Request::delete(&api_url("/me/sessions", "")))
                .build(),
        )
        .await
    }

    /// `DELETE /api/me/sessions/{id}`.
    pub async fn end_session(&self, id: &str) -> Result<(), ApiError> {
        let url = api_url(&format!("/me/sessions/{}", encode_segment(id)), "");
        self.empty(self.headers(Request::delete(&url)).build())
            .await
    }

    /// `POST /api/password-resets`: e-mails a reset link if the address has an account (the
    /// answer is the same either way).
    pub async fn request_password_reset(&self, email: &str) -> Result<(), ApiError> {
        let body = ResetRequest {
            email: email.trim().to_owned(),
        };
        self.empty(
            self.headers(Request::post(&api_url("/password-resets", "")))
                .json(&body),
        )
        .await
    }

    /// `POST /api/password`: sets a password with a one-time link's token.
    pub async fn set_password(&self, token: &str, password: &str) -> Result<(), ApiError> {
        let body = SetPassword {
            token: token.to_owned(),
            password: password.to_owned(),
        };
        self.empty(
            self.headers(Request::post(&api_url("/password", "")))
                .json(&body),
        )
        .await
    }

    /// `POST /api/invitations/lookup`: what an invitation link offers.
    pub async fn invitation(&self, token: &str) -> Result<InvitationOffer, ApiError> {
        let body = InvitationToken {
            token: token.to_owned(),
        };
        self.json(
            self.headers(Request::post(&api_url("/invitations/lookup", "")))
                .json(&body),
        )
        .await
    }

    /// `POST /api/invitations/accept`: accepts, signs the recipient in and says who.
    pub async fn accept_invitation(&self, accept: &AcceptInvitation) -> Result<Me, ApiError> {
        self.json(
            self.headers(Request::post(&api_url("/invitations/accept", "")))
                .json(accept),
        )
        .await
    }
}
