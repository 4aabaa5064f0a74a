//! The agent-based model: one run of a scenario, day by day.
//!
//! This layer does no I/O and cannot fail: it takes a checked [`Scenario`], a
//! graph and a run index, and returns plain rows. A run's results depend only
//! on (scenario, graph, seed, run index). MODEL.md states every rule
//! implemented here, with its parameters and source; keep the two in step.

mod budget;
mod day;
mod observe;
mod params;
mod world;

pub use observe::{simulate_observed, MemberState};

pub use day::{tally_bytes, CHUNK};
pub use params::probability_weight;
pub use params::Params;
pub use world::{Cause, Role, CAUSES, MEMBER_BYTES, PERSON_ARRAY_BYTES, TIE_BYTES_PER_PERSON};

use crate::graph::Graph;
use crate::referral::{self, TreeStats};
use crate::rng::RunKey;
use crate::scenario::Scenario;

/// Counts and means for one day of one run (a row of daily.csv).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DayRow {
    pub day: u32,
    /// Members at the end of the day (active + silent + muted).
    pub members: u32,
    /// Members who spoke today and are still unmuted members at its end.
    pub active: u32,
    /// Unmuted members who did not speak today.
    pub silent: u32,
    /// Members who have muted the group (M5).
    pub muted: u32,
    /// People who joined today (on day 0: the launch members).
    pub joined: u32,
    /// People who left today.
    pub left: u32,
    pub referral_joins: u32,
    pub channel_joins: u32,
    /// Members who muted the group today.
    pub muted_new: u32,
    /// Invitations sent today (graph populations) or contacts made (well-mixed).
    pub invitations: u64,
    pub messages: u64,
    pub purchases: u32,
    pub mean_trust: f64,
    pub mean_interest: f64,
    pub revenue: f64,
    pub cost: f64,
    /// Leavers today by cause, indexed like [`CAUSES`].
    pub left_by_cause: [u32; CAUSES.len()],
    /// Groups open at the end of the day (S13).
    pub groups: u32,
    /// People who would have joined but found every group full.
    pub refused_full: u32,
    /// Joins through a giveaway (also counted in channel_joins).
    pub gift_joins: u32,
    /// Leavers today who had joined through a giveaway.
    pub gift_left: u32,
    /// Members who read today's lesson, and the trust they gained in total.
    pub lesson_readers: u32,
    pub lesson_trust_gain: f64,
    /// Advertisers' messages today (also counted in `messages`, R4).
    pub ads: u64,
    /// Questions asked today, and how many were answered.
    pub questions: u32,
    pub answered: u32,
    /// Members who attended today's offline event, and their total trust gain.
    pub event_attendees: u32,
    pub event_trust_gain: f64,
    /// The operator's money at the end of the day (`inf`: unlimited).
    pub funds: f64,
    /// Owner's and team's hours used today.
    pub hours_used: f64,
    /// Revenue that went back into funds today (`operator.reinvest` × revenue).
    pub reinvested: f64,
}

impl DayRow {
    /// Adds another part of the day's counts and sums (the day's loop
    /// tallies them per chunk of members): every field but the day, the
    /// means and the funds, which are set once the day is over.
    pub fn add_counts(&mut self, o: &DayRow) {
        let DayRow {
            day: _,
            members,
            active,
            silent,
            muted,
            joined,
            left,
            referral_joins,
            channel_joins,
            muted_new,
            invitations,
            messages,
            purchases,
            mean_trust: _,
            mean_interest: _,
            revenue,
            cost,
            left_by_cause,
            groups,
            refused_full,
            gift_joins,
            gift_left,
            lesson_readers,
            lesson_trust_gain,
            ads,
            questions,
            answered,
            event_attendees,
            event_trust_gain,
            funds: _,
            hours_used,
            reinvested,
        } = o;
        self.members += members;
        self.active += active;
        self.silent += silent;
        self.muted += muted;
        self.joined += joined;
        self.left += left;
        self.referral_joins += referral_joins;
        self.channel_joins += channel_joins;
        self.muted_new += muted_new;
        self.invitations += invitations;
        self.messages += messages;
        self.purchases += purchases;
        self.revenue += revenue;
        self.cost += cost;
        for (a, b) in self.left_by_cause.iter_mut().zip(left_by_cause) {
            *a += b;
        }
        self.groups += groups;
        self.refused_full += refused_full;
        self.gift_joins += gift_joins;
        self.gift_left += gift_left;
        self.lesson_readers += lesson_readers;
        self.lesson_trust_gain += lesson_trust_gain;
        self.ads += ads;
        self.questions += questions;
        self.answered += answered;
        self.event_attendees += event_attendees;
        self.event_trust_gain += event_trust_gain;
        self.hours_used += hours_used;
        self.reinvested += reinvested;
    }
}

