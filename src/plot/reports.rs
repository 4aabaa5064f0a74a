//! Charts of `commsim compare` and `commsim explain`.
//!
//! Like every chart, they are drawn from the CSV files their command wrote
//! (compare_bands.csv, counterfactuals.csv), never from the engine's memory.
//! - `compare`: members and active members of each scenario over the days,
//!   the median across runs with a band for the middle 50% of runs.
//! - `counterfactuals`: lifetime days gained or lost by each counterfactual,
//!   with its 95% interval.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    count_axis, count_labels, heading, legend, line_mark, palette, real_axis, register_fonts, tick,
    titled, DrawResult, AXIS_PX, FONT, SIZE, TICK_PX,
};
use crate::error::{Error, Result};

/// Chart files `commsim compare` and `commsim explain` write.
pub const REPORT_CHARTS: [&str; 4] = [
    "compare.png",
    "compare.svg",
    "counterfactuals.png",
    "counterfactuals.svg",
];

/// One scenario's band of one metric over the days.
#[derive(Debug, Clone, Default)]
pub struct Series {
    pub scenario: String,
    pub metric: String,
    /// (day, p25, p50, p75)
    pub points: Vec<(u32, f64, f64, f64)>,
}

fn bad(path: &Path, line: usize, message: String) -> Error {
    Error::ResultsFile {
        path: path.to_path_buf(),
        line: Some(line as u64),
        message,
    }
}

fn read(path: &Path) -> Result<Vec<csv::StringRecord>> {
    let mut r = csv::Reader::from_path(path)
        .map_err(|e| Error::io(path, std::io::Error::other(e.to_string())))?;
    let mut out = Vec::new();
    for (i, rec) in r.records().enumerate() {
        out.push(rec.map_err(|e| bad(path, i + 2, e.to_string()))?);
    }
    Ok(out)
}

fn number(path: &Path, line: usize, rec: &csv::StringRecord, k: usize) -> Result<f64> {
    let field = rec.get(k).unwrap_or("");
    if field.is_empty() {
        return Ok(f64::NAN);
    }
    field.parse().map_err(|_| {
        bad(
            path,
            line,
            format!("column {}: {field:?} is not a number", k + 1),
        )
    })
}

/// Reads compare_bands.csv: scenario, metric, day, p25, p50, p75.
pub fn load_bands(path: &Path) -> Result<Vec<Series>> {
    let mut out: Vec<Series> = Vec::new();
    for (i, rec) in read(path)?.iter().enumerate() {
        let line = i + 2;
        let (scenario, metric) = (rec.get(0).unwrap_or(""), rec.get(1).unwrap_or(""));
        let day = number(path, line, rec, 2)? as u32;
        let p = (
            day,
            number(path, line, rec, 3)?,
            number(path, line, rec, 4)?,
            number(path, line, rec, 5)?,
        );
        match out
            .iter_mut()
            .find(|s| s.scenario == scenario && s.metric == metric)
        {
            Some(s) => s.points.push(p),
            None => out.push(Series {
                scenario: scenario.into(),
                metric: metric.into(),
                points: vec![p],
            }),
        }
    }
    Ok(out)
}

/// Draws the overlay of scenarios: members on the left, active on the right.
pub fn draw_compare<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    series: &[Series],
) -> DrawResult<DB> {
    let names: Vec<&str> = {
        let mut v: Vec<&str> = Vec::new();
        for s in series {
            if !v.contains(&s.scenario.as_str()) {
                v.push(&s.scenario);
            }
        }
        v
    };
    let area = titled(
        root,
        &format!("Comparison of {} scenarios", names.len()),
        "lines: median across runs; bands: middle 50% of runs",
    )?;
    let (left, right) = area.split_horizontally(SIZE.0 / 2);
    for (panel, metric, label) in [
        (left, "members", "members"),
        (right, "active", "active members (spoke that day)"),
    ] {
        let panel = heading(&panel, label)?;
        let chosen: Vec<&Series> = series.iter().filter(|s| s.metric == metric).collect();
        let days = chosen
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.0))
            .max()
            .unwrap_or(1)
            .max(1) as f64;
        let top = count_axis(
            chosen
                .iter()
                .flat_map(|s| s.points.iter().map(|p| p.3))
                .fold(0.0, f64::max),
        );
        let mut chart = ChartBuilder::on(&panel)
            .margin_left(10)
            .margin_right(24)
            .margin_bottom(10)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(0.0..days, 0.0..top)?;
        chart
            .configure_mesh()
            .x_desc("day")
            .y_desc("people")
            .axis_desc_style((FONT, AXIS_PX))
            .label_style((FONT, TICK_PX))
            .x_label_formatter(&|x| tick(*x))
            .y_label_formatter(&|y| tick(*y))
            .y_labels(count_labels(top))
            .light_line_style(TRANSPARENT)
            .bold_line_style(palette::GREY.mix(0.2))
            .draw()?;
        for (k, s) in chosen.iter().enumerate() {
            let colour = palette::SERIES[k % palette::SERIES.len()];
            let mut outline: Vec<(f64, f64)> = s.points.iter().map(|p| (p.0 as f64, p.3)).collect();
            outline.extend(s.points.iter().rev().map(|p| (p.0 as f64, p.1)));
            if outline.len() >= 3 {
                chart.draw_series(std::iter::once(Polygon::new(
                    outline,
                    colour.mix(0.18).filled(),
                )))?;
            }
        }
        for (k, s) in chosen.iter().enumerate() {
            let colour = palette::SERIES[k % palette::SERIES.len()];
            chart
                .draw_series(LineSeries::new(
                    s.points.iter().map(|p| (p.0 as f64, p.2)),
                    colour.stroke_width(3),
                ))?
                .label(s.scenario.clone())
                .legend(line_mark(colour));
        }
        legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    }
    Ok(())
}

