//! Charts and referral metrics, end to end: every chart `commsim run` draws
//! is a valid PNG or SVG of the documented size, with its title and series
//! labels and with text actually drawn; degenerate runs still get charts,
//! with a note; `commsim plot` redraws a folder's charts byte for byte and
//! refuses folders that are not results, naming the file and line; the
//! survival chart is drawn from members.csv when the folder has one; and the
//! referral-tree columns of runs.csv agree with referrals.csv.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use tempfile::TempDir;

use crate::util::{check, column, commsim, read_csv, read_text, small_with, stdout, write, SMALL};

/// Chart files with their size in pixels.
const CHARTS: [(&str, (u32, u32)); 10] = [
    ("lifecycle.png", (1200, 700)),
    ("lifecycle.svg", (1200, 700)),
    ("churn.png", (1200, 700)),
    ("churn.svg", (1200, 700)),
    ("referrals.png", (1200, 700)),
    ("referrals.svg", (1200, 700)),
    ("tree.png", (1200, 800)),
    ("tree.svg", (1200, 800)),
    ("economics.png", (1200, 700)),
    ("economics.svg", (1200, 700)),
];

/// [`SMALL`] with nobody at launch and no channel: nobody ever joins.
fn nobody_joins() -> String {
    let text = small_with("members = 10", "members = 0");
    let channel = text.find("[[channel]]").expect("SMALL has a channel");
    text[..channel].to_string()
}

/// [`SMALL`] where every launch member leaves on day 1: no owner, no
/// invitations, no channel, and a daily leaving probability of 1.
fn everyone_leaves_on_day_1() -> String {
    let text = small_with("members = 10", "members = 10\nowner = false");
    let channel = text.find("[[channel]]").expect("SMALL has a channel");
    format!(
        "{}[invite]\nrate = 0\n\n[leave]\nbase = 1.0\nmute_share = 0\n",
        &text[..channel]
    )
}

/// Runs `scenario` into `dir/res` and returns that folder.
fn run(dir: &TempDir, scenario: &str) -> PathBuf {
    write(dir.path(), "s.toml", scenario);
    let out = commsim(&["run", "s.toml", "--out", "res", "-q"], dir.path());
    check(&out, 0, &[]);
    dir.path().join("res")
}

fn tmp() -> TempDir {
    tempfile::tempdir().expect("temporary folder")
}

