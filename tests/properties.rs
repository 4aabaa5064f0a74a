//! Invariants that must hold for any scenario: counts add up, nobody is
//! counted twice, every leaver has exactly one cause.

use std::path::Path;

use commsim::batch::{self, BatchOptions};
use commsim::model::{RunOutput, CAUSES};
use commsim::scenario::Scenario;
use rand::{Rng, SeedableRng};

/// A random but valid scenario: graph model, sizes, channels, friend effects
/// and switches all vary with `case`.
fn random_scenario(case: u64) -> String {
    let mut r = rand_pcg::Pcg64Mcg::seed_from_u64(case);
    let graph = match r.random_range(0..5) {
        0 => "{ model = \"well-mixed\" }".to_string(),
        1 => format!(
            "{{ model = \"erdos-renyi\", mean_degree = {} }}",
            r.random_range(1.0..10.0)
        ),
        2 => format!(
            "{{ model = \"barabasi-albert\", m = {} }}",
            r.random_range(1..5)
        ),
        3 => format!(
            "{{ model = \"watts-strogatz\", k = {}, rewire = {} }}",
            2 * r.random_range(1..4),
            r.random::<f64>()
        ),
        _ => format!(
            "{{ model = \"block\", blocks = {}, degree_in = {}, degree_out = {} }}",
            r.random_range(2..10),
            r.random_range(0.0..6.0),
            r.random_range(0.0..2.0)
        ),
    };
    let well_mixed = graph.contains("well-mixed");
    let mode = match r.random_range(0..3) {
        0 => "off",
        1 if !well_mixed => "threshold",
        _ => "contagion",
    };
    let flag = |r: &mut rand_pcg::Pcg64Mcg| {
        if r.random::<f64>() < 0.8 {
            "true"
        } else {
            "false"
        }
    };
    format!(
        r#"
days = {days}
runs = 3
seed = {seed}
[population]
size = {size}
graph = {graph}
[start]
members = {start}
pick = "{pick}"
owner = {owner}
[[channel]]
name = "volume"
daily = {daily}
schedule = {{ start = 1, end = {end} }}
cost_per_join = 2.5
[[channel]]
name = "rate"
rate = {rate}
need_match = {nm}
[invite]
enabled = {inv}
rate = {irate}
contacts = {contacts}
[needs]
enabled = {needs}
[interest]
enabled = {interest}
half_life = {hl}
[trust]
enabled = {trust}
[content]
enabled = {content}
schedule = {{ start = 1, every = {every} }}
[conversion]
enabled = {conv}
[leave]
enabled = {leave}
base = {base}
mute_share = {mute}
[leave.friends]
mode = "{mode}"
k = {k}
rate = {frate}
[groups]
capacity = {capacity}
max = {max_groups}
split = {split}
{strategies}
"#,
        days = r.random_range(1..60),
        seed = r.random::<u32>(),
        size = r.random_range(40..800),
        start = r.random_range(0..3),
        pick = if r.random::<bool>() {
            "friends"
        } else {
            "random"
        },
        owner = r.random::<bool>(),
        daily = r.random_range(0.0..20.0),
        end = r.random_range(1..30),
        rate = r.random_range(0.0..0.05),
        nm = r.random::<f64>(),
        inv = flag(&mut r),
        irate = r.random::<f64>(),
        contacts = r.random_range(0.0..2.0),
        needs = flag(&mut r),
        interest = flag(&mut r),
        hl = r.random_range(0.5..30.0),
        trust = flag(&mut r),
        content = flag(&mut r),
        every = r.random_range(1..10),
        conv = flag(&mut r),
        leave = flag(&mut r),
        base = r.random_range(0.0..0.2),
        mute = r.random::<f64>(),
        k = r.random_range(1..4),
        frate = r.random_range(0.0..0.5),
        capacity = r.random_range(2..60),
        max_groups = r.random_range(1..6),
        split = r.random::<bool>(),
        strategies = strategies(&mut r),
    )
}

