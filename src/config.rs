//! Settings from the environment, each with a documented default (README, "Configuration").

use std::time::Duration;

use anyhow::{Context, bail};
use base64::Engine as _;
use rand::RngCore;

/// Everything the server needs to know about its surroundings.
#[derive(Clone)]
pub struct Config {
    /// `DATABASE_URL`: where Postgres is; the database is created if missing.
    pub database_url: String,
    /// `BIND`: the address to listen on.
    pub bind: String,
    /// `SESSION_KEY`: 64+ bytes, base64, that sign and encrypt the dashboard cookie.
    pub session_key: Vec<u8>,
    /// True when no `SESSION_KEY` was given and one was generated for this process.
    pub session_key_generated: bool,
    /// `SESSION_TTL_DAYS`: how long a new KYC session stays open before it expires.
    pub session_ttl_days: i64,
    /// `DATABASE_POOL_SIZE`: connections kept to Postgres (default: twice the cores, plus one).
    pub pool_size: u32,
    /// `HTTP_WORKERS`: threads serving requests (default: one per core and one more; see
    /// [`default_http_workers`]).
    pub http_workers: usize,
    /// `DATABASE_TIMEOUT_SECS`: how long a request waits for a connection before a 503.
    pub db_timeout: Duration,
    /// `COOKIE_SECURE`: mark the cookie `Secure` (turn off only for plain-HTTP development).
    pub cookie_secure: bool,
    /// `IDLE_TIMEOUT_MINUTES`: a signed-in dashboard session ends after this much inactivity.
    pub idle_timeout: Duration,
    /// `ABSOLUTE_TIMEOUT_HOURS`: a signed-in dashboard session ends this long after sign-in.
    pub absolute_timeout: Duration,
    /// `EXPIRY_INTERVAL_SECS`: how often overdue sessions are expired.
    pub expiry_interval: Duration,
    /// `JOB_BATCH_SIZE`: how many sessions one background batch touches at most.
    pub job_batch_size: i64,
    /// `MINIMUM_AGE`: the age the `minimum_age` check requires.
    pub minimum_age: u32,
    /// `REDACT_AFTER_DAYS`: retention; redact sessions this long after their decision or
    /// expiry. Off when unset.
    pub redact_after_days: Option<u32>,
    /// `SLA_HOURS_COMPLETED`, `SLA_HOURS_MARKED_FOR_REVIEW`, `SLA_HOURS_FAILED`: how long a
    /// case may wait in each status before it breaches its service level.
    pub sla: crate::domain::sla::Targets,
    /// `FOUR_EYES`: which dashboard acts need a second person's approval (`redaction` by
    /// default; `redaction,decline`; `off`).
    pub four_eyes: crate::domain::approvals::FourEyes,
    /// `API_KEY_ENV`: the `<env>` in `sk_<env>_...` secrets (`live`, `test`).
    pub api_key_env: String,
    /// `LOG_FORMAT`: `json` for structured logs, anything else for human-readable lines.
    pub log_json: bool,
    /// `STATIC_DIR`: where the stylesheet and script are served from.
    pub static_dir: String,
    /// `TRUST_PROXY`: take the client address from `X-Forwarded-For` (set it only behind a
    /// proxy that appends to that header).
    pub trust_proxy: bool,
    /// `TRUSTED_PROXY_HOPS`: how many proxies of ours append to `X-Forwarded-For`; the
    /// client is the entry that many from the right.
    pub trusted_proxy_hops: usize,
    /// `METRICS_TOKEN`: a bearer token that opens `/metrics` from anywhere.
    pub metrics_token: Option<String>,
    /// `METRICS_ALLOW`: address ranges that may read `/metrics` without a token; none
    /// unless set (a proxy on the same host makes every client look like loopback).
    pub metrics_allow: Vec<crate::metrics::Cidr>,
    /// `REQUIRE_MFA`: whose sign-in needs a second factor, enrolled at their next sign-in.
    pub require_mfa: RequireMfa,
    /// `WEBHOOK_ALLOW_INSECURE`: accept `http://` endpoint URLs (development only).
    pub webhook_allow_insecure: bool,
    /// `WEBHOOK_ALLOW_PRIVATE`: let deliveries reach loopback, private and link-local
    /// addresses (development only: otherwise a webhook could probe the internal network).
    pub webhook_allow_private: bool,
    /// `WEBHOOK_DELIVER`: whether this instance runs a delivery worker (several instances
    /// may; an instance kept for the dashboard alone need not).
    pub webhook_deliver: bool,
    /// `WEBHOOK_CONCURRENCY`: deliveries one instance sends at once.
    pub webhook_concurrency: usize,
    /// `WEBHOOK_POLL_MS`: how often an idle delivery worker looks for due deliveries.
    pub webhook_poll: Duration,
    /// `OCR_WORKERS`: document photos read at once (default: the cores); more requests
    /// wait for a turn, holding no connection.
    pub ocr_workers: usize,
    /// `PUBLIC_URL`: the address applicants reach this server at, for capture links
    /// (default: `http://` and the address it listens on).
    pub public_url: Option<String>,
    /// `CAPTURE_LINK_HOURS`: how long an applicant's capture link works.
    pub capture_link_hours: i64,
    /// `CAPTURE_PRIVACY_TEXT`: the operator's privacy notice the applicant consents to.
    pub capture_privacy_text: String,
    /// `MAX_RESUBMISSIONS`: how many times a reviewer may ask for a better photo per session.
    pub max_resubmissions: i64,
    /// `CLAIM_IDLE_MINUTES`: a claimed case its holder has not opened for this long may be
    /// pulled by another reviewer.
    pub claim_idle_minutes: i64,
    /// `CAPTURE_RATE_PER_MINUTE`: requests one capture link, and one address on capture
    /// pages, may make a minute.
    pub capture_rate_per_minute: u32,
    /// `BULK_INLINE_MAX`: a bulk change of at most this many ticked sessions is made while
    /// the reviewer waits; a longer one (and every "all matching") runs in the background.
    pub bulk_inline_max: usize,
    /// `BULK_WORK`: whether this instance runs a bulk-change worker.
    pub bulk_work: bool,
    /// `BULK_POLL_MS`: how often an idle bulk-change worker looks for work.
    pub bulk_poll: Duration,
    /// `READ_COUNT_FLUSH_MS`: how often the sessions each API key read, counted in memory
    /// (`app::read_tally`), are written to `api_key_reads`.
    pub read_count_flush: Duration,
    /// `QUEUE_PAGE_TTL_SECS`: how long a queue page's rows are reused at most while nothing
    /// changed (`web::sessions::pages`); 0 reads them at every view.
    pub queue_page_ttl: Duration,
}

