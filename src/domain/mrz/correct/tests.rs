//! Tests of [`super`]: reads with the usual OCR confusions are corrected when the check
//! digits confirm one reading, and refused otherwise.

use super::*;

const TD3: [&str; 2] = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
];
const TD1: [&str; 3] = [
    "I<UTOD231458907<<<<<<<<<<<<<<<",
    "7408122F1204159UTO<<<<<<<<<<<6",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
];
const MRVA: [&str; 2] = [
    "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L8988901C4XXX4009078F96121096ZE184226B<<<<<<",
];

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2010, 1, 1).expect("a real date")
}

fn shape_of(c: char) -> Shape {
    if c == '<' {
        Shape::Filler
    } else {
        Shape::Character
    }
}

/// The cells of a perfect read of `lines`.
fn read(lines: &[&str]) -> Vec<Vec<ReadCell>> {
    lines
        .iter()
        .map(|l| {
            l.chars()
                .map(|c| ReadCell {
                    reads: vec![Some((c, 97.0)), Some((c, 95.0))],
                    shape: shape_of(c),
                })
                .collect()
        })
        .collect()
}

/// `cells` with the character at (`line`, `col`) read by both readers as `ch` with
/// `confidence`.
fn misread(
    mut cells: Vec<Vec<ReadCell>>,
    line: usize,
    col: usize,
    ch: Option<char>,
    confidence: f32,
) -> Vec<Vec<ReadCell>> {
    let read = ch.map(|c| (c, confidence));
    cells[line][col].reads = vec![read, read];
    cells
}

#[test]
fn a_perfect_read_is_accepted_unchanged() {
    let z = correct(Format::Td3, &read(&TD3), today()).expect("the specimen reads");
    assert_eq!(z.lines, TD3);
    assert!(z.corrections.is_empty());
    let z = correct(Format::Td1, &read(&TD1), today()).expect("the specimen reads");
    assert_eq!(z.lines, TD1);
    let z = correct(Format::MrvA, &read(&MRVA), today()).expect("the specimen reads");
    assert_eq!(z.lines, MRVA);
}

#[test]
fn letters_in_dates_become_the_digits_they_look_like() {
    // Birth date 740812 read as 74O8I2, confidently: a date holds digits only.
    let cells = misread(read(&TD3), 1, 15, Some('O'), 96.0);
    let cells = misread(cells, 1, 17, Some('I'), 96.0);
    let z = correct(Format::Td3, &cells, today()).expect("corrected");
    assert_eq!(z.lines, TD3);
    assert_eq!(
        z.corrections,
        vec![
            Correction {
                line: 1,
                column: 15,
                read: Some('O'),
                corrected: '0'
            },
            Correction {
                line: 1,
                column: 17,
                read: Some('I'),
                corrected: '1'
            },
        ]
    );
}

#[test]
fn a_doubtful_character_in_the_document_number_is_settled_by_its_check_digit() {
    // L898902C3: the `8` at 1 read as a doubtful `B`.
    let cells = misread(read(&TD3), 1, 1, Some('B'), 55.0);
    let z = correct(Format::Td3, &cells, today()).expect("corrected");
    assert_eq!(z.lines, TD3);
    assert_eq!(z.corrections.len(), 1);
    // Readers that disagree are settled by the check digit too.
    let mut cells = read(&TD3);
    cells[1][1].reads = vec![Some(('B', 96.0)), Some(('8', 91.0))];
    let z = correct(Format::Td3, &cells, today()).expect("settled");
    assert_eq!(z.lines, TD3);
    assert_eq!(z.corrections[0].read, Some('B'));
    // Both sure of the wrong `B`: its twin `8` is tried, but so are every other twin's
    // (`0` and `O`, `2` and `Z`, ...), and more than one reading fits: refused.
    let cells = misread(read(&TD3), 1, 1, Some('B'), 99.0);
    assert!(correct(Format::Td3, &cells, today()).is_err());
}

