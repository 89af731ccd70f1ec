//! Geometry for the server-rendered SVG charts of the manager overview. Everything here is
//! plain integers and strings that an askama template places into SVG attributes: no
//! inline style, no script, so the Content-Security-Policy holds.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use uuid::Uuid;

use crate::store::stats::DailyDecisions;

/// Width of the reviewer-name column, in SVG units.
const LABEL_W: u32 = 170;
/// Width of one day slot.
const SLOT_W: u32 = 46;
/// Width of one bar inside its slot.
const BAR_W: u32 = 28;
/// Width of the totals column on the right.
const TOTAL_W: u32 = 60;
/// Space above the first row, for the column heading.
const TOP: u32 = 18;
/// Height of one reviewer row.
const ROW_H: u32 = 42;
/// The tallest bar (the busiest reviewer-day), leaving room for its number above it.
const BAR_MAX: u32 = 26;
/// Space below the last row for the day labels.
const AXIS_H: u32 = 34;
/// Longest reviewer name drawn in the chart; the table always carries the whole name.
const NAME_CHARS: usize = 22;

/// The width a horizontal bar of the age-bucket chart is drawn in.
pub const HBAR_W: u32 = 200;

/// The width of a horizontal bar for `n` when the largest value is `max`: 0 for nothing,
/// at least 1 for anything, `HBAR_W` for the largest.
pub fn hbar_width(n: i64, max: i64) -> u32 {
    if n <= 0 || max <= 0 {
        return 0;
    }
    scale(n, max, HBAR_W).max(1)
}

/// `n / max * full`, rounded, in integers.
fn scale(n: i64, max: i64, full: u32) -> u32 {
    let full = i64::from(full);
    u32::try_from((2 * n * full + max) / (2 * max)).unwrap_or(0)
}

/// A day slot on the x axis.
pub struct DaySlot {
    /// The slot's left edge.
    pub x: u32,
    /// Where its label is centred.
    pub cx: u32,
    /// Day of the month, the label's first line.
    pub day: String,
    /// Short weekday, the label's second line.
    pub weekday: String,
    /// Saturday or Sunday: drawn with a shaded background.
    pub weekend: bool,
}

/// One stacked bar: a reviewer's approvals (bottom) and declines (top) on one day.
pub struct Bar {
    /// Left edge.
    pub x: u32,
    /// Centre, for the number above the bar.
    pub cx: u32,
    /// Top of the approved segment.
    pub approved_y: u32,
    /// Height of the approved segment (0: not drawn).
    pub approved_h: u32,
    /// Top of the declined segment (the top of the bar).
    pub declined_y: u32,
    /// Height of the declined segment (0: not drawn).
    pub declined_h: u32,
    /// The day's total, written above the bar.
    pub total: i64,
    /// The tooltip: who, which day, how many of each.
    pub title: String,
}

/// One reviewer's row of bars.
pub struct ReviewerRow {
    /// The name as drawn (shortened if long).
    pub label: String,
    /// The whole name, for the label's tooltip.
    pub name: String,
    /// The row's baseline, where bars stand.
    pub baseline: u32,
    /// Where the name and the total are written.
    pub text_y: u32,
    /// The reviewer's decisions over the whole window.
    pub total: i64,
    /// Bars for the days with decisions only.
    pub bars: Vec<Bar>,
}

/// One line of the table under the chart: the same numbers as one bar.
pub struct TableRow {
    /// The reviewer's display name.
    pub reviewer: String,
    /// The day, `YYYY-MM-DD` (UTC).
    pub day: String,
    /// Approvals.
    pub approved: i64,
    /// Declines.
    pub declined: i64,
    /// Both.
    pub total: i64,
}

