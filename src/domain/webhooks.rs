//! Webhooks as rules: which audit events are pushed to integrators, the thin body each one
//! carries, how a body is signed (Standard Webhooks), when a failed delivery is tried
//! again, and which addresses a delivery may never reach. No I/O here.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, SecondsFormat, Utc};
use hmac::{Hmac, Mac};
use serde_json::{Map, Value, json};
use sha2::Sha256;
use uuid::Uuid;

/// Every event type an endpoint may subscribe to, in the order the admin page lists them.
/// Each is also the audit action that produces it.
pub const EVENT_TYPES: &[&str] = &[
    "session.created",
    "session.started",
    "session.submitted",
    "session.completed",
    "session.failed",
    "session.marked_for_review",
    "session.approved",
    "session.declined",
    "session.expired",
    "session.resubmission_requested",
    "session.sla_breached",
    "session.redacted",
    "account.redacted",
    "document.created",
    "document.file_uploaded",
    "verification.completed",
];

/// The type of the event "Send a test event" posts; no change produces it, so no
/// subscription names it.
pub const TEST_EVENT: &str = "webhook.test";

/// Whether `action` is pushed to endpoints.
pub fn is_event_type(action: &str) -> bool {
    EVENT_TYPES.contains(&action)
}

/// What an audit event says, as much of it as a webhook body may carry.
#[derive(Debug, Clone, Copy)]
pub struct Occurrence<'a> {
    /// The audit action (`session.approved`).
    pub action: &'a str,
    /// The session concerned, if any.
    pub session_id: Option<Uuid>,
    /// The session's status after the change, when the event is a transition.
    pub status: Option<&'a str>,
    /// The audit event's details: ids and codes only.
    pub details: &'a Value,
    /// When it happened.
    pub at: DateTime<Utc>,
}

/// The body pushed for `occurrence`, or `None` when its action is not a webhook event.
///
/// The body is thin: the event's id, type and time, and the type, id and status of what
/// changed, with the ids of what it belongs to. Never personal data: a receiver that needs
/// more fetches the resource with its key (and a redacted one has nothing more to give).
/// Only the listed detail keys are copied, so nothing a future event adds leaks by default.
pub fn body(event_id: &str, occurrence: &Occurrence<'_>) -> Option<Value> {
    if !is_event_type(occurrence.action) {
        return None;
    }
    let d = occurrence.details;
    let session = occurrence
        .session_id
        .map(|id| Value::String(id.to_string()));
    let mut attributes = Map::new();
    let (kind, id) = match occurrence.action.split_once('.').map(|(k, _)| k) {
        Some("session") => {
            if let Some(status) = occurrence.status {
                attributes.insert("status".into(), status.into());
            }
            if occurrence.action == "session.redacted" {
                attributes.insert("redacted".into(), true.into());
            }
            if occurrence.action == "session.sla_breached" {
                // The status it waits in and when it was due; nothing about the applicant.
                copy(d, &mut attributes, &["status", "due_at", "target_hours"]);
            }
            if occurrence.action == "session.resubmission_requested" {
                // The document and the reason code; never the message or the link.
                copy(d, &mut attributes, &["document_id", "reason"]);
            }
            ("session", session.clone())
        }
        Some("account") => {
            attributes.insert("redacted".into(), true.into());
            copy(d, &mut attributes, &["sessions"]);
            ("account", d.get("account_id").cloned())
        }
        Some("document") => {
            copy(d, &mut attributes, &["kind", "file_id", "side"]);
            let status = if occurrence.action == "document.file_uploaded" {
                "submitted"
            } else {
                "created"
            };
            attributes.insert("status".into(), status.into());
            ("document", d.get("document_id").cloned())
        }
        Some("verification") => {
            copy(d, &mut attributes, &["document_id", "kind", "status"]);
            ("verification", d.get("verification_id").cloned())
        }
        _ => return None,
    };
    if kind != "session"
        && kind != "account"
        && let Some(session) = session
    {
        attributes.insert("session_id".into(), session);
    }
    Some(json!({
        "id": event_id,
        "type": occurrence.action,
        "created_at": occurrence.at.to_rfc3339_opts(SecondsFormat::Micros, true),
        "data": {
            "type": kind,
            "id": id.unwrap_or(Value::Null),
            "attributes": attributes,
        },
    }))
}

fn copy(from: &Value, to: &mut Map<String, Value>, keys: &[&str]) {
    for key in keys {
        if let Some(v) = from.get(*key).filter(|v| !v.is_null()) {
            to.insert((*key).to_owned(), v.clone());
        }
    }
}

/// A new event id, the `webhook-id` header: `evt_` and 32 hex digits.
pub fn new_event_id() -> String {
    format!("evt_{}", Uuid::new_v4().simple())
}

/// The prefix of every signing secret.
pub const SECRET_PREFIX: &str = "whsec_";

