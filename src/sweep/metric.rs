//! Sweep metrics: runs.csv columns (`lifetime_days`) and daily.csv columns
//! on a given day (`active@30`, written `column@day`).
//!
//! A daily metric's per-run value is taken while the point's runs are in
//! memory and kept as a column of the point file (and so of results.csv),
//! so that the days themselves need not be kept. Only the daily metrics a
//! sweep names (in `metrics` or `[heatmap]`) are kept; docs/sweep.md
//! describes them.

use crate::model::DayRow;
use crate::output;

/// A daily.csv column on one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyMetric {
    /// The metric as written: `active@30`.
    pub name: String,
    pub column: String,
    pub day: u32,
}

impl DailyMetric {
    /// The run's cell on the metric's day, as daily.csv writes it; empty if
    /// the run has no such day.
    pub fn cell(&self, days: &[DayRow]) -> String {
        let row = days
            .get(self.day as usize)
            .filter(|r| r.day == self.day)
            .or_else(|| days.iter().find(|r| r.day == self.day));
        row.and_then(|r| output::daily_cell(r, &self.column))
            .unwrap_or_default()
    }
}

/// Reads `column@day`: None if `name` has no `@` (a runs.csv metric, or an
/// unknown one); otherwise the metric, or why it is not one. `days` is the
/// fewest days any point runs: day 0 to `days` exist in every run.
pub fn parse_daily(name: &str, days: u32) -> Option<std::result::Result<DailyMetric, String>> {
    let (column, day) = name.split_once('@')?;
    let columns = output::daily_metric_columns();
    let list = columns.join(", ");
    Some((|| {
        if column.is_empty() || day.is_empty() || day.contains('@') {
            return Err(format!(
                "metric `{name}` is malformed: a daily metric is written column@day, e.g. active@30, where the column is one of {list}"
            ));
        }
        if !columns.iter().any(|c| c == column) {
            return Err(format!(
                "metric `{name}`: daily.csv has no column `{column}`; the daily columns are {list}"
            ));
        }
        let Ok(d) = day.parse::<u32>() else {
            return Err(format!(
                "metric `{name}`: the day `{day}` is not a whole number from 0 to {days}; write column@day, e.g. {column}@{}",
                days.min(30)
            ));
        };
        if d > days {
            return Err(format!(
                "metric `{name}`: day {d} is beyond the scenario's last day: the runs have days 0 to {days} (`days` = {days})"
            ));
        }
        Ok(DailyMetric {
            name: name.to_string(),
            column: column.to_string(),
            day: d,
        })
    })())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn daily_metrics_parse_and_bad_ones_say_what_is_allowed() {
        let m = parse_daily("active@30", 60).unwrap().unwrap();
        assert_eq!((m.column.as_str(), m.day), ("active", 30));
        assert_eq!(parse_daily("funds@60", 60).unwrap().unwrap().day, 60);
        assert!(parse_daily("lifetime_days", 60).is_none());
        for (bad, says) in [
            ("active@61", "beyond"),
            ("activ@3", "no column `activ`"),
            ("run@3", "no column `run`"),
            ("day@3", "no column `day`"),
            ("active@", "malformed"),
            ("@3", "malformed"),
            ("active@3@4", "malformed"),
            ("active@-1", "not a whole number"),
            ("active@x", "not a whole number"),
        ] {
            let e = parse_daily(bad, 60).unwrap().unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
            assert!(e.contains(bad), "{bad}: {e}");
        }
        let e = parse_daily("activ@3", 60).unwrap().unwrap_err();
        assert!(e.contains("members, active"), "{e}");
    }

    #[test]
    fn a_cell_is_the_days_value_or_empty() {
        let days: Vec<DayRow> = (0..5)
            .map(|d| DayRow {
                day: d,
                active: 10 * d,
                ..DayRow::default()
            })
            .collect();
        let m = parse_daily("active@3", 4).unwrap().unwrap();
        assert_eq!(m.cell(&days), "30");
        assert_eq!(m.cell(&days[..2]), "");
    }
}
