//! Reading members.csv back for the survival chart.
//!
//! members.csv has one row per person who ever joined, per run (columns in
//! docs/outputs.md). A scenario may switch it off (`[output] members =
//! false`), so [`load`] returns `None` when the file is absent and the
//! survival chart is then not drawn. Like the other files of a results
//! folder, every problem becomes an [`Error::ResultsFile`] naming the file
//! and line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::data::Results;
use crate::error::{Error, Result};

/// The file's name in a results folder.
pub const FILE: &str = "members.csv";

/// Columns [`load`] reads (others are ignored, so columns may be added).
pub const COLUMNS: [&str; 12] = [
    "run",
    "person",
    "source",
    "join_day",
    "mute_day",
    "leave_day",
    "cause",
    "group",
    "paid",
    "purchases",
    "degree",
    "ties",
];

/// The `source` of the members who were there at launch.
pub const LAUNCH: &str = "launch";
/// The `source` of the members who joined on a member's invitation.
pub const INVITED: &str = "invited";
/// The `source` of the members who joined through a giveaway.
pub const GIFT: &str = "gift";

/// One row of members.csv. Text columns are indices into [`Members`]'s
/// lists, since the file may hold millions of rows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Member {
    /// Index of the run in [`Results::run_ids`].
    pub run: u32,
    pub person: u64,
    /// Index into [`Members::sources`].
    pub source: u32,
    pub join_day: u32,
    pub mute_day: Option<u32>,
    pub leave_day: Option<u32>,
    /// Why they muted or left, as an index into [`Members::causes`];
    /// `None` while still in and not muted.
    pub cause: Option<u32>,
    pub group: u32,
    pub paid: bool,
    pub purchases: u64,
    pub degree: u64,
    pub ties: u64,
}

/// members.csv of a results folder.
#[derive(Debug, Clone, PartialEq)]
pub struct Members {
    /// The sources that occur, in a fixed order: `launch`, then the
    /// channels in the order they first occur in the file, then `invited`
    /// and `gift`.
    pub sources: Vec<String>,
    /// The causes that occur, in the order they first occur.
    pub causes: Vec<String>,
    /// The rows, in the file's order.
    pub rows: Vec<Member>,
}

impl Members {
    /// Tenure of every member of `source`, pooled over runs, as (whole days
    /// since joining, whether they left): a member who left on day l after
    /// joining on day j has (l − j, true); one still in at the last day `d`
    /// is censored at (d − j, false). Muting is not leaving. ([`load`]
    /// checks that no day comes before the join day or after `last_day`.)
    pub fn tenures(&self, source: usize, last_day: u32) -> Vec<(u32, bool)> {
        self.rows
            .iter()
            .filter(|m| m.source as usize == source)
            .map(|m| match m.leave_day {
                Some(l) => (l.saturating_sub(m.join_day), true),
                None => (last_day.saturating_sub(m.join_day), false),
            })
            .collect()
    }

    /// Number of rows of each source, in the order of [`Members::sources`].
    pub fn counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.sources.len()];
        for m in &self.rows {
            counts[m.source as usize] += 1;
        }
        counts
    }
}

fn error(path: &Path, line: Option<u64>, message: impl Into<String>) -> Error {
    Error::ResultsFile {
        path: path.to_path_buf(),
        line,
        message: message.into(),
    }
}

/// Reads `dir/members.csv`, checking it against the folder's daily.csv as
/// read into `results` (every run in it, every day within its days).
/// `None` when the folder has no members.csv.
pub fn load(dir: &Path, results: &Results) -> Result<Option<Members>> {
    let path = dir.join(FILE);
    if !path.is_file() {
        return Ok(None);
    }
    Reader::open(path)?.read(results).map(Some)
}

/// members.csv being read: its path, reader and column positions.
struct Reader {
    path: PathBuf,
    csv: csv::Reader<std::fs::File>,
    header: Vec<String>,
    cols: [usize; COLUMNS.len()],
}

impl Reader {
    fn open(path: PathBuf) -> Result<Reader> {
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_path(&path)
            .map_err(|e| error(&path, None, e.to_string()))?;
        let header: Vec<String> = csv
            .headers()
            .map_err(|e| error(&path, Some(1), e.to_string()))?
            .iter()
            .map(str::to_string)
            .collect();
        let mut cols = [0; COLUMNS.len()];
        for (c, name) in cols.iter_mut().zip(COLUMNS) {
            *c = header.iter().position(|h| h == name).ok_or_else(|| {
                error(&path, Some(1), format!("the header has no column `{name}`"))
            })?;
        }
        Ok(Reader {
            path,
            csv,
            header,
            cols,
        })
    }

