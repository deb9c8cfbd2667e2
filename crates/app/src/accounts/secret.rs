//! Password and token hashing, and the password policy: the one place the
//! other account modules take them from.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::{App, AppError, AppResult, FieldError};

/// Minimum password length (NIST SP 800-63B recommends at least 8; staff
/// accounts hold personal data of thousands of people, so 10).
pub const MIN_PASSWORD_LEN: usize = 10;

static COMMON: &str = include_str!("../../data/common_passwords.txt");

/// Checks a new password; returns field errors by key.
pub fn check_password_policy(username: &str, password: &str) -> Result<(), FieldError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_LEN {
        return Err(FieldError::new("password", "password_too_short"));
    }
    if n > 256 {
        return Err(FieldError::new("password", "too_long"));
    }
    let lower = password.to_lowercase();
    let first = lower.chars().next();
    if COMMON.lines().any(|l| l == lower)
        || lower == username.to_lowercase()
        || lower.chars().all(|c| Some(c) == first)
        || guessable_stem(username, password)
    {
        return Err(FieldError::new("password", "password_too_common"));
    }
    Ok(())
}

/// Stems of guessable passwords ([`WORDS`]), letters only.
static WORDS: &str = include_str!("../../data/password_words.txt");

/// True when the password is a guessable word (a stem of the commonest
/// passwords, or the account's own name or a part of it) dressed up the way
/// breached passwords are: capitals, digits and symbols before or after,
/// look-alike characters inside ("Password1!", "P@ssw0rd2025", "Matkhau@123",
/// "nguyen.van.an1990" for the account nguyen.van.an).
fn guessable_stem(username: &str, password: &str) -> bool {
    let lower = password.to_lowercase();
    // Look-alikes as letters, then digits and symbols at the edges dropped.
    let unleet: String = password
        .to_lowercase()
        .chars()
        .map(|c| match c {
            '0' => 'o',
            '1' | '!' | '|' => 'i',
            '3' => 'e',
            '4' | '@' => 'a',
            '5' | '$' => 's',
            '7' => 't',
            _ => c,
        })
        .collect();
    let core = |s: &str| -> String {
        domain::text::fold(s)
            .chars()
            .filter(char::is_ascii_alphabetic)
            .collect()
    };
    let trimmed: String = core(lower.trim_matches(|c: char| !c.is_alphabetic()));
    let candidates = [trimmed, core(&unleet)];
    let mut words: Vec<String> = WORDS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    words.extend(
        username
            .to_lowercase()
            .split(|c: char| !c.is_alphanumeric())
            .filter(|p| p.chars().count() >= 3)
            .map(core),
    );
    words.push(core(username));
    candidates.iter().filter(|c| !c.is_empty()).any(|c| {
        words.iter().filter(|w| !w.is_empty()).any(|w| {
            c == w
                // a stem with at most three letters more ("passwordabc")
                || (w.len() >= 5
                    && (c.starts_with(w.as_str()) || c.ends_with(w.as_str()))
                    && c.len() <= w.len() + 3)
        })
    })
}

/// Hashes a password with Argon2id (default parameters of the argon2 crate:
/// 19 MiB, 2 passes, as OWASP recommends).
pub fn hash_password(password: &str) -> AppResult<String> {
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("hash: {e}")))
}

/// Verifies a password against a stored hash.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash with the cost of a real one, verified when the user does not exist
/// so that timing does not tell which usernames exist.
pub fn dummy_hash() -> &'static str {
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$4UJ5r4e8l5C0Tgm+6Q0tX8tSxK6jJ2s4m3bC3oHf3Vc"
}

/// A random token, URL-safe base64 of 32 bytes.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// SHA-256 of a token, hex: what the database keeps.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Checks the account's current password (profile changes).
pub async fn check_current_password(app: &App, user_id: i64, password: &str) -> AppResult<()> {
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&app.db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    if verify_password(password, &hash) {
        Ok(())
    } else {
        Err(AppError::Invalid(vec![FieldError::new(
            "current_password",
            "wrong_password",
        )]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_common_passwords_are_refused() {
        assert_eq!(
            check_password_policy("u", "short").unwrap_err().code,
            "password_too_short"
        );
        assert_eq!(
            check_password_policy("u", "Password123").unwrap_err().code,
            "password_too_common"
        );
        assert_eq!(
            check_password_policy("longusername", "LongUserName")
                .unwrap_err()
                .code,
            "password_too_common"
        );
        assert_eq!(
            check_password_policy("u", "aaaaaaaaaaaa").unwrap_err().code,
            "password_too_common"
        );
        assert!(check_password_policy("u", "correct horse battery").is_ok());
    }

    /// Issue 26, finding 8: a guessable word dressed up as breached
    /// passwords are is refused; so is the account's own name.
    #[test]
    fn dressed_up_common_words_and_own_names_are_refused() {
        for p in [
            "Password1!",
            "P@ssw0rd2025",
            "Matkhau@123",
            "MATKHAU2025!!",
            "Kieubao2026!",
            "Hà Tĩnh@2025",
            "Qwerty!2345",
            "iloveyou2024",
            "Passwordabc1",
        ] {
            assert_eq!(
                check_password_policy("u", p).unwrap_err().code,
                "password_too_common",
                "{p}"
            );
        }
        assert!(check_password_policy("nguyen.van.an", "nguyen.van.an1990").is_err());
        assert!(check_password_policy("lananh", "Lananh@2025!").is_err());
        for p in [
            "Xk9#mQ2$vL7!",
            "correct horse battery",
            "Đồng lúa chín vàng 1975",
            "another long passphrase",
        ] {
            assert!(check_password_policy("nguyen.van.an", p).is_ok(), "{p}");
        }
    }

    #[test]
    fn hashes_verify_and_differ_by_salt() {
        let a = hash_password("correct horse battery").unwrap();
        let b = hash_password("correct horse battery").unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &a));
        assert!(!verify_password("wrong horse battery", &a));
    }
}
