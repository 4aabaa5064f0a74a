//! Engine throughput: the network SIR kernel and the full model.
//!
//! Run with `cargo bench --bench engine`. divan reports the median time per
//! run and the throughput in node-days (SIR: population × days) or member-days
//! (full model: the sum over days of the members in the group) per second, on
//! one thread. README.md quotes these numbers.

use std::path::Path;

use commsim::batch;
use commsim::graph::Graph;
use commsim::model::{self, Params};
use commsim::scenario::Scenario;
use divan::counter::ItemsCount;
use divan::Bencher;

fn main() {
    divan::main();
}

const SIR: &str = r#"
name = "sir-bench"
days = 100
runs = 1
[population]
size = 100000
graph = { model = "barabasi-albert", m = 3 }
[roles]
expert = 0.0
asker = 0.0
advertiser = 0.0
freebie = 0.0
[needs]
enabled = false
[start]
members = 10
pick = "random"
owner = false
[invite]
rate = 1.0
engaged = false
per_friend = 0.05
accept = 1.0
need_match = 0.0
[interest]
enabled = false
[trust]
enabled = false
[content]
enabled = false
[conversion]
enabled = false
[leave]
base = 0.1
value = 0.0
distrust = 0.0
mute_share = 0.0
friends = { mode = "off" }
[ties]
enabled = false
[groups]
capacity = 0
"#;

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

/// The kernel peers publish (issue 11): network SIR on a 100,000-node
/// Barabási–Albert graph (m = 3), 1,000 initial members (1%), β = 0.05 per
/// edge per day, γ = 0.02, 100 days, every other mechanism off.
fn peers_text() -> String {
    let kernel = SIR
        .replace("name = \"sir-bench\"", "name = \"peers-sir\"")
        .replace("members = 10", "members = 1000")
        .replace("base = 0.1", "base = 0.02");
    // As in benches/peers/peers-sir.toml: per-member rows (members.csv) and
    // the referral list are outputs the peers' tools and the baseline do
    // not produce, so they are off and the timing is the kernel.
    format!("{kernel}\n[output]\nmembers = false\nreferrals = false\n")
}

fn setup(text: &str) -> (Scenario, Graph, Params) {
    let s = Scenario::from_toml(text, Path::new("bench.toml"), Path::new("."), "bench").unwrap();
    let (s, g) = batch::prepare(s, 1).unwrap();
    let g = g.unwrap();
    let p = Params::new(&s, g.node_count());
    (s, g, p)
}

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

/// One run inside `pool` (its output is dropped by divan, untimed).
fn run_in(pool: &rayon::ThreadPool, s: &Scenario, p: &Params, g: &Graph) -> model::RunOutput {
    pool.install(|| model::simulate(s, p, g, 0))
}

/// A pool of `n` threads: a run's day is split over the threads of the
/// pool it runs in, so a 1-thread figure needs a 1-thread pool.
fn threads(n: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .unwrap()
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

/// The peers' kernel at 1,000,000 nodes (10,000 initial members, 1%).
fn peers_text_1m() -> String {
    peers_text()
        .replace("size = 100000", "size = 1000000")
        .replace("members = 1000", "members = 10000")
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

/// A plain single-thread CSR loop with no framework, on the scenario's
/// graph. Each day every infected node infects each susceptible neighbour
/// with probability β (one uniform per edge), then recovers with
/// probability γ; newly infected nodes count from the next day (synchronous
/// update, as in commsim). 1% of the nodes start infected.
fn peers_plain(bencher: Bencher, text: &str) {
    use rand::{Rng, SeedableRng};
    let (_, g, _) = setup(text);
    let n = g.node_count();
    let node_days = n * 100;
    bencher.counter(ItemsCount::new(node_days)).bench(|| {
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(1);
        // 0 susceptible, 1 infected, 2 recovered.
        let mut state = vec![0u8; n];
        let mut infected: Vec<u32> = Vec::new();
        while infected.len() < n / 100 {
            let v = rng.random_range(0..n as u32);
            if state[v as usize] == 0 {
                state[v as usize] = 1;
                infected.push(v);
            }
        }
        let mut next: Vec<u32> = Vec::new();
        for _ in 0..100 {
            next.clear();
            for &v in &infected {
                for &w in g.neighbors(v) {
                    if state[w as usize] == 0 && rng.random::<f64>() < 0.05 {
                        state[w as usize] = 1;
                        next.push(w);
                    }
                }
            }
            infected.retain(|&v| {
                let stay = rng.random::<f64>() >= 0.02;
                if !stay {
                    state[v as usize] = 2;
                }
                stay
            });
            infected.extend_from_slice(&next);
        }
        divan::black_box(infected.len())
    });
}
