//! The survival chart: how long members stay, by how they joined.
//!
//! Drawn from members.csv (see [`super::members`]), pooled over runs, one
//! line per source (launch, each channel, invited, gift). A member's tenure
//! is the whole days from joining to leaving; one still in at the last day
//! of daily.csv is censored there. Muting is not leaving.
//!
//! - Top panel: the Kaplan–Meier share still in the group at the end of day
//!   t after joining (day 0 = the join day), [`crate::stats::kaplan_meier`].
//! - Bottom panel: the daily hazard of leaving, the chance of leaving on day
//!   t after joining for those still in at its start. Day by day up to
//!   [`DAILY_UNTIL`], then pooled by week ([`binned_hazard`]), because later
//!   days have few members at risk and single days are noise; bins with
//!   fewer than [`MIN_AT_RISK`] member-days at risk are not drawn.
//!
//! The legend gives each source's number of members and the shape of a
//! Weibull fitted to its tenures ([`crate::stats::weibull_fit`], tenures of
//! whole days taken as days + 0.5, so that a member who left on the join
//! day stayed half a day): a shape below 1 means the hazard falls with
//! tenure.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::data::Results;
use super::members::Members;
use super::{
    heading, legend, line_mark, note, palette, real_axis, runs_text, tick, titled, DrawResult,
};
use super::{FONT, TICK_PX};
use crate::stats::{kaplan_meier, weibull_fit, SurvivalPoint};

/// The hazard is drawn day by day up to this day after joining, and by
/// week after it.
pub const DAILY_UNTIL: u32 = 14;

/// Hazard bins with fewer member-days at risk than this are not drawn.
pub const MIN_AT_RISK: u64 = 20;

/// The daily hazard over days `from..=to` after joining: events ÷
/// member-days at risk, the pooled estimate of a hazard that is constant
/// within the bin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HazardBin {
    pub from: u32,
    pub to: u32,
    /// Members leaving in the bin.
    pub events: u64,
    /// Member-days at risk in the bin (the sum of the daily numbers at risk).
    pub at_risk: u64,
    pub hazard: f64,
}

impl HazardBin {
    /// Where the bin is drawn: the middle of its days.
    pub fn x(&self) -> f64 {
        (self.from + self.to) as f64 / 2.0
    }
}

/// The hazard of `km` in single days up to [`DAILY_UNTIL`] and in weeks
/// after it (the last bin may be shorter).
pub fn binned_hazard(km: &[SurvivalPoint]) -> Vec<HazardBin> {
    let mut bins = Vec::new();
    let mut t = 0usize;
    while t < km.len() {
        let width = if (t as u32) <= DAILY_UNTIL { 1 } else { 7 };
        let days = &km[t..(t + width).min(km.len())];
        let events = days.iter().map(|p| p.events).sum();
        let at_risk = days.iter().map(|p| p.at_risk).sum();
        bins.push(HazardBin {
            from: days[0].t,
            to: days[days.len() - 1].t,
            events,
            at_risk,
            hazard: events as f64 / at_risk as f64,
        });
        t += width;
    }
    bins
}

/// One source's curves.
struct Group {
    label: String,
    colour: RGBColor,
    km: Vec<SurvivalPoint>,
    hazard: Vec<HazardBin>,
}

fn groups(r: &Results, m: &Members) -> Vec<Group> {
    let last = r.days();
    let counts = m.counts();
    m.sources
        .iter()
        .enumerate()
        .zip(palette::SERIES.iter().cycle())
        .map(|((s, name), &colour)| {
            let tenures = m.tenures(s, last);
            let km = kaplan_meier(&tenures);
            let halves: Vec<(f64, bool)> =
                tenures.iter().map(|&(t, e)| (t as f64 + 0.5, e)).collect();
            let shape = weibull_fit(&halves).map_or(String::new(), |w| {
                format!(", Weibull shape {:.2} ± {:.2}", w.shape, w.shape_se)
            });
            Group {
                label: format!("{name} (n = {}{shape})", tick(counts[s] as f64)),
                colour,
                hazard: binned_hazard(&km),
                km,
            }
        })
        .collect()
}

