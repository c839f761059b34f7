//! [`PackageProblem`]: something the publisher must fix before packaging can succeed, tied to
//! the field it concerns so the Status tab can link to it.

use std::fmt;

use portal_domain::FieldPath;
use portal_domain::i18n::Problem;

/// One problem found while packaging, in the `{field, code, message}` shape of step messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageProblem {
    /// The field or asset it concerns.
    pub field: FieldPath,
    /// Stable code, the same as the domain's for the same rule (`wrongImageSize`,
    /// `imageUnreadable`, `required`).
    pub code: &'static str,
    /// What is wrong and what to do, in English.
    pub message: String,
}

impl PackageProblem {
    /// An image that could not be fetched or is not a PNG.
    pub fn image_unreadable(field: FieldPath, message: String) -> Self {
        let code = Problem::ImageUnreadable {
            reason: String::new(),
        }
        .code();
        Self {
            field,
            code,
            message,
        }
    }

    /// An image with the wrong pixel size.
    pub fn wrong_image_size(field: FieldPath, message: String) -> Self {
        let code = Problem::WrongImageSize {
            width: 0,
            height: 0,
            actual_width: 0,
            actual_height: 0,
        }
        .code();
        Self {
            field,
            code,
            message,
        }
    }

    /// A value the package needs is missing.
    pub fn required(field: FieldPath, message: String) -> Self {
        Self {
            field,
            code: Problem::Required.code(),
            message,
        }
    }
}

impl fmt::Display for PackageProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}
