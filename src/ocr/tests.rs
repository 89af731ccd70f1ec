//! Tests of [`super`]'s pure parts: how the readers' characters fill a line's cells.

use super::*;
use crate::domain::engine::photo::CellBox;

fn glyph(ch: char, cx: f32, confidence: f32) -> Glyph {
    Glyph {
        ch,
        x0: cx - 4.0,
        x1: cx + 4.0,
        confidence,
    }
}

/// A line of `n` character cells 10 pixels apart, the first centred at 5.
fn line(n: usize) -> ZoneLine {
    ZoneLine {
        strip: Gray::new(10 * n, 36, 255),
        binary: Gray::new(10 * n, 36, 255),
        pitch: 10.0,
        cells: (0..n)
            .map(|k| CellBox {
                cx: 5.0 + 10.0 * k as f32,
                shape: Shape::Character,
            })
            .collect(),
    }
}

#[test]
fn a_line_reader_that_lost_count_is_doubted_in_that_cell_and_only_fair_beside_it() {
    // JJOJO, the line reader reading six characters for five cells: `J` and `O` both
    // in the second cell, then a `Q` for the third cell's `O`.
    let whole = [
        glyph('J', 5.0, 99.0),
        glyph('J', 13.0, 99.0),
        glyph('O', 17.0, 98.0),
        glyph('Q', 25.0, 97.5),
        glyph('J', 35.0, 99.0),
        glyph('O', 45.0, 98.9),
    ];
    let alone = |ch: char| Some(glyph(ch, 0.0, 90.0));
    let each = vec![
        vec![alone('J'), alone('J'), alone('O'), alone('J'), alone('O')],
        vec![alone('J'), alone('J'), alone('O'), alone('J'), alone('O')],
    ];
    let cells = combine(&line(5), &whole, &each);
    let by_line: Vec<Option<(char, f32)>> = cells.iter().map(|c| c.reads[0]).collect();
    assert_eq!(
        by_line,
        vec![
            Some(('J', FAIR)),
            Some(('J', CROWDED)),
            Some(('Q', FAIR)),
            Some(('J', 99.0)),
            Some(('O', 98.9)),
        ]
    );
    // The character readers' reads are untouched, and the doubted `Q` no longer
    // disputes the `O` they agree on.
    assert_eq!(cells[2].reads[1], Some(('O', 90.0)));
    assert_eq!(cells[2].undisputed(), Some('O'));
}

#[test]
fn a_seven_read_alone_as_a_four_is_the_seven_the_line_reader_read() {
    let whole = [glyph('7', 5.0, 98.9), glyph('4', 15.0, 99.0)];
    let read = |ch: char, confidence: f32| Some(glyph(ch, 0.0, confidence));
    let each = vec![
        vec![read('4', 89.5), read('4', 99.0)],
        vec![read('4', 93.6), read('7', 60.0)],
    ];
    let cells = combine(&line(2), &whole, &each);
    assert_eq!(
        cells[0].reads,
        vec![Some(('7', 98.9)), Some(('7', 89.5)), Some(('7', 93.6))]
    );
    // A `4` the line reader read stays what each reader read.
    assert_eq!(
        cells[1].reads,
        vec![Some(('4', 99.0)), Some(('4', 99.0)), Some(('7', 60.0))]
    );
}
