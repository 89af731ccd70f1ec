//! `serve --demo`: a few hundred realistic sessions over every status, with documents,
//! generated images, verifications, notes and a backdated audit trail, plus the demo
//! sign-ins.

mod applicant;
mod evidence;
mod history;
pub mod images;
mod ocrb;
pub mod people;
mod review;
pub mod specimens;
mod team;
mod verification;

use diesel::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::config::Config;
use crate::domain::actor::Actor;
use crate::domain::kinds::{Permission, Role};
use crate::service::{passwords, users as user_service};
use crate::store::accounts;
use crate::store::api_keys::{self, NewApiKey};
use crate::store::users;

/// How many sessions the demo loads.
pub const DEMO_SESSIONS: usize = 300;

/// A demo sign-in, printed once at start-up.
pub struct DemoLogin {
    /// The role it demonstrates.
    pub role: &'static str,
    /// Sign-in name.
    pub username: &'static str,
    /// The password set just now.
    pub password: String,
}

/// The three printed sign-ins and their display names.
const LOGINS: &[(&str, &str, Role)] = &[
    ("reviewer", "Jane Doe", Role::Reviewer),
    ("manager", "Priya Raman", Role::Manager),
    ("admin", "Sam Okoye", Role::Admin),
];

/// Colleagues whose past decisions fill the history; their passwords are never printed.
const COLLEAGUES: &[(&str, &str)] = &[("omar", "Omar Haddad"), ("lena", "Lena Vogel")];

/// Creates (or gives new passwords to) the demo users and loads the demo sessions unless
/// they are already there. Returns the sign-ins to print.
pub fn load(conn: &mut PgConnection, config: &Config) -> anyhow::Result<Vec<DemoLogin>> {
    let mut logins = Vec::new();
    let mut reviewers = Vec::new();
    for (username, display_name, role) in LOGINS {
        let password = passwords::generate(16);
        let user = ensure_user(conn, username, display_name, *role, &password)?;
        if *role == Role::Reviewer {
            reviewers.push(user);
        }
        logins.push(DemoLogin {
            role: role.as_str(),
            username,
            password,
        });
    }
    for (username, display_name) in COLLEAGUES {
        let password = passwords::generate(24);
        reviewers.push(ensure_user(
            conn,
            username,
            display_name,
            Role::Reviewer,
            &password,
        )?);
    }

    let existing = accounts::count_external_prefix(conn, "demo_")?;
    if existing > 0 {
        tracing::info!("demo sessions already loaded; leaving them as they are");
        return Ok(logins);
    }
    let key_id = demo_api_key(conn)?;
    let started = std::time::Instant::now();
    let mut rng = StdRng::seed_from_u64(9303);
    conn.transaction(|conn| {
        let reviewer_ids: Vec<Uuid> = reviewers.iter().map(|u| u.id).collect();
        let mut ctx = history::Context::new(&mut rng, &reviewer_ids, key_id, config);
        for i in 0..DEMO_SESSIONS {
            history::session(conn, &mut ctx, i)?;
        }
        Ok::<_, anyhow::Error>(())
    })?;
    team::saved_views(conn)?;
    team::bulk_change(conn)?;
    tracing::info!(
        sessions = DEMO_SESSIONS,
        seconds = started.elapsed().as_secs_f64(),
        "loaded demo data"
    );
    Ok(logins)
}

fn ensure_user(
    conn: &mut PgConnection,
    username: &str,
    display_name: &str,
    role: Role,
    password: &str,
) -> anyhow::Result<users::User> {
    let actor = Actor::System;
    match users::find_by_username(conn, username)? {
        Some(user) => {
            user_service::reset_password(conn, &user, password, actor)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            Ok(user)
        }
        None => {
            let input = user_service::NewUserInput {
                username: username.to_owned(),
                display_name: display_name.to_owned(),
                role,
                password: password.to_owned(),
            };
            user_service::create(conn, &input, actor).map_err(|e| anyhow::anyhow!("{e}"))
        }
    }
}

/// The key demo sessions were "created through": its secret is thrown away, so it
/// authenticates nothing.
fn demo_api_key(conn: &mut PgConnection) -> anyhow::Result<Uuid> {
    let secret = format!("sk_demo_{}", passwords::generate(43));
    let hash = Sha256::digest(secret.as_bytes()).to_vec();
    let new = NewApiKey {
        name: "Onboarding flow (demo)".to_owned(),
        prefix: "sk_demo_…".to_owned(),
        secret_hash: hash,
        permissions: vec![
            Permission::AccountsWrite,
            Permission::SessionsWrite,
            Permission::DocumentsWrite,
            Permission::VerificationsWrite,
        ],
        created_by: None,
    };
    Ok(api_keys::insert(conn, &new)?.id)
}
