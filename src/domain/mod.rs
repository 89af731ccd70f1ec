//! Pure types and rules: statuses, transitions, kinds and applicant data. No I/O here.

pub mod actor;
pub mod approvals;
pub mod capture;
pub mod countries;
pub mod dates;
pub mod directory;
pub mod engine;
pub mod files;
pub mod kinds;
pub mod matching;
pub mod mrz;

pub mod person;
pub mod sla;
pub mod status;
pub mod webhooks;

/// Declares a closed set of string values (a status, a kind, a role) as a Rust enum with
/// one spelling, shared by the database, the API and the templates.
///
/// Each enum maps to a `text` column through Diesel (`ToSql`/`FromSql<Text, Pg>`, as
/// crates.io's `pg_enum!` does for its enums). Orphan rules would allow those impls in
/// `store/` too; they live here so that every enum gets them and uses the one spelling
/// above, and they name only the `diesel` crate, nothing else of this crate. A stored value
/// that is not one of the spellings fails the read with Diesel's `DeserializationError`
/// naming the enum and the value; nothing falls back.
macro_rules! string_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[derive(diesel::AsExpression, diesel::FromSqlRow)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        $vis enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value's one spelling, as stored and as sent over the wire.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::domain::UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::domain::UnknownValue {
                        kind: stringify!($name),
                        allowed: &[$($text),+],
                    }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg>>::to_sql(
                    self.as_str(),
                    out,
                )
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn from_sql(value: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                let text = std::str::from_utf8(value.as_bytes())?;
                text.parse().map_err(|e| {
                    format!("{} in the database is {text:?}: {e}", stringify!($name)).into()
                })
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($text),+]))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use string_enum;

/// A code in words, underscores as spaces ("marked_for_review" as "marked for review"):
/// for codes no enum of this build names, such as an action name or a value in an old
/// audit event's details. A value of a closed set reads as its enum's `label()`.
pub fn code_words(code: &str) -> String {
    code.replace('_', " ")
}

/// A string that is not one of an enum's spellings; its message lists the allowed ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be one of: {}", .allowed.join(", "))]
pub struct UnknownValue {
    /// The Rust type that refused the value, for logs.
    pub kind: &'static str,
    /// The spellings that would have been accepted.
    pub allowed: &'static [&'static str],
}
