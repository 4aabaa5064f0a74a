//! report.html: a handout of a results folder in one self-contained file.
//!
//! The summary (or explain's story, or compare's verdicts), every SVG chart
//! of the folder inline, and the scenario text. Nothing in it points
//! outside the file: no scripts, no fonts, no links, not even the SVG
//! namespace URL (HTML does not need it for inline SVG), so it opens the
//! same from a USB stick, a mail attachment or `file://`.
//!
//! For `commsim run` it is drawn from the folder's files only (runs.csv,
//! scenario.toml and the SVG charts), so `commsim plot` redraws it byte for
//! byte like the charts.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::output::write_text;
use crate::stats::quantile_sorted;

/// What the handout tells besides its charts.
pub enum Story<'a> {
    /// A run folder: the summary table, from runs.csv.
    Run,
    /// explain.md (Markdown, shown as headings, paragraphs and tables).
    Explain(&'a str),
    /// compare's table and verdicts (plain text).
    Compare(&'a str),
}

/// The file name.
pub const REPORT: &str = "report.html";

const STYLE: &str = "body{font-family:sans-serif;max-width:64rem;margin:1rem auto;padding:0 1rem;color:#000;background:#fff;line-height:1.4;font-size:18px}\
h1{font-size:1.6rem}h2{font-size:1.3rem;border-bottom:2px solid #000;margin-top:2rem}\
table{border-collapse:collapse;margin:0.5rem 0}td,th{border:1px solid #444;padding:0.2rem 0.5rem;text-align:right}\
th:first-child,td:first-child{text-align:left}pre{background:#f4f4f4;padding:0.6rem;overflow-x:auto;font-size:14px}\
figure{margin:1rem 0}figure svg{width:100%;height:auto;border:1px solid #ccc}";

/// Escapes text for HTML, and breaks anything that looks like a URL so that
/// the handout never points at the network.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out.replace("://", ":&#47;&#47;")
}

/// An SVG file's text for inline use: no XML declaration, no namespace URL.
fn inline_svg(text: &str) -> String {
    let start = text.find("<svg").unwrap_or(0);
    text[start..]
        .replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
        .replace("://", ":&#47;&#47;")
}

/// Markdown as written by explain: `#` headings, `|` tables, paragraphs.
fn markdown(md: &str) -> String {
    let mut out = String::new();
    let mut table = false;
    for line in md.lines() {
        let l = line.trim();
        if l.starts_with('|') {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            if cells.iter().all(|c| c.chars().all(|ch| ch == '-')) {
                continue;
            }
            let tag = if table { "td" } else { "th" };
            if !table {
                out.push_str("<table>\n");
                table = true;
            }
            out.push_str("<tr>");
            for c in cells {
                let _ = write!(out, "<{tag}>{}</{tag}>", esc(c));
            }
            out.push_str("</tr>\n");
            continue;
        }
        if table {
            out.push_str("</table>\n");
            table = false;
        }
        if l.is_empty() {
            continue;
        }
        let level = l.chars().take_while(|&c| c == '#').count();
        if level > 0 {
            // The page's own title is the h1; explain's headings go below it.
            let h = (level + 1).min(6);
            let _ = writeln!(out, "<h{h}>{}</h{h}>", esc(l[level..].trim()));
        } else {
            let _ = writeln!(out, "<p>{}</p>", esc(l));
        }
    }
    if table {
        out.push_str("</table>\n");
    }
    out
}

/// The summary table of a run folder: median and 5%–95% of runs, from
/// runs.csv (the same numbers `commsim run` prints).
fn run_summary(dir: &Path) -> Result<String> {
    let path = dir.join("runs.csv");
    let mut r = csv::Reader::from_path(&path).map_err(|e| crate::output::csv_err(&path, e))?;
    let header = r
        .headers()
        .map_err(|e| crate::output::csv_err(&path, e))?
        .clone();
    let rows: Vec<csv::StringRecord> = r
        .records()
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| crate::output::csv_err(&path, e))?;
    let metrics = [
        ("peak members", "peak_members"),
        ("day of peak", "peak_day"),
        ("members at end", "final_members"),
        ("active at end", "final_active"),
        ("lifetime (days)", "lifetime_days"),
        ("referral share", "referral_share"),
    ];
    let mut out = format!(
        "<p>{} run{}. Median and the range of the middle 90% of runs.</p>\n<table>\n<tr><th>metric</th><th>median</th><th>5%</th><th>95%</th></tr>\n",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    );
    for (label, col) in metrics {
        let Some(i) = header.iter().position(|h| h == col) else {
            continue;
        };
        let mut v: Vec<f64> = rows
            .iter()
            .filter_map(|r| r.get(i).and_then(|x| x.parse().ok()))
            .collect();
        v.sort_by(|a, b| a.total_cmp(b));
        let f = |q: f64| crate::plot::tick(quantile_sorted(&v, q));
        let _ = writeln!(
            out,
            "<tr><td>{label}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            f(0.5),
            f(0.05),
            f(0.95)
        );
    }
    out.push_str("</table>\n");
    Ok(out)
}

