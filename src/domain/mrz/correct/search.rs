//! The search for the one reading every check digit and the composite confirm.

use super::super::{Format, parse};
use super::candidates::{candidates, digit_twins, in_place};
use super::layout::*;
use super::uncovered::{is_state_code, names_laid_out, settle_uncovered};
use super::{Corrected, Correction, ReadCell, Unconfirmed};
use chrono::NaiveDate;

/// The most readings tried for one field (or for the composite): more doubt than this is
/// refused, not guessed at.
pub(super) const MAX_READINGS: usize = 50_000;

/// Every reading of `cells` (each from its candidates) whose check digit holds; `None`
/// when there are too many to try.
pub(super) fn satisfying(
    name: &'static str,
    cells: &[Pos],
    check: Pos,
    choices: &dyn Fn(Pos) -> Vec<char>,
) -> Option<Vec<Vec<char>>> {
    let mut lists: Vec<Vec<char>> = cells.iter().map(|&p| choices(p)).collect();
    lists.push(choices(check));
    let total = lists
        .iter()
        .try_fold(1usize, |acc, l| acc.checked_mul(l.len().max(1)))?;
    if total > MAX_READINGS || lists.iter().any(Vec::is_empty) {
        return if lists.iter().any(Vec::is_empty) {
            Some(Vec::new())
        } else {
            None
        };
    }
    let mut found = Vec::new();
    let mut index = vec![0usize; lists.len()];
    loop {
        let reading: Vec<char> = index.iter().zip(&lists).map(|(&i, l)| l[i]).collect();
        let (value, digit) = reading.split_at(reading.len() - 1);
        let value: String = value.iter().collect();
        if check_holds(name, &value, digit[0]) {
            found.push(reading);
        }
        // Next reading, the last position fastest.
        let mut k = lists.len();
        loop {
            if k == 0 {
                return Some(found);
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

/// How far one pass of [`correct_with`] doubts what the readers agreed on.
#[derive(Debug, Clone, Default)]
pub(super) struct Doubt {
    /// Fields whose majorities of readers are the likelier reading, not the only one.
    pub(super) majorities_in: Vec<&'static str>,
    /// Every majority is the likelier reading (only where a check digit covers the cell).
    pub(super) all_majorities: bool,
    /// Fields (or `composite`: its cells outside every field) whose digits may also be
    /// their digit twins, read or agreed on.
    pub(super) twins_in: Vec<&'static str>,
}

/// [`super::correct`], with a majority of readers taken as sure or, as `doubt` says, as
/// the likelier of their reads, and with the digit twins of the fields it names.
pub(super) fn correct_with(
    format: Format,
    cells: &[Vec<ReadCell>],
    today: NaiveDate,
    doubt: &Doubt,
) -> Result<Corrected, Unconfirmed> {
    let (lines, width) = format.shape();
    if cells.len() != lines || cells.iter().any(|l| l.len() != width) {
        return Err(Unconfirmed::Shape {
            format: format.name(),
            expected: format!("{lines} x {width}"),
            found: cells.len(),
            width: cells.first().map_or(0, Vec::len),
        });
    }
    let class_at = classes(format);
    let mut choice: Vec<Vec<Vec<char>>> = cells
        .iter()
        .enumerate()
        .map(|(l, line)| {
            line.iter()
                .enumerate()
                .map(|(c, cell)| candidates(cell, class_at[l][c].0, false))
                .collect()
        })
        .collect();

    let long_end = long_td1_number_end(format, &choice)?;
    let (checked, composite) = fields(format, long_end);
    // Only where a check digit can settle the doubt.
    for f in checked.iter().chain(composite.iter()) {
        if doubt.all_majorities || doubt.majorities_in.contains(&f.name) {
            for &(l, c) in f.cells.iter().chain([&f.check]) {
                choice[l][c] = candidates(&cells[l][c], class_at[l][c].0, true);
            }
        }
    }
    add_twins(
        &mut choice,
        &class_at,
        &checked,
        composite.as_ref(),
        &doubt.twins_in,
    );

    let mut fixed: Vec<Vec<Option<char>>> = vec![vec![None; width]; lines];
    let mut covered = vec![vec![false; width]; lines];
    for f in checked.iter().chain(composite.iter()) {
        for &(l, c) in f.cells.iter().chain(std::iter::once(&f.check)) {
            covered[l][c] = true;
        }
    }
    settle_uncovered(format, cells, &class_at, &covered, &mut choice, &mut fixed)?;

    // Each field: the readings its check digit confirms. (Readers that agree on a wrong
    // character are not second-guessed: trying its twins too would let a twin swapped
    // elsewhere make up for an error the check digit caught — the composite weighs the
    // document number exactly as its own check digit does, so nothing would catch it.)
    let choices = |p: Pos| choice[p.0][p.1].clone();
    let mut per_field: Vec<Vec<Vec<char>>> = Vec::new();
    for f in &checked {
        let found = satisfying(f.name, &f.cells, f.check, &choices)
            .ok_or(Unconfirmed::Uncertain(f.name))?;
        match found.len() {
            0 => return Err(Unconfirmed::CheckDigit(f.name)),
            n if n > 64 => return Err(Unconfirmed::Ambiguous(f.name)),
            _ => per_field.push(found),
        }
    }
    // Then the composite over the fields' confirmed readings and the rest it covers.
    let field_of = |p: Pos| {
        checked
            .iter()
            .position(|f| f.cells.contains(&p) || f.check == p)
    };
    match &composite {
        Some(comp) => {
            // A field's readings become one "cell" whose choices are the readings' indices;
            // the composite's cells outside fields keep their candidates.
            let mut units: Vec<(Option<usize>, Vec<Pos>)> = Vec::new();
            for (i, f) in checked.iter().enumerate() {
                let mut ps = f.cells.clone();
                ps.push(f.check);
                units.push((Some(i), ps));
            }
            for &p in comp.cells.iter().chain(std::iter::once(&comp.check)) {
                if field_of(p).is_none() {
                    units.push((None, vec![p]));
                }
            }
            let sizes: Vec<usize> = units
                .iter()
                .map(|(f, ps)| match f {
                    Some(i) => per_field[*i].len(),
                    None => choice[ps[0].0][ps[0].1].len(),
                })
                .collect();
            let total = sizes
                .iter()
                .try_fold(1usize, |acc, &n| acc.checked_mul(n))
                .filter(|&t| t <= MAX_READINGS)
                .ok_or(Unconfirmed::Uncertain("composite"))?;
            if total == 0 {
                return Err(Unconfirmed::CheckDigit("composite"));
            }
            let mut winner: Option<Vec<usize>> = None;
            let mut index = vec![0usize; units.len()];
            'all: loop {
                let mut grid = vec![vec!['<'; width]; lines];
                for (u, (f, ps)) in units.iter().enumerate() {
                    match f {
                        Some(i) => {
                            for (k, &(l, c)) in ps.iter().enumerate() {
                                grid[l][c] = per_field[*i][index[u]][k];
                            }
                        }
                        None => grid[ps[0].0][ps[0].1] = choice[ps[0].0][ps[0].1][index[u]],
                    }
                }
                let value: String = comp.cells.iter().map(|&(l, c)| grid[l][c]).collect();
                if check_holds("composite", &value, grid[comp.check.0][comp.check.1]) {
                    if winner.is_some() {
                        return Err(Unconfirmed::Ambiguous("composite"));
                    }
                    winner = Some(index.clone());
                }
                let mut k = units.len();
                loop {
                    if k == 0 {
                        break 'all;
                    }
                    k -= 1;
                    index[k] += 1;
                    if index[k] < sizes[k] {
                        break;
                    }
                    index[k] = 0;
                }
            }
            let index = winner.ok_or(Unconfirmed::CheckDigit("composite"))?;
            for (u, (f, ps)) in units.iter().enumerate() {
                for (k, &(l, c)) in ps.iter().enumerate() {
                    fixed[l][c] = Some(match f {
                        Some(i) => per_field[*i][index[u]][k],
                        None => choice[l][c][index[u]],
                    });
                }
            }
        }
        None => {
            for (i, f) in checked.iter().enumerate() {
                if per_field[i].len() != 1 {
                    return Err(Unconfirmed::Ambiguous(f.name));
                }
                for (k, &(l, c)) in f.cells.iter().chain(std::iter::once(&f.check)).enumerate() {
                    fixed[l][c] = Some(per_field[i][0][k]);
                }
            }
        }
    }

    let zone = settled(format, cells, &fixed, &class_at)?;
    holds_together(&zone, today)?;
    Ok(zone)
}

/// The zone `fixed` spells, with the characters its readers did not settle on marked as
/// corrections.
fn settled(
    format: Format,
    cells: &[Vec<ReadCell>],
    fixed: &[Vec<Option<char>>],
    class_at: &[Vec<(Class, &'static str)>],
) -> Result<Corrected, Unconfirmed> {
    let (lines, width) = format.shape();
    let mut out = Vec::with_capacity(lines);
    let mut corrections = Vec::new();
    for (l, line) in fixed.iter().enumerate() {
        let mut text = String::with_capacity(width);
        for (c, ch) in line.iter().enumerate() {
            let ch = ch.ok_or(Unconfirmed::Uncertain(class_at[l][c].1))?;
            let class = class_at[l][c].0;
            let settled = in_place(&cells[l][c], &|x| class.allows(x)).agreed() != Some(ch);
            if settled {
                corrections.push(Correction {
                    line: l,
                    column: c,
                    read: cells[l][c].best(),
                    corrected: ch,
                });
            }
            text.push(ch);
        }
        out.push(text);
    }
    Ok(Corrected {
        format,
        lines: out,
        corrections,
    })
}

/// Adds to `choice` the digit twins of every digit cell of the fields named in `twins_in`
/// (for `composite`, of its cells outside every field, and its check digit).
fn add_twins(
    choice: &mut [Vec<Vec<char>>],
    class_at: &[Vec<(Class, &'static str)>],
    checked: &[Field],
    composite: Option<&Field>,
    twins_in: &[&'static str],
) {
    for f in checked.iter().chain(composite) {
        if !twins_in.contains(&f.name) {
            continue;
        }
        for &p in f.cells.iter().chain([&f.check]) {
            let in_a_field = checked.iter().any(|g| g.cells.contains(&p) || g.check == p);
            if f.name == "composite" && in_a_field {
                continue;
            }
            let (l, c) = p;
            if !matches!(class_at[l][c].0, Class::Digit | Class::DigitOrFiller) {
                continue;
            }
            let mut list = choice[l][c].clone();
            for &d in &choice[l][c] {
                for t in digit_twins(d) {
                    if !list.contains(&t) {
                        list.push(t);
                    }
                }
            }
            choice[l][c] = list;
        }
    }
}

/// The last checks on an accepted reading: it parses with every check digit right, its
/// states are ICAO codes, and its names are letters separated by single fillers, the
/// surname from the given names by two, trailing fillers last.
pub(super) fn holds_together(zone: &Corrected, today: NaiveDate) -> Result<(), Unconfirmed> {
    let m = parse(&zone.text(), today).map_err(|e| Unconfirmed::Invalid(field_words(e.field)))?;
    if let Some(bad) = m.first_bad_check_digit() {
        return Err(Unconfirmed::CheckDigit(field_words(bad.field)));
    }
    for (what, code) in [
        ("issuing state", &m.issuing_state),
        ("nationality", &m.nationality),
    ] {
        if !is_state_code(code) {
            return Err(Unconfirmed::Invalid(what));
        }
    }
    let names = match zone.format {
        Format::Td1 => zone.lines[2].as_str(),
        _ => &zone.lines[0][5..],
    };
    if !names_laid_out(names) {
        return Err(Unconfirmed::Invalid("names"));
    }
    Ok(())
}

/// A parser field name (`birth_date`) in words (`birth date`).
pub(super) fn field_words(field: &'static str) -> &'static str {
    match field {
        "document_number" => "document number",
        "birth_date" => "birth date",
        "expiry_date" => "expiry date",
        "optional_data" => "optional data",
        "layout" => "layout",
        "sex" => "sex",
        other => other,
    }
}