/// The privacy notice applicants consent to when the operator sets none.
pub const DEFAULT_PRIVACY_TEXT: &str = "We use your personal data, the photos of your documents and details of your device only to verify your identity for the service that sent you this link. They are kept as long as the law requires and then deleted. You can ask that service to see, correct or delete your data.";

/// `REQUIRE_MFA`: which dashboard users must use a second factor (TOTP).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequireMfa {
    /// Nobody must (anyone may still enrol).
    Off,
    /// Admins must: they can change users, keys and retention (the default).
    Admin,
    /// Every dashboard user must.
    All,
}

impl RequireMfa {
    /// Whether a user of `role` must have a second factor.
    pub fn applies_to(self, role: crate::domain::kinds::Role) -> bool {
        match self {
            RequireMfa::Off => false,
            RequireMfa::Admin => role == crate::domain::kinds::Role::Admin,
            RequireMfa::All => true,
        }
    }
}

impl std::str::FromStr for RequireMfa {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "off" => Ok(RequireMfa::Off),
            "admin" => Ok(RequireMfa::Admin),
            "all" => Ok(RequireMfa::All),
            _ => Err("use admin, all or off".to_owned()),
        }
    }
}

/// Connections to Postgres when `DATABASE_POOL_SIZE` is not set: twice this machine's
/// cores plus one, the rule of thumb PostgreSQL's wiki gives for a database on the same
/// host. More connections than that only make queries share the cores: on two cores a
/// pool of 10 answered the name search at p99 75 ms, one of 5 at 47 ms, at the same rate.
fn default_pool_size() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    u32::try_from(2 * cores + 1).unwrap_or(200).min(200)
}

/// Request threads when `HTTP_WORKERS` is not set: one per core, and one more. A short
/// read runs on the request's own thread (`db::read_now`), which waits while Postgres
/// answers; with one thread per core, a core stood idle whenever both threads waited (a
/// third of a 2-core machine under the queue page's load, before its rows were kept). Each
/// thread also keeps its own allocator caches. Measured on two cores (`wrk -t1 -c32`,
/// 1,000,000 sessions, ratio to the plain page's req/s in the same run): 2 threads, API list
/// 58 % and case page 54 %; 3 threads, 59–69 % and 55 %; 5 threads, 50–54 % and 46–47 %.
/// Peak memory 44 MB with 3 threads, 47 with 5, 53 with 8.
fn default_http_workers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get()) + 1
}

