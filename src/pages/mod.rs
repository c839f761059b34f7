//! One module per route.

pub mod catalogue;
pub mod editor;
pub mod offers;
pub mod preview;
pub mod reviewer;
pub mod sign_in;
pub mod status;