/// One group on one day (a row of groups.csv).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupRow {
    pub day: u32,
    pub group: u16,
    pub members: u32,
    pub active: u32,
    pub muted: u32,
    pub joined: u32,
    pub left: u32,
    /// Members moved into / out of the group today when a full group split
    /// (S13), so that members = yesterday's + joined + moved_in − moved_out − left.
    pub moved_in: u32,
    pub moved_out: u32,
}

/// One join by invitation (a row of referrals.csv).
#[derive(Debug, Clone, PartialEq)]
pub struct Referral {
    pub day: u32,
    pub inviter: u64,
    pub invitee: u64,
    pub generation: u32,
}

/// How a person came to join (the `source` column of members.csv).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinSource {
    Launch,
    /// Through the channel with this index.
    Channel(u16),
    Invited,
    /// Through a giveaway.
    Gift,
}

/// One person who joined, in one run (a row of members.csv).
#[derive(Debug, Clone, PartialEq)]
pub struct MemberRow {
    /// The person's id (the file's id for file graphs).
    pub person: u64,
    pub source: JoinSource,
    pub join_day: u32,
    pub mute_day: Option<u32>,
    pub leave_day: Option<u32>,
    /// Why they muted or left (None while still in and unmuted).
    pub cause: Option<Cause>,
    pub group: u16,
    pub paid: bool,
    pub purchases: u32,
    /// Friends on the social graph.
    pub degree: u32,
    /// Ties inside the group at exit or at the end of the run.
    pub ties: u32,
    /// Offline events attended (S6).
    pub events: u32,
    /// Offline events signed up for but not attended because they were full.
    pub waitlisted: u32,
    /// Trust in the leader at exit or at the end of the run.
    pub trust: f32,
    /// The person's need on joining: the chance of an explicit or a latent
    /// need (MODEL.md §2).
    pub need: f32,
}

/// Per-run summary (a row of runs.csv).
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    pub peak_members: u32,
    pub peak_day: u32,
    pub peak_active: u32,
    /// Days from launch until active members fell below the lifetime fraction
    /// of their peak for good; `days` if that never happened.
    pub lifetime_days: u32,
    /// Whether the group was still alive on the last day (lifetime censored).
    pub alive_at_end: bool,
    pub final_members: u32,
    pub final_active: u32,
    pub total_joined: u64,
    pub total_left: u64,
    /// People who would have joined but found every group full (S13).
    pub refused_full: u64,
    /// Joins by invitation / all joins after launch (0 if none).
    pub referral_share: f64,
    pub revenue: f64,
    pub cost: f64,
    /// Owner's and team's hours used over the run.
    pub hours_used: f64,
    /// First day a strategy could not be paid for (money ran out), if any.
    pub funds_out_day: Option<u32>,
    /// Alive at the end (as `lifetime_days` defines it) and funds did not
    /// fall over the last 30 days: reinvested revenue covered spending.
    pub self_sustaining: bool,
    /// Distinct members a KOL served (answered, or reached with a post) per
    /// KOL appointed; 0 without KOLs (R6).
    pub reached_per_kol: f64,
    /// Referral-tree metrics. [`summarise`] leaves them at their default,
    /// since the daily rows do not say who invited whom; [`simulate`] fills
    /// them from the run's referrals.
    pub trees: TreeStats,
}

/// Everything one run produces.
#[derive(Debug, Clone)]
pub struct RunOutput {
    pub run: u32,
    pub seed: u64,
    pub days: Vec<DayRow>,
    pub referrals: Vec<Referral>,
    /// Per-group rows, day by day (S13).
    pub groups: Vec<GroupRow>,
    /// One row per person who joined (empty when `[output] members = false`).
    pub members: Vec<MemberRow>,
    pub summary: RunSummary,
}

