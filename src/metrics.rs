//! Prometheus metrics kept in process: request counts and latency histograms by route,
//! and the database pool's state. Rendered by `GET /metrics` in the text format.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};

/// Latency bucket bounds in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

/// Requests by (method, route pattern, status) and latency by (method, route pattern).
#[derive(Default)]
pub struct Registry {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<(String, String), Series>>,
}

/// Requests waiting for a database connection right now.
pub static POOL_WAITING: AtomicI64 = AtomicI64::new(0);

/// Webhook attempts this process made that the receiver took (any 2xx).
pub static WEBHOOK_SUCCEEDED: AtomicI64 = AtomicI64::new(0);
/// Webhook attempts this process made that failed (no answer, or not a 2xx).
pub static WEBHOOK_FAILED: AtomicI64 = AtomicI64::new(0);

/// Counts one webhook attempt by outcome (`succeeded` or anything else).
pub fn webhook_attempt(outcome: &str) {
    let counter = if outcome == "succeeded" {
        &WEBHOOK_SUCCEEDED
    } else {
        &WEBHOOK_FAILED
    };
    counter.fetch_add(1, Ordering::Relaxed);
}

/// Renders the webhook attempt counter.
pub fn render_webhook_attempts(out: &mut String) {
    let _ = writeln!(
        out,
        "# HELP sessiondesk_webhook_attempts_total Webhook delivery attempts by this process, by outcome."
    );
    let _ = writeln!(out, "# TYPE sessiondesk_webhook_attempts_total counter");
    for (outcome, counter) in [
        ("succeeded", &WEBHOOK_SUCCEEDED),
        ("failed", &WEBHOOK_FAILED),
    ] {
        let _ = writeln!(
            out,
            "sessiondesk_webhook_attempts_total{{outcome=\"{outcome}\"}} {}",
            counter.load(Ordering::Relaxed)
        );
    }
}

impl Registry {
    /// Counts one finished request. `route` is the matched pattern (`/sessions/{id}`), never
    /// the concrete path, so ids do not explode the series.
    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        if let Ok(mut m) = self.requests.lock() {
            *m.entry((method.to_owned(), route.to_owned(), status))
                .or_default() += 1;
        }
        if let Ok(mut m) = self.latency.lock() {
            let s = m.entry((method.to_owned(), route.to_owned())).or_default();
            s.count += 1;
            s.sum += seconds;
            for (i, bound) in BUCKETS.iter().enumerate() {
                if seconds <= *bound {
                    s.buckets[i] += 1;
                }
            }
        }
    }

    /// The text exposition of the request series.
    pub fn render(&self, out: &mut String) {
        out.push_str(
            "# HELP sessiondesk_http_requests_total HTTP requests by method, route and status.\n",
        );
        out.push_str("# TYPE sessiondesk_http_requests_total counter\n");
        if let Ok(m) = self.requests.lock() {
            for ((method, route, status), n) in m.iter() {
                let _ = writeln!(
                    out,
                    "sessiondesk_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {n}",
                    escape(method),
                    escape(route)
                );
            }
        }
        out.push_str("# HELP sessiondesk_http_request_duration_seconds HTTP request latency by method and route.\n");
        out.push_str("# TYPE sessiondesk_http_request_duration_seconds histogram\n");
        if let Ok(m) = self.latency.lock() {
            for ((method, route), s) in m.iter() {
                let labels = format!("method=\"{}\",route=\"{}\"", escape(method), escape(route));
                for (i, bound) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "sessiondesk_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {}",
                        s.buckets[i]
                    );
                }
                let _ = writeln!(
                    out,
                    "sessiondesk_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                    s.count
                );
                let _ = writeln!(
                    out,
                    "sessiondesk_http_request_duration_seconds_sum{{{labels}}} {}",
                    s.sum
                );
                let _ = writeln!(
                    out,
                    "sessiondesk_http_request_duration_seconds_count{{{labels}}} {}",
                    s.count
                );
            }
        }
    }
}

/// Renders a gauge line with its help and type.
pub fn gauge(out: &mut String, name: &str, help: &str, samples: &[(String, i64)]) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} gauge");
    for (labels, value) in samples {
        if labels.is_empty() {
            let _ = writeln!(out, "{name} {value}");
        } else {
            let _ = writeln!(out, "{name}{{{labels}}} {value}");
        }
    }
}

/// The current number of requests waiting for a pooled connection.
pub fn pool_waiting() -> i64 {
    POOL_WAITING.load(Ordering::Relaxed)
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// An address range like `10.0.0.0/8` or `::1/128`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    addr: std::net::IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Parses `ADDR/PREFIX` (or a bare address, meaning just that one).
    pub fn parse(s: &str) -> Option<Cidr> {
        let (addr, prefix) = match s.trim().split_once('/') {
            Some((a, p)) => (a.parse().ok()?, p.parse().ok()?),
            None => {
                let a: std::net::IpAddr = s.trim().parse().ok()?;
                (a, if a.is_ipv4() { 32 } else { 128 })
            }
        };
        let max = if matches!(addr, std::net::IpAddr::V4(_)) {
            32
        } else {
            128
        };
        (prefix <= max).then_some(Cidr { addr, prefix })
    }

    /// Whether `ip` is inside the range.
    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        use std::net::IpAddr::{V4, V6};
        let ip = match ip {
            V6(v6) => v6.to_ipv4_mapped().map(V4).unwrap_or(V6(v6)),
            other => other,
        };
        match (self.addr, ip) {
            (V4(net), V4(ip)) => {
                let mask = if self.prefix == 0 {
                    0
                } else {
                    u32::MAX << (32 - self.prefix as u32)
                };
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (V6(net), V6(ip)) => {
                let mask = if self.prefix == 0 {
                    0
                } else {
                    u128::MAX << (128 - self.prefix as u32)
                };
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_ranges_match_their_members_only() {
        let net = Cidr::parse("10.0.0.0/8").unwrap();
        assert!(net.contains("10.20.30.40".parse().unwrap()));
        assert!(!net.contains("11.0.0.1".parse().unwrap()));
        assert!(
            Cidr::parse("::1/128")
                .unwrap()
                .contains("::1".parse().unwrap())
        );
        assert!(
            Cidr::parse("127.0.0.1")
                .unwrap()
                .contains("::ffff:127.0.0.1".parse().unwrap())
        );
        assert!(Cidr::parse("10.0.0.0/33").is_none());
    }

    #[test]
    fn histograms_count_into_every_bucket_above_the_value() {
        let r = Registry::default();
        r.observe("GET", "/sessions", 200, 0.004);
        let mut out = String::new();
        r.render(&mut out);
        assert!(out.contains(
            "sessiondesk_http_requests_total{method=\"GET\",route=\"/sessions\",status=\"200\"} 1"
        ));
        assert!(out.contains("le=\"0.0025\"} 0"));
        assert!(out.contains("le=\"0.005\"} 1"));
        assert!(out.contains("le=\"+Inf\"} 1"));
    }
}
