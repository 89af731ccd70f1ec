//! The HTML dashboard face, and the probes operators point their load balancer at.

pub mod account;
pub mod accounts;
pub mod admin;
pub mod alerts;
pub mod approvals;
pub mod audit;
pub mod auth;
pub mod bulk;
pub mod capture;
pub mod chart;
pub mod cookie;
pub mod csrf;
pub mod error;
pub mod events;
pub mod format;
pub mod known_accounts;
pub mod known_users;
pub mod login;
pub mod mfa;
pub mod overview;
pub mod page;
pub mod qr;
pub mod sessions;
pub mod views;

/// The dashboard's routes, beside `api::configure` for the API.
pub fn configure(cfg: &mut actix_web::web::ServiceConfig) {
    cfg.service(login::home)
        .service(login::login_page)
        .service(login::login)
        .service(login::logout)
        .service(mfa::login_code::code_page)
        .service(mfa::login_code::submit_code)
        .service(mfa::login_enrol::enrol_at_sign_in_page)
        .service(mfa::login_enrol::enrol_at_sign_in)
        .service(mfa::account::account_page)
        .service(mfa::account::start)
        .service(mfa::account::confirm)
        .service(sessions::list::index)
        .service(sessions::new::new_form)
        .service(sessions::new::create)
        .service(sessions::export::export)
        // The case page early: each route with a parameter before it costs every view a
        // regular expression. Only the literal `/sessions/...` paths must come first.
        .service(sessions::detail::show)
        .service(sessions::files::preview)
        .service(sessions::files::show)
        .service(sessions::next::start_reviewing)
        .service(sessions::next::next)
        .service(bulk::create)
        .service(bulk::index)
        .service(bulk::progress)
        .service(bulk::show)
        .service(bulk::cancel)
        .service(sessions::actions::approve)
        .service(sessions::actions::decline)
        .service(sessions::mark::mark_for_review)
        .service(sessions::actions::expire)
        .service(sessions::actions::assign)
        .service(sessions::actions::add_note)
        .service(sessions::edit::edit_person)
        .service(sessions::edit::rerun)
        .service(sessions::fix::use_document)
        .service(sessions::redact::redact)
        .service(sessions::applicant_link::create)
        .service(sessions::applicant_link::resubmit)
        .service(approvals::index)
        .service(approvals::decide_request)
        .service(views::index)
        .service(views::create)
        .service(views::rename)
        .service(views::reorder)
        .service(views::delete)
        // After the other `/views/{id}/...` routes: it takes `share` and `pin`.
        .service(views::set)
        .service(overview::index)
        .service(account::show)
        .service(account::change_password)
        .service(account::set_shortcuts)
        .service(accounts::show)
        .service(audit::index)
        .service(admin::users::index)
        .service(admin::users::create)
        .service(admin::users::change_role)
        .service(admin::users::disable)
        .service(admin::users::enable)
        .service(admin::users::reset_password)
        .service(admin::mfa::reset)
        .service(admin::api_keys::index)
        .service(admin::api_keys::create)
        .service(admin::api_keys::revoke)
        .service(admin::webhooks::index)
        .service(admin::webhooks::create)
        .service(admin::webhooks::endpoint::show)
        .service(admin::webhooks::endpoint::update)
        .service(admin::webhooks::endpoint::enable)
        .service(admin::webhooks::endpoint::disable)
        .service(admin::webhooks::endpoint::rotate_secret)
        .service(admin::webhooks::endpoint::delete)
        .service(admin::webhooks::endpoint::send_test)
        .service(admin::webhooks::endpoint::replay)
        .service(admin::webhooks::delivery::show)
        .service(admin::webhooks::delivery::redeliver);
}
