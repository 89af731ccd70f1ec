use chrono::Utc;
use serde_json::{Value, json};
use uuid::Uuid;

use super::*;

fn event(actor_type: &str, actor_id: Option<Uuid>, action: &str, details: Value) -> Event {
    Event {
        id: 1,
        session_id: None,
        actor_type: actor_type.parse().expect("a known actor type"),
        actor_id,
        action: action.to_owned(),
        from_status: None,
        to_status: None,
        details,
        ip: None,
        created_at: Utc::now(),
    }
}

fn by_user(action: &str, details: Value) -> Event {
    event("user", Some(Uuid::from_u128(1)), action, details)
}

fn words(action: &str, details: Value) -> String {
    describe(&by_user(action, details), &ActorNames::default())
}

#[test]
fn actors_are_named_by_kind() {
    let (user, key) = (Uuid::from_u128(1), Uuid::from_u128(2));
    let names = ActorNames::default()
        .with_user(user, "Jane Doe")
        .with_api_key(key, "Onboarding flow (demo)");
    let on = |t: &str, id: Option<Uuid>| names.actor(&event(t, id, "x.y", json!({})));
    assert_eq!(on("user", Some(user)), "Jane Doe");
    assert_eq!(
        on("api_key", Some(key)),
        "API key \"Onboarding flow (demo)\""
    );
    assert_eq!(on("system", None), "System");
    assert_eq!(on("user", Some(Uuid::from_u128(9))), "Unknown user");
    assert_eq!(on("api_key", Some(Uuid::from_u128(9))), "Unknown API key");
}

#[test]
fn decisions_say_the_outcome_reason_and_whether_there_was_a_comment() {
    assert_eq!(words("session.approved", json!({})), "approved the session");
    assert_eq!(
        words("session.approved", json!({ "comment": true })),
        "approved the session, with a comment"
    );
    assert_eq!(
        words("session.declined", json!({ "reason": "document_expired" })),
        "declined the session (document expired)"
    );
    assert_eq!(
        words("session.marked_for_review", json!({})),
        "marked the session for review"
    );
    assert_eq!(
        words(
            "session.marked_for_review",
            json!({ "reason": "blurry_photo" })
        ),
        "marked the session for review (blurry photo)"
    );
    assert_eq!(words("session.expired", json!({})), "expired the session");
}

#[test]
fn person_updates_name_the_fields_never_their_values() {
    let fields = json!({ "fields": ["person.name.first", "contact.email", "address.line1"] });
    assert_eq!(
        words("session.person_updated", fields),
        "changed personal data: first name, email, address line 1"
    );
    assert_eq!(
        words("session.person_updated", json!({})),
        "changed personal data"
    );
    // Anything that is not a field code is left out, so stray free text never shows.
    let stray = json!({ "fields": ["last_name", "Anna Eriksson", 42] });
    assert_eq!(
        words("session.person_updated", stray),
        "changed personal data: last name"
    );
}

#[test]
fn documents_and_verifications_are_described_by_their_codes() {
    let front = json!({ "document_id": Uuid::from_u128(3), "side": "front" });
    assert_eq!(
        words("document.file_uploaded", front.clone()),
        "uploaded the front of a document"
    );
    assert_eq!(
        words("document.viewed", front),
        "viewed the front of a document"
    );
    assert_eq!(
        words(
            "document.created",
            json!({ "document_type": "utility_bill" })
        ),
        "added a utility bill"
    );
    assert_eq!(
        words(
            "verification.completed",
            json!({ "kind": "verification/idv", "status": "passed", "failed_checks": [] })
        ),
        "ran verification/idv: passed"
    );
    assert_eq!(
        words(
            "verification.completed",
            json!({ "kind": "verification/idv", "status": "failed",
                    "failed_checks": ["document_not_expired", "minimum_age"] })
        ),
        "ran verification/idv: failed (document_not_expired, minimum_age)"
    );
}

#[test]
fn assignments_name_the_assignee() {
    let (me, omar, jane) = (Uuid::from_u128(1), Uuid::from_u128(5), Uuid::from_u128(6));
    let names = ActorNames::default()
        .with_user(omar, "Omar Haddad")
        .with_user(jane, "Jane Doe");
    let say = |action: &str, details: Value| describe(&by_user(action, details), &names);
    assert_eq!(
        say(
            "session.assigned",
            json!({ "assignee": omar, "previous": null })
        ),
        "assigned the session to Omar Haddad"
    );
    assert_eq!(
        say(
            "session.assigned",
            json!({ "assignee": omar, "previous": jane })
        ),
        "assigned the session to Omar Haddad (previously Jane Doe)"
    );
    assert_eq!(
        say("session.assigned", json!({ "assignee": me })),
        "assigned the session to themselves"
    );
    assert_eq!(
        say(
            "session.assigned",
            json!({ "assignee": Uuid::from_u128(7) })
        ),
        "assigned the session to an unknown user"
    );
    assert_eq!(
        say(
            "session.unassigned",
            json!({ "assignee": null, "previous": jane })
        ),
        "unassigned Jane Doe from the session"
    );
    assert_eq!(
        say(
            "session.unassigned",
            json!({ "assignee": null, "previous": me })
        ),
        "unassigned themselves from the session"
    );
}

