//! Engine throughput: the network SIR kernel and the full model.
//!
//! Run with `cargo bench --bench engine`. divan reports the median time per
//! run and the throughput in node-days (SIR: population × days) or member-days
//! (full model: the sum over days of the members in the group) per second, on
//! one thread. README.md quotes these numbers.

mod common;

use common::{peers_text, peers_text_1m, run_in, setup, threads, SIR};
use commsim::batch;
use commsim::model::{self, Params};
use commsim::scenario::Scenario;
use divan::counter::ItemsCount;
use divan::Bencher;

fn main() {
    divan::main();
}

/// Every mechanism on: needs, interest, trust, content, conversion, the
/// value of staying with ties between members (answers, replies, welcomes,
/// events), friend contagion, channels, invitations, service, rituals and
/// a meetup.
const FULL: &str = r#"
name = "full-bench"
days = 60
runs = 1
[population]
size = 100000
graph = { model = "barabasi-albert", m = 3 }
[start]
members = 50
[[channel]]
name = "mass"
rate = 0.01
need_match = 0.3
cost_per_join = 1.0
[[channel]]
name = "poster"
daily = 200
[content]
schedule = { start = 1, every = 3 }
[service]
[rituals]
[[event]]
schedule = { days = [20] }
capacity = 200
[leave.friends]
mode = "contagion"
[groups]
capacity = 0
"#;

/// Network SIR on a 100,000-node Barabási–Albert graph (m = 3), 100 days.
#[divan::bench(sample_count = 30)]
fn network_sir_100k_ba(bencher: Bencher) {
    sir_commsim(bencher, SIR, 1);
}

/// The full model on a 100,000-person Barabási–Albert graph, 60 days.
#[divan::bench(sample_count = 20)]
fn full_model_100k(bencher: Bencher) {
    let (s, g, p) = setup(FULL);
    let member_days: u64 = model::simulate(&s, &p, &g, 0)
        .days
        .iter()
        .map(|d| d.members as u64)
        .sum();
    let pool = threads(1);
    bencher
        .counter(ItemsCount::new(member_days))
        .bench(|| run_in(&pool, &s, &p, &g));
}

/// A batch's fixed cost for the built-in default (5,000 people): the graph
/// and the loop's parameters, before any day is simulated.
#[divan::bench(sample_count = 20)]
fn batch_setup_default_5000() {
    let s = Scenario::builtin_default();
    let (s, g) = batch::prepare(s, 1).unwrap();
    let g = g.unwrap();
    divan::black_box(Params::new(&s, g.node_count()));
}

/// The Beta quantile tables of the needs alone (the default's two).
#[divan::bench(sample_count = 20)]
fn beta_tables() {
    divan::black_box(commsim::stats::BetaTable::new(0.4, 4.0));
    divan::black_box(commsim::stats::BetaTable::new(0.3, 4.0));
}

/// commsim on the peers' kernel, 1 thread, 100,000 nodes.
#[divan::bench(sample_count = 20)]
fn peers_sir_commsim(bencher: Bencher) {
    sir_commsim(bencher, &peers_text(), 1);
}

/// The baseline for `peers_sir_commsim` on the same graph.
#[divan::bench(sample_count = 20)]
fn peers_sir_plain_csr(bencher: Bencher) {
    peers_plain(bencher, &peers_text());
}

/// commsim on the peers' kernel, 1 thread, 1,000,000 nodes.
#[divan::bench(sample_count = 5)]
fn peers_sir_1m_commsim(bencher: Bencher) {
    sir_commsim(bencher, &peers_text_1m(), 1);
}

/// commsim on the peers' kernel, one run on 2 threads, 1,000,000 nodes:
/// each day's members are split over both (issue 11). Compare with
/// `peers_sir_1m_commsim` (the same run on 1 thread, the same outputs) and
/// `peers_sir_1m_plain_csr`.
#[divan::bench(sample_count = 5)]
fn peers_sir_1m_commsim_2_threads(bencher: Bencher) {
    sir_commsim(bencher, &peers_text_1m(), 2);
}

/// The baseline for `peers_sir_1m_commsim` on the same graph.
#[divan::bench(sample_count = 5)]
fn peers_sir_1m_plain_csr(bencher: Bencher) {
    peers_plain(bencher, &peers_text_1m());
}

/// One run of an SIR scenario on `n` threads, counted in node-days
/// (population × days).
fn sir_commsim(bencher: Bencher, text: &str, n: usize) {
    let (s, g, p) = setup(text);
    let node_days = g.node_count() * s.spec().days as usize;
    let pool = threads(n);
    bencher
        .counter(ItemsCount::new(node_days))
        .bench(|| run_in(&pool, &s, &p, &g));
}

/// The plain CSR loop ([`common::plain_sir`]) on the scenario's graph.
fn peers_plain(bencher: Bencher, text: &str) {
    let (_, g, _) = setup(text);
    let node_days = g.node_count() * 100;
    bencher
        .counter(ItemsCount::new(node_days))
        .bench(|| divan::black_box(common::plain_sir(&g)));
}