const PANEL_DESC_PX: f64 = 18.0;

/// Where the survival panel's legend covers no curve, if it can: the upper
/// right when every curve has fallen below the legend by the right part of
/// the panel, else the lower left when every curve is still above it in the
/// left part (survival never rises, so checking one day of each curve is
/// enough), else the upper right. `plot_h` is the plotting area's height in
/// pixels; the legend is about as wide as 40% of the panel.
fn legend_corner(groups: &[Group], days: f64, plot_h: u32) -> SeriesLabelPosition {
    // Each entry takes about 24 pixels, plus the box's margins; y runs to 1.05.
    let share = ((groups.len() as f64 * 24.0 + 40.0) / plot_h.max(1) as f64).min(1.0) * 1.05;
    let at = |g: &Group, x: f64| g.km.get(x.max(0.0) as usize).map(|p| p.survival);
    let right = (0.55 * days).floor();
    if groups
        .iter()
        .all(|g| at(g, right).is_none_or(|s| s < 1.05 - share))
    {
        return SeriesLabelPosition::UpperRight;
    }
    let left = (0.45 * days).ceil();
    let last = |g: &Group| g.km.last().map_or(1.0, |p| p.survival);
    if groups
        .iter()
        .all(|g| at(g, left).unwrap_or_else(|| last(g)) > share)
    {
        return SeriesLabelPosition::LowerLeft;
    }
    SeriesLabelPosition::UpperRight
}

