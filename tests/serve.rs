//! `commsim serve`: the page and its JSON API over plain HTTP on 127.0.0.1,
//! numbers against `commsim run`, bad requests, and the binary's start and
//! clean stop on Ctrl-C. Servers run on a random free port and stop by
//! themselves (dropped, or `--quit-after`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use commsim::serve::Server;
use serde_json::Value;

use crate::util::{arg, column, commsim, read_csv, BIN};

/// One HTTP/1.1 request with `Connection: close`; returns (status, body).
pub fn http(url: &str, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
    let host = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let mut s = TcpStream::connect(&host).unwrap_or_else(|e| panic!("connect {host}: {e}"));
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let body = body.unwrap_or("");
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    // Read the header, then the body: up to Content-Length when given (some
    // servers, such as Chromium's, keep the connection open), else to EOF.
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = crate::util::read_retrying(&mut s, &mut buf);
        assert!(n > 0, "connection closed before the header ended");
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8(raw[..head_end].to_vec()).expect("UTF-8 header");
    let length = head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case("content-length")
            .then(|| v.trim().parse::<usize>().ok())?
    });
    let mut body_bytes = raw[head_end + 4..].to_vec();
    match length {
        Some(n) => {
            while body_bytes.len() < n {
                let got = crate::util::read_retrying(&mut s, &mut buf);
                assert!(got > 0, "connection closed before the body ended");
                body_bytes.extend_from_slice(&buf[..got]);
            }
        }
        None => {
            s.read_to_end(&mut body_bytes).unwrap();
        }
    }
    let rest = String::from_utf8(body_bytes).expect("UTF-8 body");
    let rest = rest.as_str();
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("a status code");
    // Bodies may be chunked: undo it.
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        let mut out = String::new();
        let mut rest = rest;
        loop {
            let (len, tail) = rest.split_once("\r\n").expect("chunk size");
            let n = usize::from_str_radix(len.trim(), 16).expect("hex chunk size");
            if n == 0 {
                break;
            }
            out.push_str(&tail[..n]);
            rest = &tail[n + 2..];
        }
        out
    } else {
        rest.to_string()
    };
    (status, body)
}

pub fn json(url: &str, path: &str, body: &str) -> (u16, Value) {
    let (code, text) = http(url, "POST", path, Some(body));
    (
        code,
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}")),
    )
}

pub fn server() -> Server {
    Server::start(Duration::from_secs(300)).expect("server starts")
}

/// `scenarios/<file>` with `path` set to `value`, as a scenario file.
pub fn scenario_with(file: &str, path: &str, value: toml::Value) -> String {
    let text = std::fs::read_to_string(Path::new("scenarios").join(file)).unwrap();
    let mut tree: toml::Value = toml::from_str(&text).unwrap();
    let mut here = &mut tree;
    let keys: Vec<&str> = path.split('.').collect();
    for k in &keys[..keys.len() - 1] {
        // A table the file leaves out (at its defaults) is written.
        here = here
            .as_table_mut()
            .unwrap()
            .entry(k.to_string())
            .or_insert_with(|| toml::Value::Table(Default::default()));
    }
    here.as_table_mut()
        .unwrap()
        .insert(keys[keys.len() - 1].to_string(), value);
    toml::to_string(&tree).unwrap()
}