/// Writes report.html into `dir` (a staging or results folder) from its
/// files: `title`, the story, the charts named in `charts` that exist, and
/// each scenario given as (name, TOML text); for a run folder pass none and
/// its scenario.toml is used.
pub fn write(
    dir: &Path,
    title: &str,
    story: Story,
    charts: &[&str],
    scenarios: &[(String, String)],
) -> Result<PathBuf> {
    let mut html = String::new();
    let _ = write!(
        html,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{t}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{t}</h1>\n",
        t = esc(title)
    );
    match story {
        Story::Run => {
            html.push_str("<h2>Summary</h2>\n");
            html.push_str(&run_summary(dir)?);
        }
        Story::Explain(md) => {
            html.push_str("<h2>The story</h2>\n");
            html.push_str(&markdown(md));
        }
        Story::Compare(text) => {
            html.push_str("<h2>Verdicts</h2>\n<pre>");
            html.push_str(&esc(text.trim_end()));
            html.push_str("</pre>\n");
        }
    }
    html.push_str("<h2>Charts</h2>\n");
    for name in charts {
        let path = dir.join(name);
        if !path.exists() {
            continue;
        }
        let svg = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let _ = writeln!(
            html,
            "<figure id=\"{}\">\n{}\n<figcaption>{}</figcaption>\n</figure>",
            esc(name.trim_end_matches(".svg")),
            inline_svg(&svg),
            esc(name)
        );
    }
    let mut scenarios = scenarios.to_vec();
    if scenarios.is_empty() {
        let path = dir.join("scenario.toml");
        // A damaged scenario.toml leaves the handout without its scenario,
        // as the charts do without their strategy days.
        if let Ok(text) = std::fs::read_to_string(&path) {
            scenarios.push(("scenario.toml".to_string(), text));
        }
    }
    for (name, text) in &scenarios {
        let _ = write!(
            html,
            "<h2>Scenario {}</h2>\n<p>Every field, defaults filled in: save it as a .toml file and run it with <code>commsim run</code>.</p>\n<pre>{}</pre>\n",
            esc(name),
            esc(text)
        );
    }
    let _ = write!(
        html,
        "<p>Written by commsim {}.</p>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    );
    let path = dir.join(REPORT);
    write_text(&path, &html)?;
    Ok(path)
}

/// report.html of a run folder, from its files alone (`commsim run` and
/// `commsim plot`).
pub fn write_run(dir: &Path) -> Result<PathBuf> {
    let path = dir.join("scenario.toml");
    let name = std::fs::read_to_string(&path)
        .ok()
        .and_then(|t| toml::from_str::<crate::scenario::ScenarioFile>(&t).ok())
        .map(|s| s.name)
        .unwrap_or_else(|| {
            dir.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
    write(
        dir,
        &format!("commsim run: {name}"),
        Story::Run,
        &RUN_CHARTS,
        &[],
    )
}

/// The SVG charts of a run folder, in reading order.
pub const RUN_CHARTS: [&str; 6] = [
    "lifecycle.svg",
    "churn.svg",
    "survival.svg",
    "referrals.svg",
    "tree.svg",
    "economics.svg",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_broken_and_html_escaped() {
        assert_eq!(
            esc("a<b & \"see http://x\""),
            "a&lt;b &amp; &quot;see http:&#47;&#47;x&quot;"
        );
        let svg = "<?xml version=\"1.0\"?>\n<svg width=\"1\" xmlns=\"http://www.w3.org/2000/svg\"><text>x</text></svg>";
        assert_eq!(inline_svg(svg), "<svg width=\"1\"><text>x</text></svg>");
    }

    #[test]
    fn explain_markdown_becomes_headings_paragraphs_and_tables() {
        let html = markdown("# Title\n\nSome words.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nAfter.");
        assert!(html.contains("<h2>Title</h2>"));
        assert!(html.contains("<p>Some words.</p>"));
        assert!(html.contains("<tr><th>a</th><th>b</th></tr>"));
        assert!(html.contains("<tr><td>1</td><td>2</td></tr>"));
        assert!(html.contains("</table>\n<p>After.</p>"));
    }
}
