//! Who did something, for decisions and the audit log.

use uuid::Uuid;

use super::kinds::ActorType;

/// The author of a change: a dashboard user, an API key, or Session Desk itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// A signed-in dashboard user.
    User(Uuid),
    /// An integrator's API key.
    ApiKey(Uuid),
    /// A background job or the verification engine.
    System,
}

impl Actor {
    /// The kind of actor, as stored.
    pub fn kind(self) -> ActorType {
        match self {
            Actor::User(_) => ActorType::User,
            Actor::ApiKey(_) => ActorType::ApiKey,
            Actor::System => ActorType::System,
        }
    }

    /// The user's or key's id.
    pub fn id(self) -> Option<Uuid> {
        match self {
            Actor::User(id) | Actor::ApiKey(id) => Some(id),
            Actor::System => None,
        }
    }
}
