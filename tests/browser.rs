//! The classroom page and report.html in a real browser: headless Chromium
//! (Debian's package, `/usr/bin/chromium`), driven through the Chrome
//! DevTools protocol over a WebSocket on 127.0.0.1.
//!
//! Where no Chromium is installed the tests print why and pass; the API
//! tests of `serve.rs` still run. `COMMSIM_CHROMIUM` names another binary.
//! Every wait is bounded, and the browser is killed (by its process id)
//! when a test ends, even by a panic.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

use crate::serve::{cli_members, http, scenario_with, server};

/// The Chromium binary, or None (with the reason printed) to skip.
pub fn chromium() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("COMMSIM_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        for dir in std::env::var("PATH").unwrap_or_default().split(':') {
            let p = Path::new(dir).join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    eprintln!(
        "skipped: no Chromium found (apt-get install chromium, or set COMMSIM_CHROMIUM); the browser tests need one"
    );
    None
}

/// A headless Chromium with one page, driven over the DevTools protocol.
pub struct Browser {
    child: Child,
    ws: WebSocket<MaybeTlsStream<TcpStream>>,
    next: u64,
    /// Console errors and uncaught exceptions seen so far.
    pub errors: Vec<String>,
    /// URLs of every request the page made.
    pub requests: Vec<String>,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const TIMEOUT: Duration = Duration::from_secs(60);

impl Browser {
    pub fn start(bin: &Path, width: u32, height: u32) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let mut child = Command::new(bin)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--force-device-scale-factor=1",
                "--hide-scrollbars",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                &format!("--window-size={width},{height}"),
                &format!("--user-data-dir={}", profile.path().display()),
                "about:blank",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        // Chromium prints "DevTools listening on ws://127.0.0.1:PORT/..." on
        // stderr; the rest of stderr is drained by a thread.
        let (tx, rx) = std::sync::mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(|l| l.ok()) {
                if let Some(i) = line.find("ws://") {
                    let _ = tx.send(line[i..].trim().to_string());
                }
            }
        });
        let browser_ws = match rx.recv_timeout(TIMEOUT) {
            Ok(url) => url,
            Err(_) => {
                let _ = child.kill();
                panic!("Chromium did not print its DevTools address within a minute");
            }
        };
        let port = browser_ws
            .trim_start_matches("ws://127.0.0.1:")
            .split('/')
            .next()
            .unwrap()
            .to_string();
        let base = format!("http://127.0.0.1:{port}/");
        // The page target opened with about:blank.
        let deadline = Instant::now() + TIMEOUT;
        let page_ws = loop {
            let (_, body) = http(&base, "GET", "/json/list", None);
            let targets: Value = serde_json::from_str(&body).unwrap_or(json!([]));
            if let Some(t) = targets
                .as_array()
                .and_then(|a| a.iter().find(|t| t["type"] == "page"))
            {
                break t["webSocketDebuggerUrl"].as_str().unwrap().to_string();
            }
            assert!(Instant::now() < deadline, "no page target in {body}");
            std::thread::sleep(Duration::from_millis(100));
        };
        let (ws, _) = tungstenite::connect(page_ws.as_str()).expect("DevTools WebSocket");
        if let MaybeTlsStream::Plain(s) = ws.get_ref() {
            s.set_read_timeout(Some(TIMEOUT)).unwrap();
        }
        let mut b = Browser {
            child,
            ws,
            next: 0,
            errors: Vec::new(),
            requests: Vec::new(),
            _profile: profile,
        };
        b.call("Runtime.enable", json!({}));
        b.call("Log.enable", json!({}));
        b.call("Page.enable", json!({}));
        b.call("Network.enable", json!({}));
        b
    }

    /// Sends one command and waits for its answer, noting console errors.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        let msg = json!({ "id": id, "method": method, "params": params }).to_string();
        self.ws.send(Message::text(msg)).expect("send to Chromium");
        let deadline = Instant::now() + TIMEOUT;
        loop {
            assert!(Instant::now() < deadline, "{method} got no answer");
            // A signal can interrupt the read before any byte is taken
            // (EINTR); the read is then simply retried.
            let m = match self.ws.read() {
                Ok(m) => m,
                Err(tungstenite::Error::Io(e)) if e.kind() == std::io::ErrorKind::Interrupted => {
                    continue
                }
                Err(e) => panic!("read from Chromium: {e}"),
            };
            let Message::Text(t) = m else { continue };
            let v: Value = serde_json::from_str(t.as_str()).unwrap();
            if v["id"] == id {
                if let Some(e) = v.get("error") {
                    panic!("{method} failed: {e}");
                }
                return v["result"].clone();
            }
            self.note(&v);
        }
    }

    fn note(&mut self, v: &Value) {
        match v["method"].as_str() {
            Some("Runtime.exceptionThrown") => self
                .errors
                .push(v["params"]["exceptionDetails"].to_string()),
            Some("Runtime.consoleAPICalled") if v["params"]["type"] == "error" => {
                self.errors.push(v["params"]["args"].to_string())
            }
            Some("Network.requestWillBeSent") => self.requests.push(
                v["params"]["request"]["url"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
            ),
            Some("Log.entryAdded") if v["params"]["entry"]["level"] == "error" => {
                self.errors.push(v["params"]["entry"]["text"].to_string())
            }
            _ => {}
        }
    }

    /// Evaluates a JavaScript expression (awaiting promises) and returns
    /// its value.
    pub fn eval(&mut self, expr: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({ "expression": expr, "returnByValue": true, "awaitPromise": true }),
        );
        if let Some(e) = r.get("exceptionDetails") {
            panic!("{expr} threw: {e}");
        }
        r["result"]["value"].clone()
    }

    /// Waits until `expr` is true.
    pub fn wait_for(&mut self, expr: &str) {
        let deadline = Instant::now() + TIMEOUT;
        while self.eval(expr) != json!(true) {
            assert!(Instant::now() < deadline, "timed out waiting for {expr}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn navigate(&mut self, url: &str) {
        self.call("Page.navigate", json!({ "url": url }));
        self.wait_for("document.readyState === 'complete'");
    }

    /// A PNG screenshot of the viewport, decoded to RGB rows.
    pub fn screenshot(&mut self) -> (u32, u32, Vec<u8>) {
        let r = self.call("Page.captureScreenshot", json!({ "format": "png" }));
        let bytes = base64(r["data"].as_str().unwrap());
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        buf.truncate(info.buffer_size());
        let channels = match info.color_type {
            png::ColorType::Rgba => 4,
            png::ColorType::Rgb => 3,
            other => panic!("unexpected screenshot colour type {other:?}"),
        };
        let rgb: Vec<u8> = buf
            .chunks(channels)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect();
        (info.width, info.height, rgb)
    }
}

fn base64(s: &str) -> Vec<u8> {
    let val = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a' + 26) as u32,
            b'0'..=b'9' => (c - b'0' + 52) as u32,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c}"),
        }
    };
    let clean: Vec<u8> = s.bytes().filter(|&c| c != b'=' && c != b'\n').collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= val(c) << (18 - 6 * i);
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..chunk.len() - 1]);
    }
    out
}

