//! The peers' kernel (issue 11) as a ratio to the plain CSR loop, each run
//! of commsim alternating with a run of the loop, in one process.
//!
//! Run with `cargo bench --bench ratio` (or `-- 100k` / `-- 1m` for one
//! size). On a shared machine the speed of both drifts by tens of percent
//! within minutes; timed one after the other (as divan times two benches),
//! one of them can fall in a slow minute. Alternating them round by round
//! lets both see the same minutes. It prints each one's median time and
//! the ratio of the medians (plain CSR time / commsim time: above 1,
//! commsim is faster), with the quartiles of the per-round ratios.

mod common;

use std::time::Instant;

use common::{peers_text, peers_text_1m, plain_sir, run_in, setup, threads};

fn main() {
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wants = |name: &str| only.is_empty() || only.iter().any(|o| o == name);
    if wants("100k") {
        kernel("100k", "100,000", &peers_text(), 41, false);
    }
    if wants("1m") {
        kernel("1m", "1,000,000", &peers_text_1m(), 5, true);
    }
}

/// Seconds `f` takes.
fn time<T>(f: impl FnOnce() -> T) -> f64 {
    let t = Instant::now();
    std::hint::black_box(f());
    t.elapsed().as_secs_f64()
}

/// `rounds` rounds of: the plain loop, commsim on 1 thread, and (with
/// `two`) commsim on 2 threads, the loop first in even rounds and last in
/// odd ones; after one untimed round.
fn kernel(name: &str, nodes: &str, text: &str, rounds: usize, two: bool) {
    let (s, g, p) = setup(text);
    let (one_pool, two_pool) = (threads(1), threads(2));
    let mut plain = Vec::new();
    let mut one = Vec::new();
    let mut both = Vec::new();
    for round in 0..=rounds {
        // Odd rounds run commsim first, so that neither side always
        // follows the other.
        let mut times = (f64::NAN, f64::NAN, f64::NAN);
        if round % 2 == 0 {
            times.0 = time(|| plain_sir(&g));
        }
        times.1 = time(|| run_in(&one_pool, &s, &p, &g));
        if two {
            times.2 = time(|| run_in(&two_pool, &s, &p, &g));
        }
        if round % 2 == 1 {
            times.0 = time(|| plain_sir(&g));
        }
        if round > 0 {
            plain.push(times.0);
            one.push(times.1);
            both.push(times.2);
        }
    }
    println!("peers' kernel, {nodes} nodes ({name}), {rounds} rounds, medians:");
    println!(
        "  plain CSR loop, 1 thread   {:8.1} ms",
        median(&plain) * 1e3
    );
    report("commsim, 1 thread", &plain, &one);
    if two {
        report("commsim, 2 threads", &plain, &both);
        let own: Vec<f64> = one.iter().zip(&both).map(|(a, b)| a / b).collect();
        println!(
            "  commsim 2 threads against its own 1 thread: {:.2}x",
            median(&one) / median(&both)
        );
        let (lo, hi) = quartiles(&own);
        println!("    (per round: quartiles {lo:.2}-{hi:.2})");
    }
}

/// One line: the median time of `t` and its ratio to the plain loop's.
fn report(what: &str, plain: &[f64], t: &[f64]) {
    let per_round: Vec<f64> = plain.iter().zip(t).map(|(a, b)| a / b).collect();
    let (lo, hi) = quartiles(&per_round);
    println!(
        "  {what:<26} {:8.1} ms   plain/commsim {:.2}x (per round: quartiles {lo:.2}-{hi:.2})",
        median(t) * 1e3,
        median(plain) / median(t),
    );
}

fn sorted(x: &[f64]) -> Vec<f64> {
    let mut v = x.to_vec();
    v.sort_by(f64::total_cmp);
    v
}

/// The median (the mean of the middle two for an even count).
fn median(x: &[f64]) -> f64 {
    let v = sorted(x);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The lower and upper quartiles (nearest rank).
fn quartiles(x: &[f64]) -> (f64, f64) {
    let v = sorted(x);
    let n = v.len();
    (v[(n - 1) / 4], v[(3 * (n - 1)).div_ceil(4)])
}
