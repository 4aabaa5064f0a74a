//! The referral chart, in three panels:
//!
//! - joins per day, split into channel joins and joins by invitation, the
//!   latter by generation (referrals.csv);
//! - the distribution of referral-tree sizes, on log–log axes;
//! - the reproduction number per week: joins by invitation in the week
//!   divided by the mean number of members able to invite (unmuted members
//!   at the start of each of its days), averaged over runs.
//!
//! The numbers are computed by plain functions ([`joins_by_source`],
//! [`tree_sizes`], [`reproduction_by_week`]) so that they can be tested
//! without drawing.

use std::collections::BTreeMap;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::data::Results;
use super::FONT;
use super::{
    count_axis, count_labels, heading, legend, note, palette, real_axis, runs_text, stack_legend,
    tick, titled, DrawResult,
};
use crate::referral::ROOT;

/// Generations drawn separately; deeper ones are added to the last.
pub const GENERATION_BUCKETS: usize = 5;

/// Joins per day (mean across runs), by source.
#[derive(Debug, Clone, PartialEq)]
pub struct Joins {
    /// Per day: channel joins.
    pub channel: Vec<f64>,
    /// Per generation bucket (1, 2, …, [`GENERATION_BUCKETS`] and deeper),
    /// per day: joins by invitation. With no referrals.csv, one bucket with
    /// every invitation.
    pub invited: Vec<Vec<f64>>,
    /// Whether `invited` is split by generation.
    pub by_generation: bool,
}

/// Mean joins per day by source across runs.
pub fn joins_by_source(r: &Results) -> Joins {
    let runs = r.runs().max(1) as f64;
    let days = r.days() as usize;
    let channel = (0..=days)
        .map(|d| r.daily.iter().map(|run| run[d].channel_joins).sum::<f64>() / runs)
        .collect();
    let invited = match &r.referrals {
        Some(refs) => {
            let mut buckets = vec![vec![0.0; days + 1]; GENERATION_BUCKETS];
            for x in refs.iter().flatten() {
                let b = (x.generation.max(1) as usize).min(GENERATION_BUCKETS) - 1;
                if let Some(slot) = buckets[b].get_mut(x.day as usize) {
                    *slot += 1.0 / runs;
                }
            }
            buckets
        }
        None => vec![(0..=days)
            .map(|d| r.daily.iter().map(|run| run[d].referral_joins).sum::<f64>() / runs)
            .collect()],
    };
    Joins {
        channel,
        by_generation: r.referrals.is_some(),
        invited,
    }
}

/// Trees per run (mean) by tree size, every run's forest pooled; `None`
/// without referrals.csv. Roots who invited nobody count as trees of one.
pub fn tree_sizes(r: &Results) -> Option<BTreeMap<u64, f64>> {
    r.referrals.as_ref()?;
    let mut counts: BTreeMap<u64, f64> = BTreeMap::new();
    let runs = r.runs().max(1) as f64;
    for run in 0..r.runs() {
        let forest = r.forest(run).expect("referrals.csv was read");
        let sizes = forest.subtree_sizes();
        let mut roots = 0u64;
        for (v, &p) in forest.parent.iter().enumerate() {
            if p == ROOT {
                roots += 1;
                *counts.entry(sizes[v]).or_default() += 1.0 / runs;
            }
        }
        let invited = forest.len() as u64 - roots;
        let singles = r.total_joined(run).saturating_sub(invited + roots);
        if singles > 0 {
            *counts.entry(1).or_default() += singles as f64 / runs;
        }
    }
    Some(counts)
}

/// The reproduction number of each complete week w (days 7w − 6 to 7w):
/// joins by invitation in the week ÷ the mean over its days of the unmuted
/// members at the start of the day (the end of the day before), who are
/// the ones able to invite. Averaged over the runs that had such members;
/// weeks where no run had any are left out.
pub fn reproduction_by_week(r: &Results) -> Vec<(u32, f64)> {
    let weeks = r.days() / 7;
    let mut out = Vec::new();
    for w in 1..=weeks {
        let days = (7 * w - 6)..=(7 * w);
        let (mut sum, mut n) = (0.0, 0usize);
        for run in &r.daily {
            let joins: f64 = days.clone().map(|d| run[d as usize].referral_joins).sum();
            let able: f64 = days
                .clone()
                .map(|d| {
                    let before = &run[d as usize - 1];
                    before.members - before.muted
                })
                .sum::<f64>()
                / 7.0;
            if able > 0.0 {
                sum += joins / able;
                n += 1;
            }
        }
        if n > 0 {
            out.push((w, sum / n as f64));
        }
    }
    out
}

