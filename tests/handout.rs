//! report.html, the handout of `commsim run`, `compare` and `explain`: one
//! self-contained file with the summary or story, the charts inline as SVG
//! and the scenario, and no reference to the network.

use std::path::Path;

use crate::util::{arg, commsim, read_text, write, SMALL};

/// Runs `args` in `dir` and returns the report.html of `out`.
fn report(dir: &Path, args: &[&str], out: &str) -> String {
    let o = commsim(args, dir);
    assert!(o.status.success(), "{}", crate::util::describe(&o));
    read_text(&dir.join(out).join("report.html"))
}

/// What every handout must satisfy.
pub fn check_self_contained(html: &str) {
    assert!(html.starts_with("<!doctype html>"));
    for bad in [
        "http://", "https://", "<script", "<link", "@import", "url(", "src=",
    ] {
        assert!(!html.contains(bad), "report.html contains {bad:?}");
    }
}

#[test]
fn run_writes_a_self_contained_report_that_plot_redraws() {
    let d = tempfile::tempdir().unwrap();
    let s = write(d.path(), "small.toml", SMALL);
    let html = report(d.path(), &["run", arg(&s), "--out", "r", "-q"], "r");
    check_self_contained(&html);
    assert!(html.contains("<h1>commsim run: small</h1>"));
    assert!(html.contains("<td>peak members</td>"));
    // Every SVG chart of the folder is inline.
    for chart in [
        "lifecycle",
        "churn",
        "survival",
        "referrals",
        "tree",
        "economics",
    ] {
        assert!(
            html.contains(&format!("<figure id=\"{chart}\">\n<svg")),
            "{chart}"
        );
    }
    assert_eq!(html.matches("<svg").count(), 6);
    // The scenario, as written in the folder.
    assert!(html.contains("name = &quot;small&quot;"));
    // `commsim plot` draws it again from the folder's files, byte for byte.
    std::fs::remove_file(d.path().join("r/report.html")).unwrap();
    let o = commsim(&["plot", "r"], d.path());
    assert!(o.status.success(), "{}", crate::util::describe(&o));
    assert!(crate::util::stdout(&o).contains("report.html"));
    assert_eq!(read_text(&d.path().join("r/report.html")), html);
}

#[test]
fn explain_and_compare_write_their_story_and_verdicts() {
    let d = tempfile::tempdir().unwrap();
    let a = write(d.path(), "a.toml", SMALL);
    let b = write(
        d.path(),
        "b.toml",
        &SMALL
            .replace("name = \"small\"", "name = \"other\"")
            .replace("daily = 5", "daily = 9"),
    );
    let html = report(
        d.path(),
        &["explain", arg(&a), "--runs", "4", "--out", "e", "-q"],
        "e",
    );
    check_self_contained(&html);
    assert!(html.contains("<h2>The story</h2>"));
    assert!(
        html.contains("honeymoon") || html.contains("doubt"),
        "the narrative"
    );
    assert!(html.contains("<figure id=\"counterfactuals\">"));
    assert!(html.contains("<h2>Scenario small</h2>"));
    let html = report(
        d.path(),
        &[
            "compare",
            arg(&a),
            arg(&b),
            "--runs",
            "4",
            "--out",
            "c",
            "-q",
        ],
        "c",
    );
    check_self_contained(&html);
    assert!(html.contains("<h2>Verdicts</h2>"));
    assert!(html.contains("diff vs small"));
    assert!(html.contains("<figure id=\"compare\">"));
    assert!(html.contains("<h2>Scenario other</h2>"));
}
