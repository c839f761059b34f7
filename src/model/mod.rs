//! View-models: the app's state and decisions as plain structs with methods, free of browser
//! calls so they are unit-tested natively (`cargo test -p partner-portal`).

pub mod account;
pub mod catalogue;
pub mod doc;
pub mod editor;
pub mod history;
pub mod images;
pub mod leave;
pub mod offers;
pub mod status;
pub mod team;
