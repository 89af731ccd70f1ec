//! Fields no check digit covers but a table or a rule does: the issuing state and
//! nationality must be ICAO codes, the document code one that states print, and names are
//! laid out in one way. Where the readers dissent there, the one reading these allow
//! settles the field.

use super::super::Format;
use super::candidates::in_place;
use super::layout::{Class, Pos, names_cells, nationality_cells, run};
use super::search::MAX_READINGS;
use super::{ReadCell, Shape, Unconfirmed};
use crate::domain::countries::is_icao_code;

/// Whether `code` (a state's or nationality's three cells, fillers included) is an ICAO
/// code.
pub(super) fn is_state_code(code: &str) -> bool {
    let code = code.trim_end_matches('<');
    !code.contains('<') && is_icao_code(code)
}

/// Whether `code` (the zone's first two characters) is a document code states print on
/// a document of `format`. The first character is the kind: `P` a passport, `V` a visa,
/// `I`, `A` or `C` an identity document. ICAO 9303 leaves the second to the issuing state
/// (`<`, or a letter for the type: `ID`, `IR`, `IP`, `PD`, `PO`, `VD`...); no state is
/// known to use `O` or `Q` after `I`, `A`, `C` or `V` (the look-alikes of `D` in OCR-B),
/// so those two are not plausible there. A passport's `PO` (official) and `PD`
/// (diplomatic) both exist: between them the code cannot settle anything.
pub(super) fn is_document_code(format: Format, code: &str) -> bool {
    let mut chars = code.chars();
    let (Some(kind), Some(kind_of)) = (chars.next(), chars.next()) else {
        return false;
    };
    let kinds: &[char] = match format {
        Format::Td3 => &['P'],
        Format::MrvA | Format::MrvB => &['V'],
        Format::Td1 | Format::Td2 => &['I', 'A', 'C'],
    };
    let letter_or_filler = kind_of == '<' || kind_of.is_ascii_uppercase();
    kinds.contains(&kind)
        && chars.next().is_none()
        && letter_or_filler
        && (kind == 'P' || !matches!(kind_of, 'O' | 'Q'))
}

/// Whether a names field (fillers included) is laid out as zones write names: letters,
/// the name parts separated by single fillers, the surname from the given names by two,
/// trailing fillers last.
pub(super) fn names_laid_out(names: &str) -> bool {
    let body = names.trim_end_matches('<');
    !body.is_empty()
        && !body.starts_with('<')
        && !body.contains("<<<")
        && body.matches("<<").count() <= 1
}

/// What a field's table or rule allows, given the field's characters.
type Allowed<'a> = &'a dyn Fn(&str) -> bool;

/// The one reading of `cells` (each either settled in `fixed` or one of its `choice`s)
/// that `allowed` accepts; `None` when none or several are.
pub(super) fn only_reading(
    cells: &[Pos],
    fixed: &[Vec<Option<char>>],
    choice: &[Vec<Vec<char>>],
    allowed: Allowed,
) -> Option<Vec<char>> {
    let lists: Vec<Vec<char>> = cells
        .iter()
        .map(|&(l, c)| match fixed[l][c] {
            Some(ch) => vec![ch],
            None => choice[l][c].clone(),
        })
        .collect();
    let readings = lists
        .iter()
        .try_fold(1usize, |acc, l| acc.checked_mul(l.len()))?;
    if readings == 0 || readings > MAX_READINGS {
        return None;
    }
    let mut found: Vec<Vec<char>> = Vec::new();
    let mut index = vec![0usize; lists.len()];
    loop {
        let reading: Vec<char> = index.iter().zip(&lists).map(|(&i, l)| l[i]).collect();
        let code: String = reading.iter().collect();
        if allowed(&code) {
            found.push(reading);
        }
        let mut k = lists.len();
        loop {
            if k == 0 {
                return match found.as_slice() {
                    [one] => Some(one.clone()),
                    _ => None,
                };
            }
            k -= 1;
            index[k] += 1;
            if index[k] < lists[k].len() {
                break;
            }
            index[k] = 0;
        }
    }
}

