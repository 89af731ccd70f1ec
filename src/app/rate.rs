//! A fixed-window request limiter kept in memory, for pages anyone can reach without
//! signing in (the applicant's capture flow): a key (a link, an address) may make so many
//! requests a minute, and the next is told how long to wait. Each instance counts its own
//! requests, so behind a balancer with N instances a key may make up to N times the limit.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The window a limit counts over.
const WINDOW: Duration = Duration::from_secs(60);
/// Keys kept before old windows are swept, so that a flood of addresses cannot grow the
/// map without bound.
const SWEEP_AT: usize = 10_000;

/// Requests counted per key in the current minute.
pub struct RateLimiter {
    per_minute: u32,
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    /// A limiter allowing `per_minute` requests a key.
    pub fn new(per_minute: u32) -> Self {
        RateLimiter {
            per_minute,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a request of `key`: `Ok` when it is within the limit, else the seconds until
    /// the window ends.
    pub fn hit(&self, key: &str) -> Result<(), u64> {
        self.hit_at(key, Instant::now())
    }

    fn hit_at(&self, key: &str, now: Instant) -> Result<(), u64> {
        let Ok(mut windows) = self.windows.lock() else {
            // A poisoned lock only means another request panicked mid-count: let it pass.
            return Ok(());
        };
        if windows.len() >= SWEEP_AT {
            windows.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let entry = windows.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        if entry.1 >= self.per_minute {
            let left = WINDOW.saturating_sub(now.duration_since(entry.0));
            return Err(left.as_secs().max(1));
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_gets_its_limit_a_minute_and_others_are_apart() {
        let limiter = RateLimiter::new(3);
        let t = Instant::now();
        for _ in 0..3 {
            assert!(limiter.hit_at("a", t).is_ok());
        }
        let wait = limiter
            .hit_at("a", t + Duration::from_secs(10))
            .unwrap_err();
        assert_eq!(wait, 50);
        assert!(limiter.hit_at("b", t).is_ok());
        assert!(limiter.hit_at("a", t + WINDOW).is_ok());
    }
}
