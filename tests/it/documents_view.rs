//! Documents seen on the case page: a proof-of-address PDF rendered to a PNG there, a
//! download with a real file name, and `document.viewed` once per reviewer per document
//! per ten minutes.

use diesel::prelude::*;
use sessiondesk::domain::kinds::{DocumentKind, DocumentType, FileSide, Role};
use sessiondesk::domain::status::SessionStatus;
use sessiondesk::schema::events;
use sessiondesk::store::documents::{self, NewDocument, NewFile};
use uuid::Uuid;

use crate::case::with_document;
use crate::helpers::{TestApp, spawn_app};

/// Adds a proof of address (the demo's one-page utility bill, a PDF) to `session`;
/// returns the file's id.
pub fn with_address_pdf(app: &TestApp, session: Uuid) -> Uuid {
    let mut conn = app.conn();
    let doc = documents::insert(
        &mut conn,
        &NewDocument {
            session_id: session,
            kind: DocumentKind::Address,
            document_type: DocumentType::UtilityBill,
            status: None,
            mrz: None,
            reported: None,
            created_at: None,
        },
    )
    .unwrap();
    let pdf = sessiondesk::demo::images::utility_bill_pdf(
        "Energi (AB)",
        "Anna Eriksson",
        &["Storgatan 1".into(), "111 22 Stockholm".into()],
        "2026-11-01",
        "SEK 412",
    );
    documents::insert_file(
        &mut conn,
        &NewFile {
            document_id: doc.id,
            side: FileSide::Page,
            filename: Some("Anna Eriksson bill.pdf".into()),
            content_type: "application/pdf".into(),
            byte_size: pdf.len() as i32,
            sha256: "0".repeat(64),
            content: Some(pdf),
            created_at: None,
        },
    )
    .unwrap()
    .id
}

#[tokio::test]
async fn an_address_pdf_is_shown_as_a_rendered_png_and_downloads_with_its_extension() {
    let app = spawn_app().await;
    let (reviewer, _) = app.signed_in(Role::Reviewer).await;
    let (manager, _) = app.signed_in(Role::Manager).await;
    let (id, _) = with_document(&app, SessionStatus::Completed);
    let file = with_address_pdf(&app, id);

    let page = reviewer
        .get(&format!("/sessions/{id}"))
        .await
        .text()
        .await
        .unwrap();
    let preview = format!("/sessions/{id}/files/{file}/preview");
    assert!(
        page.contains(&format!("src=\"{preview}\"")),
        "the case page shows the PDF's preview"
    );

    let r = reviewer.get(&preview).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers().get("content-type").unwrap(), "image/png");
    let png = image::load_from_memory(&r.bytes().await.unwrap()).unwrap();
    assert!(
        png.width() > 100 && png.height() > png.width(),
        "a portrait page"
    );

    let r = reviewer.get(&format!("/sessions/{id}/files/{file}")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers().get("content-type").unwrap(), "application/pdf");
    let disposition = r.headers().get("content-disposition").unwrap();
    assert_eq!(disposition, "attachment; filename=\"document-page.pdf\"");

    assert_eq!(manager.get(&preview).await.status(), 403);
    // An image has no PDF preview; an unknown file has none either.
    let (_, image_file) = with_document(&app, SessionStatus::Completed);
    let other = format!("/sessions/{id}/files/{image_file}/preview");
    assert_eq!(reviewer.get(&other).await.status(), 404);
}

#[tokio::test]
async fn a_document_viewed_again_within_ten_minutes_is_one_event() {
    let app = spawn_app().await;
    let (reviewer, me) = app.signed_in(Role::Reviewer).await;
    let (colleague, _) = app.signed_in(Role::Reviewer).await;
    let (id, image) = with_document(&app, SessionStatus::Completed);
    let pdf = with_address_pdf(&app, id);
    for _ in 0..3 {
        let r = reviewer.get(&format!("/sessions/{id}/files/{image}")).await;
        assert_eq!(r.status(), 200);
    }
    assert_eq!(app.count_events("document.viewed"), 1, "one per document");
    // The PDF is another document; its preview and its download are one view.
    reviewer
        .get(&format!("/sessions/{id}/files/{pdf}/preview"))
        .await;
    reviewer.get(&format!("/sessions/{id}/files/{pdf}")).await;
    assert_eq!(app.count_events("document.viewed"), 2);
    // Another reviewer's view is theirs.
    colleague
        .get(&format!("/sessions/{id}/files/{image}"))
        .await;
    assert_eq!(app.count_events("document.viewed"), 3);
    // Ten minutes on, the same view counts again (this test's own database lets its
    // events be backdated).
    let mut conn = app.conn();
    diesel::sql_query("ALTER TABLE events DISABLE TRIGGER events_append_only")
        .execute(&mut conn)
        .unwrap();
    diesel::update(events::table.filter(events::actor_id.eq(me.id)))
        .set(events::created_at.eq(chrono::Utc::now() - chrono::Duration::minutes(11)))
        .execute(&mut conn)
        .unwrap();
    diesel::sql_query("ALTER TABLE events ENABLE TRIGGER events_append_only")
        .execute(&mut conn)
        .unwrap();
    reviewer.get(&format!("/sessions/{id}/files/{image}")).await;
    assert_eq!(app.count_events("document.viewed"), 4);
}
