//! Passwords and e-mail addresses: argon2id hashing (in a blocking task: a hash takes tens of
//! milliseconds by design), the rules a new password must meet, and address checks.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use portal_domain::Lang;
use portal_domain::accounts::{MAX_EMAIL_CHARS, password_problem};

use crate::error::ApiError;

/// argon2id with 32 MiB of memory, 3 passes and one lane: above OWASP's minimum (19 MiB, 2
/// passes), chosen so one verification takes 50–250 ms here (OWASP's minimum took 31 ms).
/// `cargo bench -p portal-server --bench passwords` measures it (see `docs/benchmarks.md`).
pub fn hasher() -> Argon2<'static> {
    let params = Params::new(32 * 1024, 3, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The PHC string of a password.
pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing a password failed: {e}"))
    })
    .await?
}

/// Whether a password matches a stored hash. With no hash (an unknown address, or an account
/// without a password yet), a dummy hash is verified so the answer takes as long.
pub async fn verify(stored: Option<String>, password: String) -> anyhow::Result<bool> {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| DUMMY.with(Clone::clone));
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        let ok = hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        known && ok
    })
    .await
    .map_err(Into::into)
}

thread_local! {
    /// A hash of a random password, made once per blocking thread.
    static DUMMY: String = {
        let salt = SaltString::generate(&mut OsRng);
        hasher()
            .hash_password(b"not a password anyone has", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    };
}

/// Refuses a new password that is too short or too long, equals the e-mail address, or is
/// easy to guess (zxcvbn's score below 3 of 4, with the address and name as known words).
pub fn check_new(password: &str, email: &str, name: &str, lang: Lang) -> Result<(), ApiError> {
    let refuse = |message: String| ApiError::invalid("WeakPassword", "password", message);
    if let Some(problem) = password_problem(password, email, lang) {
        return Err(refuse(problem));
    }
    let local = email.split('@').next().unwrap_or("");
    let entropy = zxcvbn::zxcvbn(password, &[email, local, name, "partner", "portal"]);
    if u8::from(entropy.score()) < 3 {
        return Err(refuse(match lang {
            Lang::En => "This password is too common or too easy to guess; add more words \
                         or characters that are not a known phrase."
                .into(),
            Lang::Ko => "너무 흔하거나 추측하기 쉬운 비밀번호입니다. 알려진 문구가 아닌 단어나 \
                         문자를 더 추가하세요."
                .into(),
        }));
    }
    Ok(())
}

/// The address in lower case, when it is a valid e-mail address.
pub fn normalize_email(raw: &str, field: &str) -> Result<String, ApiError> {
    let email = raw.trim().to_lowercase();
    let valid = email.chars().count() <= MAX_EMAIL_CHARS
        && !email.contains(['<', '>', ' ', ','])
        && email_address::EmailAddress::parse_with_options(
            &email,
            email_address::Options::default().without_display_text(),
        )
        .is_ok()
        && email.split('@').nth(1).is_some_and(|d| d.contains('.'));
    if valid {
        Ok(email)
    } else {
        Err(ApiError::invalid(
            "InvalidEmail",
            field,
            format!(
                "`{}` is not a valid e-mail address.",
                raw.chars().take(80).collect::<String>()
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let h = hash("correct horse battery staple".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=32768,t=3,p=1$"), "{h}");
        assert!(
            verify(Some(h.clone()), "correct horse battery staple".into())
                .await
                .unwrap()
        );
        assert!(
            !verify(Some(h), "correct horse battery stapl".into())
                .await
                .unwrap()
        );
        assert!(!verify(None, "anything".into()).await.unwrap());
    }

    #[test]
    fn weak_passwords_are_refused_and_strong_ones_pass() {
        let email = "dev@contoso.example";
        for weak in [
            "short",
            "password1234",
            "dev@contoso.example",
            "qwertyuiop12",
            "aaaaaaaaaaaa",
        ] {
            assert!(check_new(weak, email, "Dev", Lang::En).is_err(), "{weak}");
        }
        assert!(check_new("violet tugboat canyon 42", email, "Dev", Lang::En).is_ok());
    }

    #[test]
    fn email_addresses_are_checked_and_lowered() {
        assert_eq!(
            normalize_email(" Owner@Contoso.Example ", "email").unwrap(),
            "owner@contoso.example"
        );
        for bad in [
            "",
            "no-at",
            "a@b",
            "A <a@b.example>",
            "a@b.example,c@d.example",
            &format!("{}@b.example", "x".repeat(260)),
        ] {
            assert!(normalize_email(bad, "email").is_err(), "{bad}");
        }
    }
}