#[test]
fn a_missing_character_is_found_when_one_reading_fits() {
    // A digit of the birth date: one digit only satisfies its check digit.
    let cells = misread(read(&TD3), 1, 15, None, 0.0);
    let z = correct(Format::Td3, &cells, today()).expect("corrected");
    assert_eq!(z.lines, TD3);
    assert_eq!(z.corrections[0].read, None);
    // A character of the document number: any of 36 could be there, and several fit
    // (the composite does not help: it weighs the number as its own check digit does).
    let cells = misread(read(&TD3), 1, 4, None, 0.0);
    assert!(matches!(
        correct(Format::Td3, &cells, today()),
        Err(Unconfirmed::Ambiguous(_))
    ));
}

#[test]
fn two_readings_that_both_satisfy_the_check_digits_are_refused() {
    // `6` and `G` are worth the same modulo 10 (6 and 16): a doubtful `G` where the
    // optional data has its `6` could be either, so the read is refused, not guessed.
    let cells = misread(read(&TD3), 1, 35, Some('G'), 40.0);
    assert_eq!(
        correct(Format::Td3, &cells, today()),
        Err(Unconfirmed::Ambiguous("composite"))
    );
    // Two unknown characters in one field: many readings fit.
    let cells = misread(read(&TD3), 1, 2, None, 0.0);
    let cells = misread(cells, 1, 3, None, 0.0);
    assert!(matches!(
        correct(Format::Td3, &cells, today()),
        Err(Unconfirmed::Ambiguous(_))
    ));
}

#[test]
fn names_are_never_corrected() {
    // ERIKSSON's `O` read as a doubtful `0`: no check digit covers the names.
    let cells = misread(read(&TD3), 0, 11, Some('0'), 60.0);
    assert_eq!(
        correct(Format::Td3, &cells, today()),
        Err(Unconfirmed::Uncertain("names"))
    );
    // Both readers doubtful of the same letter.
    let cells = misread(read(&TD1), 2, 3, Some('I'), 60.0);
    assert_eq!(
        correct(Format::Td1, &cells, today()),
        Err(Unconfirmed::Uncertain("names"))
    );
    // Readers that disagree on a letter, however sure.
    let mut cells = read(&TD1);
    cells[2][3].reads = vec![Some(('K', 99.0)), Some(('X', 99.0))];
    assert_eq!(
        correct(Format::Td1, &cells, today()),
        Err(Unconfirmed::Uncertain("names"))
    );
    // A third reader makes a majority: two sure of `K` outvote one sure of `X` (no
    // look-alike of `K`).
    cells[2][3].reads = vec![Some(('K', 99.0)), Some(('X', 95.0)), Some(('K', 93.0))];
    assert_eq!(
        correct(Format::Td1, &cells, today()).map(|z| z.lines),
        Ok(TD1.map(String::from).to_vec())
    );
}

#[test]
fn a_filler_read_as_k_is_told_by_its_shape() {
    // The optional data's trailing fillers: `K` on a short glyph is a `<`; the check
    // digits cannot tell the two apart (0 and 20).
    let cells = misread(read(&TD3), 1, 38, Some('K'), 80.0);
    let z = correct(Format::Td3, &cells, today()).expect("corrected");
    assert_eq!(z.lines, TD3);
    // With no shape to go by, `K` and `<` both satisfy the check digits: refused.
    let mut cells = misread(read(&TD3), 1, 38, Some('K'), 80.0);
    cells[1][38].shape = Shape::Unknown;
    assert!(matches!(
        correct(Format::Td3, &cells, today()),
        Err(Unconfirmed::Ambiguous(_))
    ));
}

#[test]
fn an_unknown_state_or_an_impossible_date_is_refused() {
    let mut lines = TD3;
    let changed = lines[0].replace("P<UTO", "P<UTQ");
    lines[0] = &changed;
    assert!(matches!(
        correct(Format::Td3, &read(&lines), today()),
        Err(Unconfirmed::Invalid("issuing state"))
    ));
}

#[test]
fn a_line_of_the_wrong_length_is_refused() {
    let mut cells = read(&TD3);
    cells[1].pop();
    assert!(matches!(
        correct(Format::Td3, &cells, today()),
        Err(Unconfirmed::Shape { .. })
    ));
}

