//! Reference reductions: with mechanisms switched off, commsim must reproduce
//! textbook models exactly (in expectation).

use std::path::{Path, PathBuf};

use commsim::model::RunOutput;

fn reference(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/reference")
        .join(name)
}

/// Runs a scenario (optionally edited) through the library and returns its runs.
fn run_text(text: &str, base: &Path, runs: Option<u32>) -> Vec<RunOutput> {
    crate::util::simulate_text(text, base, runs, 2)
}

/// The Bass reduction (issue 2): the mean of 20 runs at N = 100,000,
/// p = 0.03, q = 0.38 follows the discrete Bass recursion
/// F_t = F_{t-1} + (p + q F_{t-1})(1 - F_{t-1}) within 0.01 on every day.
/// The engine uses this additive form in well-mixed populations (MODEL.md,
/// "Joining"), so it is the recursion tested, not the hazard form.
#[test]
fn bass_reference_follows_discrete_bass_recursion() {
    let path = reference("bass.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let runs = run_text(&text, path.parent().unwrap(), None);
    assert_eq!(runs.len(), 20);
    let n = 100_000.0;
    let (p, q) = (0.03, 0.38);
    let days = runs[0].days.len();
    let mut f = 0.0;
    let mut worst: f64 = 0.0;
    for d in 1..days {
        f += (p + q * f) * (1.0 - f);
        let mean = runs.iter().map(|r| r.days[d].members as f64).sum::<f64>() / runs.len() as f64;
        let diff = (mean / n - f).abs();
        worst = worst.max(diff);
        assert!(
            diff < 0.01,
            "day {d}: simulated F = {}, Bass F = {f}",
            mean / n
        );
    }
    // Sampling noise alone is ~0.0006 at worst here; a looser fit would mean
    // the joining rule drifted from p + qF.
    assert!(worst < 0.005, "worst gap {worst}");
}

/// Network SIR, first day: the expected number of joiners is exactly
/// sum over outsiders v of 1 - (1 - beta)^k_v, where k_v is the number of
/// initial members among v's friends (each member invites each non-member
/// friend independently with probability beta; all invitations accepted).
#[test]
fn network_sir_first_day_matches_independent_invitations() {
    let path = reference("network-sir.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let runs = run_text(&text, path.parent().unwrap(), Some(4000));
    let g = commsim::graph::load_edge_list(&path.parent().unwrap().join("ba-2000.edges")).unwrap();
    let beta: f64 = 0.05;
    let seeds: Vec<u32> = (0..5).map(|id| g.index_of_label(id).unwrap()).collect();
    let mut k = vec![0u32; g.node_count()];
    for &s in &seeds {
        for &v in g.neighbors(s) {
            k[v as usize] += 1;
        }
    }
    let expected: f64 = (0..g.node_count())
        .filter(|v| !seeds.contains(&(*v as u32)))
        .map(|v| 1.0 - (1.0 - beta).powi(k[v] as i32))
        .sum();
    let joined: Vec<f64> = runs.iter().map(|r| r.days[1].joined as f64).collect();
    let mean = joined.iter().sum::<f64>() / joined.len() as f64;
    let var = joined.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (joined.len() - 1) as f64;
    let se = (var / joined.len() as f64).sqrt();
    assert!(
        (mean - expected).abs() < 4.0 * se,
        "mean joiners on day 1 {mean} vs expected {expected} (se {se})"
    );
}

/// Network SIR leaving: with beta = 0 nobody joins, and each member leaves
/// with probability gamma a day, so E[members_t] = M_0 (1 - gamma)^t.
#[test]
fn network_sir_members_decay_geometrically_without_invitations() {
    let path = reference("network-sir.toml");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("per_friend = 0.05", "per_friend = 0.0")
        .replace("ids = [0, 1, 2, 3, 4]", "members = 1000\npick = \"random\"");
    let runs = run_text(&text, path.parent().unwrap(), Some(200));
    for t in [1usize, 5, 10, 20] {
        let expected = 1000.0 * 0.9f64.powi(t as i32);
        let mean = runs.iter().map(|r| r.days[t].members as f64).sum::<f64>() / runs.len() as f64;
        // Binomial sd per run sqrt(M0 p (1-p)) <= 16; over 200 runs se <= 1.2.
        assert!(
            (mean - expected).abs() < 5.0,
            "day {t}: mean members {mean}, expected {expected}"
        );
        assert!(runs.iter().all(|r| r.days[t].joined == 0));
    }
}

/// No rejoining: in the SIR reference nobody is invited into the group twice.
#[test]
fn network_sir_nobody_joins_twice() {
    let path = reference("network-sir.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let runs = run_text(&text, path.parent().unwrap(), Some(20));
    for r in &runs {
        let mut invitees: Vec<u64> = r.referrals.iter().map(|x| x.invitee).collect();
        let n = invitees.len();
        invitees.sort_unstable();
        invitees.dedup();
        assert_eq!(invitees.len(), n, "run {} has a repeated invitee", r.run);
        assert!(
            invitees.iter().all(|v| *v >= 5),
            "a launch member was invited"
        );
        assert_eq!(r.summary.total_joined as usize, n + 5);
    }
}