/// Draws the survival chart of `r` and its members `m` on `root`.
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    r: &Results,
    m: &Members,
) -> DrawResult<DB> {
    let area = titled(
        root,
        &format!(
            "{}: how long members stay, by how they joined, {}",
            r.name,
            runs_text(r.runs())
        ),
        "pooled over runs; members still in at the last day are censored there; muting is not leaving",
    )?;
    let groups = groups(r, m);
    let days = r.days().max(1) as f64;
    let (_, h) = area.dim_in_pixel();
    let (top, bottom) = area.split_vertically(h / 2 + 20);

    let top = heading(&top, "Share still in the group (Kaplan–Meier)")?;
    let mut chart = ChartBuilder::on(&top)
        .margin_left(16)
        .margin_right(40)
        .margin_bottom(6)
        .x_label_area_size(44)
        .y_label_area_size(84)
        .build_cartesian_2d(0.0..days, 0.0..1.05)?;
    chart
        .configure_mesh()
        .x_desc("days since joining (0 = join day)")
        .y_desc("share not yet left")
        .axis_desc_style((FONT, PANEL_DESC_PX))
        .label_style((FONT, TICK_PX))
        .x_label_formatter(&|x| tick(*x))
        .y_label_formatter(&|y| tick(*y))
        .y_labels(6)
        .light_line_style(TRANSPARENT)
        .bold_line_style(palette::GREY.mix(0.2))
        .draw()?;
    for g in &groups {
        chart
            .draw_series(LineSeries::new(
                g.km.iter().map(|p| (p.t as f64, p.survival)),
                g.colour.stroke_width(3),
            ))?
            .label(g.label.clone())
            .legend(line_mark(g.colour));
    }
    if groups.is_empty() {
        note(
            &chart.plotting_area().strip_coord_spec(),
            "nobody joined in any run",
        )?;
    } else {
        let (_, plot_h) = chart.plotting_area().dim_in_pixel();
        let corner = legend_corner(&groups, days, plot_h);
        legend(&mut chart, corner)?;
    }

    let bottom = heading(
        &bottom,
        &format!("Daily hazard of leaving (day by day to day {DAILY_UNTIL}, then pooled by week)"),
    )?;
    let shown = |b: &&HazardBin| b.at_risk >= MIN_AT_RISK;
    let top_hazard = groups
        .iter()
        .flat_map(|g| g.hazard.iter().filter(shown))
        .map(|b| b.hazard)
        .fold(0.0, f64::max);
    let mut chart = ChartBuilder::on(&bottom)
        .margin_left(16)
        .margin_right(40)
        .margin_bottom(6)
        .x_label_area_size(44)
        .y_label_area_size(84)
        .build_cartesian_2d(0.0..days, 0.0..real_axis(top_hazard).min(1.05))?;
    chart
        .configure_mesh()
        .x_desc("days since joining (0 = join day)")
        .y_desc("leaving per member-day")
        .axis_desc_style((FONT, PANEL_DESC_PX))
        .label_style((FONT, TICK_PX))
        .x_label_formatter(&|x| tick(*x))
        .y_label_formatter(&|y| tick(*y))
        .y_labels(6)
        .light_line_style(TRANSPARENT)
        .bold_line_style(palette::GREY.mix(0.2))
        .draw()?;
    let mut any = false;
    for g in &groups {
        // Lines join neighbouring bins that are shown; a bin left out for
        // too few at risk breaks the line.
        for run in g.hazard.split(|b| !shown(&b)).filter(|s| !s.is_empty()) {
            any = true;
            chart.draw_series(LineSeries::new(
                run.iter().map(|b| (b.x(), b.hazard)),
                g.colour.stroke_width(2),
            ))?;
            chart.draw_series(
                run.iter()
                    .map(|b| Circle::new((b.x(), b.hazard), 3, g.colour.filled())),
            )?;
        }
    }
    if !any {
        note(
            &chart.plotting_area().strip_coord_spec(),
            if groups.is_empty() {
                "nobody joined in any run"
            } else {
                "too few members at risk to estimate a hazard"
            },
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hazard_is_daily_then_weekly_pooled_over_member_days() {
        // 100 members, one leaving per day: at risk 100, 99, …
        let tenures: Vec<(u32, bool)> = (0..100).map(|t| (t, true)).collect();
        let km = kaplan_meier(&tenures);
        let bins = binned_hazard(&km);
        assert_eq!(
            bins.len(),
            15 + 13,
            "15 single days, then 85 days in 13 bins"
        );
        assert_eq!((bins[14].from, bins[14].to), (14, 14));
        assert_eq!((bins[15].from, bins[15].to), (15, 21));
        assert_eq!(bins[15].x(), 18.0);
        assert_eq!(bins[15].events, 7);
        assert_eq!(bins[15].at_risk, (79..=85).sum::<u64>());
        assert_eq!((bins[27].from, bins[27].to), (99, 99), "last bin is short");
        assert_eq!(bins[27].hazard, 1.0);
        assert_eq!(bins[0].hazard, 0.01);
        assert!(binned_hazard(&[]).is_empty());
    }

    fn group(tenures: &[(u32, bool)]) -> Group {
        let km = kaplan_meier(tenures);
        Group {
            label: String::new(),
            colour: palette::BLUE,
            hazard: binned_hazard(&km),
            km,
        }
    }

    #[test]
    fn legend_goes_where_no_curve_is() {
        // Everyone leaves within 20 days: the upper right is clear.
        let falling: Vec<(u32, bool)> = (0..100).map(|i| (i / 5, true)).collect();
        // Nobody leaves: the lower left is clear.
        let staying: Vec<(u32, bool)> = (0..100).map(|_| (60, false)).collect();
        let corner = |data: &[&[(u32, bool)]]| {
            let groups: Vec<Group> = data.iter().map(|d| group(d)).collect();
            legend_corner(&groups, 60.0, 250)
        };
        assert_eq!(corner(&[&falling]), SeriesLabelPosition::UpperRight);
        assert_eq!(corner(&[&staying]), SeriesLabelPosition::LowerLeft);
        assert_eq!(
            corner(&[&staying, &falling]),
            SeriesLabelPosition::UpperRight,
            "no corner is clear: the default"
        );
    }
}