/// A random selection of operator strategies (S2–S11), each with random but
/// valid settings.
fn strategies(r: &mut rand_pcg::Pcg64Mcg) -> String {
    let mut out = String::new();
    fn maybe(out: &mut String, r: &mut rand_pcg::Pcg64Mcg, text: String) {
        if r.random::<f64>() < 0.4 {
            out.push_str(&text);
            out.push('\n');
        }
    }
    let kind = if r.random::<bool>() {
        "fixed"
    } else {
        "lottery"
    };
    let t = format!(
        "[[reward]]\nkind = \"{kind}\"\nbudget = {}\nwinners = {}\nschedule = {{ start = 2, every = 3 }}",
        r.random_range(0.0..100.0),
        r.random_range(1..5)
    );
    maybe(&mut out, r, t);
    let t = format!(
        "[[giveaway]]\nreach = {}\nappeal = {}\ndeliver_after = {}",
        r.random_range(0.0..50.0),
        r.random::<f64>(),
        r.random_range(0..5)
    );
    maybe(&mut out, r, t);
    let t = format!(
        "[referral_reward]\namount = {}\ninvite_gain = {}\nlure = {}",
        r.random_range(0.0..60.0),
        r.random_range(0.0..6.0),
        r.random::<f64>()
    );
    maybe(&mut out, r, t);
    let t = format!(
        "[guests]\nfee = {}\nschedule = {{ start = {}, every = 5 }}",
        r.random_range(0.0..300.0),
        r.random_range(1..10)
    );
    maybe(&mut out, r, t);
    let t = format!(
        "[operator]\nfunds = {}\nhours_per_week = {}\nreinvest = {}",
        r.random_range(0.0..2000.0),
        r.random_range(0.0..20.0),
        r.random::<f64>()
    );
    maybe(&mut out, r, t);
    let t = format!(
        "[kol]\ncount = {}\nschedule = {{ start = {}, end = 20 }}",
        r.random_range(1..5),
        r.random_range(1..10)
    );
    maybe(&mut out, r, t);
    let has_cycle = r.random::<bool>();
    if has_cycle {
        out.push_str(&format!("[cycle]\nlength = {}\n", r.random_range(1..15)));
    }
    let t = format!(
        "[fee]\namount = {}\nthreshold = {}",
        r.random_range(0.0..200.0),
        r.random_range(0.0..0.5)
    );
    maybe(&mut out, r, t);
    let t = format!(
        "[[event]]\nschedule = {{ days = [{}] }}\ncapacity = {}\ntie_probability = {}",
        r.random_range(1..20),
        r.random_range(1..20),
        r.random::<f64>()
    );
    maybe(&mut out, r, t);
    maybe(&mut out, r, "[service]\nanswer = 0.7".to_string());
    let t = format!("[rituals]\ncheckin_rate = {}", r.random::<f64>());
    maybe(&mut out, r, t);
    let t = format!(
        "[moderation]\nad_delay = {}\ninactive_days = {}",
        r.random_range(0..3),
        if has_cycle { r.random_range(0..5) } else { 0 }
    );
    maybe(&mut out, r, t);
    let t = format!(
        "[selling]\npushes = {}\nschedule = {{ start = 3, every = 2 }}",
        r.random_range(0..4)
    );
    maybe(&mut out, r, t);
    out
}

fn run(text: &str) -> (u64, Vec<RunOutput>) {
    let s = Scenario::from_toml(text, Path::new("prop.toml"), Path::new("."), "prop")
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    let (s, g) = batch::prepare(s, 1).unwrap();
    let n = s.population_size().unwrap();
    let b = batch::run_batch(
        s,
        g,
        BatchOptions {
            threads: 1,
            progress: false,
        },
    )
    .unwrap();
    (n, b.runs)
}

#[test]
fn counts_add_up_and_every_leaver_has_one_cause() {
    for case in 0..150 {
        let text = random_scenario(case);
        let (n, runs) = run(&text);
        for r in &runs {
            let mut prev_members = 0u64;
            let mut joined_total = 0u64;
            for d in &r.days {
                let ctx = || format!("case {case}, run {}, day {}:\n{text}", r.run, d.day);
                assert_eq!(d.members, d.active + d.silent + d.muted, "{}", ctx());
                assert_eq!(
                    d.left,
                    d.left_by_cause.iter().sum::<u32>(),
                    "leavers without exactly one cause: {}",
                    ctx()
                );
                assert_eq!(
                    d.members as u64,
                    prev_members + d.joined as u64 - d.left as u64,
                    "{}",
                    ctx()
                );
                if d.day > 0 {
                    assert_eq!(d.joined, d.referral_joins + d.channel_joins, "{}", ctx());
                }
                assert!(d.muted_new <= d.muted, "{}", ctx());
                assert!((0.0..=1.0).contains(&d.mean_trust), "{}", ctx());
                assert!((0.0..=1.0).contains(&d.mean_interest), "{}", ctx());
                assert!(d.revenue >= 0.0 && d.cost >= 0.0, "{}", ctx());
                prev_members = d.members as u64;
                joined_total += d.joined as u64;
            }
            // Nobody joins twice, so joins never exceed the population.
            assert!(
                joined_total <= n,
                "case {case}: {joined_total} joins of {n}"
            );
            let referral_joins: u64 = r.days.iter().map(|d| d.referral_joins as u64).sum();
            assert_eq!(r.referrals.len() as u64, referral_joins, "case {case}");
            let mut invitees: Vec<u64> = r.referrals.iter().map(|x| x.invitee).collect();
            invitees.sort_unstable();
            invitees.dedup();
            assert_eq!(
                invitees.len(),
                r.referrals.len(),
                "case {case}: joined twice"
            );
            assert!(r
                .referrals
                .iter()
                .all(|x| x.generation >= 1 && x.inviter != x.invitee));
        }
    }
}

#[test]
fn causes_have_distinct_names() {
    let mut names: Vec<&str> = CAUSES.iter().map(|c| c.name()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), CAUSES.len());
}