/// Simulates run `run` of `scenario` on `graph`, each day with more than
/// [`CHUNK`] members split over the threads of the current rayon pool.
pub fn simulate(scenario: &Scenario, params: &Params, graph: &Graph, run: u32) -> RunOutput {
    simulate_split(scenario, params, graph, run, true)
}

/// [`simulate`], with `split_days` false for a run among others that fill
/// the pool already (a batch of more runs than threads): the run's days
/// then stay on its thread. Split there, a thread waiting on the rest of
/// its day's chunks would take up another run meanwhile (rayon works while
/// it waits), so more runs would be in memory at once than the batch's
/// memory check allows for. The output is the same either way.
pub fn simulate_split(
    scenario: &Scenario,
    params: &Params,
    graph: &Graph,
    run: u32,
    split_days: bool,
) -> RunOutput {
    simulate_with(scenario, params, graph, run, split_days, |_, _| {})
}

/// [`simulate_split`], calling `after_day(world, day)` at the end of launch day 0
/// and of every later day (the classroom page's live view reads it).
pub(crate) fn simulate_with(
    scenario: &Scenario,
    params: &Params,
    graph: &Graph,
    run: u32,
    split_days: bool,
    mut after_day: impl FnMut(&world::World, u32),
) -> RunOutput {
    let spec = scenario.spec();
    let key = RunKey::new(spec.seed, run as u64);
    let mut world = world::World::new(params, graph, key);
    world.split_days = split_days;
    let mut days = Vec::with_capacity(spec.days as usize + 1);
    let mut referrals = Vec::new();
    let mut groups = Vec::new();
    days.push(world.launch(params, &mut referrals));
    groups.append(&mut world.day_groups);
    after_day(&world, 0);
    for d in 1..=spec.days {
        days.push(world.step(params, d, &mut referrals));
        groups.append(&mut world.day_groups);
        after_day(&world, d);
    }
    let mut summary = summarise(&days, spec.lifetime.fraction);
    // The tree metrics need the referral list, so they are computed before
    // the list is dropped for a scenario that does not write it.
    summary.trees = referral::tree_stats(
        referrals.iter().map(|r| (r.inviter, r.invitee)),
        summary.total_joined,
    );
    if !spec.output.referrals {
        referrals = Vec::new();
    }
    summary.reached_per_kol = world.reached_per_kol();
    summary.funds_out_day = world.purse.funds_out_day;
    world.close_records();
    RunOutput {
        run,
        seed: key.seed(),
        days,
        referrals,
        groups,
        members: std::mem::take(&mut world.records),
        summary,
    }
}

/// Computes the run summary from its daily rows.
pub fn summarise(days: &[DayRow], fraction: f64) -> RunSummary {
    let last = days.last().cloned().unwrap_or_default();
    let (mut peak_members, mut peak_day, mut peak_active) = (0, 0, 0);
    for r in days {
        if r.members > peak_members {
            peak_members = r.members;
            peak_day = r.day;
        }
        peak_active = peak_active.max(r.active);
    }
    let threshold = fraction * peak_active as f64;
    // Dead from the day after the last day with active >= threshold.
    let last_alive = days
        .iter()
        .rev()
        .find(|r| peak_active > 0 && r.active as f64 >= threshold)
        .map(|r| r.day);
    let (lifetime_days, alive_at_end) = match last_alive {
        None => (0, false),
        Some(d) if d == last.day => (last.day, true),
        Some(d) => (d + 1, false),
    };
    let total_joined: u64 = days.iter().map(|r| r.joined as u64).sum();
    let after_launch: u64 = days.iter().skip(1).map(|r| r.joined as u64).sum();
    let referral: u64 = days.iter().map(|r| r.referral_joins as u64).sum();
    RunSummary {
        peak_members,
        peak_day,
        peak_active,
        lifetime_days,
        alive_at_end,
        final_members: last.members,
        final_active: last.active,
        total_joined,
        total_left: days.iter().map(|r| r.left as u64).sum(),
        refused_full: days.iter().map(|r| r.refused_full as u64).sum(),
        referral_share: if after_launch > 0 {
            referral as f64 / after_launch as f64
        } else {
            0.0
        },
        revenue: days.iter().map(|r| r.revenue).sum(),
        cost: days.iter().map(|r| r.cost).sum(),
        hours_used: days.iter().map(|r| r.hours_used).sum(),
        funds_out_day: None,
        self_sustaining: alive_at_end && sustains(days),
        reached_per_kol: 0.0,
        trees: TreeStats::default(),
    }
}

