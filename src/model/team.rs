//! The Team page's decisions: the invitation and API-key forms checked and turned into the
//! API's requests, and the last-owner rule shown before the server has to refuse it.

use portal_domain::Lang;
use portal_domain::accounts::{
    InviteAs, MAX_KEY_NAME_CHARS, Member, NewApiKey, NewInvitation, Role,
};
use portal_domain::ids::SubscriptionId;
use time::{Date, OffsetDateTime, Time};

use crate::i18n::t;
use crate::model::account::{FieldProblem, email_problem};
use crate::model::history::parse_date;

/// What an invitation makes of its recipient, as the form's radio buttons say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InviteKind {
    /// A member with a role.
    #[default]
    Member,
    /// A reviewer of one subscription's previews.
    Reviewer,
}

/// The invitation form as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteForm {
    /// The recipient.
    pub email: String,
    /// Member or reviewer.
    pub kind: InviteKind,
    /// A member's role.
    pub role: Role,
    /// A reviewer's Azure subscription id.
    pub subscription: String,
}

impl Default for InviteForm {
    fn default() -> Self {
        Self {
            email: String::new(),
            kind: InviteKind::Member,
            role: Role::Developer,
            subscription: String::new(),
        }
    }
}

impl InviteForm {
    /// The request, or each field's problem (by element id).
    pub fn build(&self, lang: Lang) -> Result<NewInvitation, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        if let Some(p) = email_problem(&self.email, lang) {
            problems.push(("invite-email", p));
        }
        let invite_as = match self.kind {
            InviteKind::Member => Some(InviteAs::Member { role: self.role }),
            InviteKind::Reviewer => match SubscriptionId::parse(self.subscription.trim()) {
                Ok(id) => Some(InviteAs::Reviewer {
                    subscription_id: id.as_str().to_owned(),
                }),
                Err(e) => {
                    problems.push((
                        "invite-subscription",
                        e.0.message(t("subscription_id", lang), lang),
                    ));
                    None
                }
            },
        };
        match invite_as {
            Some(invite_as) if problems.is_empty() => Ok(NewInvitation {
                email: self.email.trim().to_owned(),
                invite_as,
            }),
            _ => Err(problems),
        }
    }
}

/// The API-key form as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyForm {
    /// Its name.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// The last day it works (`YYYY-MM-DD`), empty for never expiring.
    pub expires: String,
    /// The offers it is limited to; empty for all.
    pub offers: Vec<String>,
}

impl Default for KeyForm {
    fn default() -> Self {
        Self {
            name: String::new(),
            role: Role::Developer,
            expires: String::new(),
            offers: Vec::new(),
        }
    }
}

impl KeyForm {
    /// Adds or removes an offer from the key's limits.
    pub fn toggle_offer(&mut self, offer: &str, on: bool) {
        self.offers.retain(|o| o != offer);
        if on {
            self.offers.push(offer.to_owned());
        }
    }

    /// The request, or each field's problem (by element id). `own` is the creator's role (a
    /// key gets no more), `today` the browser's date in UTC: the key works through the
    /// chosen day and stops when it ends.
    pub fn build(
        &self,
        own: Role,
        today: Date,
        lang: Lang,
    ) -> Result<NewApiKey, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let name = self.name.trim();
        let chars = name.chars().count();
        if chars == 0 {
            problems.push((
                "key-name",
                portal_domain::Problem::Required.message(t("key_name", lang), lang),
            ));
        } else if chars > MAX_KEY_NAME_CHARS {
            problems.push((
                "key-name",
                portal_domain::Problem::TooLong {
                    max: MAX_KEY_NAME_CHARS,
                    actual: chars,
                }
                .message(t("key_name", lang), lang),
            ));
        }
        if self.role > own {
            problems.push((
                "key-role",
                t("key_role_too_high", lang).replace("{role}", own.label(lang)),
            ));
        }
        let expires_at = if self.expires.trim().is_empty() {
            None
        } else {
            match parse_date(&self.expires) {
                Some(day) if day >= today => day
                    .next_day()
                    .map(|d| d.with_time(Time::MIDNIGHT).assume_utc()),
                Some(_) => {
                    problems.push(("key-expires", t("key_expiry_past", lang).to_owned()));
                    None
                }
                None => {
                    problems.push(("key-expires", t("key_expiry_invalid", lang).to_owned()));
                    None
                }
            }
        };
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(NewApiKey {
            name: name.to_owned(),
            role: self.role,
            expires_at,
            offers: self.offers.clone(),
        })
    }
}