/// Colours in a rectangle of a screenshot: (non-white pixels, distinct
/// colours among them).
pub fn region(shot: &(u32, u32, Vec<u8>), x: u32, y: u32, w: u32, h: u32) -> (usize, usize) {
    let (width, height, px) = shot;
    let mut seen = std::collections::BTreeSet::new();
    let mut ink = 0;
    for yy in y..(y + h).min(*height) {
        for xx in x..(x + w).min(*width) {
            let i = ((yy * width + xx) * 3) as usize;
            let c = (px[i], px[i + 1], px[i + 2]);
            if c != (255, 255, 255) {
                ink += 1;
                seen.insert((c.0 >> 3, c.1 >> 3, c.2 >> 3));
            }
        }
    }
    (ink, seen.len())
}

/// The bounding box of an element, in CSS pixels (device scale 1).
fn rect(b: &mut Browser, selector: &str) -> (u32, u32, u32, u32) {
    let v = b.eval(&format!(
        "(() => {{ const r = document.querySelector('{selector}').getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; }})()"
    ));
    let n = |i: usize| v[i].as_f64().unwrap().max(0.0) as u32;
    (n(0), n(1), n(2), n(3))
}

#[test]
fn the_classroom_page_works_in_a_real_browser() {
    let Some(bin) = chromium() else { return };
    let s = server();
    let mut b = Browser::start(&bin, 1600, 1100);
    b.navigate(&s.url);
    b.wait_for("document.body.dataset.ready === '1'");

    // Its sliders, each with a label and a unit.
    let sliders = b.eval(
        "[...document.querySelectorAll('input[type=range]')].map(i => [i.dataset.slider, document.querySelector('label[for=' + i.id + ']').textContent, document.getElementById('out-' + i.dataset.slider).textContent])",
    );
    let sliders = sliders.as_array().unwrap();
    assert!((6..=10).contains(&sliders.len()), "{sliders:?}");
    for s in sliders {
        assert!(
            !s[1].as_str().unwrap().is_empty(),
            "a slider without a label: {s}"
        );
        assert!(s[2].as_str().unwrap().contains(' '), "value and unit: {s}");
    }
    assert!(
        b.eval("document.getElementById('mark-half_life').textContent.includes('2')")
            == json!(true)
    );

    // Step advances exactly one day.
    assert_eq!(
        b.eval("document.getElementById('day').dataset.day"),
        json!("0")
    );
    b.eval("document.getElementById('step').click()");
    b.wait_for("document.getElementById('day').dataset.day === '1'");
    b.eval("document.getElementById('step').click()");
    b.wait_for("document.getElementById('day').dataset.day === '2'");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        b.eval("document.getElementById('day').dataset.day"),
        json!("2")
    );
    assert_eq!(
        b.eval("document.getElementById('lifecycle').dataset.day"),
        json!("2"),
        "the chart shows the same day"
    );

    // Move a slider, press Run: the chart's last day is commsim run's.
    b.eval(
        "(() => { const i = document.getElementById('sl-half_life'); i.value = 8; i.dispatchEvent(new Event('input')); document.getElementById('speed').value = '1000'; document.getElementById('run').click(); })()",
    );
    let cli = cli_members(
        &scenario_with(
            "default.toml",
            "interest.half_life",
            toml::Value::Float(8.0),
        ),
        1,
    );
    let last = cli.len() - 1;
    b.wait_for(&format!(
        "document.getElementById('lifecycle').dataset.day === '{last}'"
    ));
    let shown = b.eval("document.querySelector('#lifecycle .now-members').textContent");
    assert_eq!(shown, json!(cli[last].to_string()), "last-day members");
    assert_eq!(
        b.eval("document.querySelector('#numbers b').textContent"),
        json!(cli[last].to_string())
    );
    let marks = b.eval("document.querySelectorAll('#lifecycle .mark-lesson').length");
    assert!(marks.as_u64().unwrap() > 0, "lesson days are marked");

    // A screenshot after the run is not blank: the group and the chart have
    // ink of several colours, the empty margin has none.
    let shot = b.screenshot();
    let (x, y, w, h) = rect(&mut b, "#graph");
    let graph = region(&shot, x + 4, y + 4, w - 8, h - 8);
    let (x, y, w, h) = rect(&mut b, "#lifecycle");
    let chart = region(&shot, x, y, w, h);
    assert!(
        graph.0 > 500 && graph.1 >= 4,
        "group view looks blank: {graph:?}"
    );
    assert!(
        chart.0 > 2000 && chart.1 >= 4,
        "lifecycle chart looks blank: {chart:?}"
    );
    let (sw, sh, _) = shot;
    let margin = region(&shot, sw - 8, sh - 8, 8, 8);
    assert_eq!(margin.0, 0, "the page background is white");

    // The language toggle changes the labels, and back.
    let run_en = b.eval("document.getElementById('run').textContent");
    let label_en = b.eval("document.querySelector('label[for=sl-half_life]').textContent");
    b.eval("document.getElementById('lang').click()");
    assert_eq!(
        b.eval("document.getElementById('run').textContent"),
        json!("运行")
    );
    let label_zh = b.eval("document.querySelector('label[for=sl-half_life]').textContent");
    assert_ne!(label_zh, label_en);
    assert_eq!(b.eval("document.documentElement.lang"), json!("zh-CN"));
    b.eval("document.getElementById('lang').click()");
    assert_eq!(b.eval("document.getElementById('run').textContent"), run_en);

    // Keyboard alone: "s" steps (after Reset by "0").
    b.eval(
        "document.body.focus(); document.dispatchEvent(new KeyboardEvent('keydown', {key: '0'}))",
    );
    b.wait_for("document.getElementById('day').dataset.day === '0' && !document.getElementById('status').textContent");
    b.eval("document.dispatchEvent(new KeyboardEvent('keydown', {key: 's'}))");
    b.wait_for("document.getElementById('day').dataset.day === '1'");

    // The story, and a lever that reruns the group with one change.
    b.eval("document.getElementById('explain').click()");
    b.wait_for("document.querySelectorAll('#levers button.lever').length > 0");
    let story = b.eval("document.getElementById('story').textContent");
    // The story names the phases it found and what drove people out.
    let story_text = story.as_str().unwrap();
    assert!(
        (story_text.contains("honeymoon") || story_text.contains("doubt phase"))
            && story_text.contains("caused"),
        "{story}"
    );
    let before = b.eval("JSON.stringify(state.data.rows.members)");
    b.eval("document.querySelector('#levers button.lever').click()");
    b.wait_for("!!state.lever && !state.busy");
    assert_ne!(
        b.eval("JSON.stringify(state.data.rows.members)"),
        before,
        "the lever reran the group"
    );
    assert!(b.errors.is_empty(), "console errors: {:?}", b.errors);
}

