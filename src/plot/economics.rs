//! The economics chart: cumulative revenue and cost over the days, and the
//! return on investment so far, (revenue − cost) ÷ cost. Each is the median
//! across runs with bands holding the middle 50% and 90% of runs, computed
//! from daily.csv's `revenue` and `cost`.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::data::Results;
use super::{
    heading, legend, line_mark, note, palette, real_axis, runs_text, tick, titled, DrawResult,
};
use super::{FONT, TICK_PX};
use crate::stats::Band;

/// Per day, the band across runs of `value(run, day)`, over the runs where
/// it is defined (not NaN); `None` on days where no run defines it.
pub fn bands_by_day(r: &Results, value: impl Fn(usize, usize) -> f64) -> Vec<Option<Band>> {
    let days = r.days() as usize;
    let mut values = Vec::with_capacity(r.runs());
    (0..=days)
        .map(|d| {
            values.clear();
            values.extend(
                (0..r.runs())
                    .map(|run| value(run, d))
                    .filter(|v| !v.is_nan()),
            );
            (!values.is_empty()).then(|| Band::of(&mut values))
        })
        .collect()
}

/// Per run, the running totals of revenue and cost up to each day.
pub fn cumulative(r: &Results) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let running = |get: fn(&super::data::Day) -> f64| -> Vec<Vec<f64>> {
        r.daily
            .iter()
            .map(|run| {
                run.iter()
                    .scan(0.0, |sum, d| {
                        *sum += get(d);
                        Some(*sum)
                    })
                    .collect()
            })
            .collect()
    };
    (running(|d| d.revenue), running(|d| d.cost))
}

type Series<'a> = (&'a str, RGBColor, &'a [Option<Band>]);

/// Draws bands then median lines of `series` on `chart`.
fn draw_banded<DB: DrawingBackend>(
    chart: &mut ChartContext<
        '_,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    series: &[Series<'_>],
) -> DrawResult<DB> {
    for &(_, colour, bands) in series {
        let pts: Vec<(f64, Band)> = bands
            .iter()
            .enumerate()
            .filter_map(|(d, b)| b.map(|b| (d as f64, b)))
            .collect();
        for (alpha, lo, hi) in [
            (
                0.12,
                (|b: &Band| b.p5) as fn(&Band) -> f64,
                (|b: &Band| b.p95) as fn(&Band) -> f64,
            ),
            (0.22, |b: &Band| b.p25, |b: &Band| b.p75),
        ] {
            let mut outline: Vec<(f64, f64)> = pts.iter().map(|(d, b)| (*d, hi(b))).collect();
            outline.extend(pts.iter().rev().map(|(d, b)| (*d, lo(b))));
            if outline.len() >= 3 {
                chart.draw_series(std::iter::once(Polygon::new(
                    outline,
                    colour.mix(alpha).filled(),
                )))?;
            }
        }
    }
    for &(label, colour, bands) in series {
        chart
            .draw_series(LineSeries::new(
                bands
                    .iter()
                    .enumerate()
                    .filter_map(|(d, b)| b.map(|b| (d as f64, b.p50))),
                colour.stroke_width(3),
            ))?
            .label(label)
            .legend(line_mark(colour));
    }
    Ok(())
}

const PANEL_DESC_PX: f64 = 18.0;

