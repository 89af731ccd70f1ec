//! Security headers on every response (SPEC section 6).

use actix_web::middleware::DefaultHeaders;

/// The Content-Security-Policy: nothing inline, nothing from elsewhere, no framing.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
     object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// Strict-Transport-Security: browsers that saw it over HTTPS use only HTTPS for a year.
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Headers every response carries, whatever produced it; with `https_only` (the cookie is
/// `Secure`, so the dashboard is served over HTTPS) also [`HSTS`].
pub fn security_headers(https_only: bool) -> DefaultHeaders {
    let headers = DefaultHeaders::new()
        .add(("Content-Security-Policy", CSP))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "same-origin"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
        .add((
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=()",
        ));
    if https_only {
        headers.add(("Strict-Transport-Security", HSTS))
    } else {
        headers
    }
}

/// `Cache-Control: no-store` on everything but static assets: dashboard pages carry
/// personal data and must not linger in caches. Static assets are cached for an hour.
pub async fn cache_control(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let is_static = req.path().starts_with("/static/");
    let mut res = next.call(req).await?;
    let value = if is_static {
        "public, max-age=3600"
    } else {
        "no-store"
    };
    res.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static(value),
    );
    Ok(res)
}