/// Days over which [`RunSummary::self_sustaining`] compares revenue with
/// spending.
pub const SUSTAIN_DAYS: usize = 30;

/// Whether the funds did not fall over the last [`SUSTAIN_DAYS`] days (or
/// the whole run, if shorter): reinvested revenue covered spending. Summed
/// as flows, so unlimited funds have a meaning too.
fn sustains(days: &[DayRow]) -> bool {
    let tail = &days[days.len().saturating_sub(SUSTAIN_DAYS)..];
    let net: f64 = tail.iter().map(|r| r.reinvested - r.cost).sum();
    net >= -1e-9
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A scenario's text, loaded and prepared as a batch would: the
    /// scenario, its graph and the loop's parameters.
    /// Two runs gave the same outputs: days, members, referrals, groups.
    fn assert_same_run(a: &RunOutput, b: &RunOutput, what: &str) {
        assert_eq!(a.days, b.days, "{what}: days");
        assert_eq!(a.members, b.members, "{what}: members");
        assert_eq!(a.referrals, b.referrals, "{what}: referrals");
        assert_eq!(a.groups, b.groups, "{what}: groups");
    }

    pub(crate) fn prepared(text: &str) -> (Scenario, Graph, Params) {
        let s = Scenario::from_toml(text, "t.toml".as_ref(), ".".as_ref(), "t").unwrap();
        let (s, g) = crate::batch::prepare(s, 1).unwrap();
        let g = g.unwrap();
        let p = Params::new(&s, g.node_count());
        (s, g, p)
    }

    /// The day's census, taken by the member loop (or afresh after an event
    /// or a split) and added to the running census of the muted, equals a
    /// count of the member array at the end of each day: members, muted
    /// and the means of trust and interest exactly (the same fixed-point
    /// sums), and members and muted per group. The day loop's list of
    /// active members is every member who is not muted, in order, and
    /// every muted member who drifts out within the run is listed on their
    /// day. Scenarios with a meetup (stale after the event), splits (stale
    /// after a split), KOLs, channels and cycles with fees (every muted
    /// member goes at a cycle's end).
    #[test]
    fn the_day_census_equals_a_recount_of_the_members() {
        let texts = [
            include_str!("../../scenarios/default.toml"),
            include_str!("../../scenarios/offline-community.toml"),
            include_str!("../../scenarios/multi-group-fission.toml"),
            include_str!("../../scenarios/kol-led.toml"),
            include_str!("../../scenarios/paid-21-day-camp.toml"),
        ];
        for text in texts {
            let (s, g, p) = prepared(text);
            let mut recount = Vec::new();
            let name = s.spec().name.clone();
            let out = simulate_with(&s, &p, &g, 0, true, |w, day| {
                let ms: Vec<_> = w.live_members().collect();
                let n = ms.len() as u32;
                let muted = ms.iter().filter(|m| m.flags & world::MUTED != 0).count() as u32;
                let (mut t, mut i) = (0i64, 0i64);
                for m in &ms {
                    t += world::fixed(m.trust);
                    i += world::fixed(m.interest);
                }
                let mut per_group = vec![(0u32, 0u32); w.group_size.len()];
                for m in &ms {
                    per_group[m.group as usize].0 += 1;
                    per_group[m.group as usize].1 += (m.flags & world::MUTED != 0) as u32;
                }
                let per = (1u64 << 32) as f64 * n.max(1) as f64;
                let means = if n > 0 {
                    (t as f64 / per, i as f64 / per)
                } else {
                    (0.0, 0.0)
                };
                recount.push((day, n, muted, means, per_group));
                let active: Vec<u32> = (0..w.members.len() as u32)
                    .filter(|&a| w.members[a as usize].flags & (world::MUTED | world::LEFT) == 0)
                    .collect();
                assert_eq!(w.active, active, "{name} day {day}: the active list");
                for (a, m) in w.members.iter().enumerate() {
                    let listed =
                        |d: u32| w.drift_out.get(d as usize).map(|l| l.contains(&(a as u32)));
                    if m.flags & (world::MUTED | world::LEFT) == world::MUTED {
                        assert!(
                            m.drifts_out > day,
                            "{name} day {day}: a muted member past their day"
                        );
                        assert_ne!(listed(m.drifts_out), Some(false), "{name} day {day}");
                    }
                }
            });
            assert!(out.groups.iter().any(|r| r.group > 0) || !name.contains("fission"));
            assert!(
                out.days
                    .iter()
                    .any(|r| r.left_by_cause[Cause::FeeNotRenewed as usize] > 0)
                    || !name.contains("camp"),
                "{name}: a cycle's end"
            );
            for (day, n, muted, (t, i), per_group) in recount {
                let row = &out.days[day as usize];
                assert_eq!((row.members, row.muted), (n, muted), "{name} day {day}");
                assert_eq!(
                    (row.mean_trust, row.mean_interest),
                    (t, i),
                    "{name} day {day}"
                );
                let rows: Vec<(u32, u32)> = out
                    .groups
                    .iter()
                    .filter(|r| r.day == day)
                    .map(|r| (r.members, r.muted))
                    .collect();
                assert_eq!(rows, per_group, "{name} day {day}");
            }
        }
    }

    /// Issue 11: when no rule reads a member's satisfaction, annoyance or
    /// expectation (interest, trust, conversion, the value of staying and
    /// renewals off), the day loop skips their drift and what members learn
    /// from the chat; running both anyway changes no output. Askers, ads,
    /// product pushes, lessons, ties, KOLs and a meetup keep those states
    /// moving, so a rule that read them would show.
    #[test]
    fn skipping_feelings_nobody_reads_changes_nothing() {
        let text = r#"
name = "idle-feelings"
days = 40
[population]
size = 4000
graph = { model = "barabasi-albert", m = 3 }
[roles]
asker = 0.3
advertiser = 0.05
[start]
members = 400
[[channel]]
name = "poster"
daily = 20
[interest]
enabled = false
[trust]
enabled = false
[conversion]
enabled = false
[leave]
value = 0.0
base = 0.01
[content]
schedule = { start = 1, every = 3 }
[selling]
schedule = { start = 5, every = 5 }
pushes = 2
[kol]
schedule = { start = 2, end = 30 }
count = 3
pay_per_day = 5.0
[[event]]
schedule = { days = [10] }
capacity = 100
[leave.friends]
mode = "contagion"
"#;
        let (s, g, mut p) = prepared(text);
        assert!(!p.feelings_matter());
        let skipped = simulate(&s, &p, &g, 0);
        p.always_drift = true;
        assert!(p.feelings_matter());
        let full = simulate(&s, &p, &g, 0);
        let sum = |f: fn(&DayRow) -> u64| skipped.days.iter().map(f).sum::<u64>();
        assert!(sum(|r| r.lesson_readers as u64) > 0);
        assert!(sum(|r| r.ads) > 0);
        assert!(sum(|r| r.questions as u64) > 0);
        assert!(sum(|r| r.event_attendees as u64) > 0);
        assert!(sum(|r| r.left as u64) > 0);
        assert_same_run(&skipped, &full, "drift skipped");
    }

    /// Issue 11: the day's loop has a plain copy, without the checks of
    /// the mechanisms a plain network SIR leaves off, for days when all of
    /// them are off or idle. Here lessons every fourth day, an operator
    /// who speaks and invites, askers and advertisers, a channel, muting
    /// and small groups make some days plain and some not; forcing the
    /// full copy on every day (`always_drift` makes every day's feelings
    /// matter) must change no output, while the draws of both copies did
    /// decide things (members left, invited, spoke).
    #[test]
    fn plain_days_give_what_full_days_give() {
        let text = r#"
name = "plain-days"
days = 60
[population]
size = 3000
graph = { model = "barabasi-albert", m = 3 }
[roles]
asker = 0.2
advertiser = 0.05
[needs]
enabled = false
[start]
members = 30
[[channel]]
name = "poster"
daily = 5
[invite]
per_friend = 0.05
[interest]
enabled = false
[trust]
enabled = false
[conversion]
enabled = false
[content]
schedule = { start = 1, every = 4 }
[leave]
base = 0.03
value = 0.0
distrust = 0.0
mute_share = 0.3
friends = { mode = "off" }
[ties]
enabled = false
[groups]
capacity = 80
max = 4
split = true
"#;
        let (s, g, mut p) = prepared(text);
        let mut plain = 0;
        let a = simulate_with(&s, &p, &g, 0, true, |w, _| plain = w.plain_days);
        p.always_drift = true;
        let mut full_plain = 0;
        let b = simulate_with(&s, &p, &g, 0, true, |w, _| full_plain = w.plain_days);
        assert!(plain > 30 && plain < 60, "plain days: {plain}");
        assert_eq!(full_plain, 0);
        let sum = |f: fn(&DayRow) -> u64| a.days.iter().map(f).sum::<u64>();
        assert!(sum(|r| r.left as u64) > 50);
        assert!(sum(|r| r.referral_joins as u64) > 50);
        assert!(sum(|r| r.messages) > 1000);
        assert!(sum(|r| r.questions as u64) > 0);
        assert!(sum(|r| r.ads) > 0);
        assert!(a.days.last().is_some_and(|r| r.groups > 1));
        assert_same_run(&a, &b, "plain days");
    }

    /// A scenario whose days each hold several chunks of the day's loop
    /// ([`day::CHUNK`]): every mechanism on, ties, KOLs, a meetup and the
    /// team's answers, 90,000 launch members in 180 groups.
    const MANY_CHUNKS: &str = r#"
name = "chunks"
days = 12
[population]
size = 120000
graph = { model = "barabasi-albert", m = 3 }
[start]
members = 90000
[[channel]]
name = "poster"
daily = 200
[content]
schedule = { start = 1, every = 3 }
[service]
[rituals]
[kol]
schedule = { start = 2, end = 10 }
count = 5
pay_per_day = 20.0
[[event]]
schedule = { days = [6] }
capacity = 200
[leave.friends]
mode = "contagion"
[groups]
capacity = 500
max = 1000
"#;

    /// Issue 11: a run's days split over threads give the same run, to the
    /// last bit, on 1, 2 and 3 threads, with the team's hours unlimited
    /// (the chunks run at once) and limited (they run in order).
    #[test]
    fn a_run_is_the_same_on_any_number_of_threads() {
        let limited = format!("{MANY_CHUNKS}\n[operator]\nhours_per_week = 400\n");
        for text in [MANY_CHUNKS.to_string(), limited] {
            let (s, g, p) = prepared(&text);
            let on = |threads: usize| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap()
                    .install(|| simulate(&s, &p, &g, 0))
            };
            let one = on(1);
            // The memory check's bound on the tallies holds on every day.
            let n = g.node_count() as u64;
            let bound = tally_bytes(n, crate::batch::max_groups(&s, n));
            simulate_with(&s, &p, &g, 0, true, |w, day| {
                let kept: u64 = w.tallies.iter().map(|t| t.group_bytes()).sum();
                assert!(kept <= bound, "day {day}: {kept} > {bound}");
            });
            assert!(
                one.days[1].members as usize > 2 * day::CHUNK,
                "the test needs days of several chunks: {}",
                one.days[1].members
            );
            // Every tally the loop keeps has something in it.
            let sum = |f: fn(&DayRow) -> u64| one.days.iter().map(f).sum::<u64>();
            assert!(sum(|r| r.muted_new as u64) > 0);
            assert!(sum(|r| r.answered as u64) > 0);
            assert!(sum(|r| r.invitations) > 0);
            assert!(sum(|r| r.left as u64) > 0);
            if text == MANY_CHUNKS {
                assert!(sum(|r| r.event_attendees as u64) > 0);
            } else {
                // The week's hours run out on day 1, within the loop.
                assert!((one.days[1].hours_used - 400.0).abs() < 1e-6);
            }
            assert!(one.members.iter().any(|m| m.mute_day.is_some()));
            let whole = rayon::ThreadPoolBuilder::new()
                .num_threads(2)
                .build()
                .unwrap()
                .install(|| simulate_split(&s, &p, &g, 0, false));
            assert_eq!(one.days, whole.days, "2 threads, days not split");
            for threads in [2, 3] {
                let many = on(threads);
                assert_same_run(&one, &many, &format!("{threads} threads"));
            }
        }
    }

    /// Issue 11: leavers' records stay in the member array as holes until
    /// they make up a quarter of it. Compacting every day instead must
    /// change no output, on days of several chunks (whose sums the holes
    /// must not regroup) and on 1 or 2 threads, while holes were there.
    #[test]
    fn holes_in_the_member_array_change_nothing() {
        let (s, g, mut p) = prepared(MANY_CHUNKS);
        let mut most = 0;
        let with_holes = simulate_with(&s, &p, &g, 0, true, |w, _| most = most.max(w.holes));
        assert!(most > 1000, "holes: {most}");
        p.hole_share = usize::MAX;
        for threads in [1, 2] {
            let mut none = 0;
            let daily = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| simulate_with(&s, &p, &g, 0, true, |w, _| none = none.max(w.holes)));
            assert_eq!(none, 0);
            assert_same_run(&with_holes, &daily, &format!("{threads} threads"));
        }
    }

    #[test]
    fn person_arrays_are_counted() {
        // The memory check's per-person bytes cover a world with every
        // per-person array kept: KOLs, several groups, contagion, ties and
        // a channel's outsider pool.
        let text = format!(
            "{}\n[groups]\ncapacity = 100\nmax = 5\n[leave.friends]\nmode = \"contagion\"\n",
            include_str!("../../scenarios/kol-led.toml")
        );
        let (_, g, p) = prepared(&text);
        let w = world::World::new(&p, &g, crate::rng::RunKey::new(1, 0));
        let n = g.node_count();
        for (name, len) in [
            ("friends_in", w.friends_in.len()),
            ("friends_gone", w.friends_gone.len()),
            ("bond_in", w.bond_in.cells().len()),
            ("kol_reached", w.kol_reached.len()),
            ("kol_seen", w.kol_seen.len()),
            ("pool", w.pool.len()),
            ("group_of", w.group_of.len()),
        ] {
            assert_eq!(len, n, "{name} is not kept in this world");
        }
        assert_eq!(w.person_array_bytes(), PERSON_ARRAY_BYTES * n);
    }

    /// The memory check's allowance for ties covers a run in which every
    /// kind of tie is made (welcomes, replies, answers, a meetup's pairs):
    /// the bench's full model at 20,000 people, its 60 days.
    #[test]
    fn ties_fit_the_memory_checks_allowance() {
        let text = "days = 60\nruns = 1\n[population]\nsize = 20000\n\
            graph = { model = \"barabasi-albert\", m = 3 }\n[start]\nmembers = 50\n\
            [[channel]]\nname = \"mass\"\nrate = 0.01\nneed_match = 0.3\n\
            [[channel]]\nname = \"poster\"\ndaily = 40\n\
            [content]\nschedule = { start = 1, every = 3 }\n[service]\n[rituals]\n\
            [[event]]\nschedule = { days = [20] }\ncapacity = 200\n\
            [leave.friends]\nmode = \"contagion\"\n[groups]\ncapacity = 0\n";
        let (s, g, p) = prepared(text);
        let (mut most, mut joined) = (0, 0);
        simulate_with(&s, &p, &g, 0, true, |w, _| {
            most = most.max(w.ties.heap_bytes());
            joined = w.records.len();
        });
        let allowed = TIE_BYTES_PER_PERSON * g.node_count();
        assert!(joined > 5000, "{joined} joined");
        // (About a third of it: 0.64 of 2.16 MB.)
        assert!(
            most > 0 && most <= allowed,
            "ties held {most} bytes, allowed {allowed}"
        );
    }

    fn row(day: u32, active: u32) -> DayRow {
        DayRow {
            day,
            active,
            members: active,
            ..DayRow::default()
        }
    }

    #[test]
    fn lifetime_is_first_day_of_permanent_decline() {
        let days: Vec<DayRow> = [5, 20, 10, 3, 1, 1, 0]
            .iter()
            .enumerate()
            .map(|(d, &a)| row(d as u32, a))
            .collect();
        let s = summarise(&days, 0.1);
        // Threshold 2: day 3 (3 active) is the last day at or above it.
        assert_eq!(s.lifetime_days, 4);
        assert!(!s.alive_at_end);
        assert_eq!(s.peak_active, 20);
    }

    #[test]
    fn lifetime_is_censored_when_alive_at_end() {
        let days: Vec<DayRow> = [5, 20, 10, 8]
            .iter()
            .enumerate()
            .map(|(d, &a)| row(d as u32, a))
            .collect();
        let s = summarise(&days, 0.1);
        assert_eq!(s.lifetime_days, 3);
        assert!(s.alive_at_end);
    }

    #[test]
    fn nobody_ever_active_has_zero_lifetime() {
        let days: Vec<DayRow> = (0..5).map(|d| row(d, 0)).collect();
        let s = summarise(&days, 0.1);
        assert_eq!((s.lifetime_days, s.alive_at_end), (0, false));
    }
}