/// Settles the positions no check digit covers, in `fixed`: each read for sure, never
/// corrected — except where a table or the names' layout allows exactly one of the
/// readers' characters (see the module). `covered` marks the positions a check digit
/// covers; `choice` holds each position's candidates, and gains the readers' own
/// characters where they dissent.
pub(super) fn settle_uncovered(
    format: Format,
    cells: &[Vec<ReadCell>],
    class_at: &[Vec<(Class, &'static str)>],
    covered: &[Vec<bool>],
    choice: &mut [Vec<Vec<char>>],
    fixed: &mut [Vec<Option<char>>],
) -> Result<(), Unconfirmed> {
    // Positions no check digit covers: read for sure, never corrected — except a state
    // or nationality, which must be an ICAO code, and the document code, which must be
    // one states print: when the readers' characters make exactly one, the table
    // confirms it.
    let mut doubtful: Vec<Pos> = Vec::new();
    for (l, line) in cells.iter().enumerate() {
        for (c, cell) in line.iter().enumerate() {
            if covered[l][c] {
                continue;
            }
            let class = class_at[l][c].0;
            let placed = in_place(cell, &|ch| class.allows(ch));
            // No check digit will catch a majority's mistake here: a reader that read
            // another character fairly surely makes the cell doubtful.
            let sure = match choice[l][c].as_slice() {
                [only] => Some(*only).filter(|&o| placed.undisputed() == Some(o)),
                _ => None,
            };
            if sure.is_none() {
                for &(ch, _) in placed.reads.iter().flatten() {
                    if class.allows(ch) && !choice[l][c].contains(&ch) {
                        choice[l][c].push(ch);
                    }
                }
            }
            match sure {
                Some(ch) => fixed[l][c] = Some(ch),
                None => doubtful.push((l, c)),
            }
        }
    }
    // The document code, the issuing state and the nationality: where the readers
    // dissent, or settle on a reading the table does not allow, the one reading among
    // theirs that the table allows settles the field. (A reading every reader agrees on
    // stands, allowed or not: the table is what states are known to print.)
    let document_code = |code: &str| is_document_code(format, code);
    let tabled: [(&'static str, Vec<Pos>, Allowed); 3] = [
        ("document code", run(0, 0..2), &document_code),
        ("issuing state", run(0, 2..5), &is_state_code),
        ("nationality", nationality_cells(format), &is_state_code),
    ];
    for (field, cells_of, allowed) in &tabled {
        let in_doubt = cells_of.iter().any(|p| doubtful.contains(p));
        let settled: Option<String> = cells_of.iter().map(|&(l, c)| fixed[l][c]).collect();
        if !in_doubt && settled.as_deref().is_some_and(allowed) {
            continue;
        }
        let mut open = fixed.to_vec();
        for &(l, c) in cells_of {
            open[l][c] = None;
            for &(ch, _) in cells[l][c].reads.iter().flatten() {
                if class_at[l][c].0.allows(ch) && !choice[l][c].contains(&ch) {
                    choice[l][c].push(ch);
                }
            }
        }
        match only_reading(cells_of, &open, choice, *allowed) {
            Some(code) => {
                for (p, ch) in cells_of.iter().zip(code) {
                    fixed[p.0][p.1] = Some(ch);
                }
            }
            None if !in_doubt => {}
            None => return Err(Unconfirmed::Uncertain(field)),
        }
        doubtful.retain(|p| !cells_of.contains(p));
    }
    // A name's cell every reader read as `<` (or `K`) but whose shape could not be told:
    // when every doubtful cell of the names is one, the names' layout settles them if
    // exactly one of the readings holds together (a `K` cannot follow a run of fillers).
    let names = names_cells(format);
    let in_names: Vec<Pos> = doubtful
        .iter()
        .copied()
        .filter(|p| names.contains(p))
        .collect();
    let chevron_or_k = |&(l, c): &Pos| {
        let placed = in_place(&cells[l][c], &|ch| class_at[l][c].0.allows(ch));
        cells[l][c].shape == Shape::Unknown && matches!(placed.undisputed(), Some('<' | 'K'))
    };
    if !in_names.is_empty() && in_names.iter().all(chevron_or_k) {
        for &(l, c) in &in_names {
            choice[l][c] = vec!['<', 'K'];
        }
        let reading = only_reading(&names, fixed, choice, &names_laid_out)
            .ok_or(Unconfirmed::Uncertain("names"))?;
        for (p, ch) in names.iter().zip(reading) {
            fixed[p.0][p.1] = Some(ch);
        }
        doubtful.retain(|p| !names.contains(p));
    }
    match doubtful.first() {
        Some(&(l, c)) => Err(Unconfirmed::Uncertain(class_at[l][c].1)),
        None => Ok(()),
    }
}