/// The decisions-per-reviewer-per-day chart, laid out.
pub struct DecisionChart {
    /// SVG width.
    pub width: u32,
    /// SVG height.
    pub height: u32,
    /// Left edge of the plot area.
    pub plot_x: u32,
    /// Right edge of the plot area.
    pub plot_right: u32,
    /// Top of the plot area.
    pub plot_top: u32,
    /// Bottom of the plot area.
    pub plot_bottom: u32,
    /// Where the first line of day labels sits.
    pub day_y: u32,
    /// Where the second line of day labels sits.
    pub weekday_y: u32,
    /// Where the "total" column heading is centred.
    pub total_x: u32,
    /// The x axis.
    pub days: Vec<DaySlot>,
    /// One row per reviewer with decisions in the window.
    pub rows: Vec<ReviewerRow>,
    /// Width of a day slot.
    pub slot_w: u32,
    /// Width of a bar.
    pub bar_w: u32,
    /// The busiest reviewer-day, which the bar heights are scaled to.
    pub max: i64,
    /// The chart in words, for screen readers.
    pub aria_label: String,
    /// The same numbers, one line per reviewer and day.
    pub table: Vec<TableRow>,
}

fn shorten(name: &str) -> String {
    if name.chars().count() <= NAME_CHARS {
        return name.to_owned();
    }
    let mut short: String = name.chars().take(NAME_CHARS - 1).collect();
    short.push('…');
    short
}

