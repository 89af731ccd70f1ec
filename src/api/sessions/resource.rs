//! A session as the API sends it: SPEC section 4's attributes, and links to its account,
//! documents, verifications and device. Personal data objects are null once redacted.

use serde::Serialize;
use uuid::Uuid;

use crate::api::envelope::{
    Linkage, RelatedLinks, Resource, SelfLink, ToManyRelated, ToOne, ToOneRelated, maybe_timestamp,
    timestamp,
};
use crate::domain::person::person_fields;
use crate::store::session_links::SessionLinks;
use crate::store::sessions::{PersonData, Session};

/// The resource type.
pub const TYPE: &str = "session";

macro_rules! objects_out {
    (
        person.name { $( $n_column:ident $n_member:ident $n_kind:tt $n_in:tt $n_out:tt; )* }
        person { $( $p_column:ident $p_member:ident $p_kind:tt $p_in:tt $p_out:tt; )* }
        contact { $( $c_column:ident $c_member:ident $c_kind:tt $c_in:tt $c_out:tt; )* }
        address { $( $a_column:ident $a_member:ident $a_kind:tt $a_in:tt $a_out:tt; )* }
        identity_number { $( $i_column:ident $i_member:ident $i_kind:tt $i_in:tt $i_out:tt; )* }
    ) => {
        /// `person.name`
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
        pub struct NameOut {
            $(
                #[doc = $n_out]
                pub $n_member: Option<String>,
            )*
        }

        /// `person`
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
        pub struct PersonOut {
            /// The applicant's name.
            pub name: NameOut,
            $(
                #[doc = $p_out]
                pub $p_member: Option<String>,
            )*
        }

        /// `contact`
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
        pub struct ContactOut {
            $(
                #[doc = $c_out]
                pub $c_member: Option<String>,
            )*
        }

        /// `address`
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
        pub struct AddressOut {
            $(
                #[doc = $a_out]
                pub $a_member: Option<String>,
            )*
        }

        /// `identity_number`
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
        pub struct IdentityNumberOut {
            $(
                #[doc = $i_out]
                pub $i_member: Option<String>,
            )*
        }

        impl PersonOut {
            /// `person` of a session's personal data.
            pub fn of(p: &PersonData) -> Self {
                PersonOut {
                    name: NameOut {
                        $( $n_member: text(&p.$n_column), )*
                    },
                    $( $p_member: text(&p.$p_column), )*
                }
            }
        }

        impl ContactOut {
            /// `contact` of a session's personal data.
            pub fn of(p: &PersonData) -> Self {
                ContactOut {
                    $( $c_member: text(&p.$c_column), )*
                }
            }
        }

        impl AddressOut {
            /// `address` of a session's personal data.
            pub fn of(p: &PersonData) -> Self {
                AddressOut {
                    $( $a_member: text(&p.$a_column), )*
                }
            }
        }

        impl IdentityNumberOut {
            /// `identity_number` of a session's personal data.
            pub fn of(p: &PersonData) -> Self {
                IdentityNumberOut {
                    $( $i_member: text(&p.$i_column), )*
                }
            }
        }
    };
}
// The resource's objects are the API's own; their members come from the one declaration.
person_fields!(nested objects_out);

/// A stored value as the API writes it (a date as `YYYY-MM-DD`).
fn text<T: ApiText>(v: &Option<T>) -> Option<String> {
    v.as_ref().map(ApiText::api_text)
}

/// How a kind of stored personal value is written: text is copied as it is (through
/// `Display` it went through the formatting machinery, a fifth of a list's building).
trait ApiText {
    fn api_text(&self) -> String;
}

impl ApiText for String {
    fn api_text(&self) -> String {
        self.clone()
    }
}

impl ApiText for chrono::NaiveDate {
    fn api_text(&self) -> String {
        self.to_string()
    }
}

impl ApiText for crate::domain::kinds::IdentityClass {
    fn api_text(&self) -> String {
        self.to_string()
    }
}

/// Who did something: `{"type": "user" | "api_key" | "system", "id"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ActorOut {
    /// The kind of actor.
    #[serde(rename = "type")]
    #[schema(value_type = crate::domain::kinds::ActorType, inline)]
    pub kind: String,
    /// The user's or key's id; null for the system.
    pub id: Option<Uuid>,
}

/// `decision`, null until a session is approved or declined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DecisionOut {
    /// `approved` or `declined`.
    #[schema(value_type = crate::domain::kinds::Outcome, inline)]
    pub outcome: String,
    /// The decline reason code; null for an approval.
    #[schema(value_type = Option<crate::domain::kinds::DeclineReason>, inline)]
    pub reason: Option<String>,
    /// The decider's comment.
    pub comment: Option<String>,
    /// Who decided.
    pub decided_by: Option<ActorOut>,
}