#[test]
fn report_html_renders_its_charts_from_disk_without_the_network() {
    let Some(bin) = chromium() else { return };
    let d = tempfile::tempdir().unwrap();
    let scenario = crate::util::write(d.path(), "small.toml", crate::util::SMALL);
    let o = crate::util::commsim(
        &["run", crate::util::arg(&scenario), "--out", "r", "-q"],
        d.path(),
    );
    assert!(o.status.success(), "{}", crate::util::describe(&o));
    let file = d.path().join("r/report.html");
    crate::handout::check_self_contained(&crate::util::read_text(&file));
    let mut b = Browser::start(&bin, 1200, 900);
    b.navigate(&format!("file://{}", file.display()));
    let sizes = b.eval(
        "[...document.querySelectorAll('figure svg')].map(s => { const r = s.getBoundingClientRect(); return [r.width, r.height, s.querySelectorAll('text').length]; })",
    );
    let sizes = sizes.as_array().unwrap();
    assert_eq!(sizes.len(), 6, "{sizes:?}");
    for s in sizes {
        assert!(
            s[0].as_f64().unwrap() > 300.0 && s[1].as_f64().unwrap() > 150.0,
            "{s}"
        );
        assert!(s[2].as_u64().unwrap() > 3, "a chart with its labels: {s}");
    }
    // The first chart, scrolled into view, is drawn: ink of several colours.
    b.eval("document.getElementById('lifecycle').scrollIntoView()");
    let shot = b.screenshot();
    let (x, y, w, h) = rect(&mut b, "#lifecycle svg");
    let (ink, colours) = region(&shot, x, y, w, h.min(800));
    assert!(
        ink > 5000 && colours >= 4,
        "lifecycle chart looks blank: {ink} {colours}"
    );
    let outside: Vec<&String> = b
        .requests
        .iter()
        .filter(|u| !u.starts_with("file://") && !u.starts_with("data:"))
        .collect();
    assert!(outside.is_empty(), "requests beyond the file: {outside:?}");
    assert!(b.errors.is_empty(), "console errors: {:?}", b.errors);
}

