//! One run watched day by day: who is a member at the end of each day, and in
//! which state (active, silent or muted).
//!
//! `commsim serve` draws the group member by member, which the daily rows do
//! not say. [`simulate_observed`] runs exactly the loop of [`super::simulate`]
//! and, after each day, reads the public fields of the world's member records.
//! It is a thin read on purpose: it changes no state, so the run's rows are
//! the same as `simulate`'s (a test checks it), and it only depends on
//! `members`, `id`, `joined`, `role`, `flags` and `last_spoke`.

use super::world::{self, Role, World};
use super::{Params, RunOutput};
use crate::graph::Graph;
use crate::scenario::Scenario;

/// A member's state at the end of a day. People who are not members are
/// outsiders (never joined) or have left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberState {
    /// Spoke (or checked in) today and has not muted the group.
    Active,
    /// An unmuted member who did not speak today (the owner always counts
    /// here, as in daily.csv).
    Silent,
    /// Has muted the group (M5).
    Muted,
}

impl MemberState {
    /// The one-letter code used by `commsim serve`'s JSON.
    pub fn code(self) -> char {
        match self {
            MemberState::Active => 'a',
            MemberState::Silent => 's',
            MemberState::Muted => 'm',
        }
    }
}

fn state_of(m: &world::Member, day: u32) -> MemberState {
    if m.flags & world::MUTED != 0 {
        MemberState::Muted
    } else if day > 0
        && m.joined < day
        && m.last_spoke == day
        && m.role != Role::Owner as u8
        && m.role != Role::Advertiser as u8
    {
        MemberState::Active
    } else {
        MemberState::Silent
    }
}

/// Simulates run `run` like [`super::simulate`], calling `observe(day,
/// members)` after launch day 0 and after each later day with every member
/// at the end of that day as (person, state), in joining order. Persons are
/// graph node indices (0-based), not file labels.
pub fn simulate_observed(
    scenario: &Scenario,
    params: &Params,
    graph: &Graph,
    run: u32,
    mut observe: impl FnMut(u32, &[(u32, MemberState)]),
) -> RunOutput {
    let mut seen: Vec<(u32, MemberState)> = Vec::new();
    super::simulate_with(scenario, params, graph, run, true, |world: &World, day| {
        seen.clear();
        seen.extend(world.live_members().map(|m| (m.id, state_of(m, day))));
        observe(day, &seen);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every shipped scenario small enough for a unit test: the observed run
    /// is the plain run, and the observed states add up to daily.csv's counts.
    #[test]
    fn observed_run_is_the_plain_run_and_states_match_the_counts() {
        let texts = [
            include_str!("../../scenarios/default.toml"),
            include_str!("../../scenarios/offline-community.toml"),
            include_str!("../../scenarios/paid-21-day-camp.toml"),
            include_str!("../../scenarios/brand-fan-group.toml"),
        ];
        for text in texts {
            let (s, g, params) = super::super::tests::prepared(text);
            let mut counts = Vec::new();
            let observed = simulate_observed(&s, &params, &g, 0, |day, members| {
                let n = |st| members.iter().filter(|m| m.1 == st).count() as u32;
                counts.push((
                    day,
                    members.len() as u32,
                    n(MemberState::Active),
                    n(MemberState::Silent),
                    n(MemberState::Muted),
                ));
            });
            let plain = super::super::simulate(&s, &params, &g, 0);
            assert_eq!(observed.days, plain.days);
            assert_eq!(observed.referrals, plain.referrals);
            assert_eq!(observed.summary, plain.summary);
            let from_rows: Vec<_> = plain
                .days
                .iter()
                .map(|r| (r.day, r.members, r.active, r.silent, r.muted))
                .collect();
            assert_eq!(counts, from_rows, "{}", s.spec().name);
        }
    }
}