const PANEL_DESC_PX: f64 = 18.0;
const PANEL_TICK_PX: f64 = 16.0;

/// Draws the referral chart of `r` on `root`.
pub fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Results) -> DrawResult<DB> {
    let area = titled(
        root,
        &format!("{}: how people joined, {}", r.name, runs_text(r.runs())),
        "means across runs; generation n: invited by someone of generation n − 1 (generation 0 joined without invitation)",
    )?;
    let nobody_joined = r.daily.iter().flatten().all(|d| d.joined == 0.0);
    let no_referrals = r.daily.iter().flatten().all(|d| d.referral_joins == 0.0);
    let (top, bottom) = area.split_vertically(290);
    let (left, right) = bottom.split_horizontally(600);
    draw_joins(&top, r, nobody_joined)?;
    draw_tree_sizes(&left, r, nobody_joined, no_referrals)?;
    draw_reproduction(&right, r, nobody_joined, no_referrals)?;
    Ok(())
}

fn draw_joins<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    r: &Results,
    nobody_joined: bool,
) -> DrawResult<DB> {
    let area = heading(
        area,
        "Joins per day after launch, by channel or by invitation",
    )?;
    let joins = joins_by_source(r);
    let days = r.days() as usize;
    let per_day = |d: usize| joins.channel[d] + joins.invited.iter().map(|b| b[d]).sum::<f64>();
    let top = (1..=days).map(per_day).fold(0.0, f64::max);
    let y_top = count_axis(top);
    let mut chart = ChartBuilder::on(&area)
        .margin_left(16)
        .margin_right(40)
        .x_label_area_size(50)
        .y_label_area_size(84)
        .build_cartesian_2d(0.5..(days.max(1) as f64 + 0.5), 0.0..y_top)?;
    chart
        .configure_mesh()
        .x_desc("day")
        .y_desc("people joining per day")
        .axis_desc_style((FONT, PANEL_DESC_PX))
        .label_style((FONT, PANEL_TICK_PX))
        .x_label_formatter(&|x| tick(*x))
        .y_label_formatter(&|y| tick(*y))
        .y_labels(count_labels(y_top).min(6))
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(palette::GREY.mix(0.2))
        .draw()?;
    let mut base = vec![0.0; days + 1];
    let mut layers: Vec<(String, RGBColor, &Vec<f64>)> =
        vec![("channel".into(), palette::generation(0), &joins.channel)];
    for (b, series) in joins.invited.iter().enumerate() {
        let label = if !joins.by_generation {
            "by invitation (referrals.csv not written: no generations)".to_string()
        } else if b + 1 == GENERATION_BUCKETS {
            format!("invited, generation {}+", b + 1)
        } else {
            format!("invited, generation {}", b + 1)
        };
        let colour = if joins.by_generation {
            palette::generation(b as u32 + 1)
        } else {
            palette::BLUE
        };
        layers.push((label, colour, series));
    }
    let mut any = false;
    let mut shown = Vec::new();
    for (label, colour, series) in layers {
        if series.iter().skip(1).all(|&v| v <= 0.0) {
            continue;
        }
        any = true;
        let bars: Vec<Rectangle<(f64, f64)>> = (1..=days)
            .filter(|&d| series[d] > 0.0)
            .map(|d| {
                let x = d as f64;
                Rectangle::new(
                    [(x - 0.4, base[d]), (x + 0.4, base[d] + series[d])],
                    colour.filled(),
                )
            })
            .collect();
        for (b, v) in base.iter_mut().zip(series) {
            *b += v;
        }
        chart.draw_series(bars)?;
        shown.push((label, colour));
    }
    stack_legend(&mut chart, &shown)?;
    if any {
        legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    } else {
        note(
            &chart.plotting_area().strip_coord_spec(),
            if nobody_joined {
                "nobody joined in any run"
            } else {
                "nobody joined after launch day in any run"
            },
        )?;
    }
    Ok(())
}

