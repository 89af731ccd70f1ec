//! The reviewers' part of a demo session: assignment, a note, marking for review and the
//! decision, timed after the engine so that decisions fill the manager's chart.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use rand::Rng;
use serde_json::json;
use uuid::Uuid;

use super::applicant::Scenario;
use super::history::{Context, Trail};
use crate::domain::actor::Actor;
use crate::domain::status::SessionStatus as S;
use crate::store::notes::{self, NewNote};

/// Where a case stands when the engine is done with it.
pub(super) struct Ready {
    /// Position in the demo; picks notes, reasons and comments deterministically.
    pub(super) i: usize,
    /// The status the session ends in.
    pub(super) status: S,
    /// What was wrong with the applicant's ID, if anything.
    pub(super) scenario: Scenario,
    /// Whether the engine failed the ID verification.
    pub(super) failed: bool,
    /// When the latest step so far happened.
    pub(super) at: DateTime<Utc>,
}

/// What the reviewers did, for the session row.
pub(super) struct Review {
    /// Who took the case, and when.
    pub(super) assigned: Option<(Uuid, DateTime<Utc>)>,
    /// When the case was marked for review.
    pub(super) marked_at: Option<DateTime<Utc>>,
    /// The decision on approved and declined sessions.
    pub(super) decision: Option<Decision>,
}

/// A reviewer's decision on a case.
pub(super) struct Decision {
    /// Whether the case was approved (or else declined).
    pub(super) approve: bool,
    /// Why it was declined.
    pub(super) reason: Option<&'static str>,
    /// The reviewer's comment, if any.
    pub(super) comment: Option<&'static str>,
    /// Who decided.
    pub(super) by: Uuid,
    /// When.
    pub(super) at: DateTime<Utc>,
}

/// Assigns, annotates, marks for review and decides the case as its final status needs,
/// recording each step in `trail`.
pub(super) fn review(
    conn: &mut PgConnection,
    ctx: &mut Context<'_>,
    trail: &mut Trail,
    case: Ready,
) -> anyhow::Result<Review> {
    let Ready {
        i,
        status,
        scenario,
        failed,
        at: t,
    } = case;
    let mut review = Review {
        assigned: None,
        marked_at: None,
        decision: None,
    };
    let decided = matches!(status, S::Approved | S::Declined);
    let goes_through_review =
        status == S::MarkedForReview || (decided && (failed || i.is_multiple_of(4)));
    let reviewer = ctx.reviewer();
    let mut decision_time = ctx.now - ctx.minutes(30, 24 * 60);
    if decided {
        // Decisions fall over the last fourteen days, after the case was ready.
        let earliest = t + Duration::minutes(20);
        let span = (ctx.now - earliest).num_minutes().max(30);
        decision_time =
            earliest + Duration::minutes(ctx.rng.random_range(0..span.min(60 * 24 * 3)));
    }
    if goes_through_review {
        let mark_at = if decided {
            t + (decision_time - t) / 3
        } else {
            t + (ctx.now - t) / 2
        };
        trail.push(
            mark_at - Duration::minutes(2),
            Actor::User(reviewer),
            "session.assigned",
            json!({ "assignee": reviewer }),
        );
        review.assigned = Some((reviewer, mark_at - Duration::minutes(2)));
        if scenario == Scenario::Mismatch || i.is_multiple_of(3) {
            let body = match scenario {
                Scenario::Mismatch => {
                    "Last name on the form differs from the passport. Asked the applicant to confirm the spelling."
                }
                Scenario::Expired => {
                    "Passport expired. Waiting to hear whether a renewed passport is on its way."
                }
                Scenario::Underage => {
                    "Applicant appears to be under 18. Escalating to the compliance lead."
                }
                _ => "Photo slightly blurred but readable. Second opinion requested.",
            };
            let note = notes::insert(
                conn,
                &NewNote {
                    session_id: trail.session_id,
                    author_id: reviewer,
                    body: Some(body.into()),
                    created_at: Some(mark_at - Duration::minutes(1)),
                },
            )?;
            trail.push(
                mark_at - Duration::minutes(1),
                Actor::User(reviewer),
                "note.added",
                json!({ "note_id": note.id }),
            );
        }
        review.marked_at = Some(mark_at);
        trail.transition(
            mark_at,
            Actor::User(reviewer),
            "session.marked_for_review",
            S::MarkedForReview,
            json!({}),
        );
    } else if status == S::Completed && i.is_multiple_of(3) {
        let at = t + (ctx.now - t) / 2;
        review.assigned = Some((reviewer, at));
        trail.push(
            at,
            Actor::User(reviewer),
            "session.assigned",
            json!({ "assignee": reviewer }),
        );
    }

    if decided {
        let decider = review.assigned.map_or(reviewer, |(who, _)| who);
        let approve = status == S::Approved;
        let reason = if approve {
            None
        } else {
            Some(match scenario {
                Scenario::Expired => "document_expired",
                Scenario::Underage => "underage",
                Scenario::Mismatch => "data_mismatch",
                _ => [
                    "duplicate",
                    "document_suspected_fraud",
                    "sanctions_or_watchlist",
                    "other",
                ][i % 4],
            })
        };
        let comment = match (approve, i % 3) {
            (true, 0) => Some("All checks passed; photo matches."),
            (false, 0) => Some("See notes."),
            _ => None,
        };
        let action = if approve {
            "session.approved"
        } else {
            "session.declined"
        };
        let mut details = json!({});
        if let Some(r) = reason {
            details["reason"] = json!(r);
        }
        if comment.is_some() {
            details["comment"] = json!(true);
        }
        trail.transition(decision_time, Actor::User(decider), action, status, details);
        review.decision = Some(Decision {
            approve,
            reason,
            comment,
            by: decider,
            at: decision_time,
        });
    }
    Ok(review)
}
