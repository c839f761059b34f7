//! The certification report is the domain's ([`portal_domain::certification`]): the server
//! answers it and the web app shows it, so all three read one type.

pub use portal_domain::certification::{DiskReport, TestId, TestResult, Verdict};
