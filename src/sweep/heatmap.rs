//! The heatmap of a two-parameter grid sweep: one metric's mean at every
//! point, as heatmap.svg and heatmap.png.
//!
//! It answers questions such as "where is the boundary between communities
//! that sustain themselves and those that die?": put two strategy parameters
//! on the axes and `lifetime_days` or `final_active` in the cells. The PNG is
//! drawn with a font compiled into the binary (Noto Sans), so it looks the
//! same on machines without fonts; the SVG names a sans-serif font and leaves
//! drawing the text to the viewer.

use std::path::Path;

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

use super::plan::{metric_names, HeatmapSpec, Plan};
use super::store::PointMeans;
use crate::error::Result;

const WIDTH: u32 = crate::plot::SIZE.0;
const FONT: &str = crate::plot::FONT;

/// Viridis (perceptually uniform, readable in grey and by most colour-blind
/// readers), as five anchors interpolated linearly.
fn viridis(t: f64) -> RGBColor {
    const ANCHORS: [(f64, f64, f64); 5] = [
        (68.0, 1.0, 84.0),
        (59.0, 82.0, 139.0),
        (33.0, 145.0, 140.0),
        (94.0, 201.0, 98.0),
        (253.0, 231.0, 37.0),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * (ANCHORS.len() - 1) as f64;
    let i = (x.floor() as usize).min(ANCHORS.len() - 2);
    let f = x - i as f64;
    let (a, b) = (ANCHORS[i], ANCHORS[i + 1]);
    let mix = |u: f64, v: f64| (u + (v - u) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// A cell's number, short enough to fit.
fn short(v: f64) -> String {
    if !v.is_finite() {
        "n/a".into()
    } else if v.abs() >= 100.0 || v.fract() == 0.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// The grid laid out for drawing: axis labels and the metric's mean in each
/// cell, `cells[y][x]`.
struct Grid {
    x_labels: Vec<String>,
    y_labels: Vec<String>,
    cells: Vec<Vec<f64>>,
}

fn layout(plan: &Plan, spec: &HeatmapSpec, means: &[PointMeans]) -> Grid {
    let xi = plan
        .params
        .iter()
        .position(|p| p.path == spec.x)
        .expect("checked");
    let yi = plan
        .params
        .iter()
        .position(|p| p.path == spec.y)
        .expect("checked");
    let m = metric_names()
        .iter()
        .position(|n| *n == spec.metric)
        .expect("checked");
    // A grid lists each parameter's values without repeats (checked when the
    // sweep is read), so distinct values in order of appearance are the axis.
    let axis = |i: usize| -> Vec<String> {
        let mut seen: Vec<String> = Vec::new();
        for point in &plan.points {
            if !seen.contains(&point.values[i]) {
                seen.push(point.values[i].clone());
            }
        }
        seen
    };
    let (x_labels, y_labels) = (axis(xi), axis(yi));
    let mut cells = vec![vec![f64::NAN; x_labels.len()]; y_labels.len()];
    for (p, point) in plan.points.iter().enumerate() {
        let cx = x_labels
            .iter()
            .position(|v| *v == point.values[xi])
            .expect("on the axis");
        let cy = y_labels
            .iter()
            .position(|v| *v == point.values[yi])
            .expect("on the axis");
        cells[cy][cx] = means[p][m];
    }
    Grid {
        x_labels,
        y_labels,
        cells,
    }
}

/// Draws the heatmap on any plotters backend.
fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, plotters::coord::Shift>,
    grid: &Grid,
    spec: &HeatmapSpec,
    runs: u32,
) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let finite: Vec<f64> = grid
        .cells
        .iter()
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    let lo = finite.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if finite.is_empty() {
        (0.0, 1.0)
    } else if lo == hi {
        (lo - 0.5, hi + 0.5)
    } else {
        (lo, hi)
    };
    let scale = |v: f64| (v - lo) / (hi - lo);

    let (main, bar) = root.split_horizontally(WIDTH - 130);
    let nx = grid.x_labels.len() as i32;
    let ny = grid.y_labels.len() as i32;
    let mut chart = ChartBuilder::on(&main)
        .caption(
            format!(
                "{}: mean of {runs} run{} per point",
                spec.metric,
                if runs == 1 { "" } else { "s" }
            ),
            (FONT, 24),
        )
        .margin(15)
        .x_label_area_size(55)
        .y_label_area_size(80)
        // Integer ranges in plotters include their end: 0..n−1 holds n cells.
        .build_cartesian_2d((0..nx - 1).into_segmented(), (0..ny - 1).into_segmented())?;
    let label = |labels: &[String], v: &SegmentValue<i32>| match v {
        SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => {
            labels.get(*i as usize).cloned().unwrap_or_default()
        }
        SegmentValue::Last => String::new(),
    };
    let x_fmt = |v: &SegmentValue<i32>| label(&grid.x_labels, v);
    let y_fmt = |v: &SegmentValue<i32>| label(&grid.y_labels, v);
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(grid.x_labels.len())
        .y_labels(grid.y_labels.len())
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .x_desc(spec.x.as_str())
        .y_desc(spec.y.as_str())
        .label_style((FONT, 15))
        .axis_desc_style((FONT, 17))
        .draw()?;
    let corner = |i: i32, n: i32| {
        if i >= n {
            SegmentValue::Last
        } else {
            SegmentValue::Exact(i)
        }
    };
    let grey = RGBColor(200, 200, 200);
    for (y, row) in grid.cells.iter().enumerate() {
        for (x, &v) in row.iter().enumerate() {
            let (x, y) = (x as i32, y as i32);
            let colour = if v.is_finite() {
                viridis(scale(v))
            } else {
                grey
            };
            chart.draw_series(std::iter::once(Rectangle::new(
                [
                    (corner(x, nx), corner(y, ny)),
                    (corner(x + 1, nx), corner(y + 1, ny)),
                ],
                colour.filled(),
            )))?;
        }
    }
    // Numbers in the cells when they fit.
    if nx * ny <= 225 {
        for (y, row) in grid.cells.iter().enumerate() {
            for (x, &v) in row.iter().enumerate() {
                // Dark text on the light (yellow-green) end, light text on
                // the dark end.
                let light = v.is_finite() && scale(v) > 0.6;
                let colour = if light || !v.is_finite() {
                    BLACK
                } else {
                    WHITE
                };
                let style = TextStyle::from((FONT, 14).into_font()).color(&colour).pos(
                    plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Center,
                        plotters::style::text_anchor::VPos::Center,
                    ),
                );
                chart.draw_series(std::iter::once(Text::new(
                    short(v),
                    (
                        SegmentValue::CenterOf(x as i32),
                        SegmentValue::CenterOf(y as i32),
                    ),
                    style,
                )))?;
            }
        }
    }

    // The colour bar: the metric's range from bottom to top.
    let mut legend = ChartBuilder::on(&bar)
        .margin_top(50)
        .margin_bottom(70)
        .margin_right(10)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..1.0, lo..hi)?;
    legend
        .configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_labels(6)
        .label_style((FONT, 13))
        .y_desc(spec.metric.as_str())
        .axis_desc_style((FONT, 14))
        .draw()?;
    let steps = 100;
    legend.draw_series((0..steps).map(|s| {
        let a = lo + (hi - lo) * s as f64 / steps as f64;
        let b = lo + (hi - lo) * (s + 1) as f64 / steps as f64;
        Rectangle::new(
            [(0.0, a), (1.0, b)],
            viridis((s as f64 + 0.5) / steps as f64).filled(),
        )
    }))?;
    root.present()?;
    Ok(())
}