/// Draws the economics chart of `r` on `root`.
pub fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Results) -> DrawResult<DB> {
    let area = titled(
        root,
        &format!("{}: money, {}", r.name, runs_text(r.runs())),
        "lines: median across runs; dark band: middle 50% of runs; light band: middle 90% of runs",
    )?;
    let (revenue, cost) = cumulative(r);
    let rev_bands = bands_by_day(r, |run, d| revenue[run][d]);
    let cost_bands = bands_by_day(r, |run, d| cost[run][d]);
    // ROI is defined only once something has been spent.
    let roi_bands = bands_by_day(r, |run, d| {
        let c = cost[run][d];
        if c > 0.0 {
            (revenue[run][d] - c) / c
        } else {
            f64::NAN
        }
    });
    let days = r.days().max(1) as f64;
    let (left, right) = area.split_horizontally(620);

    let left = heading(&left, "Revenue and cost so far")?;
    let top = rev_bands
        .iter()
        .chain(&cost_bands)
        .flatten()
        .map(|b| b.p95)
        .fold(0.0, f64::max);
    let mut chart = ChartBuilder::on(&left)
        .margin_left(16)
        .margin_right(30)
        .margin_bottom(10)
        .x_label_area_size(56)
        .y_label_area_size(100)
        .build_cartesian_2d(0.0..days, 0.0..real_axis(top))?;
    chart
        .configure_mesh()
        .x_desc("day (0 = launch day)")
        .y_desc("money, cumulative (scenario's currency)")
        .axis_desc_style((FONT, PANEL_DESC_PX))
        .label_style((FONT, TICK_PX))
        .x_label_formatter(&|x| tick(*x))
        .y_label_formatter(&|y| tick(*y))
        .light_line_style(TRANSPARENT)
        .bold_line_style(palette::GREY.mix(0.2))
        .draw()?;
    draw_banded(
        &mut chart,
        &[
            ("revenue", palette::BLUE, &rev_bands),
            ("cost", palette::VERMILLION, &cost_bands),
        ],
    )?;
    if top > 0.0 {
        legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
    } else {
        note(
            &chart.plotting_area().strip_coord_spec(),
            "no revenue and no cost in any run",
        )?;
    }

    let right = heading(&right, "Return on investment so far")?;
    let (lo, hi) = roi_bands
        .iter()
        .flatten()
        .fold((0.0f64, 0.0f64), |(lo, hi), b| {
            (lo.min(b.p5), hi.max(b.p95))
        });
    // With no ROI at all, a plain −1 to 1 axis carries the note.
    let (lo, hi) = if hi > lo { (lo, hi) } else { (-1.0, 1.0) };
    let pad = ((hi - lo) * 0.08).max(0.1);
    let mut chart = ChartBuilder::on(&right)
        .margin_left(16)
        .margin_right(40)
        .margin_bottom(10)
        .x_label_area_size(56)
        .y_label_area_size(84)
        .build_cartesian_2d(0.0..days, (lo - pad)..(hi + pad))?;
    chart
        .configure_mesh()
        .x_desc("day (0 = launch day)")
        .y_desc("ROI = (revenue − cost) ÷ cost")
        .axis_desc_style((FONT, PANEL_DESC_PX))
        .label_style((FONT, TICK_PX))
        .x_label_formatter(&|x| tick(*x))
        .y_label_formatter(&|y| tick(*y))
        .light_line_style(TRANSPARENT)
        .bold_line_style(palette::GREY.mix(0.2))
        .draw()?;
    let any_roi = roi_bands.iter().any(Option::is_some);
    if any_roi {
        // Break-even: above this line the group has earned more than it
        // cost. It is labelled in place, at the left where ROI is still
        // low, rather than in a legend box, which would cover the bands
        // wherever it went.
        chart.draw_series(LineSeries::new(
            [(0.0, 0.0), (days, 0.0)],
            palette::GREY.stroke_width(2),
        ))?;
        draw_banded(&mut chart, &[("ROI", palette::GREEN, &roi_bands)])?;
        chart.draw_series(std::iter::once(Text::new(
            "break-even",
            (days * 0.01, 0.0),
            (FONT, TICK_PX)
                .into_font()
                .color(&palette::GREY)
                .pos(Pos::new(HPos::Left, VPos::Bottom)),
        )))?;
    }
    if !any_roi {
        note(
            &chart.plotting_area().strip_coord_spec(),
            "no cost in any run, so no ROI",
        )?;
    }
    Ok(())
}