/// Today's date in UTC from the browser's clock (`Date.now()`).
pub fn today_utc(now_ms: f64) -> Date {
    let seconds = (now_ms / 1000.0) as i64;
    OffsetDateTime::from_unix_timestamp(seconds)
        .map(OffsetDateTime::date)
        .unwrap_or(Date::MIN)
}

/// Whether `user_id` is the publisher's only owner: their role cannot change, nor can they
/// be removed, until another owner exists.
pub fn is_last_owner(members: &[Member], user_id: &str) -> bool {
    let owners = members.iter().filter(|m| m.role == Role::Owner).count();
    owners == 1
        && members
            .iter()
            .any(|m| m.user_id == user_id && m.role == Role::Owner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn member(id: &str, role: Role) -> Member {
        Member {
            user_id: id.into(),
            email: format!("{id}@contoso.example"),
            display_name: id.into(),
            role,
            joined_at: OffsetDateTime::UNIX_EPOCH,
            last_sign_in_at: None,
        }
    }

    #[test]
    fn an_invitation_needs_an_address_and_for_a_reviewer_a_subscription_id() {
        let form = InviteForm {
            email: " dev@contoso.example ".into(),
            ..InviteForm::default()
        };
        let ok = form.build(Lang::En).expect("valid");
        assert_eq!(ok.email, "dev@contoso.example");
        assert_eq!(
            ok.invite_as,
            InviteAs::Member {
                role: Role::Developer
            }
        );
        let reviewer = InviteForm {
            email: "nope".into(),
            kind: InviteKind::Reviewer,
            subscription: "not-a-guid".into(),
            ..InviteForm::default()
        };
        let ids: Vec<&str> = reviewer
            .build(Lang::En)
            .unwrap_err()
            .iter()
            .map(|p| p.0)
            .collect();
        assert_eq!(ids, ["invite-email", "invite-subscription"]);
        let reviewer = InviteForm {
            email: "r@contoso.example".into(),
            kind: InviteKind::Reviewer,
            subscription: "0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9".into(),
            ..InviteForm::default()
        };
        assert!(matches!(
            reviewer.build(Lang::En).expect("valid").invite_as,
            InviteAs::Reviewer { .. }
        ));
    }

    #[test]
    fn a_key_works_through_its_last_day_and_has_no_higher_role_than_its_creator() {
        let today = date!(2026 - 11 - 25);
        let form = KeyForm {
            name: "ci".into(),
            expires: "2026-11-30".into(),
            offers: vec!["vm".into()],
            ..KeyForm::default()
        };
        let key = form.build(Role::Developer, today, Lang::En).expect("valid");
        assert_eq!(key.expires_at, Some(datetime!(2026-12-01 00:00 UTC)));
        assert_eq!(key.offers, ["vm"]);
        let too_high = KeyForm {
            role: Role::Owner,
            ..form.clone()
        };
        assert_eq!(
            too_high
                .build(Role::Developer, today, Lang::En)
                .unwrap_err()[0]
                .0,
            "key-role"
        );
        let past = KeyForm {
            expires: "2026-11-24".into(),
            ..form.clone()
        };
        assert_eq!(
            past.build(Role::Owner, today, Lang::En).unwrap_err()[0].0,
            "key-expires"
        );
        let unnamed = KeyForm {
            name: "  ".into(),
            expires: String::new(),
            ..form
        };
        let problems = unnamed.build(Role::Owner, today, Lang::En).unwrap_err();
        assert_eq!(problems[0].0, "key-name");
    }

    #[test]
    fn offers_toggle_in_and_out_of_a_keys_limits() {
        let mut form = KeyForm::default();
        form.toggle_offer("a", true);
        form.toggle_offer("b", true);
        form.toggle_offer("a", true);
        form.toggle_offer("b", false);
        assert_eq!(form.offers, ["a"]);
    }

    #[test]
    fn the_only_owner_is_the_last_owner() {
        let team = [member("o", Role::Owner), member("d", Role::Developer)];
        assert!(is_last_owner(&team, "o"));
        assert!(!is_last_owner(&team, "d"));
        let two = [member("o", Role::Owner), member("p", Role::Owner)];
        assert!(!is_last_owner(&two, "o"));
    }

    #[test]
    fn today_is_read_from_the_clock_in_utc() {
        // 2026-11-25 23:30 UTC.
        assert_eq!(today_utc(1_795_649_400_000.0), date!(2026 - 11 - 25));
    }
}
