//! `portal-net`: the one guarded outbound client of the portal. Every request to an address
//! a user supplied (image URLs, lead endpoints, storage accounts) goes through it.
//!
//! - [`policy`] — [`AddressPolicy`] (private, loopback, link-local, … refused unless allowed)
//!   and the scheme rule (`https` only unless `http` is allowed).
//! - `resolve` — DNS pinning: the clients' resolver checks every address a host resolves to
//!   and hands the connector only those.
//! - [`client`] — [`Client`] (async) and [`BlockingClient`], built once from one
//!   [`ClientOptions`], with the one redirect loop (each hop checked again, a hop limit).
//! - [`error`] — [`Error`], naming what was refused and why; every URL in it is [`redact`]ed.
//! - [`identity`] — [`ImageIdentity`], an image's size and validators from a `HEAD`.

pub mod client;
pub mod error;
pub mod identity;
pub mod policy;
mod resolve;

pub use client::{BlockingClient, BuildError, Client, ClientOptions, Request, parse_url};
pub use error::{Error, Reason, chain, redact, redact_url};
pub use identity::ImageIdentity;
pub use policy::{AddressPolicy, Refusal, Target, is_public};
