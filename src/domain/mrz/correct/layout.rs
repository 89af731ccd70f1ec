//! What each position of a zone holds: the class of characters it allows, the field it
//! belongs to, and which check digit covers it.

use super::super::{Format, check_digit};
use super::Unconfirmed;

/// What a position allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Class {
    Letter,
    LetterOrFiller,
    Digit,
    DigitOrFiller,
    Any,
    Sex,
}

impl Class {
    pub(super) fn allows(self, c: char) -> bool {
        match self {
            Class::Letter => c.is_ascii_uppercase(),
            Class::LetterOrFiller => c.is_ascii_uppercase() || c == '<',
            Class::Digit => c.is_ascii_digit(),
            Class::DigitOrFiller => c.is_ascii_digit() || c == '<',
            Class::Any => c.is_ascii_uppercase() || c.is_ascii_digit() || c == '<',
            Class::Sex => matches!(c, 'M' | 'F' | 'X' | '<'),
        }
    }
}

/// A run of positions of one class, named for the field it belongs to.
#[derive(Debug, Clone, Copy)]
pub(super) struct Span {
    pub(super) line: usize,
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) class: Class,
    pub(super) field: &'static str,
}

pub(super) const fn span(
    line: usize,
    start: usize,
    end: usize,
    class: Class,
    field: &'static str,
) -> Span {
    Span {
        line,
        start,
        end,
        class,
        field,
    }
}

/// Every position of a layout, field by field.
pub(super) fn spans(format: Format) -> Vec<Span> {
    use Class::*;
    let (_, width) = format.shape();
    match format {
        Format::Td1 => vec![
            span(0, 0, 1, Letter, "document code"),
            span(0, 1, 2, LetterOrFiller, "document code"),
            span(0, 2, 5, LetterOrFiller, "issuing state"),
            span(0, 5, 14, Any, "document number"),
            span(0, 14, 15, DigitOrFiller, "document number"),
            span(0, 15, 30, Any, "optional data"),
            span(1, 0, 7, Digit, "birth date"),
            span(1, 7, 8, Sex, "sex"),
            span(1, 8, 15, Digit, "expiry date"),
            span(1, 15, 18, LetterOrFiller, "nationality"),
            span(1, 18, 29, Any, "optional data"),
            span(1, 29, 30, Digit, "composite"),
            span(2, 0, 30, LetterOrFiller, "names"),
        ],
        _ => {
            let mut v = vec![
                span(0, 0, 1, Letter, "document code"),
                span(0, 1, 2, LetterOrFiller, "document code"),
                span(0, 2, 5, LetterOrFiller, "issuing state"),
                span(0, 5, width, LetterOrFiller, "names"),
                span(1, 0, 9, Any, "document number"),
                span(1, 9, 10, Digit, "document number"),
                span(1, 10, 13, LetterOrFiller, "nationality"),
                span(1, 13, 20, Digit, "birth date"),
                span(1, 20, 21, Sex, "sex"),
                span(1, 21, 28, Digit, "expiry date"),
            ];
            match format {
                Format::Td3 => v.extend([
                    span(1, 28, 42, Any, "optional data"),
                    span(1, 42, 43, DigitOrFiller, "optional data"),
                    span(1, 43, 44, Digit, "composite"),
                ]),
                Format::Td2 => v.extend([
                    span(1, 28, 35, Any, "optional data"),
                    span(1, 35, 36, Digit, "composite"),
                ]),
                _ => v.push(span(1, 28, width, Any, "optional data")),
            }
            v
        }
    }
}

pub(super) type Pos = (usize, usize);

/// A field and its check digit.
#[derive(Debug, Clone)]
pub(super) struct Field {
    pub(super) name: &'static str,
    pub(super) cells: Vec<Pos>,
    pub(super) check: Pos,
}

pub(super) fn run(line: usize, r: std::ops::Range<usize>) -> Vec<Pos> {
    r.map(|c| (line, c)).collect()
}

/// The fields with check digits, and the composite (its cells and its digit), for a
/// layout; TD1's long document number (`<` at its check position) runs on into the
/// optional data up to the first filler, its check digit last.
pub(super) fn fields(
    format: Format,
    long_td1_number_end: Option<usize>,
) -> (Vec<Field>, Option<Field>) {
    let f = |name, cells, check| Field { name, cells, check };
    match format {
        Format::Td1 => {
            let number = match long_td1_number_end {
                Some(end) => {
                    let mut cells = run(0, 5..14);
                    cells.extend(run(0, 15..end - 1));
                    f("document number", cells, (0, end - 1))
                }
                None => f("document number", run(0, 5..14), (0, 14)),
            };
            let mut composite = run(0, 5..30);
            composite.extend(run(1, 0..7));
            composite.extend(run(1, 8..15));
            composite.extend(run(1, 18..29));
            (
                vec![
                    number,
                    f("birth date", run(1, 0..6), (1, 6)),
                    f("expiry date", run(1, 8..14), (1, 14)),
                ],
                Some(f("composite", composite, (1, 29))),
            )
        }
        _ => {
            let (_, width) = format.shape();
            let mut list = vec![
                f("document number", run(1, 0..9), (1, 9)),
                f("birth date", run(1, 13..19), (1, 19)),
                f("expiry date", run(1, 21..27), (1, 27)),
            ];
            if format == Format::Td3 {
                list.push(f("optional data", run(1, 28..42), (1, 42)));
            }
            let composite = matches!(format, Format::Td3 | Format::Td2).then(|| {
                let mut cells = run(1, 0..10);
                cells.extend(run(1, 13..20));
                cells.extend(run(1, 21..width - 1));
                f("composite", cells, (1, width - 1))
            });
            (list, composite)
        }
    }
}

/// Whether `found` is the right check digit for `value`; an empty optional field may
/// carry `<` instead of `0` (as [`super::CheckDigit::ok`]).
pub(super) fn check_holds(name: &str, value: &str, found: char) -> bool {
    let expected = check_digit(value);
    found == expected || (name == "optional data" && found == '<' && expected == '0')
}

/// TD1: a `<` at the number's check position means a long number (if it is sure), which
/// runs on into the optional data up to the first filler.
pub(super) fn long_td1_number_end(
    format: Format,
    choice: &[Vec<Vec<char>>],
) -> Result<Option<usize>, Unconfirmed> {
    if format != Format::Td1 {
        return Ok(None);
    }
    match choice[0][14].as_slice() {
        ['<'] => match (15..30).find(|&c| choice[0][c] == ['<']) {
            Some(e) if e > 15 => Ok(Some(e)),
            _ => Err(Unconfirmed::Uncertain("document number")),
        },
        list if list.contains(&'<') => Err(Unconfirmed::Uncertain("document number")),
        _ => Ok(None),
    }
}

/// What each position of a layout allows, and its field, line by line.
pub(super) fn classes(format: Format) -> Vec<Vec<(Class, &'static str)>> {
    let (lines, width) = format.shape();
    let mut class_at = vec![vec![(Class::Any, ""); width]; lines];
    for s in spans(format) {
        for slot in &mut class_at[s.line][s.start..s.end] {
            *slot = (s.class, s.field);
        }
    }
    class_at
}

/// The nationality's cells in a layout.
pub(super) fn nationality_cells(format: Format) -> Vec<Pos> {
    match format {
        Format::Td1 => run(1, 15..18),
        _ => run(1, 10..13),
    }
}

/// The names' cells in a layout.
pub(super) fn names_cells(format: Format) -> Vec<Pos> {
    let (_, width) = format.shape();
    match format {
        Format::Td1 => run(2, 0..width),
        _ => run(0, 5..width),
    }
}