fn read_bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Width and height from a PNG's signature and IHDR chunk, panicking if
/// the file is not a PNG.
fn png_size(bytes: &[u8], name: &str) -> (u32, u32) {
    assert!(bytes.len() > 24, "{name} is too short for a PNG");
    assert_eq!(
        &bytes[..8],
        b"\x89PNG\r\n\x1a\n",
        "{name}: no PNG signature"
    );
    assert_eq!(&bytes[12..16], b"IHDR", "{name}: first chunk is not IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

/// Decoded 8-bit RGB pixels of a PNG.
fn png_pixels(bytes: &[u8]) -> (u32, Vec<u8>) {
    let decoder = png::Decoder::new(bytes);
    let mut reader = decoder.read_info().expect("a valid PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("a valid PNG frame");
    assert_eq!(info.color_type, png::ColorType::Rgb, "charts are RGB");
    buf.truncate(info.buffer_size());
    (info.width, buf)
}

/// Width and height attributes of an SVG's root element, panicking if the
/// text is not an SVG document.
fn svg_size(text: &str, name: &str) -> (u32, u32) {
    let start = text
        .find("<svg")
        .unwrap_or_else(|| panic!("{name} has no <svg> element"));
    assert!(text.trim_end().ends_with("</svg>"), "{name} is not closed");
    let tag = &text[start..start + text[start..].find('>').expect("tag ends")];
    let attr = |key: &str| -> u32 {
        let at = tag
            .find(&format!(" {key}=\""))
            .unwrap_or_else(|| panic!("{name}: no {key} in {tag}"));
        let rest = &tag[at + key.len() + 3..];
        rest[..rest.find('"').expect("attribute ends")]
            .parse()
            .unwrap_or_else(|_| panic!("{name}: {key} is not a number in {tag}"))
    };
    (attr("width"), attr("height"))
}

/// Asserts that every chart of `res` exists, is valid and has its size.
fn check_charts(res: &Path) {
    for (name, size) in CHARTS {
        let path = res.join(name);
        let bytes = read_bytes(&path);
        let got = if name.ends_with(".png") {
            png_size(&bytes, name)
        } else {
            svg_size(&String::from_utf8(bytes).expect("SVG is UTF-8"), name)
        };
        assert_eq!(got, size, "{name} size");
    }
}

/// Asserts that `res/name` contains every needle.
fn svg_has(res: &Path, name: &str, needles: &[&str]) {
    let text = read_text(&res.join(name));
    for needle in needles {
        assert!(text.contains(needle), "{name} does not contain {needle:?}");
    }
}

#[test]
fn every_chart_is_a_valid_png_or_svg_of_the_documented_size() {
    let dir = tmp();
    let res = run(&dir, SMALL);
    check_charts(&res);
    let leftovers: Vec<String> = std::fs::read_dir(&res)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn svg_charts_carry_their_titles_and_series_labels() {
    let dir = tmp();
    let res = run(&dir, SMALL);
    svg_has(
        &res,
        "lifecycle.svg",
        &[
            "small: members over time, 4 runs",
            "members (all)",
            "active (spoke that day)",
            "silent (did not speak)",
            "muted the group",
            "day (0 = launch day)",
            "people",
        ],
    );
    svg_has(
        &res,
        "churn.svg",
        &[
            "small: why members left, 4 runs",
            "boredom (",
            "people leaving per day",
        ],
    );
    svg_has(
        &res,
        "referrals.svg",
        &[
            "small: how people joined, 4 runs",
            "channel",
            "invited, generation 1",
            "Sizes of referral trees",
            "trees per run",
            "Reproduction number per week",
            "R = invited joins ÷ unmuted members",
        ],
    );
    svg_has(
        &res,
        "tree.svg",
        &[
            "small: who invited whom in run 0",
            "generation:",
            "people who joined",
        ],
    );
    svg_has(
        &res,
        "economics.svg",
        &[
            "small: money, 4 runs",
            "revenue",
            "cost",
            "Return on investment so far",
        ],
    );
    // Text names the bundled font first, so that viewers with it match the
    // layout.
    svg_has(
        &res,
        "lifecycle.svg",
        &["font-family=\"Noto Sans, sans-serif\""],
    );
}

#[test]
fn png_charts_have_text_drawn_with_the_bundled_font_and_data_in_colour() {
    // commsim never reads system fonts, so dark pixels in the title band
    // show that the bundled font was registered and drawn.
    let dir = tmp();
    let res = run(&dir, SMALL);
    for name in [
        "lifecycle.png",
        "churn.png",
        "referrals.png",
        "economics.png",
    ] {
        let (width, rgb) = png_pixels(&read_bytes(&res.join(name)));
        let row = width as usize * 3;
        let title_dark = rgb[..40 * row]
            .chunks(3)
            .filter(|p| p.iter().all(|&c| c < 80))
            .count();
        assert!(
            title_dark > 200,
            "{name}: no title text ({title_dark} dark pixels)"
        );
        // Okabe–Ito blue (0, 114, 178): the first series of every chart
        // (members, boredom, generation 1, revenue) is drawn in it.
        let blue = rgb.chunks(3).filter(|p| p == &[0, 114, 178]).count();
        assert!(blue > 100, "{name}: no data drawn in blue ({blue} pixels)");
    }
}

#[test]
fn run_where_nobody_joined_gets_every_chart_with_a_note() {
    let dir = tmp();
    let res = run(&dir, &nobody_joins());
    check_charts(&res);
    let (header, rows) = read_csv(&res.join("runs.csv"));
    let joined = column(&header, "total_joined");
    assert!(rows.iter().all(|r| r[joined] == "0"), "somebody joined");
    svg_has(&res, "lifecycle.svg", &["nobody joined in any run"]);
    svg_has(&res, "churn.svg", &["nobody joined in any run"]);
    svg_has(&res, "referrals.svg", &["nobody joined in any run"]);
    svg_has(&res, "tree.svg", &["nobody joined in run 0"]);
    svg_has(
        &res,
        "economics.svg",
        &["no revenue and no cost in any run"],
    );
}

#[test]
fn run_where_everyone_left_on_day_1_gets_every_chart_with_a_note() {
    let dir = tmp();
    let res = run(&dir, &everyone_leaves_on_day_1());
    check_charts(&res);
    let (header, rows) = read_csv(&res.join("daily.csv"));
    let (day, members) = (column(&header, "day"), column(&header, "members"));
    assert!(
        rows.iter()
            .filter(|r| r[day] == "1")
            .all(|r| r[members] == "0"),
        "the scenario must empty every run on day 1"
    );
    svg_has(
        &res,
        "lifecycle.svg",
        &["every run lost all its members on day 1"],
    );
    svg_has(&res, "churn.svg", &["boredom (100%)"]);
    svg_has(
        &res,
        "referrals.svg",
        &[
            "no referrals: every tree is one person",
            "nobody joined after launch day",
        ],
    );
    svg_has(
        &res,
        "tree.svg",
        &[
            "no referrals in run 0",
            "each a single person who invited nobody",
        ],
    );
}

#[test]
fn run_without_referrals_csv_still_draws_the_referral_charts_and_says_why() {
    let dir = tmp();
    let res = run(&dir, &format!("{SMALL}\n[output]\nreferrals = false\n"));
    assert!(!res.join("referrals.csv").exists());
    check_charts(&res);
    svg_has(&res, "tree.svg", &["output.referrals = false"]);
    svg_has(
        &res,
        "referrals.svg",
        &["referrals.csv not written", "needs referrals.csv"],
    );
}

#[test]
fn plot_redraws_the_same_charts_as_the_run_byte_for_byte() {
    let dir = tmp();
    let res = run(&dir, SMALL);
    let before: HashMap<&str, Vec<u8>> = CHARTS
        .iter()
        .map(|(name, _)| (*name, read_bytes(&res.join(name))))
        .collect();
    for (name, _) in CHARTS {
        std::fs::remove_file(res.join(name)).unwrap();
    }
    let out = commsim(&["plot", "res"], dir.path());
    check(&out, 0, &[]);
    let text = stdout(&out);
    for (name, _) in CHARTS {
        assert!(text.contains(name), "stdout does not list {name}\n{text}");
        assert!(
            read_bytes(&res.join(name)) == before[name],
            "{name} differs between run and plot"
        );
    }
    // Redrawing in place over existing charts works too, with no
    // temporary files left.
    check(&commsim(&["plot", "res"], dir.path()), 0, &[]);
    let hidden = std::fs::read_dir(&res)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with('.')
        })
        .count();
    assert_eq!(hidden, 0, "temporary files left in {}", res.display());
}

#[test]
fn force_replaces_a_results_folder_that_holds_charts() {
    let dir = tmp();
    run(&dir, SMALL);
    let out = commsim(
        &["run", "s.toml", "--out", "res", "--force", "-q"],
        dir.path(),
    );
    check(&out, 0, &[]);
}

#[test]
fn plot_refuses_a_folder_that_is_not_a_results_folder() {
    let dir = tmp();
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let out = commsim(&["plot", "empty"], dir.path());
    check(&out, 2, &["daily.csv", "not a commsim results folder"]);
    let out = commsim(&["plot", "missing"], dir.path());
    check(&out, 2, &["missing", "not a folder"]);
}

#[test]
fn plot_names_the_file_and_line_of_a_malformed_csv() {
    let dir = tmp();
    let res = run(&dir, SMALL);
    let daily = read_text(&res.join("daily.csv"));
    let mut lines: Vec<String> = daily.lines().map(str::to_string).collect();
    // Line 3 (the second data row): its members value is no number.
    let mut fields: Vec<&str> = lines[2].split(',').collect();
    fields[2] = "many";
    lines[2] = fields.join(",");
    write(&res, "daily.csv", &(lines.join("\n") + "\n"));
    let out = commsim(&["plot", "res"], dir.path());
    check(&out, 2, &["daily.csv:3", "members", "many"]);

    // A row with a missing field.
    lines[2] = "0,1,5".to_string();
    write(&res, "daily.csv", &(lines.join("\n") + "\n"));
    check(
        &commsim(&["plot", "res"], dir.path()),
        2,
        &["daily.csv:3", "fields"],
    );

    // A header without a column the charts need.
    write(&res, "daily.csv", "run,day\n0,0\n");
    check(
        &commsim(&["plot", "res"], dir.path()),
        2,
        &["daily.csv:1", "members"],
    );

    // referrals.csv is checked too.
    std::fs::write(res.join("daily.csv"), daily).unwrap();
    write(
        &res,
        "referrals.csv",
        "run,day,inviter,invitee,generation\n0,1,2,x,1\n",
    );
    check(
        &commsim(&["plot", "res"], dir.path()),
        2,
        &["referrals.csv:2", "invitee"],
    );
}

/// A members.csv for a run of [`SMALL`] (runs 0 to 3, days 0 to 20): the
/// rows of docs/outputs.md's example and a few more in other runs.
const MEMBERS: &str = "\
run,person,source,join_day,mute_day,leave_day,cause,group,paid,purchases,degree,ties
0,17,launch,0,,,,0,0,0,5,3
0,203,poster,2,9,,boredom,0,0,0,2,0
0,88,invited,3,,12,unmet_need,0,1,1,4,1
0,91,gift,1,,5,boredom,0,0,0,3,0
1,17,launch,0,,20,boredom,0,0,0,5,2
1,40,poster,1,,1,boredom,0,0,0,1,0
2,5,launch,0,,,,0,0,0,2,1
3,6,invited,4,,9,boredom,0,0,0,3,1
";

/// Runs [`SMALL`] into `dir/res`, puts `members` there as members.csv and
/// redraws the charts; returns the folder.
fn run_with_members(dir: &TempDir, members: &str) -> PathBuf {
    let res = run(dir, SMALL);
    write(&res, "members.csv", members);
    check(&commsim(&["plot", "res"], dir.path()), 0, &[]);
    res
}

#[test]
fn survival_chart_is_drawn_from_members_csv_and_redrawn_byte_for_byte() {
    let dir = tmp();
    let res = run_with_members(&dir, MEMBERS);
    let png = read_bytes(&res.join("survival.png"));
    assert_eq!(png_size(&png, "survival.png"), (1200, 700));
    let (width, pixels) = png_pixels(&png);
    assert_eq!(width, 1200);
    assert!(
        pixels.chunks(3).any(|p| p == [0x00, 0x72, 0xB2]),
        "survival.png has no line in the palette's first colour"
    );
    let text = read_text(&res.join("survival.svg"));
    assert_eq!(svg_size(&text, "survival.svg"), (1200, 700));
    svg_has(
        &res,
        "survival.svg",
        &[
            "small: how long members stay, by how they joined, 4 runs",
            "Share still in the group (Kaplan–Meier)",
            "Daily hazard of leaving",
            "days since joining (0 = join day)",
            "launch (n = 3",
            "poster (n = 2",
            "invited (n = 2",
            "gift (n = 1)",
        ],
    );
    // Eight members are too few for a hazard: the panel says so.
    svg_has(&res, "survival.svg", &["too few members at risk"]);

    // `commsim plot` draws the same files again, byte for byte, and lists
    // them.
    std::fs::remove_file(res.join("survival.png")).unwrap();
    std::fs::remove_file(res.join("survival.svg")).unwrap();
    let out = commsim(&["plot", "res"], dir.path());
    check(&out, 0, &[]);
    for name in ["survival.png", "survival.svg"] {
        assert!(stdout(&out).contains(name), "{}", stdout(&out));
    }
    assert!(read_bytes(&res.join("survival.png")) == png);
    assert!(read_text(&res.join("survival.svg")) == text);

    // Without members.csv there is no survival chart, and none is left
    // from before.
    std::fs::remove_file(res.join("members.csv")).unwrap();
    let out = commsim(&["plot", "res"], dir.path());
    check(&out, 0, &[]);
    assert!(!stdout(&out).contains("survival"), "{}", stdout(&out));
    assert!(!res.join("survival.png").exists() && !res.join("survival.svg").exists());
    check_charts(&res);
}

#[test]
fn survival_chart_of_a_members_csv_without_rows_says_nobody_joined() {
    let dir = tmp();
    let header = MEMBERS.lines().next().unwrap();
    let res = run_with_members(&dir, &format!("{header}\n"));
    svg_has(&res, "survival.svg", &["nobody joined in any run"]);
}

#[test]
fn plot_names_the_file_and_line_of_a_malformed_members_csv() {
    let dir = tmp();
    let res = run(&dir, SMALL);
    let header = MEMBERS.lines().next().unwrap();
    let cases: [(&str, &[&str]); 8] = [
        (
            "0,17,launch,0,,,,0,0,0,5,3\n0,9,poster,soon,,,,0,0,0,1,0",
            &["members.csv:3", "join_day", "soon"],
        ),
        (
            "0,17,launch,0,,,,0,0,0,5",
            &["members.csv:2", "11 fields where the header has 12"],
        ),
        (
            "9,17,launch,0,,,,0,0,0,5,3",
            &["members.csv:2", "run 9 is not in daily.csv"],
        ),
        (
            "0,17,launch,5,,3,boredom,0,0,0,5,3",
            &["members.csv:2", "leave_day", "before the join day"],
        ),
        (
            "0,17,launch,0,,21,boredom,0,0,0,5,3",
            &[
                "members.csv:2",
                "leave_day",
                "after daily.csv's last day, 20",
            ],
        ),
        (
            "0,17,launch,0,,,,0,yes,0,5,3",
            &["members.csv:2", "paid", "not 0 or 1"],
        ),
        (
            "0,17,,0,,,,0,0,0,5,3",
            &["members.csv:2", "source", "empty"],
        ),
        (
            "0,17,launch,0,x,,,0,0,0,5,3",
            &["members.csv:2", "mute_day", "`x`"],
        ),
    ];
    for (rows, needles) in cases {
        write(&res, "members.csv", &format!("{header}\n{rows}\n"));
        check(&commsim(&["plot", "res"], dir.path()), 2, needles);
    }
    // A header without a column the chart reads.
    write(
        &res,
        "members.csv",
        "run,person,source,join_day\n0,1,launch,0\n",
    );
    check(
        &commsim(&["plot", "res"], dir.path()),
        2,
        &["members.csv:1", "no column `mute_day`"],
    );
}

#[test]
fn runs_csv_referral_tree_columns_agree_with_referrals_csv() {
    let dir = tmp();
    let res = run(&dir, SMALL);
    let (h, runs) = read_csv(&res.join("runs.csv"));
    let (rh, refs) = read_csv(&res.join("referrals.csv"));
    let (r_run, r_inv, r_to, r_gen) = (
        column(&rh, "run"),
        column(&rh, "inviter"),
        column(&rh, "invitee"),
        column(&rh, "generation"),
    );
    let mut any_tree_over_one = false;
    for row in &runs {
        let run = &row[column(&h, "run")];
        let mine: Vec<&Vec<String>> = refs.iter().filter(|r| &r[r_run] == run).collect();
        let joined: u64 = row[column(&h, "total_joined")].parse().unwrap();
        let trees: u64 = row[column(&h, "referral_trees")].parse().unwrap();
        assert_eq!(trees, joined - mine.len() as u64, "run {run}: trees");
        let deepest: u32 = row[column(&h, "deepest_generation")].parse().unwrap();
        let max_gen = mine.iter().map(|r| r[r_gen].parse::<u32>().unwrap()).max();
        assert_eq!(
            deepest,
            max_gen.unwrap_or(0),
            "run {run}: deepest generation"
        );
        // Tree sizes by following each invitee up to its root.
        let parent: HashMap<&str, &str> = mine
            .iter()
            .map(|r| (r[r_to].as_str(), r[r_inv].as_str()))
            .collect();
        let mut size: HashMap<&str, u64> = HashMap::new();
        for r in &mine {
            let mut v = r[r_to].as_str();
            while let Some(&p) = parent.get(v) {
                v = p;
            }
            *size.entry(v).or_insert(1) += 1;
        }
        let largest = size
            .values()
            .copied()
            .max()
            .unwrap_or(u64::from(joined > 0));
        assert_eq!(
            row[column(&h, "largest_tree")],
            largest.to_string(),
            "run {run}: largest tree"
        );
        let virality = &row[column(&h, "structural_virality")];
        if largest >= 2 {
            any_tree_over_one = true;
            let v: f64 = virality.parse().unwrap();
            // A tree of n nodes has virality between the star's 2(n−1)/n
            // and the chain's (n+1)/3.
            let n = largest as f64;
            assert!(
                v >= 2.0 * (n - 1.0) / n - 1e-6 && v <= (n + 1.0) / 3.0 + 1e-6,
                "run {run}: virality {v} outside the star–chain range for {n} nodes"
            );
        } else {
            assert!(
                virality.is_empty(),
                "run {run}: virality of a single person"
            );
        }
    }
    assert!(any_tree_over_one, "the small scenario must have referrals");
}

#[test]
fn no_crate_turns_on_plotters_ttf_feature_which_needs_system_fonts() {
    // plotters' `ttf` feature pulls in font-kit, which loads the system's
    // fonts; a lock file without font-kit shows that nothing enabled it.
    let lock = read_text(&Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.lock"));
    assert!(
        !lock.contains("name = \"font-kit\""),
        "Cargo.lock contains font-kit: something enables plotters' ttf feature"
    );
    let manifest = read_text(&Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"));
    let plotters = manifest
        .lines()
        .find(|l| l.starts_with("plotters = "))
        .expect("plotters is a dependency");
    assert!(plotters.contains("default-features = false"), "{plotters}");
}

#[test]
fn lifecycle_shows_active_members_on_their_own_panel_and_marks_strategy_days() {
    let dir = tmp();
    let text = format!(
        "{SMALL}\n[content]\nschedule = {{ start = 2, every = 5 }}\n\n[[event]]\nschedule = {{ days = [6] }}\n"
    );
    let res = run(&dir, &text);
    svg_has(
        &res,
        "lifecycle.svg",
        &["active members", "people", "lesson days", "event days"],
    );
    let svg = read_text(&res.join("lifecycle.svg"));
    // Two panels, each with its own y axis label.
    assert_eq!(svg.matches(">\npeople\n<").count(), 1, "one members panel");
    assert_eq!(
        svg.matches(">\nactive members\n<").count(),
        1,
        "one active panel"
    );
    // The marks come from the folder's scenario.toml alone: without it the
    // chart has none, and `commsim plot` with it restores them byte for byte.
    let scenario = std::fs::read(res.join("scenario.toml")).unwrap();
    std::fs::remove_file(res.join("scenario.toml")).unwrap();
    check(&commsim(&["plot", "res"], dir.path()), 0, &[]);
    let without = read_text(&res.join("lifecycle.svg"));
    assert!(!without.contains("lesson days"));
    std::fs::write(res.join("scenario.toml"), scenario).unwrap();
    check(&commsim(&["plot", "res"], dir.path()), 0, &[]);
    assert_eq!(read_text(&res.join("lifecycle.svg")), svg);
    // A scenario without lessons or events marks nothing.
    let dir = tmp();
    let res = run(&dir, &format!("{SMALL}\n[content]\nenabled = false\n"));
    let svg = read_text(&res.join("lifecycle.svg"));
    assert!(!svg.contains("lesson days") && !svg.contains("event days"));
}
