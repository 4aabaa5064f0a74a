//! The heatmap of a two-parameter grid sweep: one metric's mean at every
//! point, as heatmap.svg and heatmap.png.
//!
//! It answers questions such as "where is the boundary between communities
//! that sustain themselves and those that die?": put two strategy parameters
//! on the axes and `lifetime_days` or `final_active` in the cells. A share
//! metric (`self_sustaining`, `alive_at_end`: true/false per run) is drawn
//! on a fixed 0–1 scale, so that heatmaps of different sweeps compare, with
//! the 50% contour: the cell edges between points where at least half of the
//! runs are true and points where fewer are. The PNG is
//! drawn with a font compiled into the binary (Noto Sans), so it looks the
//! same on machines without fonts; the SVG names a sans-serif font and leaves
//! drawing the text to the viewer.

use std::path::Path;

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

use super::plan::{is_share, HeatmapSpec, Plan};
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

/// A share as a whole percentage: "62%".
fn percent(v: f64) -> String {
    if v.is_finite() {
        format!("{:.0}%", v * 100.0)
    } else {
        "n/a".into()
    }
}

/// What a share metric's runs have in common, for the heatmap's key.
fn share_meaning(metric: &str) -> String {
    match metric {
        "self_sustaining" => format!(
            "alive on the last day, and reinvested revenue covered spending over the last {} days",
            crate::model::SUSTAIN_DAYS
        ),
        "alive_at_end" => {
            "still alive on the last day: active members at or above [lifetime] fraction of their peak".into()
        }
        _ => "true in runs.csv".into(),
    }
}

/// The level of a share metric's contour: half of the runs.
pub const SHARE_LEVEL: f64 = 0.5;

/// One straight piece of a contour, from one grid corner to another. Corner
/// (i, j) is the lower left corner of cell (i, j); cell (i, j) spans corners
/// i to i + 1 across and j to j + 1 up.
pub type Edge = ((i32, i32), (i32, i32));

/// The contour of `level` as cell-edge outlines: every edge shared by two
/// cells of which one is at or above `level` and the other below, with
/// `cells[y][x]`. Cells without a value (NaN) border nothing, so the contour
/// stops at them and at the grid's border. Edges between columns come first
/// (vertical pieces), then edges between rows (horizontal pieces), each in
/// row-major order.
///
/// Outlining cell edges rather than interpolating between cell centres
/// (marching squares) claims nothing about values between the points that
/// were run: each piece separates two points that were.
pub fn contour_edges(cells: &[Vec<f64>], level: f64) -> Vec<Edge> {
    let above = |v: f64| v >= level;
    let mut edges = Vec::new();
    for (y, row) in cells.iter().enumerate() {
        for x in 0..row.len().saturating_sub(1) {
            let (a, b) = (row[x], row[x + 1]);
            if a.is_finite() && b.is_finite() && above(a) != above(b) {
                let (x, y) = (x as i32 + 1, y as i32);
                edges.push(((x, y), (x, y + 1)));
            }
        }
    }
    for y in 0..cells.len().saturating_sub(1) {
        for (x, (&a, &b)) in cells[y].iter().zip(&cells[y + 1]).enumerate() {
            if a.is_finite() && b.is_finite() && above(a) != above(b) {
                let (x, y) = (x as i32, y as i32 + 1);
                edges.push(((x, y), (x + 1, y)));
            }
        }
    }
    edges
}