/// `commsim run` of a scenario text with one run and a seed: the members
/// column of run 0 in daily.csv.
pub fn cli_members(text: &str, seed: u64) -> Vec<u32> {
    let dir = tempfile::tempdir().unwrap();
    let file = crate::util::write(dir.path(), "s.toml", text);
    let out = dir.path().join("out");
    let o = commsim(
        &[
            "run",
            arg(&file),
            "--runs",
            "1",
            "--seed",
            &seed.to_string(),
            "--out",
            arg(&out),
            "--quiet",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", crate::util::describe(&o));
    let (h, rows) = read_csv(&out.join("daily.csv"));
    let m = column(&h, "members");
    rows.iter().map(|r| r[m].parse().unwrap()).collect()
}

#[test]
fn page_and_assets_are_served_without_network_references() {
    let s = server();
    for (path, needle) in [
        ("/", "<select id=\"scenario\""),
        ("/app.js", "/api/run"),
        ("/style.css", "--active"),
    ] {
        let (code, body) = http(&s.url, "GET", path, None);
        assert_eq!(code, 200, "{path}");
        assert!(body.contains(needle), "{path} lacks {needle}");
        for bad in [
            "src=\"http",
            "href=\"http",
            "url(http",
            "@import",
            "fetch(\"http",
            "//cdn",
        ] {
            assert!(!body.contains(bad), "{path} refers to the network: {bad}");
        }
    }
}

#[test]
fn scenarios_list_every_shipped_file_with_sliders() {
    let s = server();
    let (code, body) = http(&s.url, "GET", "/api/scenarios", None);
    assert_eq!(code, 200);
    let v: Value = serde_json::from_str(&body).unwrap();
    let list = v["scenarios"].as_array().unwrap();
    let mut files: Vec<String> = std::fs::read_dir("scenarios")
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    files.sort();
    let mut served: Vec<String> = list
        .iter()
        .map(|s| s["file"].as_str().unwrap().to_string())
        .collect();
    served.sort();
    assert_eq!(served, files, "the page offers every shipped scenario");
    let default = list.iter().find(|s| s["file"] == "default.toml").unwrap();
    let sliders = default["sliders"].as_array().unwrap();
    assert!((6..=10).contains(&sliders.len()));
    let half = sliders.iter().find(|s| s["id"] == "half_life").unwrap();
    assert_eq!(half["path"], "interest.half_life");
    assert_eq!(half["value"].as_f64(), Some(2.0), "the scenario's value");
}

#[test]
fn a_run_with_a_slider_matches_commsim_run() {
    let s = server();
    let (code, v) = json(
        &s.url,
        "/api/run",
        r#"{"scenario": "default.toml", "seed": 3, "values": {"half_life": 8}}"#,
    );
    assert_eq!(code, 200, "{v}");
    let page: Vec<u32> = v["rows"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as u32)
        .collect();
    let cli = cli_members(
        &scenario_with(
            "default.toml",
            "interest.half_life",
            toml::Value::Float(8.0),
        ),
        3,
    );
    assert_eq!(page, cli);
    assert_eq!(v["summary"]["final_members"], *cli.last().unwrap());
    // The slider did something: the scenario's own value gives another run.
    let (_, plain) = json(
        &s.url,
        "/api/run",
        r#"{"scenario": "default.toml", "seed": 3}"#,
    );
    assert_ne!(plain["rows"]["members"], v["rows"]["members"]);
    // Same seed, same group.
    let (_, again) = json(
        &s.url,
        "/api/run",
        r#"{"scenario": "default.toml", "seed": 3, "values": {"half_life": 8}}"#,
    );
    assert_eq!(again, v);
    // Lessons are marked on their days.
    let lessons: Vec<u64> = v["marks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "lesson")
        .map(|m| m["day"].as_u64().unwrap())
        .collect();
    assert_eq!(&lessons[..3], &[1, 8, 15]);
}

#[test]
fn a_batch_returns_bands_around_the_runs() {
    let s = server();
    let (code, v) = json(
        &s.url,
        "/api/run",
        r#"{"scenario": "no-operation.toml", "runs": 8}"#,
    );
    assert_eq!(code, 200, "{v}");
    let bands = v["bands"]["members"].as_array().unwrap();
    assert_eq!(bands.len(), v["rows"]["members"].as_array().unwrap().len());
    let last = bands.last().unwrap().as_array().unwrap();
    let finals: Vec<f64> = v["batch_final_members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    assert_eq!(finals.len(), 8);
    let (lo, hi) = (last[0].as_f64().unwrap(), last[4].as_f64().unwrap());
    // The 5% and 95% quantiles of the runs lie within their range.
    let min = finals.iter().cloned().fold(f64::MAX, f64::min);
    let max = finals.iter().cloned().fold(f64::MIN, f64::max);
    assert!(min <= lo && lo <= hi && hi <= max, "{min} {lo} {hi} {max}");
    // Run 0 of the batch is the run drawn.
    assert_eq!(finals[0], v["summary"]["final_members"].as_f64().unwrap());
}

#[test]
fn explain_tells_the_story_and_its_levers_rerun() {
    let s = server();
    let (code, v) = json(
        &s.url,
        "/api/explain",
        r#"{"scenario": "default.toml", "runs": 4}"#,
    );
    assert_eq!(code, 200, "{v}");
    assert!(v["story"].as_str().unwrap().contains("day"));
    let levers = v["levers"].as_array().unwrap();
    assert!(!levers.is_empty());
    let label = levers[0]["label"].as_str().unwrap();
    let (code, with) = json(
        &s.url,
        "/api/run",
        &format!(r#"{{"scenario": "default.toml", "lever": "{label}"}}"#),
    );
    assert_eq!(code, 200, "{with}");
    let (_, without) = json(&s.url, "/api/run", r#"{"scenario": "default.toml"}"#);
    assert_ne!(with["rows"], without["rows"], "the lever changes the run");
}

#[test]
fn bad_requests_get_4xx_with_a_json_message() {
    let s = server();
    for (method, path, body, code, needle) in [
        ("POST", "/api/run", "{not json", 400, "bad request body"),
        (
            "POST",
            "/api/run",
            r#"{"scenario": "x.toml"}"#,
            400,
            "default.toml",
        ),
        (
            "POST",
            "/api/run",
            r#"{"scenario": "default.toml", "values": {"loudness": 3}}"#,
            400,
            "half_life",
        ),
        (
            "POST",
            "/api/run",
            r#"{"scenario": "default.toml", "values": {"lesson_quality": 7}}"#,
            400,
            "content.quality",
        ),
        (
            "POST",
            "/api/run",
            r#"{"scenario": "default.toml", "runs": 100000}"#,
            400,
            "runs",
        ),
        ("GET", "/api/run", "", 405, "POST"),
        ("GET", "/nothing-here", "", 404, "no such page"),
    ] {
        let (got, text) = http(&s.url, method, path, Some(body));
        assert_eq!(got, code, "{method} {path} {body}: {text}");
        let v: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
        let msg = v["error"].as_str().unwrap();
        assert!(msg.contains(needle), "{msg:?} lacks {needle:?}");
    }
    // The server is still up after all that.
    assert_eq!(http(&s.url, "GET", "/api/scenarios", None).0, 200);
}

/// Starts `commsim serve --port 0`, returns the child and the printed URL.
fn start_binary(
    extra: &[&str],
) -> (
    std::process::Child,
    String,
    BufReader<std::process::ChildStdout>,
) {
    let mut child = Command::new(BIN)
        .args(["serve", "--port", "0", "--quit-after", "120"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_string();
    (child, url, out)
}

#[test]
fn the_binary_serves_and_stops_cleanly_on_ctrl_c() {
    let (mut child, url, mut out) = start_binary(&[]);
    let (code, body) = http(&url, "GET", "/", None);
    assert_eq!(code, 200);
    assert!(body.contains("commsim"));
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("commsim serve did not stop on SIGINT");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    assert!(rest.contains("stopped"), "{rest:?}");
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let (mut child, url, _out) = start_binary(&[]);
    let port = url.trim_end_matches('/').rsplit(':').next().unwrap();
    let o = commsim(&["serve", "--port", port], Path::new("."));
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("cannot listen on 127.0.0.1:"), "{err}");
}
