//! What the engine benches share: the peers' kernel (issue 11) as a
//! scenario, and the plain CSR loop it is measured against. Each bench
//! uses part of it.
#![allow(dead_code)]

use std::path::Path;

use commsim::batch;
use commsim::graph::Graph;
use commsim::model::{self, Params};
use commsim::scenario::Scenario;

/// The textbook network SIR as a commsim scenario: a 100,000-node
/// Barabási–Albert graph (m = 3), invitations to each friend with
/// probability 0.05, all accepted, leaving at a base rate, every other
/// mechanism off.
pub const SIR: &str = r#"
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

/// The kernel peers publish (issue 11): network SIR on a 100,000-node
/// Barabási–Albert graph (m = 3), 1,000 initial members (1%), β = 0.05 per
/// edge per day, γ = 0.02, 100 days, every other mechanism off.
pub fn peers_text() -> String {
    let kernel = SIR
        .replace("name = \"sir-bench\"", "name = \"peers-sir\"")
        .replace("members = 10", "members = 1000")
        .replace("base = 0.1", "base = 0.02");
    // As in benches/peers/peers-sir.toml: per-member rows (members.csv) and
    // the referral list are outputs the peers' tools and the baseline do
    // not produce, so they are off and the timing is the kernel.
    format!("{kernel}\n[output]\nmembers = false\nreferrals = false\n")
}

/// The scenario `text`, prepared as a batch prepares it: the scenario, its
/// graph and the loop's parameters.
pub fn setup(text: &str) -> (Scenario, Graph, Params) {
    let s = Scenario::from_toml(text, Path::new("bench.toml"), Path::new("."), "bench").unwrap();
    let (s, g) = batch::prepare(s, 1).unwrap();
    let g = g.unwrap();
    let p = Params::new(&s, g.node_count());
    (s, g, p)
}

/// The peers' kernel at 1,000,000 nodes (10,000 initial members, 1%).
pub fn peers_text_1m() -> String {
    peers_text()
        .replace("size = 100000", "size = 1000000")
        .replace("members = 1000", "members = 10000")
}

/// One run inside `pool` (its output is dropped by divan, untimed).
pub fn run_in(pool: &rayon::ThreadPool, s: &Scenario, p: &Params, g: &Graph) -> model::RunOutput {
    pool.install(|| model::simulate(s, p, g, 0))
}

/// A pool of `n` threads: a run's day is split over the threads of the
/// pool it runs in, so a 1-thread figure needs a 1-thread pool.
pub fn threads(n: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .unwrap()
}

/// A plain single-thread CSR loop with no framework, on graph `g`. Each
/// day every infected node infects each susceptible neighbour with
/// probability β = 0.05 (one uniform per edge), then recovers with
/// probability γ = 0.02; newly infected nodes count from the next day
/// (synchronous update, as in commsim). 1% of the nodes start infected, and
/// it runs 100 days. Returns the nodes infected at the end.
pub fn plain_sir(g: &Graph) -> usize {
    use rand::{Rng, SeedableRng};
    let n = g.node_count();
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
    infected.len()
}
