//! argon2id password hashing. Hashing takes tens of milliseconds on purpose: callers run it
//! on a blocking thread, never on the async workers.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::Rng;

/// Memory per new hash, in KiB: 7 MiB.
const MEMORY_KIB: u32 = 7 * 1024;
/// Passes over that memory.
const PASSES: u32 = 5;

/// The hasher for new passwords: argon2id with 7 MiB and five passes, one lane, one of the
/// equivalent minimums the OWASP Password Storage Cheat Sheet lists (19 MiB with two passes
/// is another, argon2's default). The smaller memory keeps each sign-in from adding 19 MiB
/// to the server's resident size. Verifying reads each hash's own parameters, so hashes
/// made before keep working.
fn hasher() -> anyhow::Result<Argon2<'static>> {
    let params = Params::new(MEMORY_KIB, PASSES, 1, None)
        .map_err(|e| anyhow::anyhow!("argon2 parameters refused: {e}"))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Whether `hash` was made with the parameters new hashes get; a sign-in replaces an older
/// one (see `service::auth::sign_in`).
pub fn is_current(hash: &str) -> bool {
    hash.starts_with(&format!("$argon2id$v=19$m={MEMORY_KIB},t={PASSES},p=1$"))
}

/// Hashes a password to a PHC string with argon2id and a random salt.
pub fn hash(password: &str) -> anyhow::Result<String> {
    let hashed = hasher()?
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
    fn new_hashes_use_7_mib_and_five_passes_and_older_ones_still_verify() {
        let h = hash("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"), "{h}");
        assert!(is_current(&h));
        // A hash made with argon2's defaults (19 MiB, two passes), as before this change.
        let old = Argon2::default()
            .hash_password(b"correct horse battery")
            .unwrap()
            .to_string();
        assert!(old.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{old}");
        assert!(!is_current(&old));
        assert!(verify("correct horse battery", &old));
        assert!(!verify("wrong horse battery", &old));
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