fn draw_tree_sizes<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    r: &Results,
    nobody_joined: bool,
    no_referrals: bool,
) -> DrawResult<DB> {
    let area = heading(area, "Sizes of referral trees")?;
    let sizes = tree_sizes(r).unwrap_or_default();
    let max_size = sizes.keys().copied().max().unwrap_or(1).max(10) as f64;
    let (lo, hi) = sizes
        .values()
        .fold((f64::INFINITY, 0.0f64), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    let (lo, hi) = if hi > 0.0 {
        (lo / 2.0, hi * 2.0)
    } else {
        (0.1, 10.0)
    };
    let mut chart = ChartBuilder::on(&area)
        .margin_left(16)
        .margin_right(24)
        .x_label_area_size(50)
        .y_label_area_size(84)
        .build_cartesian_2d((0.7..max_size * 1.5).log_scale(), (lo..hi).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("tree size (people, root included)")
        .y_desc("trees per run")
        .axis_desc_style((FONT, PANEL_DESC_PX))
        .label_style((FONT, PANEL_TICK_PX))
        .x_label_formatter(&|x| tick(*x))
        .y_label_formatter(&|y| tick(*y))
        .light_line_style(TRANSPARENT)
        .bold_line_style(palette::GREY.mix(0.2))
        .draw()?;
    chart.draw_series(
        sizes
            .iter()
            .map(|(&s, &n)| Circle::new((s as f64, n), 5, palette::BLUE.filled())),
    )?;
    let message = if nobody_joined {
        Some("nobody joined in any run")
    } else if r.referrals.is_none() {
        Some("needs referrals.csv (output.referrals = true)")
    } else if no_referrals {
        Some("no referrals: every tree is one person")
    } else {
        None
    };
    if let Some(m) = message {
        // In the upper half: the one point of single-person trees may sit
        // in the middle.
        let plot = chart.plotting_area().strip_coord_spec();
        let (_, h) = plot.dim_in_pixel();
        note(&plot.split_vertically(h / 2).0, m)?;
    }
    Ok(())
}

fn draw_reproduction<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    r: &Results,
    nobody_joined: bool,
    no_referrals: bool,
) -> DrawResult<DB> {
    let area = heading(area, "Reproduction number per week")?;
    let weekly = reproduction_by_week(r);
    let weeks = (r.days() / 7).max(1) as f64;
    let top = weekly.iter().map(|&(_, v)| v).fold(0.0, f64::max);
    let mut chart = ChartBuilder::on(&area)
        .margin_left(16)
        .margin_right(40)
        .x_label_area_size(50)
        .y_label_area_size(84)
        .build_cartesian_2d(0.5..weeks + 0.5, 0.0..real_axis(top))?;
    chart
        .configure_mesh()
        .x_desc("week (week 1 = days 1–7)")
        .y_desc("R = invited joins ÷ unmuted members")
        .axis_desc_style((FONT, PANEL_DESC_PX - 2.0))
        .label_style((FONT, PANEL_TICK_PX))
        .x_label_formatter(&|x| tick(*x))
        .y_label_formatter(&|y| tick(*y))
        .x_labels((weeks as usize).clamp(2, 14))
        .light_line_style(TRANSPARENT)
        .bold_line_style(palette::GREY.mix(0.2))
        .draw()?;
    let points: Vec<(f64, f64)> = weekly.iter().map(|&(w, v)| (w as f64, v)).collect();
    chart.draw_series(LineSeries::new(
        points.iter().copied(),
        palette::VERMILLION.stroke_width(3),
    ))?;
    chart.draw_series(
        points
            .iter()
            .map(|&p| Circle::new(p, 5, palette::VERMILLION.filled())),
    )?;
    let message = if nobody_joined {
        Some("nobody joined in any run")
    } else if r.days() < 7 {
        Some("fewer than 7 days simulated")
    } else if weekly.is_empty() {
        Some("nobody was able to invite")
    } else if no_referrals {
        Some("no referrals")
    } else {
        None
    };
    if let Some(m) = message {
        note(&chart.plotting_area().strip_coord_spec(), m)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::data::{Day, Referral};

    fn day(members: f64, muted: f64, referral_joins: f64, channel_joins: f64) -> Day {
        Day {
            members,
            muted,
            referral_joins,
            channel_joins,
            joined: referral_joins + channel_joins,
            ..Day::default()
        }
    }

    fn results(daily: Vec<Vec<Day>>, referrals: Option<Vec<Vec<Referral>>>) -> Results {
        Results {
            name: "t".into(),
            run_ids: (0..daily.len() as u64).collect(),
            daily,
            causes: vec![],
            bands: BTreeMap::new(),
            referrals,
            marks: vec![],
        }
    }

    #[test]
    fn reproduction_divides_invited_joins_by_members_able_to_invite() {
        // Day 0: 10 members, 2 muted, so 8 can invite on day 1. Each day of
        // week 1 starts with 8 unmuted members; 4 invited joins in the week.
        let mut run = vec![day(10.0, 2.0, 0.0, 0.0)];
        for d in 1..=7 {
            run.push(day(10.0, 2.0, if d <= 4 { 1.0 } else { 0.0 }, 0.0));
        }
        // A second run with nobody able to invite is skipped, not counted
        // as zero.
        let empty = vec![day(0.0, 0.0, 0.0, 0.0); 8];
        let r = results(vec![run, empty], None);
        let weekly = reproduction_by_week(&r);
        assert_eq!(weekly.len(), 1);
        assert_eq!(weekly[0].0, 1);
        assert!((weekly[0].1 - 4.0 / 8.0).abs() < 1e-12, "{weekly:?}");
    }

    #[test]
    fn reproduction_leaves_out_incomplete_weeks_and_weeks_without_members() {
        let r = results(vec![vec![day(0.0, 0.0, 0.0, 0.0); 15]], None);
        assert!(reproduction_by_week(&r).is_empty());
        let r = results(vec![vec![day(5.0, 0.0, 0.0, 0.0); 6]], None);
        assert!(
            reproduction_by_week(&r).is_empty(),
            "days 1-5 are no full week"
        );
    }

    #[test]
    fn tree_sizes_count_single_roots_and_average_over_runs() {
        // Run 0: 5 joined; 1 invited 2 and 3 (a tree of 3), two others
        // invited nobody. Run 1: 2 joined, nobody invited.
        let referral = |inviter, invitee| Referral {
            day: 1,
            inviter,
            invitee,
            generation: 1,
        };
        let run0 = vec![day(3.0, 0.0, 0.0, 0.0), day(5.0, 0.0, 2.0, 0.0)];
        let run1 = vec![day(2.0, 0.0, 0.0, 0.0), day(2.0, 0.0, 0.0, 0.0)];
        let mut r = results(
            vec![run0, run1],
            Some(vec![vec![referral(1, 2), referral(1, 3)], vec![]]),
        );
        r.daily[0][0].joined = 3.0;
        r.daily[1][0].joined = 2.0;
        let sizes = tree_sizes(&r).unwrap();
        // Size 1: 2 in run 0 and 2 in run 1, over 2 runs.
        assert_eq!(sizes.get(&1), Some(&2.0));
        assert_eq!(sizes.get(&3), Some(&0.5));
        assert_eq!(sizes.len(), 2);
    }

    #[test]
    fn joins_split_by_generation_with_deep_generations_pooled() {
        let referral = |day, generation| Referral {
            day,
            inviter: 0,
            invitee: 0,
            generation,
        };
        let days = vec![
            day(1.0, 0.0, 0.0, 0.0),
            day(4.0, 0.0, 2.0, 1.0),
            day(5.0, 0.0, 1.0, 0.0),
        ];
        let r = results(
            vec![days],
            Some(vec![vec![referral(1, 1), referral(1, 9), referral(2, 5)]]),
        );
        let j = joins_by_source(&r);
        assert!(j.by_generation);
        assert_eq!(j.channel, vec![0.0, 1.0, 0.0]);
        assert_eq!(j.invited[0], vec![0.0, 1.0, 0.0]);
        assert_eq!(j.invited[GENERATION_BUCKETS - 1], vec![0.0, 1.0, 1.0]);
    }
}
