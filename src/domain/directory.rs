//! Who is who by name: every user's display name and every API key's name, for pages that
//! say who did something.

use std::collections::HashMap;

use uuid::Uuid;

/// Every user's and API key's display name, kept per instance (the application state's
/// `names`) so that pages skip a round trip for it. Users and keys are few (a team, its
/// integrations) and never deleted.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    /// Users' display names by id.
    pub users: HashMap<Uuid, String>,
    /// API keys' names by id.
    pub api_keys: HashMap<Uuid, String>,
}
