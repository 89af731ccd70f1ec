//! The queue and the case page, with every action a reviewer takes on a case.

pub mod actions;
pub mod applicant_link;
pub mod bulk_bar;
pub mod case;
pub mod case_parts;
pub mod counts;
pub mod detail;
pub mod edit;
pub mod explain;
pub mod export;
pub mod facts;
pub mod files;
pub mod fix;
pub mod list;
pub mod mark;
pub mod new;
pub mod next;
pub mod pages;
pub mod query;
pub mod redact;
pub mod refused;
pub mod row;
pub mod triage;
pub mod view;
pub mod wait_reasons;
pub mod zone;
