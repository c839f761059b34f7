//! `portal-domain`: the rules of Partner Portal, shared by the server (which decides) and the
//! web app (which gives instant feedback). Pure Rust: no I/O, no clock, no randomness; it
//! compiles for wasm32 and native.
//!
//! - [`document`]: the VM offer document in the Cloud Partner Portal JSON shape.
//! - [`validation`]: every required field and format rule, as [`validation::Finding`]s.
//! - [`i18n`]: the message catalogue (English and Korean) and field labels.
//! - [`workflow`]: the publishing steps, their states and the allowed transitions.
//! - [`accounts`]: roles, permissions and the team, key and audit types.
//! - [`api`]: request and response types of the JSON API, and the error envelope.

pub mod accounts;
pub mod api;
pub mod catalogue;
pub mod certification;
pub mod document;
pub mod html;
pub mod i18n;
pub mod ids;
pub mod path;
pub mod samples;
pub mod sections;
pub mod validation;
pub mod workflow;

pub use document::OfferDocument;
pub use i18n::{Lang, Problem};
pub use path::FieldPath;
pub use validation::{Finding, validate};