/// Regenerates docs/img/classroom.png, the README's screenshot of the page
/// (`cargo test --release --test integration -- --ignored browser::readme`):
/// the default scenario after a batch of 20 groups and the story.
#[test]
#[ignore = "writes docs/img/classroom.png; run by hand"]
fn readme_screenshot() {
    let Some(bin) = chromium() else { return };
    let s = server();
    let mut b = Browser::start(&bin, 1600, 1500);
    b.navigate(&s.url);
    b.wait_for("document.body.dataset.ready === '1'");
    b.eval("document.getElementById('batch').click()");
    b.wait_for("!!document.querySelector('#marks-legend .key:last-child') && document.getElementById('lifecycle').dataset.day === '90'");
    b.eval("document.getElementById('explain').click()");
    b.wait_for("document.querySelectorAll('#levers button').length > 0");
    let r = b.call("Page.captureScreenshot", json!({ "format": "png" }));
    let bytes = base64(r["data"].as_str().unwrap());
    std::fs::create_dir_all("docs/img").unwrap();
    std::fs::write("docs/img/classroom.png", bytes).unwrap();
    if let Ok(path) = std::env::var("COMMSIM_SCREENSHOT_ZH") {
        // The same page in Chinese, for checking the labels by eye.
        b.eval("document.getElementById('lang').click()");
        let r = b.call("Page.captureScreenshot", json!({ "format": "png" }));
        std::fs::write(path, base64(r["data"].as_str().unwrap())).unwrap();
        b.eval("document.getElementById('lang').click()");
    }
    if let Ok(path) = std::env::var("COMMSIM_SCREENSHOT_SMALL") {
        // A 1280 × 720 projector.
        b.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": 1280, "height": 720, "deviceScaleFactor": 1, "mobile": false}),
        );
        let r = b.call("Page.captureScreenshot", json!({ "format": "png" }));
        std::fs::write(path, base64(r["data"].as_str().unwrap())).unwrap();
    }
    assert!(b.errors.is_empty(), "console errors: {:?}", b.errors);
}
