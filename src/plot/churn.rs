//! The churn chart: people leaving per day, stacked by cause.
//!
//! Bars show the mean across runs, since means of the causes add up to the
//! mean of all leavers (medians would not). Causes come from daily.csv's
//! `left_<cause>` columns; causes nobody left for are left out of the
//! legend.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::data::Results;
use super::{
    count_axis, count_labels, legend, note, palette, runs_text, stack_legend, tick, titled,
    DrawResult,
};
use super::{AXIS_PX, FONT, TICK_PX};

/// Draws the churn chart of `r` on `root`.
pub fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Results) -> DrawResult<DB> {
    let runs = r.runs().max(1) as f64;
    let days = r.days() as usize;
    // mean[c][d]: mean leavers for cause c on day d.
    let mean: Vec<Vec<f64>> = (0..r.causes.len())
        .map(|c| {
            (0..=days)
                .map(|d| {
                    r.daily
                        .iter()
                        .map(|run| run[d].left_by_cause[c])
                        .sum::<f64>()
                        / runs
                })
                .collect()
        })
        .collect();
    let totals: Vec<f64> = mean.iter().map(|m| m.iter().sum()).collect();
    let all: f64 = totals.iter().sum();
    let area = titled(
        root,
        &format!("{}: why members left, {}", r.name, runs_text(r.runs())),
        "bars: people leaving each day, mean across runs, split by cause (share of all leavers in brackets); muting is not leaving",
    )?;
    let top = (0..=days)
        .map(|d| mean.iter().map(|m| m[d]).sum::<f64>())
        .fold(0.0, f64::max);
    let y_top = count_axis(top);
    let mut chart = ChartBuilder::on(&area)
        .margin_left(16)
        .margin_right(40)
        .margin_bottom(10)
        .x_label_area_size(56)
        .y_label_area_size(84)
        .build_cartesian_2d(-0.5..(days.max(1) as f64 + 0.5), 0.0..y_top)?;
    chart
        .configure_mesh()
        .x_desc("day (0 = launch day)")
        .y_desc("people leaving per day (mean across runs)")
        .axis_desc_style((FONT, AXIS_PX))
        .label_style((FONT, TICK_PX))
        .x_label_formatter(&|x| tick(*x))
        .y_label_formatter(&|y| tick(*y))
        .y_labels(count_labels(y_top))
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(palette::GREY.mix(0.2))
        .draw()?;
    let mut base = vec![0.0; days + 1];
    let mut layers = Vec::new();
    // A cause keeps its colour whether or not earlier causes occur.
    let mut colours = palette::SERIES.iter().cycle();
    for (c, cause) in r.causes.iter().enumerate() {
        let colour = *colours.next().expect("cycle never ends");
        if totals[c] <= 0.0 {
            continue;
        }
        let bars: Vec<Rectangle<(f64, f64)>> = (0..=days)
            .filter(|&d| mean[c][d] > 0.0)
            .map(|d| {
                let x = d as f64;
                Rectangle::new(
                    [(x - 0.4, base[d]), (x + 0.4, base[d] + mean[c][d])],
                    colour.filled(),
                )
            })
            .collect();
        for (b, m) in base.iter_mut().zip(&mean[c]) {
            *b += m;
        }
        chart.draw_series(bars)?;
        layers.push((
            format!(
                "{} ({:.0}%)",
                cause.replace('_', " "),
                100.0 * totals[c] / all
            ),
            colour,
        ));
    }
    stack_legend(&mut chart, &layers)?;
    if all > 0.0 {
        legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    } else {
        let nobody_joined = r.daily.iter().flatten().all(|d| d.joined == 0.0);
        note(
            &chart.plotting_area().strip_coord_spec(),
            if nobody_joined {
                "nobody joined in any run"
            } else {
                "nobody left in any run"
            },
        )?;
    }
    Ok(())
}
