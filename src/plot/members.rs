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

/// One row of members.csv.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// Index of the run in [`Results::run_ids`].
    pub run: usize,
    pub person: u64,
    /// Index into [`Members::sources`].
    pub source: usize,
    pub join_day: u32,
    pub mute_day: Option<u32>,
    pub leave_day: Option<u32>,
    /// Why they muted or left; `None` while still in and not muted.
    pub cause: Option<String>,
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
    /// The rows, in the file's order.
    pub rows: Vec<Member>,
}

impl Members {
    /// Tenure of every member of `source`, pooled over runs, as (whole days
    /// since joining, whether they left): a member who left on day l after
    /// joining on day j has (l − j, true); one still in at the last day `d`
    /// is censored at (d − j, false). Muting is not leaving.
    pub fn tenures(&self, source: usize, last_day: u32) -> Vec<(u32, bool)> {
        self.rows
            .iter()
            .filter(|m| m.source == source)
            .map(|m| match m.leave_day {
                Some(l) => (l - m.join_day, true),
                None => (last_day - m.join_day, false),
            })
            .collect()
    }

    /// Number of rows of each source, in the order of [`Members::sources`].
    pub fn counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.sources.len()];
        for m in &self.rows {
            counts[m.source] += 1;
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
            rows.push(self.row(&record, line, &runs, last_day, &mut names)?);
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
            position[i] = p;
        }
        for m in &mut rows {
            m.source = position[m.source];
        }
        let sources = order.into_iter().map(|i| names[i].clone()).collect();
        Ok(Members { sources, rows })
    }

    /// One row; `names` collects the sources in the order they occur.
    fn row(
        &self,
        rec: &csv::StringRecord,
        line: u64,
        runs: &BTreeMap<u64, usize>,
        last_day: u32,
        names: &mut Vec<String>,
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
        let source = match names.iter().position(|n| n == source_name) {
            Some(i) => i,
            None => {
                names.push(source_name.to_string());
                names.len() - 1
            }
        };
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
            .map(str::to_string);
        Ok(Member {
            run,
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
