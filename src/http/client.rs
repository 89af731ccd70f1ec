//! Who is asking: the client's address as both faces record and throttle it.

use actix_web::{HttpRequest, web};

use crate::app::AppState;

/// The client's address for throttling and audit: the socket peer or, when
/// `TRUST_PROXY=true` says a proxy relays every request, the address that proxy saw (see
/// [`forwarded_client`]).
pub fn client_ip(req: &HttpRequest) -> String {
    let config = req.app_data::<web::Data<AppState>>().map(|s| &s.config);
    let forwarded = config.filter(|c| c.trust_proxy).and_then(|c| {
        let values = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok());
        forwarded_client(values, c.trusted_proxy_hops)
    });
    forwarded
        .or_else(|| req.peer_addr().map(|a| a.ip().to_canonical()))
        .map(|ip| ip.to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The client address in `X-Forwarded-For` (every header line, in order) behind `hops`
/// trusted proxies: the `hops`-th entry from the right. Each proxy appends the address it
/// was connected from, so entries left of that one were written by the client and prove
/// nothing. With fewer entries than hops the left-most one (still a proxy's) is taken;
/// an entry that is not an address gives `None`, and the socket peer is used instead.
pub fn forwarded_client<'a>(
    values: impl Iterator<Item = &'a str>,
    hops: usize,
) -> Option<std::net::IpAddr> {
    let entries: Vec<&str> = values.flat_map(|v| v.split(',')).map(str::trim).collect();
    let entry = entries.get(entries.len().saturating_sub(hops.max(1)))?;
    entry
        .parse::<std::net::IpAddr>()
        .or_else(|_| entry.parse::<std::net::SocketAddr>().map(|a| a.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

/// The address this server is reached at, for links sent to people outside it (an
/// applicant's capture link): `PUBLIC_URL` when set, else the address the server listens
/// on, else (listening on every interface) the address the request came to.
pub fn public_base(public_url: Option<&str>, req: &HttpRequest) -> String {
    if let Some(url) = public_url {
        return url.trim_end_matches('/').to_owned();
    }
    let local = req.app_config().local_addr();
    if local.ip().is_unspecified() {
        let info = req.connection_info();
        format!("{}://{}", info.scheme(), info.host())
    } else {
        format!("http://{local}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_is_the_address_the_outermost_trusted_proxy_saw() {
        let one =
            |v: &[&str], hops| forwarded_client(v.iter().copied(), hops).map(|a| a.to_string());
        assert_eq!(one(&["1.2.3.4, 9.9.9.9"], 1).as_deref(), Some("9.9.9.9"));
        assert_eq!(one(&["1.2.3.4, 9.9.9.9"], 2).as_deref(), Some("1.2.3.4"));
        assert_eq!(
            one(&["6.6.6.6, 1.2.3.4", "9.9.9.9"], 2).as_deref(),
            Some("1.2.3.4")
        );
        assert_eq!(one(&["9.9.9.9"], 3).as_deref(), Some("9.9.9.9"));
        assert_eq!(
            one(&["[2001:db8::1]:443"], 1).as_deref(),
            Some("2001:db8::1")
        );
        assert_eq!(one(&["::ffff:10.0.0.1"], 1).as_deref(), Some("10.0.0.1"));
        assert_eq!(one(&["1.2.3.4, not-an-address"], 1), None);
        assert_eq!(one(&[], 1), None);
    }
}
