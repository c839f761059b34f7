//! The test lead's fake data (reference §3.2): every customer field is a `MSFT_TEST_<ticks>`
//! token so the publisher can find it by searching for `MSFT_TEST`, the phone is
//! `1234567890` and the country `US`.

use serde::Serialize;
use time::OffsetDateTime;

/// .NET `DateTime.Ticks` of the Unix epoch: 100 ns intervals since 0001-01-01.
const TICKS_AT_UNIX_EPOCH: i128 = 621_355_968_000_000_000;

/// The fake customer and offer of one test lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestLead {
    /// `MSFT_TEST_<ticks>`, used for every customer field.
    pub token: String,
    /// `publisherid.offerid`.
    pub offer: String,
    /// The offer's marketplace title.
    pub offer_title: String,
}

impl TestLead {
    /// A test lead for an offer, its token taken from `now` (as .NET ticks, like the
    /// documented sample `MSFT_TEST_636573304831318844`).
    pub fn new(publisher_id: &str, offer_id: &str, offer_title: &str, now: OffsetDateTime) -> Self {
        let ticks = now.unix_timestamp_nanos() / 100 + TICKS_AT_UNIX_EPOCH;
        Self {
            token: format!("MSFT_TEST_{ticks}"),
            offer: format!("{publisher_id}.{offer_id}"),
            offer_title: offer_title.to_owned(),
        }
    }

    /// `LeadSource` in the `<Source>-<Action>|<Offer>` format, with the token as source and
    /// action, as in the documented test lead.
    pub fn lead_source(&self) -> String {
        format!("{t}-{t}|{}", self.offer, t = self.token)
    }

    /// The fake e-mail address, `<token>@test.com`.
    pub fn email(&self) -> String {
        format!("{}@test.com", self.token)
    }

    /// The JSON body POSTed to an HTTPS endpoint (reference §3.3).
    pub fn https_payload(&self) -> HttpsLeadPayload {
        let t = &self.token;
        HttpsLeadPayload {
            user_details: UserDetails {
                company: t.clone(),
                country: "US".into(),
                email: self.email(),
                first_name: t.clone(),
                last_name: t.clone(),
                phone: "1234567890".into(),
                title: t.clone(),
            },
            lead_source: self.lead_source(),
            action_code: t.clone(),
            offer_title: self.offer_title.clone(),
            description: t.clone(),
        }
    }
}

/// The HTTPS endpoint lead payload; every leaf is a string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct HttpsLeadPayload {
    /// The customer.
    pub user_details: UserDetails,
    /// `<Source>-<Action>|<Offer>`.
    pub lead_source: String,
    /// The action (`INS`, `PLT` … for real leads; the token for the test lead).
    pub action_code: String,
    /// The offer's title.
    pub offer_title: String,
    /// Free text.
    pub description: String,
}

/// The customer of a lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserDetails {
    /// Company.
    pub company: String,
    /// Country.
    pub country: String,
    /// E-mail address.
    pub email: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Phone number.
    pub phone: String,
    /// Job title.
    pub title: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_is_dotnet_ticks() {
        // The documented sample's ticks: 2018-03-22 15:48:03.1318844 UTC.
        let at = time::macros::datetime!(2018-03-22 15:48:03.1318844 UTC);
        let lead = TestLead::new("bitnami", "openedxcypress", "Open edX", at);
        assert_eq!(lead.token, "MSFT_TEST_636573304831318844");
        assert_eq!(
            lead.lead_source(),
            "MSFT_TEST_636573304831318844-MSFT_TEST_636573304831318844|bitnami.openedxcypress"
        );
    }
}
