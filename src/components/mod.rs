//! Reusable pieces of the interface.

pub mod dialog;
pub mod fields;
pub mod form;
pub mod image_check;
pub mod leave;
pub mod lists;
pub mod permission;
pub mod product;
pub mod sections;
pub mod shell;
pub mod sku;
