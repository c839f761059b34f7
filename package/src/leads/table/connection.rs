//! Storage connection strings: the account, its key (a secret) and the table endpoint.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use url::Url;

/// Azurite's (and the old storage emulator's) well-known development account.
const DEV_ACCOUNT: &str = "devstoreaccount1";
/// The well-known key of the development account (public, documented by Microsoft).
const DEV_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
/// The development account's default table endpoint.
const DEV_TABLE_ENDPOINT: &str = "http://127.0.0.1:10002/devstoreaccount1";

/// A parsed storage connection string: the account, its key and the table endpoint.
#[derive(Clone)]
pub struct ConnectionString {
    account: String,
    pub(super) key: Vec<u8>,
    table_endpoint: Url,
}

impl fmt::Debug for ConnectionString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionString")
            .field("account", &self.account)
            .field("key", &"<redacted>")
            .field("table_endpoint", &self.table_endpoint.as_str())
            .finish()
    }
}

impl ConnectionString {
    /// Parses `DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…;EndpointSuffix=…`
    /// (`TableEndpoint=…` overrides the endpoint; `UseDevelopmentStorage=true` means Azurite's
    /// well-known account). Keys are case-insensitive. The error says what is missing or
    /// malformed without repeating any value.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mut parts = std::collections::HashMap::new();
        for part in raw.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').ok_or_else(|| {
                "every part must be Name=value, separated by semicolons".to_owned()
            })?;
            parts.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
        let get = |k: &str| parts.get(k).map(String::as_str).filter(|v| !v.is_empty());
        if parts.contains_key("sharedaccesssignature") && get("accountkey").is_none() {
            return Err("shared access signatures are not supported; use a connection string with AccountName and AccountKey".into());
        }
        let dev = get("usedevelopmentstorage").is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let (account, key_b64) = match (get("accountname"), get("accountkey")) {
            (Some(a), Some(k)) => (a.to_owned(), k.to_owned()),
            (None, None) if dev => (DEV_ACCOUNT.to_owned(), DEV_KEY.to_owned()),
            (None, _) => return Err("AccountName is missing".into()),
            (_, None) => return Err("AccountKey is missing".into()),
        };
        let key = BASE64
            .decode(key_b64.as_bytes())
            .map_err(|_| "AccountKey is not valid base64".to_owned())?;
        let endpoint = match get("tableendpoint") {
            Some(e) => e.to_owned(),
            None if dev => DEV_TABLE_ENDPOINT.to_owned(),
            None => {
                let protocol = get("defaultendpointsprotocol").unwrap_or("https");
                if !matches!(protocol, "https" | "http") {
                    return Err("DefaultEndpointsProtocol must be https".into());
                }
                let suffix = get("endpointsuffix").unwrap_or("core.windows.net");
                format!("{protocol}://{account}.table.{suffix}")
            }
        };
        let table_endpoint = Url::parse(endpoint.trim_end_matches('/'))
            .map_err(|_| "the table endpoint is not a valid URL".to_owned())?;
        if !account.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err("AccountName may contain only letters and digits".into());
        }
        Ok(Self {
            account,
            key,
            table_endpoint,
        })
    }

    /// The storage account name (not a secret).
    pub fn account(&self) -> &str {
        &self.account
    }

    /// The table service endpoint (not a secret).
    pub fn table_endpoint(&self) -> &Url {
        &self.table_endpoint
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_strings_parse_without_showing_the_key() {
        let cs = ConnectionString::parse(
            "DefaultEndpointsProtocol=https;AccountName=contoso;AccountKey=c2VjcmV0;EndpointSuffix=core.windows.net",
        )
        .unwrap();
        assert_eq!(cs.account(), "contoso");
        assert_eq!(
            cs.table_endpoint().as_str(),
            "https://contoso.table.core.windows.net/"
        );
        assert!(!format!("{cs:?}").contains("c2VjcmV0"));
        let dev = ConnectionString::parse("UseDevelopmentStorage=true").unwrap();
        assert_eq!(dev.account(), "devstoreaccount1");
        assert_eq!(
            dev.table_endpoint().as_str(),
            "http://127.0.0.1:10002/devstoreaccount1"
        );
        let custom = ConnectionString::parse(
            "AccountName=a1;AccountKey=c2VjcmV0;TableEndpoint=http://127.0.0.1:9/a1/",
        )
        .unwrap();
        assert_eq!(custom.table_endpoint().as_str(), "http://127.0.0.1:9/a1");
    }

    #[test]
    fn bad_connection_strings_are_named_without_their_values() {
        for (raw, want) in [
            ("AccountName=a", "AccountKey is missing"),
            ("AccountKey=c2VjcmV0", "AccountName is missing"),
            ("AccountName=a;AccountKey=not base64!", "not valid base64"),
            ("garbage", "Name=value"),
            ("SharedAccessSignature=sv=2020&sig=x", "not supported"),
        ] {
            let err = ConnectionString::parse(raw).unwrap_err();
            assert!(err.contains(want), "{raw}: {err}");
            assert!(
                !err.contains("c2VjcmV0") && !err.contains("base64!"),
                "{err}"
            );
        }
    }
}