#[test]
fn a_seven_every_reader_took_for_a_four_is_settled_by_the_check_digits() {
    // 740812: the birth date's `7` read as `4` for sure by both readers; the birth date's
    // check digit and the composite confirm only the `7`.
    let cells = misread(read(&TD3), 1, 13, Some('4'), 97.0);
    let zone = correct(Format::Td3, &cells, today()).expect("confirmed");
    assert_eq!(zone.lines, TD3);
    assert_eq!(
        zone.corrections,
        vec![Correction {
            line: 1,
            column: 13,
            read: Some('4'),
            corrected: '7'
        }]
    );
    // The other way round too: the `4` read as `7`.
    let cells = misread(read(&TD3), 1, 14, Some('7'), 97.0);
    assert_eq!(
        correct(Format::Td3, &cells, today()).map(|z| z.lines),
        Ok(TD3.map(String::from).to_vec())
    );
    // A digit every reader took for one that is not its twin stays refused: `0` as `3`.
    let cells = misread(read(&TD3), 1, 15, Some('3'), 97.0);
    assert_eq!(
        correct(Format::Td3, &cells, today()),
        Err(Unconfirmed::CheckDigit("birth date"))
    );
}

#[test]
fn a_majority_is_not_enough_where_no_check_digit_covers_a_fairly_sure_dissent() {
    // ERIKSSON's `O` read as `D` by the line's reader and one reader of characters
    // alone, as `O` by the other, all fairly sure: a name may hold either, nothing can
    // tell which, so the read is refused rather than guessed.
    let mut cells = read(&TD1);
    cells[2][6].reads = vec![Some(('D', 97.0)), Some(('D', 80.0)), Some(('O', 93.0))];
    assert_eq!(
        correct(Format::Td1, &cells, today()),
        Err(Unconfirmed::Uncertain("names"))
    );
    // A doubting dissent (under DISSENT) does not stop a majority there.
    let mut cells = read(&TD1);
    cells[0][1].reads = vec![Some(('<', 97.0)), Some(('<', 90.0)), Some(('K', 40.0))];
    cells[0][1].shape = Shape::Filler;
    assert_eq!(
        correct(Format::Td1, &cells, today()).map(|z| z.lines[0].clone()),
        Ok(TD1[0].to_owned())
    );
}

#[test]
fn a_document_code_the_readers_dispute_is_settled_by_the_codes_states_print() {
    // An identity card's `ID` read as `IO` by two readers and as `ID` by the third, all
    // fairly sure: no state prints `IO`, so the code table settles the `D`.
    let first = TD1[0].replacen("I<", "ID", 1);
    let lines = [first.as_str(), TD1[1], TD1[2]];
    let mut cells = read(&lines);
    cells[0][1].reads = vec![Some(('O', 97.0)), Some(('O', 80.0)), Some(('D', 93.0))];
    let zone = correct(Format::Td1, &cells, today()).expect("settled by the code table");
    assert_eq!(zone.lines, lines);
    assert_eq!(zone.corrections[0].corrected, 'D');
    // The other way round: a majority for `D` against one sure `O`.
    cells[0][1].reads = vec![Some(('D', 97.0)), Some(('O', 95.0)), Some(('D', 93.0))];
    assert_eq!(
        correct(Format::Td1, &cells, today()).map(|z| z.lines),
        Ok(lines.map(String::from).to_vec())
    );
    // A visa's code too.
    let first = MRVA[0].replacen("V<", "VD", 1);
    let lines = [first.as_str(), MRVA[1]];
    let mut cells = read(&lines);
    cells[0][1].reads = vec![Some(('O', 97.0)), Some(('D', 93.0)), Some(('O', 90.0))];
    assert_eq!(
        correct(Format::MrvA, &cells, today()).map(|z| z.lines),
        Ok(lines.map(String::from).to_vec())
    );
    // A passport's `PD` (diplomatic) and `PO` (official) both exist: refused.
    let first = TD3[0].replacen("P<", "PD", 1);
    let lines = [first.as_str(), TD3[1]];
    let mut cells = read(&lines);
    cells[0][1].reads = vec![Some(('O', 97.0)), Some(('O', 80.0)), Some(('D', 93.0))];
    assert_eq!(
        correct(Format::Td3, &cells, today()),
        Err(Unconfirmed::Uncertain("document code"))
    );
}