/// A new signing secret: `whsec_` and the base64 of 32 random bytes.
pub fn new_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    format!("{SECRET_PREFIX}{}", B64.encode(bytes))
}

/// Why a secret cannot sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadSecret;

/// The `webhook-signature` value for one secret: `v1,` and the base64 HMAC-SHA256 of
/// `"{id}.{timestamp}.{body}"`, keyed by the secret's decoded bytes (Standard Webhooks).
pub fn signature(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Result<String, BadSecret> {
    let key = B64
        .decode(secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret))
        .map_err(|_| BadSecret)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).map_err(|_| BadSecret)?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(format!("v1,{}", B64.encode(mac.finalize().into_bytes())))
}

/// The `webhook-signature` header: one signature per live secret, space-separated, so a
/// receiver holding either the old or the new secret accepts the delivery while a rotation
/// settles.
pub fn signature_header(
    secrets: &[&str],
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<String, BadSecret> {
    let signatures = secrets
        .iter()
        .map(|s| signature(s, id, timestamp, body))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(signatures.join(" "))
}

/// How long the old secret keeps signing after a rotation.
pub const ROTATION_OVERLAP: chrono::Duration = chrono::Duration::hours(24);

/// The waits before the 2nd to 8th attempt: about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and
/// 10 h, so one delivery is tried 8 times over a day and more.
pub const RETRY_SCHEDULE: [Duration; 7] = [
    Duration::from_secs(5),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(5 * 3600),
    Duration::from_secs(10 * 3600),
    Duration::from_secs(10 * 3600),
];

/// The most attempts a delivery gets.
pub const MAX_ATTEMPTS: i32 = RETRY_SCHEDULE.len() as i32 + 1;

/// The wait after failed attempt number `attempts` (1-based), spread by `jitter` in
/// `[0, 1)` over ±20 % so that deliveries failed together do not retry together; `None`
/// after the last attempt.
pub fn retry_after(attempts: i32, jitter: f64) -> Option<Duration> {
    let index = usize::try_from(attempts.checked_sub(1)?).ok()?;
    let base = RETRY_SCHEDULE.get(index)?;
    let factor = 0.8 + 0.4 * jitter.clamp(0.0, 1.0);
    Some(base.mul_f64(factor))
}

/// How long an endpoint may fail every attempt before it is disabled.
pub const FAILING_LIMIT: chrono::Duration = chrono::Duration::days(5);

/// What a delivery attempt's answer means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Any 2xx: delivered.
    Taken,
    /// 410 Gone: the receiver asks never to be called again; the endpoint is disabled.
    Gone,
    /// Anything else, or no answer: try again later.
    Retry,
}

/// Reads an HTTP status (`None`: no answer at all).
pub fn answer(status: Option<u16>) -> Answer {
    match status {
        Some(200..=299) => Answer::Taken,
        Some(410) => Answer::Gone,
        _ => Answer::Retry,
    }
}

/// Whether a delivery may never dial `ip`: loopback, private, link-local (which holds the
/// cloud metadata address 169.254.169.254), carrier-grade NAT, unspecified, broadcast,
/// multicast and the IPv6 equivalents, including IPv4 addresses written as IPv6.
pub fn is_forbidden_address(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return forbidden_v4(v4);
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local, fd00:ec2::254 among them
                || (first & 0xffc0) == 0xfe80 // link-local
                || (first & 0xffc0) == 0xfec0 // site-local (deprecated)
                || v6.segments()[..6] == [0, 0, 0, 0, 0, 0] // IPv4-compatible
                || (v6.segments()[0] == 0x64 && v6.segments()[1] == 0xff9b) // NAT64
        }
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments
        || a >= 240
}

/// Whether `text` is written with the characters RFC 3986 allows in a URI, each `%`
/// starting an escape of two hex digits. A browser would percent-encode the rest (a space,
/// `é`, `|`) or leave a stray `%` as it is; an endpoint URL is a machine's address, and a
/// receiver's framework may read such a one differently, so it is refused instead.
fn is_uri_text(text: &str) -> bool {
    let bytes = text.as_bytes();
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=%".contains(&b);
    bytes.iter().enumerate().all(|(i, &b)| {
        allowed(b)
            && (b != b'%'
                || (bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                    && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit)))
    })
}

/// The URL rules that need no network: absolute http(s) with a host, https unless
/// `allow_insecure`, no credentials, written in RFC 3986's characters, at most 2,048
/// characters. The message names what is wrong.
pub fn check_url(raw: &str, allow_insecure: bool) -> Result<url::Url, &'static str> {
    if raw.chars().count() > 2048 {
        return Err("must be at most 2048 characters");
    }
    if !is_uri_text(raw.trim()) {
        return Err(
            "must be written as RFC 3986 allows: percent-encode spaces, non-ASCII and other characters (%20), and give every % two hex digits",
        );
    }
    let url = url::Url::parse(raw.trim()).map_err(|_| "must be an absolute URL")?;
    match url.scheme() {
        "https" => {}
        "http" if allow_insecure => {}
        "http" => return Err("must use https"),
        _ => return Err("must be an https URL"),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("must name a host");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not hold credentials: deliveries are signed instead");
    }
    if url.fragment().is_some() {
        return Err("must not have a fragment");
    }
    // Parsing percent-encodes what a URL may not hold as written: what is stored must fit too.
    if url.as_str().len() > 2048 {
        return Err("must be at most 2048 characters once percent-encoded");
    }
    Ok(url)
}