/// One counterfactual: label, lifetime days gained, interval.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub mean: f64,
    pub lo: f64,
    pub hi: f64,
}

/// Reads counterfactuals.csv: change, kind, lifetime_gain, lo, hi, ...
pub fn load_bars(path: &Path) -> Result<Vec<Bar>> {
    let mut out = Vec::new();
    for (i, rec) in read(path)?.iter().enumerate() {
        out.push(Bar {
            label: rec.get(0).unwrap_or("").to_string(),
            mean: number(path, i + 2, rec, 2)?,
            lo: number(path, i + 2, rec, 3)?,
            hi: number(path, i + 2, rec, 4)?,
        });
    }
    Ok(out)
}

/// Draws the counterfactuals as horizontal bars of lifetime days gained.
pub fn draw_counterfactuals<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    name: &str,
    bars: &[Bar],
) -> DrawResult<DB> {
    let area = titled(
        root,
        &format!("{name}: what would have changed its lifetime"),
        "days of lifetime gained (right) or lost (left) with each change; whiskers: 95% interval, same random numbers",
    )?;
    let bars: Vec<&Bar> = bars
        .iter()
        .filter(|b| b.mean.is_finite())
        .take(14)
        .collect();
    let extent = real_axis(
        bars.iter()
            .flat_map(|b| [b.lo.abs(), b.hi.abs(), b.mean.abs()])
            .filter(|x| x.is_finite())
            .fold(0.0, f64::max),
    );
    let n = bars.len().max(1);
    let mut chart = ChartBuilder::on(&area)
        .margin_left(10)
        .margin_right(40)
        .margin_bottom(10)
        .x_label_area_size(50)
        .y_label_area_size(470)
        .build_cartesian_2d(-extent..extent, 0.0..n as f64)?;
    let labels: Vec<String> = bars.iter().map(|b| b.label.clone()).collect();
    chart
        .configure_mesh()
        .x_desc("days of lifetime gained")
        .axis_desc_style((FONT, AXIS_PX))
        .label_style((FONT, TICK_PX))
        .x_label_formatter(&|x| tick(*x))
        .y_labels(n * 2 + 1)
        .y_label_formatter(&|y| {
            let k = (n as f64 - *y - 0.5).round();
            let centre = n as f64 - k - 0.5;
            if (y - centre).abs() < 1e-6 && k >= 0.0 && (k as usize) < labels.len() {
                labels[k as usize].clone()
            } else {
                String::new()
            }
        })
        .light_line_style(TRANSPARENT)
        .bold_line_style(palette::GREY.mix(0.15))
        .draw()?;
    for (k, b) in bars.iter().enumerate() {
        let y = n as f64 - k as f64 - 0.5;
        let colour = if b.mean >= 0.0 {
            palette::BLUE
        } else {
            palette::VERMILLION
        };
        chart.draw_series(std::iter::once(Rectangle::new(
            [(0.0, y - 0.32), (b.mean, y + 0.32)],
            colour.mix(0.8).filled(),
        )))?;
        if b.lo.is_finite() && b.hi.is_finite() {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(b.lo, y), (b.hi, y)],
                BLACK.stroke_width(2),
            )))?;
        }
    }
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, 0.0), (0.0, n as f64)],
        BLACK.stroke_width(1),
    )))?;
    Ok(())
}

/// Draws compare.png/.svg from `dir`/compare_bands.csv.
pub fn render_compare(dir: &Path) -> Result<()> {
    register_fonts()?;
    let series = load_bands(&dir.join("compare_bands.csv"))?;
    super::png(dir, "compare", |a| draw_compare(a, &series))?;
    super::svg(dir, "compare", SIZE, |a| draw_compare(a, &series))?;
    Ok(())
}

/// Draws counterfactuals.png/.svg from `dir`/counterfactuals.csv.
pub fn render_counterfactuals(dir: &Path, name: &str) -> Result<()> {
    register_fonts()?;
    let bars = load_bars(&dir.join("counterfactuals.csv"))?;
    super::png(dir, "counterfactuals", |a| {
        draw_counterfactuals(a, name, &bars)
    })?;
    super::svg(dir, "counterfactuals", SIZE, |a| {
        draw_counterfactuals(a, name, &bars)
    })?;
    Ok(())
}
