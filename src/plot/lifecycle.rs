//! The lifecycle chart: members, silent and muted members over the days in
//! the upper panel, active members in the lower panel with an axis of their
//! own (they are often a small fraction of members and would be squashed
//! against the x-axis on a shared one). Each series is the median across
//! runs with bands holding the middle 50% and 90% of runs (bands.csv).
//! Strategy days from the folder's scenario.toml (lessons, events, rewards,
//! pushes) are marked in both panels by thin vertical lines.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::data::Results;
use super::marks::Mark;
use super::{
    count_axis, count_labels, legend, line_mark, note, palette, runs_text, tick, titled, DrawResult,
};
use super::{AXIS_PX, FONT, TICK_PX};

/// A series drawn: bands.csv metric, legend label, colour.
type Series = (&'static str, &'static str, RGBColor);

/// The upper panel's series.
const MEMBERS: [Series; 3] = [
    ("members", "members (all)", palette::BLUE),
    ("silent", "silent (did not speak)", palette::GREEN),
    ("muted", "muted the group", palette::PURPLE),
];

/// The lower panel's series.
const ACTIVE: [Series; 1] = [("active", "active (spoke that day)", palette::ORANGE)];

/// The colour and legend label of a strategy day's mark.
fn mark_style(m: Mark) -> (RGBColor, &'static str) {
    match m {
        Mark::Lesson => (palette::SKY_BLUE, "lesson days"),
        Mark::Event => (palette::VERMILLION, "event days"),
        Mark::Reward => (palette::YELLOW, "reward days"),
        Mark::Push => (palette::BLACK, "sales push days"),
    }
}

/// Draws the lifecycle chart of `r` on `root`.
pub fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Results) -> DrawResult<DB> {
    let area = titled(
        root,
        &format!("{}: members over time, {}", r.name, runs_text(r.runs())),
        "lines: median across runs; dark band: middle 50% of runs; light band: middle 90% of runs",
    )?;
    let (_, h) = area.dim_in_pixel();
    let (upper, lower) = area.split_vertically(h * 58 / 100);
    panel(&upper, r, &MEMBERS, "people", true)?;
    panel(&lower, r, &ACTIVE, "active members", false)?;
    if r.daily
        .iter()
        .flatten()
        .all(|d| d.joined == 0.0 && d.members == 0.0)
    {
        note(&upper, "nobody joined in any run")?;
    } else if r
        .daily
        .iter()
        .all(|run| run.iter().skip(1).all(|d| d.members == 0.0))
    {
        note(&upper, "every run lost all its members on day 1")?;
    }
    Ok(())
}

/// One panel: the bands and medians of `series`, the strategy days, and a
/// legend (the marks' legend in the upper panel only).
fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    r: &Results,
    series: &[Series],
    y_desc: &str,
    upper: bool,
) -> DrawResult<DB> {
    let days = r.days() as f64;
    let top = series
        .iter()
        .flat_map(|(m, _, _)| r.band(m).iter().map(|b| b.p95))
        .fold(0.0, f64::max);
    let y_top = count_axis(top);
    let mut chart = ChartBuilder::on(area)
        .margin_left(16)
        .margin_right(40)
        .margin_top(if upper { 0 } else { 6 })
        .margin_bottom(if upper { 4 } else { 10 })
        .x_label_area_size(if upper { 28 } else { 56 })
        .y_label_area_size(84)
        .build_cartesian_2d(0.0..days.max(1.0), 0.0..y_top)?;
    let mut mesh = chart.configure_mesh();
    mesh.y_desc(y_desc)
        .axis_desc_style((FONT, AXIS_PX))
        .label_style((FONT, TICK_PX))
        .x_label_formatter(&|x| tick(*x))
        .y_label_formatter(&|y| tick(*y))
        .y_labels(count_labels(y_top).min(if upper { 10 } else { 5 }))
        .light_line_style(TRANSPARENT)
        .bold_line_style(palette::GREY.mix(0.2));
    if !upper {
        mesh.x_desc("day (0 = launch day)");
    }
    mesh.draw()?;
    // Strategy days first, under everything: a faint line across the panel
    // and a short solid tick at its foot.
    let mut kinds: Vec<Mark> = Vec::new();
    for &(day, m) in &r.marks {
        let (colour, _) = mark_style(m);
        let x = day as f64;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x, 0.0), (x, y_top)],
            colour.mix(0.35).stroke_width(1),
        )))?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x, 0.0), (x, y_top * 0.06)],
            colour.stroke_width(3),
        )))?;
        if !kinds.contains(&m) {
            kinds.push(m);
        }
    }
    // Bands, then lines on top, so no band hides a median line.
    for &(metric, _, colour) in series {
        let band = r.band(metric);
        let at = |d: usize| d as f64;
        for (alpha, lo, hi) in [
            (
                0.12,
                band.iter().map(|b| b.p5).collect::<Vec<_>>(),
                band.iter().map(|b| b.p95).collect::<Vec<_>>(),
            ),
            (
                0.22,
                band.iter().map(|b| b.p25).collect(),
                band.iter().map(|b| b.p75).collect(),
            ),
        ] {
            let mut outline: Vec<(f64, f64)> =
                hi.iter().enumerate().map(|(d, &y)| (at(d), y)).collect();
            outline.extend(lo.iter().enumerate().rev().map(|(d, &y)| (at(d), y)));
            if outline.len() >= 3 {
                chart.draw_series(std::iter::once(Polygon::new(
                    outline,
                    colour.mix(alpha).filled(),
                )))?;
            }
        }
    }
    for &(metric, label, colour) in series {
        let band = r.band(metric);
        chart
            .draw_series(LineSeries::new(
                band.iter().enumerate().map(|(d, b)| (d as f64, b.p50)),
                colour.stroke_width(3),
            ))?
            .label(label)
            .legend(line_mark(colour));
    }
    if upper {
        kinds.sort();
        for m in kinds {
            let (colour, label) = mark_style(m);
            // An empty series carries the legend entry.
            chart
                .draw_series(std::iter::empty::<PathElement<(f64, f64)>>())?
                .label(label)
                .legend(line_mark(colour));
        }
    }
    legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    Ok(())
}
