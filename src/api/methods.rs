//! 405 Method Not Allowed, with `Allow`, for a method that a path of the API does not
//! have (`DELETE /v1/identity/sessions`), rather than the 404 of a path that does not
//! exist. The methods of each path are read from the OpenAPI document itself, so the
//! document, the routes and `Allow` cannot disagree: a route the document leaves out is
//! caught by the OpenAPI tests.

use actix_web::http::Method;
use actix_web::{HttpResponse, guard, web};
use utoipa::openapi::path::PathItem;

use super::error::ApiError;

/// The methods `item` has operations for, in the order `Allow` lists them.
pub fn methods_of(item: &PathItem) -> Vec<Method> {
    [
        (Method::GET, item.get.is_some()),
        (Method::POST, item.post.is_some()),
        (Method::PUT, item.put.is_some()),
        (Method::PATCH, item.patch.is_some()),
        (Method::DELETE, item.delete.is_some()),
        (Method::HEAD, item.head.is_some()),
        (Method::OPTIONS, item.options.is_some()),
        (Method::TRACE, item.trace.is_some()),
    ]
    .into_iter()
    .filter_map(|(method, present)| present.then_some(method))
    .collect()
}

/// Every documented path under `prefix`, relative to it, with its methods; a path with a
/// literal segment comes before one with a parameter in its place (`/documents/idvs`
/// before `/documents/{id}`), as routes must be tried.
pub fn documented(prefix: &str) -> Vec<(String, Vec<Method>)> {
    let doc = super::openapi::document();
    let mut out: Vec<(String, Vec<Method>)> = doc
        .paths
        .paths
        .iter()
        .filter_map(|(path, item)| {
            let relative = path.strip_prefix(prefix)?;
            Some((relative.to_owned(), methods_of(item)))
        })
        .collect();
    // `{` sorts after every letter and digit, so a literal segment wins its position.
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Whether the segments of `pattern` (`{id}` taking any one segment) match `path`.
fn matches(pattern: &[String], path: &[&str]) -> bool {
    pattern.len() == path.len()
        && pattern
            .iter()
            .zip(path)
            .all(|(p, s)| (p.starts_with('{') && !s.is_empty()) || p == s)
}

fn segments(path: &str) -> Vec<String> {
    path.split('/').map(str::to_owned).collect()
}

/// Registers, for each documented path under `prefix`, a resource that answers 405 with
/// `Allow` to a method the path lacks. Register it before the handlers: it never takes a
/// documented method, so those go on to their handlers. A request that a more specific
/// path also matches (`GET /documents/idvs`, under `/documents/{id}` too) is that path's
/// to answer: 405 naming `POST`, not a handler's 400 for an id that is not one.
pub fn configure(cfg: &mut web::ServiceConfig, prefix: &str) {
    let all = documented(prefix);
    for (path, methods) in &all {
        let allow = methods
            .iter()
            .map(Method::as_str)
            .collect::<Vec<_>>()
            .join(", ");
        let taken = methods.clone();
        let own = segments(path);
        // The documented paths that match some of this one's requests, and are more
        // specific: a literal segment where this one has a parameter.
        let narrower: Vec<Vec<String>> = all
            .iter()
            .map(|(other, _)| segments(other))
            .filter(|other| {
                *other != own
                    && other.len() == own.len()
                    && other
                        .iter()
                        .zip(&own)
                        .all(|(o, p)| o == p || (p.starts_with('{') && !o.starts_with('{')))
            })
            .collect();
        let full_prefix = prefix.to_owned();
        cfg.service(
            web::resource(path.as_str())
                .guard(guard::fn_guard(move |ctx| {
                    if taken.contains(&ctx.head().method) {
                        return false;
                    }
                    let uri_path = ctx.head().uri.path();
                    let relative = uri_path.strip_prefix(&full_prefix).unwrap_or(uri_path);
                    let parts: Vec<&str> = relative.split('/').collect();
                    !narrower.iter().any(|n| matches(n, &parts))
                }))
                .to(move || {
                    let allow = allow.clone();
                    async move { Err::<HttpResponse, ApiError>(ApiError::method_not_allowed(&allow)) }
                }),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_segments_are_tried_before_parameters() {
        let paths: Vec<String> = documented("/v1/identity")
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        let idvs = paths.iter().position(|p| p == "/documents/idvs").unwrap();
        let by_id = paths.iter().position(|p| p == "/documents/{id}").unwrap();
        assert!(idvs < by_id);
    }

    #[test]
    fn segments_match_one_for_one() {
        let pattern = segments("/documents/{id}/files");
        assert!(matches(&pattern, &["", "documents", "x", "files"]));
        assert!(!matches(&pattern, &["", "documents", "", "files"]));
        assert!(!matches(&pattern, &["", "documents", "x"]));
        assert!(!matches(&pattern, &["", "sessions", "x", "files"]));
    }

    #[test]
    fn each_path_lists_its_documented_methods() {
        let all = documented("/v1/identity");
        let sessions = all.iter().find(|(p, _)| p == "/sessions").unwrap();
        assert_eq!(sessions.1, vec![Method::GET, Method::POST]);
        let one = all
            .iter()
            .find(|(p, _)| p == "/webhook-endpoints/{id}")
            .unwrap();
        assert_eq!(one.1, vec![Method::GET, Method::PATCH, Method::DELETE]);
    }
}