/// Writes heatmap.svg and heatmap.png into `dir`, each atomically.
pub fn write(dir: &Path, plan: &Plan, spec: &HeatmapSpec, means: &[PointMeans]) -> Result<()> {
    crate::plot::register_fonts()?;
    let grid = layout(plan, spec, means);
    // The shared chart writers draw each file under a temporary name and
    // rename it into place (and draw PNG text with the bundled font).
    crate::plot::svg(dir, "heatmap", crate::plot::SIZE, |a| {
        draw(a.clone(), &grid, spec, plan.runs)
    })?;
    crate::plot::png(dir, "heatmap", |a| draw(a.clone(), &grid, spec, plan.runs))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viridis_runs_from_purple_to_yellow() {
        assert_eq!(viridis(0.0), RGBColor(68, 1, 84));
        assert_eq!(viridis(1.0), RGBColor(253, 231, 37));
        assert_eq!(viridis(f64::NAN), viridis(0.0));
        assert_eq!(viridis(0.5), RGBColor(33, 145, 140));
    }

    #[test]
    fn short_numbers() {
        assert_eq!(short(123.456), "123");
        assert_eq!(short(12.34), "12.3");
        assert_eq!(short(0.1234), "0.12");
        assert_eq!(short(f64::NAN), "n/a");
    }
}
