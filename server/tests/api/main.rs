//! API tests: the real server on 127.0.0.1:0 with a fresh database, driven over HTTP. Every
//! test runs on SQLite and on PostgreSQL (`api_test!`, with the server named by
//! `PORTAL_TEST_DATABASE_URL`).

#![expect(clippy::unwrap_used, reason = "a failed unwrap is a failed test")]

#[macro_use]
mod helpers;

mod engine;
mod errors;
mod golive;
mod offers;
mod publish;
mod teams;