    fn read(mut self, results: &Results) -> Result<Members> {
        let runs: BTreeMap<u64, usize> = results
            .run_ids
            .iter()
            .enumerate()
            .map(|(i, &r)| (r, i))
            .collect();
        let last_day = results.days();
        let mut names: Vec<String> = Vec::new();
        let mut causes: Vec<String> = Vec::new();
        let mut rows = Vec::new();
        let mut record = csv::StringRecord::new();
        loop {
            let more = self.csv.read_record(&mut record).map_err(|e| {
                let line = e.position().map(|p| p.line());
                let message = match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => format!("{len} fields where the header has {expected_len}"),
                    _ => e.to_string(),
                };
                error(&self.path, line, message)
            })?;
            if !more {
                break;
            }
            let line = record.position().map_or(0, |p| p.line());
            rows.push(self.row(&record, line, &runs, last_day, &mut names, &mut causes)?);
        }
        // The fixed order of sources, then each row's index into it.
        let mut order: Vec<usize> = (0..names.len()).collect();
        let rank = |name: &str| match name {
            LAUNCH => 0,
            INVITED => 2,
            GIFT => 3,
            _ => 1,
        };
        // A stable sort keeps channels in the order they first occur.
        order.sort_by_key(|&i| rank(&names[i]));
        let mut position = vec![0; names.len()];
        for (p, &i) in order.iter().enumerate() {
            position[i] = p as u32;
        }
        for m in &mut rows {
            m.source = position[m.source as usize];
        }
        let sources = order.into_iter().map(|i| names[i].clone()).collect();
        Ok(Members {
            sources,
            causes,
            rows,
        })
    }

    /// One row; `names` and `causes` collect the sources and causes in the
    /// order they occur.
    fn row(
        &self,
        rec: &csv::StringRecord,
        line: u64,
        runs: &BTreeMap<u64, usize>,
        last_day: u32,
        names: &mut Vec<String>,
        causes: &mut Vec<String>,
    ) -> Result<Member> {
        let [run, person, source, join, mute, leave, cause, group, paid, purchases, degree, ties] =
            self.cols;
        let run_id: u64 = self.number(rec, line, run)?;
        let Some(&run) = runs.get(&run_id) else {
            return Err(self.error(line, format!("run {run_id} is not in daily.csv")));
        };
        let source_name = rec.get(source).unwrap_or("").trim();
        if source_name.is_empty() {
            return Err(self.error(line, "column `source` is empty".to_string()));
        }
        let source = intern(names, source_name);
        let join_day: u32 = self.number(rec, line, join)?;
        let mute_day = self.optional(rec, line, mute)?;
        let leave_day = self.optional(rec, line, leave)?;
        for (col, day) in [(join, Some(join_day)), (mute, mute_day), (leave, leave_day)] {
            if let Some(d) = day.filter(|&d| d > last_day) {
                return Err(self.error(
                    line,
                    format!(
                        "column `{}`: day {d} is after daily.csv's last day, {last_day}",
                        self.header[col]
                    ),
                ));
            }
        }
        for (col, day) in [(mute, mute_day), (leave, leave_day)] {
            if let Some(d) = day.filter(|&d| d < join_day) {
                return Err(self.error(
                    line,
                    format!(
                        "column `{}`: day {d} is before the join day, {join_day}",
                        self.header[col]
                    ),
                ));
            }
        }
        let paid = match rec.get(paid).unwrap_or("").trim() {
            "0" => false,
            "1" => true,
            other => {
                return Err(self.error(line, format!("column `paid`: `{other}` is not 0 or 1")))
            }
        };
        let cause = Some(rec.get(cause).unwrap_or("").trim())
            .filter(|c| !c.is_empty())
            .map(|c| intern(causes, c));
        Ok(Member {
            run: run as u32,
            person: self.number(rec, line, person)?,
            source,
            join_day,
            mute_day,
            leave_day,
            cause,
            group: self.number(rec, line, group)?,
            paid,
            purchases: self.number(rec, line, purchases)?,
            degree: self.number(rec, line, degree)?,
            ties: self.number(rec, line, ties)?,
        })
    }

    /// Field `col` as a whole number.
    fn number<T: std::str::FromStr>(
        &self,
        rec: &csv::StringRecord,
        line: u64,
        col: usize,
    ) -> Result<T> {
        let text = rec.get(col).unwrap_or("");
        text.trim().parse().map_err(|_| {
            self.error(
                line,
                format!(
                    "column `{}`: `{text}` is not a whole number",
                    self.header[col]
                ),
            )
        })
    }

    /// Field `col` as a day, or `None` when empty.
    fn optional(&self, rec: &csv::StringRecord, line: u64, col: usize) -> Result<Option<u32>> {
        if rec.get(col).unwrap_or("").trim().is_empty() {
            Ok(None)
        } else {
            self.number(rec, line, col).map(Some)
        }
    }

    fn error(&self, line: u64, message: String) -> Error {
        error(&self.path, Some(line), message)
    }
}

