//! One module per route.

pub mod editor;
pub mod offers;
pub mod sign_in;
pub mod status;
