//! Identifiers and values that are only ever built by parsing: once you hold one, it is valid.
//!
//! The offer document itself keeps raw strings (a draft may be wrong while the publisher types);
//! validation parses them into these types, and the server parses path segments into them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::i18n::Problem;

/// Why a value could not be parsed; it carries the rule that was broken so messages can be
/// rendered in any language.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?}")]
pub struct ParseError(pub Problem);

macro_rules! string_newtype {
    ($(#[$meta:meta])* $name:ident, $parse:path) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// Parses the value, refusing anything that breaks the rule.
            pub fn parse(raw: &str) -> Result<Self, ParseError> {
                $parse(raw).map(|()| Self(raw.to_owned())).map_err(ParseError)
            }

            /// The value as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = ParseError;
            fn from_str(raw: &str) -> Result<Self, Self::Err> {
                Self::parse(raw)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                Self::parse(&raw).map_err(|e| serde::de::Error::custom(e.0.code()))
            }
        }
    };
}

/// The longest offer, SKU, publisher or marketing identifier.
pub const MAX_ID_LEN: usize = 50;

/// Lowercase letters, digits and dashes; at most 50; not starting or ending with a dash.
fn check_identifier(raw: &str) -> Result<(), Problem> {
    if raw.is_empty() {
        return Err(Problem::Required);
    }
    let len = raw.chars().count();
    if len > MAX_ID_LEN {
        return Err(Problem::TooLong {
            max: MAX_ID_LEN,
            actual: len,
        });
    }
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    if !raw.chars().all(allowed) || raw.starts_with('-') || raw.ends_with('-') {
        return Err(Problem::InvalidIdentifier);
    }
    Ok(())
}

string_newtype!(
    /// An offer id such as `contoso-ubuntu`: unique within a publisher, locked once live.
    OfferId,
    check_identifier
);
string_newtype!(
    /// A SKU (plan) id, unique within an offer, locked once published.
    SkuId,
    check_identifier
);
string_newtype!(
    /// A publisher namespace such as `contoso`.
    PublisherId,
    check_identifier
);

/// A syntactically valid e-mail address (`local@domain.tld`, no spaces, one `@`).
fn check_email(raw: &str) -> Result<(), Problem> {
    if raw.is_empty() {
        return Err(Problem::Required);
    }
    if raw.len() > 254 {
        return Err(Problem::InvalidEmail);
    }
    let Some((local, domain)) = raw.split_once('@') else {
        return Err(Problem::InvalidEmail);
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
    if local_ok && domain_ok {
        Ok(())
    } else {
        Err(Problem::InvalidEmail)
    }
}

string_newtype!(
    /// An e-mail address.
    EmailAddress,
    check_email
);

/// A GUID in its canonical 8-4-4-4-12 hexadecimal form.
fn check_guid(raw: &str) -> Result<(), Problem> {
    let groups: Vec<&str> = raw.split('-').collect();
    let lens = [8, 4, 4, 4, 12];
    let ok = groups.len() == 5
        && groups
            .iter()
            .zip(lens)
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()));
    if ok {
        Ok(())
    } else {
        Err(Problem::InvalidGuid)
    }
}

string_newtype!(
    /// An Azure subscription id (a GUID), as allow-listed for previews.
    SubscriptionId,
    check_guid
);

impl SubscriptionId {
    /// Subscription ids compare case-insensitively; this is the lowercase form used as a key.
    pub fn normalized(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

/// A phone number: optional leading `+`, digits with spaces, dashes, dots or parentheses;
/// 7 to 15 digits (E.164's limit).
fn check_phone(raw: &str) -> Result<(), Problem> {
    let body = raw.strip_prefix('+').unwrap_or(raw);
    let digits = body.chars().filter(char::is_ascii_digit).count();
    let chars_ok = body
        .chars()
        .all(|c| c.is_ascii_digit() || " -.()".contains(c));
    if raw.trim().is_empty() {
        Err(Problem::Required)
    } else if chars_ok && (7..=15).contains(&digits) {
        Ok(())
    } else {
        Err(Problem::InvalidPhone)
    }
}

string_newtype!(
    /// A contact phone number.
    PhoneNumber,
    check_phone
);

/// A disk version in semantic-version form `MAJOR.MINOR.PATCH` (no pre-release or build parts,
/// no leading zeros), ordered numerically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DiskVersion {
    /// Major part.
    pub major: u32,
    /// Minor part.
    pub minor: u32,
    /// Patch part.
    pub patch: u32,
}

impl DiskVersion {
    /// Parses `X.Y.Z`.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let bad = || ParseError(Problem::InvalidDiskVersion);
        let num = |p: &str| -> Result<u32, ParseError> {
            let leading_zero = p.len() > 1 && p.starts_with('0');
            if p.is_empty() || leading_zero || !p.bytes().all(|c| c.is_ascii_digit()) {
                return Err(bad());
            }
            p.parse().map_err(|_| bad())
        };
        let mut parts = raw.split('.');
        let (Some(major), Some(minor), Some(patch), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        Ok(Self {
            major: num(major)?,
            minor: num(minor)?,
            patch: num(patch)?,
        })
    }
}

impl fmt::Display for DiskVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

impl FromStr for DiskVersion {
    type Err = ParseError;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Self::parse(raw)
    }
}