#[test]
fn the_line_reader_is_outvoted_by_every_character_reader_on_a_look_alike() {
    // ERIKSSON's `O`: the line's reader reads `Q`, fairly surely, both readers of
    // characters alone read `O`. They read the glyph without its neighbours: they win.
    let mut cells = read(&TD1);
    cells[2][6].reads = vec![Some(('Q', 98.0)), Some(('O', 80.0)), Some(('O', 88.0))];
    assert_eq!(
        correct(Format::Td1, &cells, today()).map(|z| z.lines),
        Ok(TD1.map(String::from).to_vec())
    );
    // One reader of characters alone against the line's and the other: still refused
    // (the line's reader and a reader alone can share a mistake).
    cells[2][6].reads = vec![Some(('O', 99.0)), Some(('O', 78.0)), Some(('D', 93.0))];
    assert_eq!(
        correct(Format::Td1, &cells, today()),
        Err(Unconfirmed::Uncertain("names"))
    );
    // Two readers only: any fairly sure look-alike dissent leaves the cell in doubt.
    cells[2][6].reads = vec![Some(('Q', 99.0)), Some(('O', 93.0))];
    assert_eq!(
        correct(Format::Td1, &cells, today()),
        Err(Unconfirmed::Uncertain("names"))
    );
    // The digit twins are what the readers alone misread together: a visa's optional
    // data (no check digit) where the line's reader reads `7` and both readers alone
    // `4` is refused.
    let mut cells = read(&MRVA);
    assert_eq!(&MRVA[1][33..34], "4");
    cells[1][33].reads = vec![Some(('7', 99.0)), Some(('4', 90.0)), Some(('4', 94.0))];
    assert_eq!(
        correct(Format::MrvA, &cells, today()),
        Err(Unconfirmed::Uncertain("optional data"))
    );
}

#[test]
fn a_filler_or_k_in_the_names_is_settled_by_how_names_are_laid_out() {
    // The names' last cell, its shape unknown, read `<` by every reader: a `K` there
    // would follow a run of fillers, which no zone writes.
    let mut cells = read(&TD1);
    cells[2][29].shape = Shape::Unknown;
    let zone = correct(Format::Td1, &cells, today()).expect("settled by the layout");
    assert_eq!(zone.lines, TD1);
    // Between ANNA and MARIA, `ANNAKMARIA` would be a name too: refused.
    let mut cells = read(&TD1);
    cells[2][14].shape = Shape::Unknown;
    assert_eq!(
        correct(Format::Td1, &cells, today()),
        Err(Unconfirmed::Uncertain("names"))
    );
    // The layout settles only `<` and `K`: a doubtful letter elsewhere in the names
    // still refuses the read.
    let mut cells = read(&TD1);
    cells[2][29].shape = Shape::Unknown;
    cells[2][6].reads = vec![Some(('D', 97.0)), Some(('D', 80.0)), Some(('O', 93.0))];
    assert_eq!(
        correct(Format::Td1, &cells, today()),
        Err(Unconfirmed::Uncertain("names"))
    );
}

#[test]
fn a_failed_check_digit_doubts_the_majorities_of_that_field_first() {
    // The birth date's `7` read as `1` by two readers, as `7` by the third; the document
    // number's `8` read as `S` by one reader (28: the same modulo 10, which no check
    // digit tells apart). Only the birth date's majority is doubted, so the number's
    // dissent adds no second reading that would make the read ambiguous.
    let mut cells = read(&TD3);
    cells[1][13].reads = vec![Some(('1', 97.0)), Some(('1', 95.0)), Some(('7', 90.0))];
    cells[1][3].reads = vec![Some(('8', 97.0)), Some(('8', 95.0)), Some(('S', 90.0))];
    assert_eq!(
        correct(Format::Td3, &cells, today()).map(|z| z.lines),
        Ok(TD3.map(String::from).to_vec())
    );
}