/// A session's attributes, exactly as SPEC section 4 lists them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SessionAttributes {
    /// Lifecycle status.
    #[schema(value_type = crate::domain::status::SessionStatus, inline)]
    pub status: String,
    /// `person`.
    #[schema(value_type = crate::api::sessions::crud::EntityType, inline)]
    pub entity_type: String,
    /// `api_key`, `user` or `system`.
    #[schema(value_type = crate::domain::kinds::ActorType, inline)]
    pub creator_type: String,
    /// The creating key or user; null for the system.
    pub creator_id: Option<Uuid>,
    /// Verification kinds that must pass.
    #[schema(value_type = Vec<crate::domain::kinds::VerificationKind>, inline)]
    pub required_verifications: Vec<String>,
    /// Name and birth date; null once redacted.
    pub person: Option<PersonOut>,
    /// Email and phone; null once redacted.
    pub contact: Option<ContactOut>,
    /// Postal address; null once redacted.
    pub address: Option<AddressOut>,
    /// Identity document number; null once redacted.
    pub identity_number: Option<IdentityNumberOut>,
    /// The decision, if taken.
    pub decision: Option<DecisionOut>,
    /// Creation time.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Last change.
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// `start`
    #[schema(format = DateTime)]
    pub started_at: Option<String>,
    /// `submit`
    #[schema(format = DateTime)]
    pub submitted_at: Option<String>,
    /// `complete`
    #[schema(format = DateTime)]
    pub completed_at: Option<String>,
    /// `fail`
    #[schema(format = DateTime)]
    pub failed_at: Option<String>,
    /// `mark for review`
    #[schema(format = DateTime)]
    pub marked_for_review_at: Option<String>,
    /// `approve` or `decline`
    #[schema(format = DateTime)]
    pub decisioned_at: Option<String>,
    /// `expire`
    #[schema(format = DateTime)]
    pub expired_at: Option<String>,
    /// When it expires if still open.
    #[schema(format = DateTime)]
    pub expires_at: String,
    /// When its personal data was redacted.
    #[schema(format = DateTime)]
    pub redacted_at: Option<String>,
}

/// What a session links to.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SessionRelationships {
    /// Its account.
    pub account: ToOne,
    /// Its documents; `links.related` lists them (`GET /v1/identity/documents?filter[session]=`).
    pub documents: ToManyRelated,
    /// Its verifications; `links.related` lists them
    /// (`GET /v1/identity/verifications?filter[session]=`).
    pub verifications: ToManyRelated,
    /// The device it was started from (the latest); `links.related` reads it
    /// (`GET /v1/identity/session-devices/{id}`).
    pub session_device: ToOneRelated,
}

/// A session as sent.
pub type SessionResource = Resource<SessionAttributes, SessionRelationships>;

/// The resource of a session row and its links.
pub fn resource(s: &Session, links: &SessionLinks) -> SessionResource {
    let kept = s.redacted_at.is_none();
    let c = |v: &Option<String>| v.clone();
    let decision = s.decision.map(|outcome| DecisionOut {
        outcome: outcome.to_string(),
        reason: s.decision_reason.map(|r| r.to_string()),
        comment: c(&s.decision_comment),
        decided_by: s.decided_by_type.map(|kind| ActorOut {
            kind: kind.to_string(),
            id: s.decided_by,
        }),
    });
    let attributes = SessionAttributes {
        status: s.status.to_string(),
        entity_type: s.entity_type.clone(),
        creator_type: s.creator_type.to_string(),
        creator_id: s.creator_id,
        required_verifications: s
            .required_verifications
            .iter()
            .map(|k| k.to_string())
            .collect(),
        person: kept.then(|| PersonOut::of(&s.person)),
        contact: kept.then(|| ContactOut::of(&s.person)),
        address: kept.then(|| AddressOut::of(&s.person)),
        identity_number: kept.then(|| IdentityNumberOut::of(&s.person)),
        decision,
        created_at: timestamp(s.created_at),
        updated_at: timestamp(s.updated_at),
        started_at: maybe_timestamp(s.started_at),
        submitted_at: maybe_timestamp(s.submitted_at),
        completed_at: maybe_timestamp(s.completed_at),
        failed_at: maybe_timestamp(s.failed_at),
        marked_for_review_at: maybe_timestamp(s.marked_for_review_at),
        decisioned_at: maybe_timestamp(s.decisioned_at),
        expired_at: maybe_timestamp(s.expired_at),
        expires_at: timestamp(s.expires_at),
        redacted_at: maybe_timestamp(s.redacted_at),
    };
    let many = |items: &[(Uuid, String)], list: &str| ToManyRelated {
        data: items
            .iter()
            .map(|(id, kind)| Linkage::new(kind.clone(), *id))
            .collect(),
        links: RelatedLinks {
            related: format!("{list}?filter%5Bsession%5D={}", s.id),
        },
    };
    Resource {
        kind: TYPE,
        id: s.id,
        attributes,
        relationships: SessionRelationships {
            account: ToOne {
                data: Some(Linkage::new(crate::api::accounts::TYPE, s.account_id)),
            },
            documents: many(&links.documents, crate::api::documents::PATH),
            verifications: many(&links.verifications, crate::api::verifications::PATH),
            session_device: ToOneRelated {
                data: links
                    .device
                    .map(|id| Linkage::new(crate::api::session_devices::TYPE, id)),
                links: links.device.map(|id| RelatedLinks {
                    related: format!("{}/{id}", crate::api::session_devices::PATH),
                }),
            },
        },
        links: SelfLink {
            self_: format!("{}/{}", super::PATH, s.id),
        },
    }
}

/// `r` with its personal data withheld — `person`, `contact`, `address`,
/// `identity_number` and the decision's comment null — as a session write answers a key
/// without `sessions:read`: a key that may change a session but not read it learns only
/// ids, status, timestamps and relationships.
pub fn without_personal_data(mut r: SessionResource) -> SessionResource {
    let a = &mut r.attributes;
    a.person = None;
    a.contact = None;
    a.address = None;
    a.identity_number = None;
    if let Some(d) = &mut a.decision {
        d.comment = None;
    }
    r
}

/// `r` as a key answers for: whole when it may read sessions, else
/// [`without_personal_data`].
pub fn for_reader(r: SessionResource, can_read: bool) -> SessionResource {
    if can_read {
        r
    } else {
        without_personal_data(r)
    }
}