/// The notification addresses given when publishing: 1 to 20 distinct addresses, written as a
/// comma- (or semicolon-) separated list as in the CPP API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailList(Vec<EmailAddress>);

/// The most notification addresses one publish may name.
pub const MAX_NOTIFICATION_EMAILS: usize = 20;

impl EmailList {
    /// Parses `a@x.com, b@y.com`; every entry must be a valid address.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let mut out: Vec<EmailAddress> = Vec::new();
        for part in raw.split([',', ';']).map(str::trim) {
            if part.is_empty() {
                continue;
            }
            let email = EmailAddress::parse(part).map_err(|_| {
                ParseError(Problem::InvalidEmailInList {
                    value: part.to_owned(),
                })
            })?;
            if !out.iter().any(|e| e.as_str().eq_ignore_ascii_case(part)) {
                out.push(email);
            }
        }
        if out.is_empty() {
            return Err(ParseError(Problem::Required));
        }
        if out.len() > MAX_NOTIFICATION_EMAILS {
            return Err(ParseError(Problem::TooMany {
                max: MAX_NOTIFICATION_EMAILS,
                actual: out.len(),
            }));
        }
        Ok(Self(out))
    }

    /// The addresses, in the order given.
    pub fn addresses(&self) -> &[EmailAddress] {
        &self.0
    }
}

impl fmt::Display for EmailList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let joined: Vec<&str> = self.0.iter().map(EmailAddress::as_str).collect();
        f.write_str(&joined.join(","))
    }
}

impl Serialize for EmailList {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for EmailList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Self::parse(&raw).map_err(|e| serde::de::Error::custom(e.0.code()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_follow_the_documented_format() {
        assert!(OfferId::parse("contoso-ubuntu-2204").is_ok());
        assert!(OfferId::parse(&"a".repeat(50)).is_ok());
        assert_eq!(
            OfferId::parse(&"a".repeat(51)).unwrap_err().0,
            Problem::TooLong {
                max: 50,
                actual: 51
            }
        );
        for bad in [
            "Contoso",
            "trailing-",
            "-leading",
            "with space",
            "under_score",
            "ümlaut",
        ] {
            assert_eq!(
                OfferId::parse(bad).unwrap_err().0,
                Problem::InvalidIdentifier,
                "{bad}"
            );
        }
        assert_eq!(SkuId::parse("").unwrap_err().0, Problem::Required);
    }

    #[test]
    fn emails_are_checked() {
        for ok in ["a@b.co", "first.last+tag@sub.example.com", "x_y@contoso.kr"] {
            assert!(EmailAddress::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "plain",
            "a@b",
            "a@@b.com",
            "a b@c.com",
            "@c.com",
            "a@.com",
            "a@b.c",
            "a..b@c.com",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn email_lists_split_trim_and_deduplicate() {
        let list = EmailList::parse(" a@x.com, b@y.com;a@x.com ,").unwrap();
        assert_eq!(list.to_string(), "a@x.com,b@y.com");
        assert_eq!(EmailList::parse(" , ").unwrap_err().0, Problem::Required);
        assert_eq!(
            EmailList::parse("a@x.com, nope").unwrap_err().0,
            Problem::InvalidEmailInList {
                value: "nope".into()
            }
        );
    }

    #[test]
    fn guids_and_phones() {
        assert!(SubscriptionId::parse("0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9").is_ok());
        assert!(SubscriptionId::parse("0F1E2D3C-4B5A-6978-8695-A4B3C2D1E0F9").is_ok());
        assert!(SubscriptionId::parse("0f1e2d3c4b5a69788695a4b3c2d1e0f9").is_err());
        assert!(SubscriptionId::parse("0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0fz").is_err());
        assert!(PhoneNumber::parse("+82 2-555-0100").is_ok());
        assert!(PhoneNumber::parse("(425) 555-0100").is_ok());
        assert!(PhoneNumber::parse("12345").is_err());
        assert!(PhoneNumber::parse("call me").is_err());
    }

    #[test]
    fn disk_versions_are_semver_and_ordered() {
        let v = DiskVersion::parse("1.10.0").unwrap();
        assert!(v > DiskVersion::parse("1.9.3").unwrap());
        assert_eq!(v.to_string(), "1.10.0");
        for bad in [
            "1.0",
            "1.0.0.0",
            "01.0.0",
            "1.0.0-beta",
            "a.b.c",
            "",
            "1..0",
        ] {
            assert!(DiskVersion::parse(bad).is_err(), "{bad}");
        }
    }
}