/// The index of `name` in `names`, added at the end if new. A linear
/// search: a file has a handful of sources and causes.
fn intern(names: &mut Vec<String>, name: &str) -> u32 {
    let i = names.iter().position(|n| n == name).unwrap_or_else(|| {
        names.push(name.to_string());
        names.len() - 1
    });
    i as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A [`Results`] of `runs` runs (ids 0, 1, …) of days 0 to `days`.
    fn results(runs: u64, days: usize) -> Results {
        Results {
            name: "test".to_string(),
            run_ids: (0..runs).collect(),
            daily: vec![vec![Default::default(); days + 1]; runs as usize],
            causes: Vec::new(),
            bands: Default::default(),
            referrals: None,
            marks: Vec::new(),
        }
    }

    fn load_text(text: &str, r: &Results) -> Result<Option<Members>> {
        let dir = tempfile::tempdir().expect("temporary folder");
        std::fs::write(dir.path().join(FILE), text).expect("write members.csv");
        load(dir.path(), r)
    }

    const HEADER: &str =
        "run,person,source,join_day,mute_day,leave_day,cause,group,paid,purchases,degree,ties";

    #[test]
    fn absent_file_is_none() {
        let dir = tempfile::tempdir().expect("temporary folder");
        assert_eq!(load(dir.path(), &results(1, 5)).unwrap(), None);
    }

    #[test]
    fn sources_are_launch_channels_in_file_order_invited_gift() {
        let text = format!(
            "{HEADER}\n\
             0,1,gift,1,,2,boredom,0,0,0,1,0\n\
             0,2,poster,1,3,,boredom,0,0,0,1,0\n\
             0,3,invited,2,,,,0,1,2,1,1\n\
             1,4,launch,0,,,,0,0,0,1,1\n\
             1,5,forum,4,,6,unmet_need,1,0,0,1,0\n"
        );
        let m = load_text(&text, &results(2, 10)).unwrap().unwrap();
        assert_eq!(
            m.sources,
            ["launch", "poster", "forum", "invited", "gift"].map(String::from)
        );
        assert_eq!(m.causes, ["boredom", "unmet_need"].map(String::from));
        assert_eq!(m.counts(), [1, 1, 1, 1, 1]);
        let poster = &m.rows[1];
        assert_eq!(
            (
                poster.source,
                poster.mute_day,
                poster.leave_day,
                poster.cause
            ),
            (1, Some(3), None, Some(0))
        );
        let invited = &m.rows[2];
        assert!(invited.paid && invited.purchases == 2 && invited.cause.is_none());
        assert_eq!(m.rows[4].run, 1);
        // Gift left after 1 day; the muted poster is still in, censored at
        // day 10 after 9 days.
        assert_eq!(m.tenures(4, 10), [(1, true)]);
        assert_eq!(m.tenures(1, 10), [(9, false)]);
    }

    #[test]
    fn errors_name_the_line_and_column() {
        let r = results(1, 10);
        let err = |row: &str| {
            load_text(&format!("{HEADER}\n{row}\n"), &r)
                .unwrap_err()
                .to_string()
        };
        let e = err("0,1,launch,0,,,,0,0,0,-1,0");
        assert!(e.contains("members.csv:2") && e.contains("`degree`"), "{e}");
        let e = err("0,1,launch,4,2,,boredom,0,0,0,1,0");
        assert!(
            e.contains("`mute_day`") && e.contains("before the join day"),
            "{e}"
        );
        let e = err("1,1,launch,0,,,,0,0,0,1,0");
        assert!(e.contains("run 1 is not in daily.csv"), "{e}");
    }
}