/// An IP-literal host of `url`, if it has one (such a URL is never resolved, so its
/// address is checked as written).
pub fn literal_address(url: &url::Url) -> Option<IpAddr> {
    match url.host()? {
        url::Host::Ipv4(v4) => Some(IpAddr::V4(v4)),
        url::Host::Ipv6(v6) => Some(IpAddr::V6(v6)),
        url::Host::Domain(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_addresses() {
        for a in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "fd00:ec2::254",
            "fe80::1",
            "255.255.255.255",
        ] {
            assert!(is_forbidden_address(a.parse().unwrap()), "{a}");
        }
        for a in [
            "93.184.216.34",
            "2606:2800:220:1:248:1893:25c8:1946",
            "8.8.8.8",
        ] {
            assert!(!is_forbidden_address(a.parse().unwrap()), "{a}");
        }
    }

    #[test]
    fn retries_follow_the_schedule_then_stop() {
        assert_eq!(retry_after(1, 0.5), Some(Duration::from_secs(5)));
        assert_eq!(retry_after(2, 0.5), Some(Duration::from_secs(300)));
        assert!(retry_after(7, 0.0).unwrap() >= Duration::from_secs(8 * 3600));
        assert_eq!(retry_after(8, 0.5), None);
        assert_eq!(retry_after(0, 0.5), None);
        assert_eq!(MAX_ATTEMPTS, 8);
        let total: Duration = RETRY_SCHEDULE.iter().sum();
        assert!(total > Duration::from_secs(24 * 3600));
    }

    #[test]
    fn signatures_match_the_specification_example() {
        // The example of the Standard Webhooks specification.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = br#"{"test": 2432232314}"#;
        let sig = signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1_614_265_330, body).unwrap();
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        assert!(signature("whsec_!!", "a", 1, b"").is_err());
    }

    #[test]
    fn bodies_carry_ids_and_status_only() {
        let details = json!({"document_id": "d1", "kind": "document/idv", "first_name": "Anna"});
        let o = Occurrence {
            action: "document.created",
            session_id: Some(Uuid::nil()),
            status: None,
            details: &details,
            at: Utc::now(),
        };
        let b = body("evt_1", &o).unwrap();
        assert_eq!(b["type"], "document.created");
        assert_eq!(b["data"]["id"], "d1");
        assert_eq!(
            b["data"]["attributes"]["session_id"],
            Uuid::nil().to_string()
        );
        assert!(!b.to_string().contains("Anna"));
        let none = Occurrence {
            action: "session.viewed",
            ..o
        };
        assert!(body("evt_2", &none).is_none());
    }

    #[test]
    fn a_resubmission_names_the_document_and_reason_but_never_the_link_or_message() {
        let details = json!({"document_id": "d1", "reason": "glare", "resubmission_id": "r1",
            "message": "Dear Anna", "url": "https://kyc.example/c/secret"});
        let o = Occurrence {
            action: "session.resubmission_requested",
            session_id: Some(Uuid::nil()),
            status: Some("started"),
            details: &details,
            at: Utc::now(),
        };
        let b = body("evt_3", &o).unwrap();
        let a = &b["data"]["attributes"];
        assert_eq!(a["status"], "started");
        assert_eq!(a["document_id"], "d1");
        assert_eq!(a["reason"], "glare");
        let text = b.to_string();
        assert!(!text.contains("Anna") && !text.contains("secret"));
    }

    #[test]
    fn urls_are_checked_before_any_lookup() {
        assert!(check_url("https://example.com/hook", false).is_ok());
        assert_eq!(
            check_url("http://example.com/", false),
            Err("must use https")
        );
        assert!(check_url("http://example.com/", true).is_ok());
        assert!(check_url("ftp://example.com/", true).is_err());
        assert!(check_url("https://u:p@example.com/", false).is_err());
        assert!(check_url("/relative", false).is_err());
        for odd in [
            "https://example.com/a b",
            "https://example.com/é",
            "https://example.com/%zz",
            "https://example.com/50%",
            "https://example.com/a|b",
        ] {
            assert!(check_url(odd, false).is_err(), "{odd}");
        }
        assert!(check_url("https://example.com/caf%C3%A9?q=a%20b&x='y'", false).is_ok());
        assert!(check_url(" https://example.com/ ", false).is_ok());
    }
}