/// Photos read at once when `OCR_WORKERS` is not set: one per core. Reading a photo
/// keeps a core busy for its whole time; more at once only makes each slower.
fn default_ocr_workers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parsed<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T>
where
    T::Err: std::fmt::Display,
{
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .map_err(|e| anyhow::anyhow!("{name}={v:?} is not valid: {e}")),
    }
}

/// A service-level target in hours: 1 to 8,760 (a year), 24 when unset.
fn sla_hours(name: &str) -> anyhow::Result<i64> {
    let hours: i64 = parsed(name, 24)?;
    if !(1..=8760).contains(&hours) {
        bail!("{name}={hours} is not valid: a target is 1 to 8760 hours");
    }
    Ok(hours)
}

fn boolean(name: &str, default: bool) -> anyhow::Result<bool> {
    match var(name).map(|v| v.trim().to_ascii_lowercase()) {
        None => Ok(default),
        Some(v) if matches!(v.as_str(), "1" | "true" | "yes" | "on") => Ok(true),
        Some(v) if matches!(v.as_str(), "0" | "false" | "no" | "off") => Ok(false),
        Some(v) => bail!("{name}={v:?} is not valid: use true or false"),
    }
}

/// Decodes a `SESSION_KEY` value: standard or URL-safe base64 of at least 64 bytes.
pub fn decode_session_key(value: &str) -> anyhow::Result<Vec<u8>> {
    let v = value.trim();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(v)
        .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(v))
        .context("SESSION_KEY must be base64 (generate one with `sessiondesk generate-key`)")?;
    if bytes.len() < 64 {
        bail!(
            "SESSION_KEY must decode to at least 64 bytes, got {}",
            bytes.len()
        );
    }
    Ok(bytes)
}