#[test]
fn sign_ins_and_user_administration_are_described() {
    assert_eq!(words("user.signed_in", json!({})), "signed in");
    assert_eq!(words("user.signed_out", json!({})), "signed out");
    assert_eq!(
        words("user.sign_in_failed", json!({ "reason": "wrong_password" })),
        "failed to sign in (wrong password)"
    );
    let omar = Uuid::from_u128(5);
    assert_eq!(
        words(
            "user.role_changed",
            json!({ "user_id": omar, "from": "reviewer", "to": "manager" })
        ),
        "changed an unknown user's role from reviewer to manager"
    );
    let names = ActorNames::default().with_user(omar, "Omar Haddad");
    let say = |action: &str, details: Value| describe(&by_user(action, details), &names);
    assert_eq!(
        say(
            "user.role_changed",
            json!({ "from": "reviewer", "to": "manager" })
        ),
        "changed a user's role from reviewer to manager"
    );
    assert_eq!(
        say(
            "user.created",
            json!({ "user_id": omar, "role": "reviewer" })
        ),
        "created the user Omar Haddad as reviewer"
    );
    assert_eq!(
        say("user.disabled", json!({ "user_id": omar })),
        "disabled Omar Haddad"
    );
    assert_eq!(
        say("user.password_reset", json!({ "user_id": omar })),
        "reset Omar Haddad's password"
    );
    assert_eq!(
        say(
            "user.password_changed",
            json!({ "user_id": Uuid::from_u128(1) })
        ),
        "changed their password"
    );
}

#[test]
fn api_keys_are_named_when_known() {
    let key = Uuid::from_u128(8);
    let names = ActorNames::default().with_api_key(key, "Onboarding flow (demo)");
    let say = |action: &str, details: Value| describe(&by_user(action, details), &names);
    assert_eq!(
        say("api_key.created", json!({ "api_key_id": key })),
        "created API key \"Onboarding flow (demo)\""
    );
    assert_eq!(say("api_key.revoked", json!({})), "revoked an API key");
}

#[test]
fn refused_api_calls_name_the_permission_and_views_name_nothing() {
    assert_eq!(
        words(
            "api_key.forbidden",
            json!({ "permission": "sessions:read" })
        ),
        "was refused a request that needs sessions:read"
    );
    assert_eq!(
        words("api_key.unknown", json!({})),
        "refused a request with an unknown API key"
    );
    assert_eq!(words("session.viewed", json!({})), "viewed the case");
}

#[test]
fn an_expiry_change_names_the_new_time_and_nothing_else() {
    assert_eq!(
        words(
            "session.expiry_changed",
            json!({ "from": "2026-12-01T08:00:00.000000Z", "to": "2026-12-24T08:30:00.123456Z" })
        ),
        "moved the session's expiry to 2026-12-24 08:30 UTC"
    );
    assert_eq!(
        words(
            "session.expiry_changed",
            json!({ "to": "next <b>week</b>" })
        ),
        "moved the session's expiry"
    );
}

#[test]
fn unknown_actions_fall_back_to_their_name() {
    assert_eq!(words("widget.frobbed", json!({})), "widget.frobbed");
}

#[test]
fn every_known_action_has_words_of_its_own() {
    for action in KNOWN_ACTIONS {
        assert_ne!(&words(action, json!({})), action, "{action} has no words");
    }
}

#[test]
fn redactions_say_why_and_how_many_never_what() {
    assert_eq!(
        words("session.redacted", json!({ "via": "request", "files": 2 })),
        "redacted the session's personal data"
    );
    assert_eq!(
        words("session.redacted", json!({ "via": "retention" })),
        "redacted the session's personal data (retention policy)"
    );
    assert_eq!(
        words("session.redacted", json!({ "via": "account" })),
        "redacted the session's personal data with its account"
    );
    assert_eq!(
        words("account.redacted", json!({ "sessions": 3 })),
        "redacted an account (3 sessions)"
    );
    assert_eq!(
        words("account.redacted", json!({ "sessions": 1 })),
        "redacted an account (1 session)"
    );
}

#[test]
fn webhook_events_name_the_endpoint_by_its_short_id_and_the_system_s_reasons() {
    let id = "1a2b3c4d-0000-4000-8000-000000000000";
    assert_eq!(
        words(
            "webhook_endpoint.created",
            json!({ "endpoint_id": id, "events": null })
        ),
        "added webhook endpoint 1a2b3c4d for every event"
    );
    assert_eq!(
        words(
            "webhook_endpoint.created",
            json!({ "endpoint_id": id, "events": ["session.approved", "session.declined"] })
        ),
        "added webhook endpoint 1a2b3c4d for 2 event types"
    );
    assert_eq!(
        words(
            "webhook_endpoint.updated",
            json!({ "endpoint_id": id, "fields": ["url", "events"] })
        ),
        "changed webhook endpoint 1a2b3c4d: url, events"
    );
    let system = event(
        "system",
        None,
        "webhook_endpoint.disabled",
        json!({ "endpoint_id": id, "reason": "gone" }),
    );
    assert_eq!(
        describe(&system, &ActorNames::default()),
        "disabled webhook endpoint 1a2b3c4d: it answered 410 Gone"
    );
    assert_eq!(
        words(
            "webhook_endpoint.disabled",
            json!({ "endpoint_id": id, "reason": "failing" })
        ),
        "disabled webhook endpoint 1a2b3c4d: every delivery failed for 5 days"
    );
    assert_eq!(
        words(
            "webhook_endpoint.replayed",
            json!({ "endpoint_id": id, "deliveries": 3, "since": "2026-11-30T09:00:00Z" })
        ),
        "replayed 3 failed deliveries to webhook endpoint 1a2b3c4d"
    );
    assert_eq!(
        words("webhook_delivery.redelivered", json!({})),
        "redelivered a delivery to a webhook endpoint"
    );
    assert_eq!(
        words("webhook_endpoint.frobbed", json!({})),
        "webhook_endpoint.frobbed"
    );
}
