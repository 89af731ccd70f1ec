//! The document viewer in a browser: at 200 % and 400 % every edge of the image can be
//! scrolled to, the zoom label says the real level, and a proof-of-address PDF is seen on
//! the case page as a rendered image; the wheel zooms, a drag pans and a two-finger pinch
//! zooms.

use serde_json::{Value, json};
use sessiondesk::domain::kinds::Role;
use sessiondesk::domain::status::SessionStatus as S;

use super::start;
use super::webdriver::Chrome;
use crate::case::with_document;
use crate::documents_view::with_address_pdf;

/// Scrolls the first viewer's stage to (x, y) (`0` or `1`: start or end) and returns the
/// gaps between the image's and the stage's edges that should then meet: left or right,
/// top or bottom.
async fn gaps_at(chrome: &Chrome, x: u8, y: u8) -> (f64, f64) {
    let v = chrome
        .execute(
            "const s = document.querySelector('[data-viewer] .viewer-stage');
             const i = s.querySelector('.viewer-image');
             s.scrollLeft = arguments[0] ? s.scrollWidth : 0;
             s.scrollTop = arguments[1] ? s.scrollHeight : 0;
             const r = s.getBoundingClientRect(), b = i.getBoundingClientRect();
             const left = r.left + s.clientLeft, top = r.top + s.clientTop;
             const dx = arguments[0] ? (left + s.clientWidth) - b.right : b.left - left;
             const dy = arguments[1] ? (top + s.clientHeight) - b.bottom : b.top - top;
             return [dx, dy];",
            vec![Value::from(x), Value::from(y)],
        )
        .await;
    (v[0].as_f64().unwrap(), v[1].as_f64().unwrap())
}

async fn zoom_level(chrome: &Chrome) -> String {
    let v = chrome
        .execute(
            "return document.querySelector('[data-viewer] .viewer-image')\
             .getAttribute('data-zoom-level');",
            vec![],
        )
        .await;
    v.as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn at_200_and_400_percent_the_pan_reaches_all_four_corners() {
    let Some(ui) = start().await else { return };
    let (id, _) = with_document(&ui.app, S::Completed);
    ui.sign_in(Role::Reviewer).await;
    let chrome = &ui.chrome;
    chrome.goto(&format!("/sessions/{id}")).await;
    chrome
        .wait_until(
            "the document image to load",
            "(() => { const i = document.querySelector('img.viewer-image'); \
             return i && i.complete && i.naturalWidth > 0 && i.offsetWidth > 0; })()",
        )
        .await;
    let stage = chrome.find("[data-viewer] .viewer-stage").await;
    let name = stage.attr("aria-label").await.unwrap_or_default();
    assert!(
        name.contains("document viewer"),
        "the stage is named: {name}"
    );
    // At 100 % the whole image fits: nothing to scroll.
    let scrolls = chrome
        .execute(
            "const s = arguments[0]; \
             return s.scrollWidth > s.clientWidth + 1 || s.scrollHeight > s.clientHeight + 1;",
            vec![stage.as_arg()],
        )
        .await;
    assert_eq!(
        scrolls,
        Value::Bool(false),
        "at 100 % the image fits the stage"
    );

    stage.click().await;
    for (target, label) in [("2", "200%"), ("4", "400%")] {
        for _ in 0..10 {
            if zoom_level(chrome).await == target {
                break;
            }
            chrome.press("+").await;
        }
        assert_eq!(zoom_level(chrome).await, target);
        let shown = chrome
            .find("[data-viewer] [data-zoom-label]")
            .await
            .text()
            .await;
        assert_eq!(shown, label, "the label shows the real level");
        for (x, y) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
            let (dx, dy) = gaps_at(chrome, x, y).await;
            assert!(
                dx.abs() <= 1.0 && dy.abs() <= 1.0,
                "at {label}, corner ({x}, {y}): the image's edges are {dx} and {dy} px \
                 from the stage's"
            );
        }
    }
    // `0` goes back to the whole image; arrows pan.
    chrome.press("0").await;
    assert_eq!(zoom_level(chrome).await, "1");
    ui.finish().await;
}

#[tokio::test]
async fn an_address_pdf_is_seen_on_the_case_page() {
    let Some(ui) = start().await else { return };
    let (id, _) = with_document(&ui.app, S::Completed);
    let file = with_address_pdf(&ui.app, id);
    ui.sign_in(Role::Reviewer).await;
    let chrome = &ui.chrome;
    chrome.goto(&format!("/sessions/{id}")).await;
    let selector = format!("img[src='/sessions/{id}/files/{file}/preview']");
    chrome.wait_for(&selector).await;
    let width = chrome
        .wait_until(
            "page 1 of the PDF to load",
            &format!(
                "(() => {{ const i = document.querySelector(\"{selector}\"); \
                 return i.complete && i.naturalWidth; }})()"
            ),
        )
        .await;
    assert!(width.as_u64().unwrap_or(0) > 0);
    let shown = chrome.find(&selector).await;
    assert!(shown.displayed().await, "the rendered page is on screen");
    ui.finish().await;
}

