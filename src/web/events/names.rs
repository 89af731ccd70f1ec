//! Who did it, by name: the users and API keys a list of events mentions, as actors or by
//! id in their details.

use std::collections::{BTreeSet, HashMap};

use diesel::prelude::*;
use serde_json::Value;
use uuid::Uuid;

use crate::domain::kinds::ActorType;
use crate::store::audit;
use crate::store::events::Event;

/// Details keys that hold a user id.
pub(super) const USER_KEYS: &[&str] = &["assignee", "previous", "user_id", "requested_by"];
/// Details keys that hold an API key id.
pub(super) const API_KEY_KEYS: &[&str] = &["api_key_id", "key_id"];

/// The display names of the users and API keys a list of events mentions, as actors or in
/// their details (an assignee, the user whose role changed), loaded in one query per table.
#[derive(Debug, Clone, Default)]
pub struct ActorNames {
    users: HashMap<Uuid, String>,
    api_keys: HashMap<Uuid, String>,
}

pub(super) fn detail_id(event: &Event, key: &str) -> Option<Uuid> {
    event
        .details
        .get(key)
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
}

/// The users and API keys `events` mention: as actors, or by id in their details.
fn mentioned(events: &[Event]) -> (Vec<Uuid>, Vec<Uuid>) {
    let mut users = BTreeSet::new();
    let mut keys = BTreeSet::new();
    for event in events {
        match (event.actor_type, event.actor_id) {
            (ActorType::User, Some(id)) => {
                users.insert(id);
            }
            (ActorType::ApiKey, Some(id)) => {
                keys.insert(id);
            }
            _ => {}
        }
        users.extend(USER_KEYS.iter().filter_map(|k| detail_id(event, k)));
        keys.extend(API_KEY_KEYS.iter().filter_map(|k| detail_id(event, k)));
    }
    (users.into_iter().collect(), keys.into_iter().collect())
}

impl ActorNames {
    /// Loads the names every event of `events` needs: one query for users, one for keys.
    pub fn load(conn: &mut PgConnection, events: &[Event]) -> QueryResult<ActorNames> {
        let (users, keys) = mentioned(events);
        Ok(ActorNames {
            users: audit::user_names(conn, &users)?.into_iter().collect(),
            api_keys: audit::api_key_names(conn, &keys)?.into_iter().collect(),
        })
    }

    /// The names every event of `events` needs, from the names this instance keeps
    /// ([`crate::web::known_users::names`]): no query.
    pub fn among(directory: &crate::domain::directory::Directory, events: &[Event]) -> ActorNames {
        let (users, keys) = mentioned(events);
        let pick = |ids: Vec<Uuid>, from: &HashMap<Uuid, String>| -> HashMap<Uuid, String> {
            ids.into_iter()
                .filter_map(|id| from.get(&id).map(|n| (id, n.clone())))
                .collect()
        };
        ActorNames {
            users: pick(users, &directory.users),
            api_keys: pick(keys, &directory.api_keys),
        }
    }

    /// Adds a user's name by hand (tests, or a caller that already has it).
    pub fn with_user(mut self, id: Uuid, display_name: impl Into<String>) -> Self {
        self.users.insert(id, display_name.into());
        self
    }

    /// Adds an API key's name by hand (tests, or a caller that already has it).
    pub fn with_api_key(mut self, id: Uuid, name: impl Into<String>) -> Self {
        self.api_keys.insert(id, name.into());
        self
    }

    /// A user's display name, if loaded.
    pub fn user(&self, id: Uuid) -> Option<&str> {
        self.users.get(&id).map(String::as_str)
    }

    /// An API key's name, if loaded.
    pub fn api_key(&self, id: Uuid) -> Option<&str> {
        self.api_keys.get(&id).map(String::as_str)
    }

    /// Who did it, in words: `Jane Doe`, `API key "Onboarding flow"`, `The applicant`,
    /// `System`.
    pub fn actor(&self, event: &Event) -> String {
        match (event.actor_type, event.actor_id) {
            (ActorType::User, Some(id)) => self.user(id).unwrap_or("Unknown user").to_owned(),
            (ActorType::ApiKey, Some(id)) => match self.api_key(id) {
                Some(name) => format!("API key \"{name}\""),
                None => "Unknown API key".to_owned(),
            },
            (ActorType::System, _) => "System".to_owned(),
            (ActorType::Applicant, _) => "The applicant".to_owned(),
            (ActorType::User, None) => "Unknown user".to_owned(),
            (ActorType::ApiKey, None) => "Unknown API key".to_owned(),
        }
    }

    pub(super) fn user_in(&self, event: &Event, key: &str) -> Option<String> {
        detail_id(event, key).map(|id| self.user(id).unwrap_or("an unknown user").to_owned())
    }

    pub(super) fn key_in(&self, event: &Event) -> Option<String> {
        API_KEY_KEYS
            .iter()
            .find_map(|k| detail_id(event, k))
            .map(|id| match self.api_key(id) {
                Some(name) => format!("API key \"{name}\""),
                None => "an API key".to_owned(),
            })
    }
}
