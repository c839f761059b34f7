//! Packaging: product page, catalogue entry, test leads (work in progress).
