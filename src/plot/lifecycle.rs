//! The lifecycle chart: members, active, silent and muted members over the
//! days, each as the median across runs with bands holding the middle 50%
//! and 90% of runs (bands.csv).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::data::Results;
use super::{
    count_axis, count_labels, legend, line_mark, note, palette, runs_text, tick, titled, DrawResult,
};
use super::{AXIS_PX, FONT, TICK_PX};

/// The series drawn: bands.csv metric, legend label, colour.
const SERIES: [(&str, &str, RGBColor); 4] = [
    ("members", "members (all)", palette::BLUE),
    ("active", "active (spoke that day)", palette::ORANGE),
    ("silent", "silent (did not speak)", palette::GREEN),
    ("muted", "muted the group", palette::PURPLE),
];

/// Draws the lifecycle chart of `r` on `root`.
pub fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Results) -> DrawResult<DB> {
    let area = titled(
        root,
        &format!("{}: members over time, {}", r.name, runs_text(r.runs())),
        "lines: median across runs; dark band: middle 50% of runs; light band: middle 90% of runs",
    )?;
    let days = r.days() as f64;
    let top = SERIES
        .iter()
        .flat_map(|(m, _, _)| r.band(m).iter().map(|b| b.p95))
        .fold(0.0, f64::max);
    let y_top = count_axis(top);
    let mut chart = ChartBuilder::on(&area)
        .margin_left(16)
        .margin_right(40)
        .margin_bottom(10)
        .x_label_area_size(56)
        .y_label_area_size(84)
        .build_cartesian_2d(0.0..days.max(1.0), 0.0..y_top)?;
    chart
        .configure_mesh()
        .x_desc("day (0 = launch day)")
        .y_desc("people")
        .axis_desc_style((FONT, AXIS_PX))
        .label_style((FONT, TICK_PX))
        .x_label_formatter(&|x| tick(*x))
        .y_label_formatter(&|y| tick(*y))
        .y_labels(count_labels(y_top))
        .light_line_style(TRANSPARENT)
        .bold_line_style(palette::GREY.mix(0.2))
        .draw()?;
    // Bands first, lines on top, so no band hides a median line.
    for (metric, _, colour) in SERIES {
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
    for (metric, label, colour) in SERIES {
        let band = r.band(metric);
        chart
            .draw_series(LineSeries::new(
                band.iter().enumerate().map(|(d, b)| (d as f64, b.p50)),
                colour.stroke_width(3),
            ))?
            .label(label)
            .legend(line_mark(colour));
    }
    legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    if r.daily
        .iter()
        .flatten()
        .all(|d| d.joined == 0.0 && d.members == 0.0)
    {
        note(
            &chart.plotting_area().strip_coord_spec(),
            "nobody joined in any run",
        )?;
    } else if r
        .daily
        .iter()
        .all(|run| run.iter().skip(1).all(|d| d.members == 0.0))
    {
        note(
            &chart.plotting_area().strip_coord_spec(),
            "every run lost all its members on day 1",
        )?;
    }
    Ok(())
}