/// A fresh random session key, base64-encoded.
pub fn generate_session_key() -> String {
    let mut bytes = [0u8; 64];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The default `DATABASE_URL`.
pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@localhost:5432/sessiondesk";

impl Config {
    /// Reads the environment. Fails with a message naming the variable when a value is
    /// malformed; a missing `SESSION_KEY` is generated (sessions then do not survive a
    /// restart, which `serve` warns about).
    pub fn from_env() -> anyhow::Result<Self> {
        let (session_key, session_key_generated) = match var("SESSION_KEY") {
            Some(v) => (decode_session_key(&v)?, false),
            None => {
                let mut bytes = vec![0u8; 64];
                rand::rng().fill_bytes(&mut bytes);
                (bytes, true)
            }
        };
        let redact_after_days = match var("REDACT_AFTER_DAYS") {
            None => None,
            Some(v) => match v.trim().parse::<u32>() {
                Ok(0) | Err(_) => bail!(
                    "REDACT_AFTER_DAYS={v:?} is not valid: use a whole number of days above 0"
                ),
                Ok(n) => Some(n),
            },
        };
        let log_json = var("LOG_FORMAT").is_some_and(|v| v.eq_ignore_ascii_case("json"));
        let config = Config {
            database_url: var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned()),
            bind: var("BIND").unwrap_or_else(|| "127.0.0.1:8080".to_owned()),
            session_key,
            session_key_generated,
            session_ttl_days: parsed("SESSION_TTL_DAYS", 7)?,
            pool_size: parsed("DATABASE_POOL_SIZE", default_pool_size())?,
            http_workers: parsed("HTTP_WORKERS", default_http_workers())?,
            db_timeout: Duration::from_secs(parsed("DATABASE_TIMEOUT_SECS", 3)?),
            cookie_secure: boolean("COOKIE_SECURE", true)?,
            idle_timeout: Duration::from_secs(60 * parsed::<u64>("IDLE_TIMEOUT_MINUTES", 30)?),
            absolute_timeout: Duration::from_secs(
                3600 * parsed::<u64>("ABSOLUTE_TIMEOUT_HOURS", 12)?,
            ),
            expiry_interval: Duration::from_secs(parsed("EXPIRY_INTERVAL_SECS", 60)?),
            job_batch_size: parsed("JOB_BATCH_SIZE", 500)?,
            minimum_age: parsed("MINIMUM_AGE", 18)?,
            redact_after_days,
            four_eyes: match var("FOUR_EYES") {
                None => crate::domain::approvals::FourEyes::default(),
                Some(v) => crate::domain::approvals::FourEyes::parse(&v)
                    .map_err(|e| anyhow::anyhow!("FOUR_EYES={v:?} is not valid: {e}"))?,
            },
            sla: crate::domain::sla::Targets {
                completed: sla_hours("SLA_HOURS_COMPLETED")?,
                marked_for_review: sla_hours("SLA_HOURS_MARKED_FOR_REVIEW")?,
                failed: sla_hours("SLA_HOURS_FAILED")?,
            },
            api_key_env: var("API_KEY_ENV").unwrap_or_else(|| "live".to_owned()),
            log_json,
            static_dir: var("STATIC_DIR").unwrap_or_else(default_static_dir),
            trust_proxy: boolean("TRUST_PROXY", false)?,
            trusted_proxy_hops: parsed("TRUSTED_PROXY_HOPS", 1)?,
            metrics_token: var("METRICS_TOKEN"),
            metrics_allow: match var("METRICS_ALLOW") {
                None => Vec::new(),
                Some(v) => v
                    .split(',')
                    .filter(|s| !s.trim().is_empty())
                    .map(|s| {
                        crate::metrics::Cidr::parse(s).ok_or_else(|| {
                            anyhow::anyhow!(
                                "METRICS_ALLOW: {s:?} is not an address range like 10.0.0.0/8"
                            )
                        })
                    })
                    .collect::<anyhow::Result<Vec<_>>>()?,
            },
            require_mfa: parsed("REQUIRE_MFA", RequireMfa::Admin)?,
            webhook_allow_insecure: boolean("WEBHOOK_ALLOW_INSECURE", false)?,
            webhook_allow_private: boolean("WEBHOOK_ALLOW_PRIVATE", false)?,
            webhook_deliver: boolean("WEBHOOK_DELIVER", true)?,
            webhook_concurrency: parsed("WEBHOOK_CONCURRENCY", 16)?,
            webhook_poll: Duration::from_millis(parsed("WEBHOOK_POLL_MS", 500)?),
            ocr_workers: parsed("OCR_WORKERS", default_ocr_workers())?,
            public_url: var("PUBLIC_URL").map(|u| u.trim_end_matches('/').to_owned()),
            capture_link_hours: parsed("CAPTURE_LINK_HOURS", 72)?,
            capture_privacy_text: var("CAPTURE_PRIVACY_TEXT")
                .unwrap_or_else(|| DEFAULT_PRIVACY_TEXT.to_owned()),
            max_resubmissions: parsed("MAX_RESUBMISSIONS", 3)?,
            capture_rate_per_minute: parsed("CAPTURE_RATE_PER_MINUTE", 60)?,
            claim_idle_minutes: parsed("CLAIM_IDLE_MINUTES", 30)?,
            bulk_inline_max: parsed("BULK_INLINE_MAX", 200)?,
            bulk_work: boolean("BULK_WORK", true)?,
            bulk_poll: Duration::from_millis(parsed("BULK_POLL_MS", 1000)?),
            read_count_flush: Duration::from_millis(parsed("READ_COUNT_FLUSH_MS", 1000)?),
            queue_page_ttl: Duration::from_secs(parsed("QUEUE_PAGE_TTL_SECS", 5)?),
        };
        config.check()?;
        Ok(config)
    }

    /// A configuration for tests and tools: defaults, a random key, the given database.
    pub fn for_database(database_url: &str) -> Self {
        let mut bytes = vec![0u8; 64];
        rand::rng().fill_bytes(&mut bytes);
        Config {
            database_url: database_url.to_owned(),
            bind: "127.0.0.1:0".to_owned(),
            session_key: bytes,
            session_key_generated: false,
            session_ttl_days: 7,
            pool_size: 4,
            http_workers: 2,
            db_timeout: Duration::from_secs(3),
            cookie_secure: false,
            idle_timeout: Duration::from_secs(30 * 60),
            absolute_timeout: Duration::from_secs(12 * 3600),
            expiry_interval: Duration::from_secs(60),
            job_batch_size: 500,
            minimum_age: 18,
            redact_after_days: None,
            sla: crate::domain::sla::Targets::default(),
            // Tests and development turn four eyes on where they are about it.
            four_eyes: crate::domain::approvals::FourEyes::OFF,
            api_key_env: "test".to_owned(),
            log_json: false,
            static_dir: default_static_dir(),
            trust_proxy: false,
            trusted_proxy_hops: 1,
            metrics_token: None,
            metrics_allow: Vec::new(),
            require_mfa: RequireMfa::Admin,
            webhook_allow_insecure: false,
            webhook_allow_private: false,
            webhook_deliver: true,
            webhook_concurrency: 16,
            webhook_poll: Duration::from_millis(500),
            ocr_workers: default_ocr_workers(),
            public_url: None,
            capture_link_hours: 72,
            capture_privacy_text: DEFAULT_PRIVACY_TEXT.to_owned(),
            max_resubmissions: 3,
            capture_rate_per_minute: 60,
            claim_idle_minutes: 30,
            bulk_inline_max: 200,
            bulk_work: true,
            bulk_poll: Duration::from_millis(200),
            read_count_flush: Duration::from_millis(50),
            queue_page_ttl: Duration::from_secs(5),
        }
    }

    fn check(&self) -> anyhow::Result<()> {
        if !(1..=3650).contains(&self.session_ttl_days) {
            bail!("SESSION_TTL_DAYS must be between 1 and 3650");
        }
        if !(1..=256).contains(&self.webhook_concurrency) {
            bail!("WEBHOOK_CONCURRENCY must be between 1 and 256");
        }
        if !(50..=60_000).contains(&self.webhook_poll.as_millis()) {
            bail!("WEBHOOK_POLL_MS must be between 50 and 60000");
        }
        if !(50..=60_000).contains(&self.bulk_poll.as_millis()) {
            bail!("BULK_POLL_MS must be between 50 and 60000");
        }
        if self.queue_page_ttl > Duration::from_secs(60) {
            bail!("QUEUE_PAGE_TTL_SECS must be at most 60");
        }
        if !(10..=60_000).contains(&self.read_count_flush.as_millis()) {
            bail!("READ_COUNT_FLUSH_MS must be between 10 and 60000");
        }
        if self.bulk_inline_max > 500 {
            bail!("BULK_INLINE_MAX must be at most 500");
        }
        if !(1..=256).contains(&self.http_workers) {
            bail!("HTTP_WORKERS must be between 1 and 256");
        }
        if !(1..=64).contains(&self.ocr_workers) {
            bail!("OCR_WORKERS must be between 1 and 64");
        }
        if !(1..=24 * 90).contains(&self.capture_link_hours) {
            bail!("CAPTURE_LINK_HOURS must be between 1 and 2160");
        }
        if !(1..=24 * 60).contains(&self.claim_idle_minutes) {
            bail!("CLAIM_IDLE_MINUTES must be between 1 and 1440");
        }
        if !(0..=20).contains(&self.max_resubmissions) {
            bail!("MAX_RESUBMISSIONS must be between 0 and 20");
        }
        if !(1..=10_000).contains(&self.capture_rate_per_minute) {
            bail!("CAPTURE_RATE_PER_MINUTE must be between 1 and 10000");
        }
        if let Some(u) = &self.public_url
            && !url::Url::parse(u).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
        {
            bail!("PUBLIC_URL must be an http or https address such as https://kyc.example.com");
        }
        if !(1..=200).contains(&self.pool_size) {
            bail!("DATABASE_POOL_SIZE must be between 1 and 200");
        }
        if !(1..=10).contains(&self.trusted_proxy_hops) {
            bail!("TRUSTED_PROXY_HOPS must be between 1 and 10");
        }
        if self.db_timeout.is_zero() {
            bail!("DATABASE_TIMEOUT_SECS must be at least 1");
        }
        if !(1..=10_000).contains(&self.job_batch_size) {
            bail!("JOB_BATCH_SIZE must be between 1 and 10000");
        }
        if !self
            .api_key_env
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            || self.api_key_env.is_empty()
            || self.api_key_env.len() > 16
        {
            bail!("API_KEY_ENV must be 1 to 16 lower-case letters or digits");
        }
        Ok(())
    }
}

fn default_static_dir() -> String {
    if std::path::Path::new("static/app.css").exists() {
        "static".to_owned()
    } else {
        concat!(env!("CARGO_MANIFEST_DIR"), "/static").to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_keys_must_be_long_base64() {
        assert!(decode_session_key(&generate_session_key()).is_ok());
        assert!(decode_session_key("c2hvcnQ=").is_err());
        assert!(decode_session_key("not base64!").is_err());
    }
}
