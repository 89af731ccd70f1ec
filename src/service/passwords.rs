//! argon2id password hashing. Hashing takes tens of milliseconds on purpose: callers run it
//! on a blocking thread, never on the async workers.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use rand::Rng;

/// Hashes a password to a PHC string with argon2id and a random salt.
pub fn hash(password: &str) -> anyhow::Result<String> {
    let hashed = Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|e| anyhow::anyhow!("password hashing failed: {e}"))?;
    Ok(hashed.to_string())
}

/// Whether `password` matches the PHC string `hash`. A malformed hash never matches.
pub fn verify(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash of a password nobody knows, verified against when the username is unknown so
/// that the response time does not tell which usernames exist.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash(&generate(24)).unwrap_or_default())
}

/// A random password of `len` characters from an alphabet without look-alikes.
pub fn generate(len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..len)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// The rules a new password must meet: 12 to 128 characters.
pub fn check_strength(password: &str) -> Result<(), &'static str> {
    let n = password.chars().count();
    if n < 12 {
        return Err("must be at least 12 characters");
    }
    if n > 128 {
        return Err("must be at most 128 characters");
    }
    Ok(())
}

/// Refuses a password that is common or easy to guess (zxcvbn score below 3, about 10^8
/// guesses or fewer), counting the user's own names as known words. The message says why
/// in zxcvbn's words.
pub fn check_guessable(password: &str, user_inputs: &[&str]) -> Result<(), String> {
    let entropy = zxcvbn::zxcvbn(password, user_inputs);
    if entropy.score() >= zxcvbn::Score::Three {
        return Ok(());
    }
    let mut message = "is too easy to guess".to_owned();
    if let Some(feedback) = entropy.feedback() {
        let mut why: Vec<String> = feedback
            .warning()
            .map(|w| w.to_string())
            .into_iter()
            .collect();
        why.extend(feedback.suggestions().iter().map(|s| s.to_string()));
        if !why.is_empty() {
            message.push_str(": ");
            message.push_str(&why.join(" "));
        }
    }
    Err(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let h = hash("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &h));
        assert!(!verify("wrong horse battery", &h));
        assert!(!verify("anything", "not a hash"));
    }

    #[test]
    fn generated_passwords_are_long_enough() {
        let p = generate(20);
        assert_eq!(p.chars().count(), 20);
        assert!(check_strength(&p).is_ok());
        assert!(check_strength("short").is_err());
        assert!(check_guessable(&p, &[]).is_ok());
    }

    #[test]
    fn common_and_personal_passwords_are_refused_with_a_reason() {
        let common = check_guessable("password1234", &[]).unwrap_err();
        assert!(common.starts_with("is too easy to guess: "), "{common}");
        let own = check_guessable("janedoe2024", &["janedoe", "Jane Doe"]).unwrap_err();
        assert!(own.starts_with("is too easy to guess"), "{own}");
        assert!(check_guessable("correct horse battery staple", &["jane"]).is_ok());
    }
}
