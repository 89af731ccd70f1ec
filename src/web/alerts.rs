//! What the dashboard tells admins on every page, whatever the page: that the system
//! disabled a webhook endpoint (it answered 410 Gone, or failed every delivery for five
//! days), so that deliveries never stop unnoticed.
//!
//! The count is read with the signed-in user ([`crate::web::auth`]), for admins only and on
//! page views (GET) only, and remembered in the queue's [`CountsCache`] like the queue's
//! counts: reused while nothing was written to the endpoints (on any instance), so an admin
//! who enables the endpoint sees the banner go at once. A form answered with a
//! page (a refused form, a secret shown once) reuses the last count rather than counting.

use diesel::PgConnection;

use crate::error::AppError;
use crate::store::queue::CappedCount;
use crate::store::webhooks;
use crate::web::sessions::counts::{CountsCache, Stamp};

/// The cache key of the count.
const KEY: &str = "alerts:webhooks_disabled_by_system";

/// The alerts a page shows its user.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Alerts {
    /// Webhook endpoints the system disabled; always 0 for anyone but an admin.
    pub webhooks_disabled: i64,
}

/// Where the count comes from for one request: a fresh count from the cache, or the
/// promise to count (a page view with nothing fresh), or the last count seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A fresh count was in the cache.
    Cached(i64),
    /// Count now (as of the cache generation read before counting).
    Count(Stamp),
    /// Not a page view: the last count seen, if any, without counting.
    Last(Option<i64>),
}

/// Decides, before the user is read, where this request's count would come from.
pub fn source(
    cache: Option<&CountsCache>,
    page_view: bool,
    wrote: Option<std::time::SystemTime>,
) -> Source {
    let Some(cache) = cache else {
        return Source::Last(None);
    };
    let n = |counts: Vec<CappedCount>| counts.first().map(|c| c.n);
    if !page_view {
        return Source::Last(cache.last(KEY).and_then(n));
    }
    let generation = cache.generation();
    match cache.get(KEY, wrote).and_then(n) {
        Some(n) => Source::Cached(n),
        None => Source::Count(generation),
    }
}

/// The alerts of an admin when `source` needs no counting: `None` when it does.
pub fn known(source: Source) -> Option<Alerts> {
    let n = match source {
        Source::Cached(n) => n,
        Source::Last(n) => n.unwrap_or(0),
        Source::Count(_) => return None,
    };
    Some(Alerts {
        webhooks_disabled: n,
    })
}

/// The alerts of an admin: counts when `source` says so (one small query on a table of a
/// handful of rows), and returns the count to remember.
pub fn load(conn: &mut PgConnection, source: Source) -> Result<(Alerts, Option<i64>), AppError> {
    if let Some(alerts) = known(source) {
        return Ok((alerts, None));
    }
    let n = webhooks::count_disabled_by_system(conn)?;
    Ok((
        Alerts {
            webhooks_disabled: n,
        },
        Some(n),
    ))
}

/// Remembers a count taken for `source`.
pub fn remember(cache: Option<&CountsCache>, source: Source, n: i64) {
    if let (Some(cache), Source::Count(generation)) = (cache, source) {
        cache.put(
            KEY.to_owned(),
            generation,
            vec![CappedCount {
                key: KEY.to_owned(),
                n,
            }],
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_views_count_once_then_reuse_and_other_requests_never_count() {
        let changes = std::sync::Arc::new(crate::app::changes::Changes::default());
        changes.set_live(true);
        let cache = CountsCache::new(changes);
        assert_eq!(source(Some(&cache), false, None), Source::Last(None));
        let first = source(Some(&cache), true, None);
        assert!(matches!(first, Source::Count(_)));
        remember(Some(&cache), first, 2);
        assert_eq!(source(Some(&cache), true, None), Source::Cached(2));
        assert_eq!(source(Some(&cache), false, None), Source::Last(Some(2)));
        // A write through this server: the next page view counts again, while a form
        // answered with a page still shows the last count.
        cache.invalidate();
        assert!(matches!(source(Some(&cache), true, None), Source::Count(_)));
        assert_eq!(source(Some(&cache), false, None), Source::Last(Some(2)));
        assert_eq!(source(None, true, None), Source::Last(None));
    }
}
