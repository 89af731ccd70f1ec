//! New passwords that are common or guessable are refused wherever a password is set: the
//! own change at `/account`, `/admin/users` and `create-user --password-stdin`; and a hash
//! made with older argon2 parameters is made again at the next sign-in.

use diesel::prelude::*;
use sessiondesk::domain::kinds::Role;
use sessiondesk::schema::users;

use crate::helpers::{PASSWORD, spawn_app};

#[tokio::test]
async fn weak_passwords_are_refused_wherever_a_password_is_set_with_the_reason() {
    let app = spawn_app().await;
    let (admin, me) = app.signed_in(Role::Admin).await;

    // Own change at /account.
    let token = admin.csrf("/account").await;
    let r = admin
        .post(
            "/account/password",
            &[
                ("current", PASSWORD),
                ("new", "password1234"),
                ("confirm", "password1234"),
            ],
            &token,
        )
        .await;
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains("is too easy to guess: "), "{page}");
    assert!(
        page.contains("This is a very common password."),
        "zxcvbn says why: {page}"
    );
    // The user's own name counts as guessable.
    let own = format!("{}{}", me.username, me.username);
    let r = admin
        .post(
            "/account/password",
            &[("current", PASSWORD), ("new", &own), ("confirm", &own)],
            &token,
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("is too easy to guess"));
    // The password did not change.
    assert_eq!(
        app.browser().sign_in(&me.username, PASSWORD).await.status(),
        303
    );

    // Creating a user at /admin/users.
    let token = admin.csrf("/admin/users").await;
    let r = admin
        .post(
            "/admin/users",
            &[
                ("username", "peter"),
                ("display_name", "Peter Parker"),
                ("role", "reviewer"),
                ("password", "peterparker1"),
            ],
            &token,
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("is too easy to guess"));
    let n: i64 = users::table
        .filter(users::username.eq("peter"))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(n, 0);
    // A generated password is strong and still accepted.
    let r = admin
        .post(
            "/admin/users",
            &[
                ("username", "peter"),
                ("role", "reviewer"),
                ("password", ""),
            ],
            &token,
        )
        .await;
    assert_eq!(r.status(), 200);

    // The command line, reading the password from stdin.
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sessiondesk"))
        .args([
            "create-user",
            "--username",
            "weakling",
            "--role",
            "reviewer",
            "--password-stdin",
        ])
        .env("DATABASE_URL", &app.db.url)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"qwertyuiop123\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("password: is too easy to guess"),
        "{stderr}"
    );
}

#[tokio::test]
async fn a_hash_with_older_parameters_is_made_again_at_sign_in_and_the_sign_in_goes_on() {
    use argon2::password_hash::PasswordHasher;
    let app = spawn_app().await;
    let user = app.create_user("older.hash", Role::Reviewer);
    // As every hash was made before: argon2's defaults, 19 MiB and two passes.
    let old = argon2::Argon2::default()
        .hash_password(PASSWORD.as_bytes())
        .unwrap()
        .to_string();
    assert!(old.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    diesel::update(users::table.find(user.id))
        .set(users::password_hash.eq(&old))
        .execute(&mut app.conn())
        .unwrap();
    let hash_now = || -> String {
        users::table
            .find(user.id)
            .select(users::password_hash)
            .first(&mut app.conn())
            .unwrap()
    };

    let browser = app.browser();
    assert_eq!(browser.sign_in("older.hash", PASSWORD).await.status(), 303);
    let new = hash_now();
    assert!(new.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"), "{new}");
    // The sign-in that made it again goes on, and the password still opens the door.
    assert_eq!(browser.get("/sessions").await.status(), 200);
    let again = app.browser();
    assert_eq!(again.sign_in("older.hash", PASSWORD).await.status(), 303);
    assert_eq!(hash_now(), new, "a current hash is left alone");
    // A wrong password changes nothing.
    diesel::update(users::table.find(user.id))
        .set(users::password_hash.eq(&old))
        .execute(&mut app.conn())
        .unwrap();
    let r = app
        .browser()
        .sign_in("older.hash", "not the password at all")
        .await;
    assert_ne!(r.status(), 303);
    assert_eq!(hash_now(), old);
}