/// The colour scale's ends: 0 to 1 for a share, else the cells' range.
fn scale_range(cells: &[Vec<f64>], share: bool) -> (f64, f64) {
    if share {
        return (0.0, 1.0);
    }
    let finite: Vec<f64> = cells
        .iter()
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    let lo = finite.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if finite.is_empty() {
        (0.0, 1.0)
    } else if lo == hi {
        (lo - 0.5, hi + 0.5)
    } else {
        (lo, hi)
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
    let m = plan
        .all_metrics()
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
    let share = is_share(&spec.metric);
    let (lo, hi) = scale_range(&grid.cells, share);
    let scale = |v: f64| (v - lo) / (hi - lo);

    // A share's heatmap keeps a strip at the bottom to say what the contour is.
    let h = root.dim_in_pixel().1 as i32;
    let (root, key) = root.split_vertically(if share { h - 50 } else { h });
    let (main, bar) = root.split_horizontally(WIDTH - 130);
    let nx = grid.x_labels.len() as i32;
    let ny = grid.y_labels.len() as i32;
    let mut chart = ChartBuilder::on(&main)
        .caption(
            format!(
                "{}: {} of {runs} run{} per point",
                spec.metric,
                if share { "share" } else { "mean" },
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
                    if share { percent(v) } else { short(v) },
                    (
                        SegmentValue::CenterOf(x as i32),
                        SegmentValue::CenterOf(y as i32),
                    ),
                    style,
                )))?;
            }
        }
    }

    // The 50% contour of a share, as a white line edged in black so that
    // it shows on the dark and on the light end of the scale.
    let contour = if share {
        contour_edges(&grid.cells, SHARE_LEVEL)
    } else {
        Vec::new()
    };
    for (width, colour) in [(5, BLACK), (3, WHITE)] {
        chart.draw_series(contour.iter().map(|&((x0, y0), (x1, y1))| {
            PathElement::new(
                vec![
                    (corner(x0, nx), corner(y0, ny)),
                    (corner(x1, nx), corner(y1, ny)),
                ],
                colour.stroke_width(width),
            )
        }))?;
    }
    if share {
        let y = 12;
        for (width, colour) in [(5, BLACK), (3, WHITE)] {
            key.draw(&PathElement::new(
                vec![(95, y), (135, y)],
                colour.stroke_width(width),
            ))?;
        }
        key.draw(&Text::new(
            format!(
                "50% contour: cell edges between points where at least half of the runs are {} and points where fewer are",
                spec.metric
            ),
            (145, y - 8),
            (FONT, 15).into_font(),
        ))?;
        key.draw(&Text::new(
            format!("{}: {}", spec.metric, share_meaning(&spec.metric)),
            (145, y + 12),
            (FONT, 15).into_font(),
        ))?;
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
        .y_desc(if share {
            format!("{}: share of runs", spec.metric)
        } else {
            spec.metric.clone()
        })
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
    if share {
        for (width, colour) in [(5, BLACK), (3, WHITE)] {
            legend.draw_series(std::iter::once(PathElement::new(
                vec![(0.0, SHARE_LEVEL), (1.0, SHARE_LEVEL)],
                colour.stroke_width(width),
            )))?;
        }
    }
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
    fn contour_outlines_the_edges_between_cells_on_either_side_of_the_level() {
        let nan = f64::NAN;
        // Rows from the bottom (y = 0) up; at or above 0.5 marked *:
        //   y=1:  0.2   0.5*  0.9*
        //   y=0:  0.1   0.4   0.6*
        let cells = vec![vec![0.1, 0.4, 0.6], vec![0.2, 0.5, 0.9]];
        let edges = contour_edges(&cells, 0.5);
        assert_eq!(
            edges,
            vec![
                ((2, 0), (2, 1)), // between (1, 0) = 0.4 and (2, 0) = 0.6
                ((1, 1), (1, 2)), // between (0, 1) = 0.2 and (1, 1) = 0.5
                ((1, 1), (2, 1)), // between (1, 0) = 0.4 and (1, 1) = 0.5
            ]
        );
        // All on one side: no contour. A cell without a value borders nothing.
        assert!(contour_edges(&[vec![0.6, 0.7], vec![0.9, 1.0]], 0.5).is_empty());
        assert!(contour_edges(&[vec![0.1, nan, 0.9]], 0.5).is_empty());
        assert_eq!(
            contour_edges(&[vec![0.1, 0.9]], 0.5),
            vec![((1, 0), (1, 1))]
        );
        assert!(contour_edges(&[], 0.5).is_empty());
    }

    #[test]
    fn a_share_is_drawn_on_a_fixed_0_to_1_scale() {
        let cells = vec![vec![0.2, 0.3], vec![0.25, f64::NAN]];
        assert_eq!(scale_range(&cells, true), (0.0, 1.0));
        assert_eq!(scale_range(&cells, false), (0.2, 0.3));
        assert_eq!(scale_range(&[vec![4.0]], false), (3.5, 4.5));
        assert!(is_share("self_sustaining") && is_share("alive_at_end"));
        assert!(!is_share("lifetime_days"));
        assert_eq!(percent(0.62), "62%");
    }

    #[test]
    fn short_numbers() {
        assert_eq!(short(123.456), "123");
        assert_eq!(short(12.34), "12.3");
        assert_eq!(short(0.1234), "0.12");
        assert_eq!(short(f64::NAN), "n/a");
    }
}
