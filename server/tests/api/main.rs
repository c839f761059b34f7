//! API tests: the real server on 127.0.0.1:0 with a fresh database (SQLite, or PostgreSQL
//! when `PORTAL_TEST_DATABASE_URL` is set), driven over HTTP.

#![expect(clippy::unwrap_used, reason = "a failed unwrap is a failed test")]

mod engine;
mod errors;
mod golive;
mod helpers;
mod offers;
mod publish;