/// The first viewer's stage, scrolled into view: its centre in CSS pixels, and its scroll
/// offsets.
async fn stage_state(chrome: &Chrome) -> (f64, f64, f64, f64) {
    let v = chrome
        .execute(
            "const s = document.querySelector('[data-viewer] .viewer-stage');
             s.scrollIntoView({block: 'center', inline: 'center'});
             const r = s.getBoundingClientRect();
             return [r.left + r.width / 2, r.top + r.height / 2, s.scrollLeft, s.scrollTop];",
            vec![],
        )
        .await;
    let n = |i: usize| v[i].as_f64().unwrap_or_default();
    (n(0), n(1), n(2), n(3))
}

async fn zoom_label(chrome: &Chrome) -> String {
    chrome
        .find("[data-viewer] [data-zoom-label]")
        .await
        .text()
        .await
}

#[tokio::test]
async fn the_wheel_zooms_a_drag_pans_and_a_pinch_zooms() {
    let Some(ui) = start().await else { return };
    let (id, _) = with_document(&ui.app, S::Completed);
    ui.sign_in(Role::Reviewer).await;
    let chrome = &ui.chrome;
    chrome.goto(&format!("/sessions/{id}")).await;
    chrome
        .wait_until(
            "the document image to load",
            "(() => { const i = document.querySelector('img.viewer-image'); \
             return i && i.complete && i.naturalWidth > 0 && i.offsetWidth > 0; })()",
        )
        .await;
    assert_eq!(zoom_label(chrome).await, "100%");

    // The wheel, over the image, zooms in: the label says the new level.
    let (x, y, _, _) = stage_state(chrome).await;
    chrome
        .cdp(
            "Input.dispatchMouseEvent",
            json!({"type": "mouseWheel", "x": x, "y": y, "deltaX": 0, "deltaY": -500}),
        )
        .await;
    let zoomed = zoom_level(chrome).await;
    let level: f64 = zoomed.parse().unwrap_or(1.0);
    assert!(level > 2.0, "the wheel zoomed in to {level}");
    let label = zoom_label(chrome).await;
    assert_eq!(label, format!("{}%", (level * 100.0).round()));
    assert_ne!(label, "100%");

    // A drag to the left and up moves the view right and down by as much.
    let (x, y, left, top) = stage_state(chrome).await;
    let mouse = |kind: &str, x: f64, y: f64, buttons: u8| json!({"type": kind, "x": x, "y": y, "button": "left", "buttons": buttons, "clickCount": 1});
    chrome
        .cdp("Input.dispatchMouseEvent", mouse("mousePressed", x, y, 1))
        .await;
    for step in 1..=4 {
        let f = f64::from(step) / 4.0;
        chrome
            .cdp(
                "Input.dispatchMouseEvent",
                mouse("mouseMoved", x - 120.0 * f, y - 60.0 * f, 1),
            )
            .await;
    }
    chrome
        .cdp(
            "Input.dispatchMouseEvent",
            mouse("mouseReleased", x - 120.0, y - 60.0, 0),
        )
        .await;
    let (_, _, left_after, top_after) = stage_state(chrome).await;
    assert!(
        (left_after - left - 120.0).abs() <= 2.0,
        "the drag panned right: {left} -> {left_after}"
    );
    assert!(
        top_after > top,
        "the drag panned down: {top} -> {top_after}"
    );
    assert_eq!(zoom_level(chrome).await, zoomed, "a drag does not zoom");

    // Back to 100 %, then two fingers spread apart: a pinch zooms in.
    chrome
        .find("[data-viewer] .viewer-stage")
        .await
        .click()
        .await;
    chrome.press("0").await;
    assert_eq!(zoom_label(chrome).await, "100%");
    chrome
        .cdp(
            "Emulation.setTouchEmulationEnabled",
            json!({"enabled": true, "maxTouchPoints": 5}),
        )
        .await;
    let (x, y, _, _) = stage_state(chrome).await;
    let touches = |half: f64| {
        json!([
            {"x": x - half, "y": y, "id": 1, "radiusX": 1, "radiusY": 1, "force": 1},
            {"x": x + half, "y": y, "id": 2, "radiusX": 1, "radiusY": 1, "force": 1}
        ])
    };
    chrome
        .cdp(
            "Input.dispatchTouchEvent",
            json!({"type": "touchStart", "touchPoints": touches(30.0)}),
        )
        .await;
    for half in [40.0, 50.0, 60.0] {
        chrome
            .cdp(
                "Input.dispatchTouchEvent",
                json!({"type": "touchMove", "touchPoints": touches(half)}),
            )
            .await;
    }
    chrome
        .cdp(
            "Input.dispatchTouchEvent",
            json!({"type": "touchEnd", "touchPoints": []}),
        )
        .await;
    let pinched: f64 = zoom_level(chrome).await.parse().unwrap_or(1.0);
    assert!(
        (pinched - 2.0).abs() < 0.05,
        "spreading two fingers from 60 to 120 px doubles the zoom: {pinched}"
    );
    assert_eq!(zoom_label(chrome).await, "200%");
    ui.finish().await;
}
