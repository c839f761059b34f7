//! API tests: the real server on 127.0.0.1:0 with a fresh database (SQLite, or PostgreSQL
//! when `PORTAL_TEST_DATABASE_URL` is set), driven over HTTP.

mod engine;
mod errors;
mod helpers;
mod offers;
mod publish;
