//! The engine's side of a demo session: the ID verification with its checks (failing as the
//! applicant's scenario says) and, when a bill was uploaded, the address verification.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde_json::json;
use uuid::Uuid;

use super::applicant::{Applicant, Scenario};
use super::evidence::Submitted;
use super::history::Trail;
use crate::domain::actor::Actor;
use crate::domain::mrz;
use crate::store::verifications::{self, NewCheck, NewVerification};

type CheckRow = (&'static str, &'static str, String);

/// Runs the verifications on the `submitted` documents at `at`, marks the passport
/// processed (or failed, when unreadable) and returns the ID verification's status:
/// `passed`, `failed` or `requires_retry`.
pub(super) fn verify(
    conn: &mut PgConnection,
    trail: &mut Trail,
    who: &Applicant,
    submitted: &Submitted,
    today: NaiveDate,
    at: DateTime<Utc>,
) -> anyhow::Result<&'static str> {
    let session_id = trail.session_id;
    let scenario = who.scenario;
    let extracted = json!({
        "name": { "first": mrz::transliterate(&who.given).replace('<', " "), "last": mrz::transliterate(who.last).replace('<', " ") },
        "birth_date": who.birth.to_string(),
        "document_number": who.doc_number,
        "nationality": who.alpha3,
        "sex": who.sex.to_string(),
        "expiry_date": who.doc_expiry.to_string(),
        "issuing_country": who.alpha3,
    });
    let (vstatus, checks) = idv_checks(scenario, who.birth, who.doc_expiry, today);
    let failed: Vec<String> = checks
        .iter()
        .filter(|c| c.1 == "failed")
        .map(|c| c.0.to_owned())
        .collect();
    let v = verifications::insert(
        conn,
        &NewVerification {
            session_id,
            document_id: submitted.passport,
            kind: "verification/idv".into(),
            status: vstatus.into(),
            extracted: if scenario == Scenario::Unreadable {
                None
            } else {
                Some(extracted.clone())
            },
            auto_update_session: false,
            created_at: Some(at),
            completed_at: Some(at),
        },
    )?;
    insert_checks(conn, v.id, &checks)?;
    diesel::update(crate::schema::documents::table.find(submitted.passport))
        .set((
            crate::schema::documents::status.eq(if vstatus == "requires_retry" {
                "failed"
            } else {
                "processed"
            }),
            crate::schema::documents::extracted.eq(if scenario == Scenario::Unreadable {
                None
            } else {
                Some(extracted)
            }),
        ))
        .execute(conn)?;
    trail.push(
        at,
        Actor::System,
        "verification.completed",
        json!({ "verification_id": v.id, "kind": "verification/idv", "status": vstatus, "failed_checks": failed }),
    );

    if let Some((bill_id, issued)) = submitted.bill {
        let checks = vec![
            (
                "document_recent",
                "passed",
                format!(
                    "issued {} days ago; 90 allowed",
                    (today - issued).num_days()
                ),
            ),
            (
                "name_matches_session",
                "passed",
                "name on the bill matches the session".to_owned(),
            ),
            (
                "address_present",
                "passed",
                "street, postal code and city found".to_owned(),
            ),
        ];
        let v = verifications::insert(
            conn,
            &NewVerification {
                session_id,
                document_id: bill_id,
                kind: "verification/address".into(),
                status: "passed".into(),
                extracted: Some(
                    json!({ "address": { "line1": who.street, "locality": who.city, "postal_code": who.postal, "country_code": who.locale.country } }),
                ),
                auto_update_session: false,
                created_at: Some(at),
                completed_at: Some(at),
            },
        )?;
        insert_checks(conn, v.id, &checks)?;
        trail.push(
            at,
            Actor::System,
            "verification.completed",
            json!({ "verification_id": v.id, "kind": "verification/address", "status": "passed", "failed_checks": [] }),
        );
    }
    Ok(vstatus)
}

fn idv_checks(
    scenario: Scenario,
    birth: NaiveDate,
    expiry: NaiveDate,
    today: NaiveDate,
) -> (&'static str, Vec<CheckRow>) {
    let age = today.years_since(birth).unwrap_or(0);
    if scenario == Scenario::Unreadable {
        return (
            "requires_retry",
            vec![
                (
                    "image_readable",
                    "failed",
                    "the front image is 320x200 pixels; at least 600x400 are needed".into(),
                ),
                (
                    "mrz_format",
                    "passed",
                    "TD3 layout: 2 lines of 44 characters".into(),
                ),
                (
                    "mrz_check_digits",
                    "passed",
                    "every check digit and the composite match".into(),
                ),
                (
                    "document_not_expired",
                    "passed",
                    "the document has not expired".into(),
                ),
                (
                    "minimum_age",
                    "passed",
                    "the applicant is at least 18".into(),
                ),
                (
                    "data_consistency",
                    "passed",
                    "names and birth date match the session".into(),
                ),
            ],
        );
    }
    let expired = scenario == Scenario::Expired;
    let minor = scenario == Scenario::Underage;
    let mismatch = scenario == Scenario::Mismatch;
    let checks = vec![
        (
            "mrz_format",
            "passed",
            "TD3 layout: 2 lines of 44 characters".into(),
        ),
        (
            "mrz_check_digits",
            "passed",
            "every check digit and the composite match".into(),
        ),
        (
            "document_not_expired",
            if expired { "failed" } else { "passed" },
            if expired {
                format!("the document expired on {expiry}")
            } else {
                "the document has not expired".into()
            },
        ),
        (
            "minimum_age",
            if minor { "failed" } else { "passed" },
            if minor {
                format!("the applicant is {age}; at least 18 is required")
            } else {
                "the applicant is at least 18".into()
            },
        ),
        (
            "data_consistency",
            if mismatch { "failed" } else { "passed" },
            if mismatch {
                "last name differs from the session".into()
            } else {
                "names and birth date match the session".into()
            },
        ),
        (
            "image_readable",
            "passed",
            "the front image is 900x600 pixels".into(),
        ),
    ];
    let status = if expired || minor || mismatch {
        "failed"
    } else {
        "passed"
    };
    (status, checks)
}

fn insert_checks(
    conn: &mut PgConnection,
    verification_id: Uuid,
    checks: &[CheckRow],
) -> anyhow::Result<()> {
    let rows: Vec<NewCheck> = checks
        .iter()
        .enumerate()
        .map(|(i, (name, status, reason))| NewCheck {
            verification_id,
            position: i as i16,
            name: (*name).to_owned(),
            status: (*status).to_owned(),
            requirement: "required".into(),
            reasons: vec![reason.clone()],
            metadata: json!({}),
        })
        .collect();
    verifications::insert_checks(conn, &rows)?;
    Ok(())
}