fn is_weekend(day: NaiveDate) -> bool {
    matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Lays out `days` day slots ending with `today`, one row per reviewer in `data` (already
/// ordered by name and day). Days outside the window are left out. `None` when nobody
/// decided anything in the window.
pub fn decisions(data: &[DailyDecisions], today: NaiveDate, days: u32) -> Option<DecisionChart> {
    let first = today - Duration::days(i64::from(days.max(1)) - 1);
    let in_window: Vec<&DailyDecisions> = data
        .iter()
        .filter(|d| d.day >= first && d.day <= today && d.approved + d.declined > 0)
        .collect();
    let max = in_window.iter().map(|d| d.approved + d.declined).max()?;
    // Reviewers in the order the query gave them (by name), each once.
    let mut order: Vec<(Uuid, &str)> = Vec::new();
    let mut by_user: BTreeMap<Uuid, Vec<&DailyDecisions>> = BTreeMap::new();
    for d in &in_window {
        if !by_user.contains_key(&d.user_id) {
            order.push((d.user_id, d.display_name.as_str()));
        }
        by_user.entry(d.user_id).or_default().push(d);
    }
    let plot_x = LABEL_W;
    let plot_right = LABEL_W + days * SLOT_W;
    let slot_x = |day: NaiveDate| {
        let index = u32::try_from((day - first).num_days()).unwrap_or(0);
        plot_x + index * SLOT_W
    };
    let mut rows = Vec::new();
    let mut table = Vec::new();
    for (i, (user_id, name)) in order.iter().enumerate() {
        let row_index = u32::try_from(i).unwrap_or(0);
        let baseline = TOP + (row_index + 1) * ROW_H - 4;
        let entries = by_user.get(user_id).map(Vec::as_slice).unwrap_or_default();
        let mut bars = Vec::new();
        for d in entries {
            let total = d.approved + d.declined;
            // Every non-empty segment stays at least one unit tall.
            let lower = u32::from(d.approved > 0);
            let bar_h = scale(total, max, BAR_MAX).max(lower + u32::from(d.declined > 0));
            let upper = bar_h - u32::from(d.declined > 0);
            let approved_h = scale(d.approved, max, BAR_MAX).clamp(lower, upper);
            let x = slot_x(d.day) + (SLOT_W - BAR_W) / 2;
            let day = d.day.format("%a %Y-%m-%d");
            bars.push(Bar {
                x,
                cx: x + BAR_W / 2,
                approved_y: baseline - approved_h,
                approved_h,
                declined_y: baseline - bar_h,
                declined_h: bar_h - approved_h,
                total,
                title: format!(
                    "{name}, {day}: {} approved, {} declined",
                    d.approved, d.declined
                ),
            });
            table.push(TableRow {
                reviewer: (*name).to_owned(),
                day: d.day.format("%Y-%m-%d").to_string(),
                approved: d.approved,
                declined: d.declined,
                total,
            });
        }
        rows.push(ReviewerRow {
            label: shorten(name),
            name: (*name).to_owned(),
            baseline,
            text_y: baseline - 8,
            total: entries.iter().map(|d| d.approved + d.declined).sum(),
            bars,
        });
    }
    let row_count = u32::try_from(rows.len()).unwrap_or(0);
    let plot_bottom = TOP + row_count * ROW_H;
    let days_axis = (0..days)
        .map(|i| {
            let day = first + Duration::days(i64::from(i));
            let x = plot_x + i * SLOT_W;
            DaySlot {
                x,
                cx: x + SLOT_W / 2,
                day: day.format("%-d").to_string(),
                weekday: day.format("%a").to_string(),
                weekend: is_weekend(day),
            }
        })
        .collect();
    let approved: i64 = in_window.iter().map(|d| d.approved).sum();
    let declined: i64 = in_window.iter().map(|d| d.declined).sum();
    let aria_label = format!(
        "Decisions per reviewer per day from {} to {} (UTC): {approved} approved and \
         {declined} declined by {} reviewers. The same numbers are in the table below.",
        first.format("%Y-%m-%d"),
        today.format("%Y-%m-%d"),
        rows.len()
    );
    Some(DecisionChart {
        width: plot_right + TOTAL_W,
        height: plot_bottom + AXIS_H,
        plot_x,
        plot_right,
        plot_top: TOP,
        plot_bottom,
        day_y: plot_bottom + 14,
        weekday_y: plot_bottom + 28,
        total_x: plot_right + TOTAL_W / 2,
        days: days_axis,
        rows,
        slot_w: SLOT_W,
        bar_w: BAR_W,
        max,
        aria_label,
        table,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(
        user: Uuid,
        name: &str,
        day: NaiveDate,
        approved: i64,
        declined: i64,
    ) -> DailyDecisions {
        DailyDecisions {
            user_id: user,
            display_name: name.to_owned(),
            day,
            approved,
            declined,
        }
    }

    #[test]
    fn bars_stack_to_scale_and_days_outside_the_window_are_dropped() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let data = vec![
            entry(a, "Ann", today, 3, 1),
            entry(a, "Ann", today - Duration::days(13), 0, 2),
            entry(a, "Ann", today - Duration::days(14), 9, 9),
            entry(b, "Bob", today - Duration::days(1), 1, 0),
        ];
        let chart = decisions(&data, today, 14).unwrap();
        assert_eq!(chart.max, 4);
        assert_eq!(chart.rows.len(), 2);
        assert_eq!(chart.table.len(), 3);
        let ann = &chart.rows[0];
        assert_eq!(ann.total, 6);
        let tall = ann.bars.iter().find(|b| b.total == 4).unwrap();
        assert_eq!(tall.approved_h + tall.declined_h, BAR_MAX);
        assert_eq!(tall.declined_y, ann.baseline - BAR_MAX);
        let first_day = ann.bars.iter().find(|b| b.total == 2).unwrap();
        assert_eq!(first_day.x, LABEL_W + (SLOT_W - BAR_W) / 2);
        assert_eq!(first_day.approved_h, 0);
        let bob = &chart.rows[1].bars[0];
        assert!(bob.approved_h >= 1 && bob.declined_h == 0);
        assert_eq!(chart.days.len(), 14);
    }

    #[test]
    fn no_decisions_means_no_chart_and_bars_never_vanish() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        assert!(decisions(&[], today, 14).is_none());
        assert_eq!(hbar_width(0, 10), 0);
        assert_eq!(hbar_width(1, 100_000), 1);
        assert_eq!(hbar_width(10, 10), HBAR_W);
    }
}
