//! The state of one run.
//!
//! Two kinds of plain vectors: per-person arrays indexed by person id (who is
//! in, out or gone; what other people can see), and the dense `members`
//! array holding each current member's own state in one 40-byte record.
//! The daily loop walks `members` front to back, so it reads memory in order
//! and its cost scales with members, not with the population.
//!
//! Invariants:
//! - `members` holds exactly the people whose status is MEMBER, in the order
//!   they joined (muted members are members with the MUTED flag).
//! - `pool` (when kept) lists exactly the people whose status is OUTSIDER,
//!   and `pool_pos[p]` is p's index in it.
//! - Status changes that other people can see (joining, leaving) are applied
//!   only at the end of a day, so every decision of a day reads the state at
//!   its start.

use rand::seq::index::sample;
use rand::Rng;

use super::params::Params;
use super::{DayRow, Referral};
use crate::graph::Graph;
use crate::rng::{Purpose, RunKey};

pub const OUTSIDER: u8 = 0;
pub const MEMBER: u8 = 1;
pub const GONE: u8 = 3;
/// An outsider who will join at the end of today.
pub const JOINING: u8 = 4;

/// A member's role (R2–R5). The numeric order matches `PerRole::as_array`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Role {
    Owner = 0,
    Expert = 1,
    Asker = 2,
    Lurker = 3,
    Advertiser = 4,
    Freebie = 5,
}

/// Why someone left or muted the group. One per leaver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Cause {
    Boredom = 0,
    UnmetNeed = 1,
    LostTrust = 2,
    Annoyance = 3,
    Friends = 4,
    FeeNotRenewed = 5,
    Removed = 6,
}

/// All causes, in column order.
pub const CAUSES: [Cause; 7] = [
    Cause::Boredom,
    Cause::UnmetNeed,
    Cause::LostTrust,
    Cause::Annoyance,
    Cause::Friends,
    Cause::FeeNotRenewed,
    Cause::Removed,
];

impl Cause {
    /// The name used in CSV columns (`left_<name>`).
    pub fn name(self) -> &'static str {
        match self {
            Cause::Boredom => "boredom",
            Cause::UnmetNeed => "unmet_need",
            Cause::LostTrust => "lost_trust",
            Cause::Annoyance => "annoyance",
            Cause::Friends => "friends",
            Cause::FeeNotRenewed => "fee_not_renewed",
            Cause::Removed => "removed",
        }
    }
}

/// How someone is joining today.
#[derive(Debug, Clone, Copy)]
pub enum Source {
    Launch,
    Channel(u16),
    Referral(u32),
}

/// Flag: holds a stake (made a purchase, M7).
pub const STAKE: u8 = 1;
/// Flag: has muted the group (M5).
pub const MUTED: u8 = 2;
/// Flag: leaves at the end of today.
pub const LEAVING: u8 = 4;

/// One member's own state. Only the member's own decisions read or write it.
#[derive(Debug, Clone, Copy)]
pub struct Member {
    pub id: u32,
    /// Day of joining.
    pub joined: u32,
    pub interest: f32,
    pub trust: f32,
    /// Perceived value received, 0..1 (decays).
    pub satisfaction: f32,
    pub annoyance: f32,
    /// Expectation set at recruitment (M3).
    pub expectation: f32,
    pub explicit: f32,
    pub latent: f32,
    pub role: u8,
    pub flags: u8,
    /// Cause recorded when muting or leaving.
    pub cause: u8,
}

/// State of one run.
pub struct World<'g> {
    pub graph: &'g Graph,
    pub key: RunKey,
    /// Per person: OUTSIDER, JOINING, MEMBER or GONE.
    pub status: Vec<u8>,
    /// Per person: referral generation (0 for launch and channel joiners).
    pub generation: Vec<u32>,
    /// Per person: friends currently in the group; kept only when leaving
    /// depends on friends.
    pub friends_in: Vec<u32>,
    /// Per person: friends who have left the group; kept as `friends_in`.
    pub friends_gone: Vec<u32>,
    pub members: Vec<Member>,
    pub pool: Vec<u32>,
    pub pool_pos: Vec<u32>,
    pub gone_total: u64,
    /// Yesterday's group-level aggregates, read by today's decisions.
    pub yesterday: Aggregates,
    // Scratch buffers reused every day (no allocation in the daily loop once
    // they have grown).
    pub pending: Vec<(u32, u32, u32)>,
    pub joiners: Vec<(u32, Source)>,
    pub inviters: Vec<u32>,
}

/// Group-level totals of one day that members react to on the next.
#[derive(Debug, Clone, Copy, Default)]
pub struct Aggregates {
    pub messages: u64,
    pub ads: u64,
    /// Active experts plus the owner if active: people who answer questions.
    pub answerers: u32,
}

impl<'g> World<'g> {
    pub fn new(p: &Params, graph: &'g Graph, key: RunKey) -> World<'g> {
        let n = p.n;
        let keep_pool = p.well_mixed || !p.channels.is_empty();
        let track = p.tracks_friends();
        World {
            graph,
            key,
            status: vec![OUTSIDER; n],
            generation: vec![0; n],
            friends_in: if track { vec![0; n] } else { Vec::new() },
            friends_gone: if track { vec![0; n] } else { Vec::new() },
            members: Vec::new(),
            pool: if keep_pool {
                (0..n as u32).collect()
            } else {
                Vec::new()
            },
            pool_pos: if keep_pool {
                (0..n as u32).collect()
            } else {
                Vec::new()
            },
            gone_total: 0,
            yesterday: Aggregates::default(),
            pending: Vec::new(),
            joiners: Vec::new(),
            inviters: Vec::new(),
        }
    }

    /// A person's role and needs: a pure function of (run, person), so an
    /// outsider's need is the same whenever it is looked at.
    pub fn attributes(&self, p: &Params, person: u32) -> (Role, f32, f32) {
        let d = self.key.day(Purpose::Attributes, 0).member(person);
        let u = d.unit(0);
        let role = if u < p.role_cum[0] {
            Role::Expert
        } else if u < p.role_cum[1] {
            Role::Asker
        } else if u < p.role_cum[2] {
            Role::Advertiser
        } else if u < p.role_cum[3] {
            Role::Freebie
        } else {
            Role::Lurker
        };
        if !p.needs_on {
            return (role, 1.0, 1.0);
        }
        let mut e = p.explicit.sample(d.unit(1));
        let mut l = p.latent.sample(d.unit(2));
        if role == Role::Freebie {
            e *= p.freebie_factor;
            l *= p.freebie_factor;
        }
        (role, e as f32, l as f32)
    }

    /// Need used for matching: the chance of having an explicit or a latent need.
    pub fn need(&self, p: &Params, person: u32) -> f64 {
        if !p.needs_on {
            return 1.0;
        }
        let (_, e, l) = self.attributes(p, person);
        1.0 - (1.0 - e as f64) * (1.0 - l as f64)
    }

    /// Day 0: the launch members join.
    pub fn launch(&mut self, p: &Params, referrals: &mut Vec<Referral>) -> DayRow {
        let n = p.n as u32;
        let mut rng = self.key.sequential(Purpose::Start, 0);
        let mut chosen: Vec<u32> = Vec::new();
        if !p.start_ids.is_empty() {
            chosen = p
                .start_ids
                .iter()
                .map(|&l| {
                    self.graph
                        .index_of_label(l)
                        .expect("checked when the graph was loaded")
                })
                .collect();
        } else if p.start_members > 0 {
            let k = p.start_members as usize;
            if p.start_friends && !p.well_mixed {
                // The owner, then their friends breadth-first (a founder pulls
                // in people they know), topped up at random if the owner's
                // component is too small.
                let owner = rng.random_range(0..n);
                let mut seen = std::collections::HashSet::new();
                let mut queue = std::collections::VecDeque::from([owner]);
                seen.insert(owner);
                while let Some(v) = queue.pop_front() {
                    chosen.push(v);
                    if chosen.len() == k {
                        break;
                    }
                    for &w in self.graph.neighbors(v) {
                        if seen.insert(w) {
                            queue.push_back(w);
                        }
                    }
                }
                while chosen.len() < k {
                    let v = rng.random_range(0..n);
                    if seen.insert(v) {
                        chosen.push(v);
                    }
                }
            } else {
                chosen = sample(&mut rng, p.n, k)
                    .into_iter()
                    .map(|v| v as u32)
                    .collect();
            }
        }
        self.joiners.clear();
        for &v in &chosen {
            self.status[v as usize] = JOINING;
            self.joiners.push((v, Source::Launch));
        }
        let mut row = DayRow::default();
        self.apply_joins(p, 0, &mut row, referrals);
        if p.owner {
            // The first launch member is the owner (R1).
            if let Some(o) = self.members.first_mut() {
                o.role = Role::Owner as u8;
                o.interest = 1.0;
                o.trust = 1.0;
            }
        }
        self.finish_day(&mut row);
        // On launch day nobody has spoken yet: everyone counts as silent.
        row.silent += row.active;
        row.active = 0;
        row
    }

    /// Removes `v` from the outsider pool, if one is kept.
    #[inline]
    fn unpool(&mut self, v: u32) {
        if self.pool.is_empty() {
            return;
        }
        let at = self.pool_pos[v as usize] as usize;
        let last = *self.pool.last().expect("v is in the pool");
        self.pool.swap_remove(at);
        if last != v {
            self.pool_pos[last as usize] = at as u32;
        }
    }

    /// Turns today's joiners into members.
    pub fn apply_joins(
        &mut self,
        p: &Params,
        day: u32,
        row: &mut DayRow,
        referrals: &mut Vec<Referral>,
    ) {
        let joiners = std::mem::take(&mut self.joiners);
        for &(v, source) in &joiners {
            let vi = v as usize;
            debug_assert_eq!(self.status[vi], JOINING);
            self.unpool(v);
            let (role, explicit, latent) = self.attributes(p, v);
            self.status[vi] = MEMBER;
            let (trust, promise) = match source {
                Source::Launch => (p.start_trust, p.start_promise),
                Source::Channel(c) => {
                    let ch = &p.channels[c as usize];
                    row.channel_joins += 1;
                    row.cost += ch.cost_per_join;
                    (ch.trust, ch.promise)
                }
                Source::Referral(by) => {
                    row.referral_joins += 1;
                    self.generation[vi] = self.generation[by as usize] + 1;
                    referrals.push(Referral {
                        day,
                        inviter: self.graph.label(by),
                        invitee: self.graph.label(v),
                        generation: self.generation[vi],
                    });
                    (p.invite_trust, p.invite_promise)
                }
            };
            self.members.push(Member {
                id: v,
                joined: day,
                interest: if p.interest_on {
                    p.interest_initial
                } else {
                    1.0
                },
                trust: if p.trust_on { trust } else { 1.0 },
                satisfaction: 0.0,
                annoyance: 0.0,
                expectation: promise,
                explicit,
                latent,
                role: role as u8,
                flags: 0,
                cause: 0,
            });
            row.joined += 1;
            if !self.friends_in.is_empty() {
                // Only friends who leave while v is in count against v.
                self.friends_gone[vi] = 0;
                for &w in self.graph.neighbors(v) {
                    self.friends_in[w as usize] += 1;
                }
            }
        }
        self.joiners = joiners;
        self.joiners.clear();
    }

    /// Applies today's departures, drops leavers from the member array, and
    /// fills the end-of-day counts and means of `row`.
    pub fn finish_day(&mut self, row: &mut DayRow) {
        let (mut muted, mut trust, mut interest) = (0u32, 0.0f64, 0.0f64);
        let mut kept = 0;
        for r in 0..self.members.len() {
            let m = self.members[r];
            if m.flags & LEAVING != 0 {
                let vi = m.id as usize;
                self.status[vi] = GONE;
                row.left += 1;
                row.left_by_cause[m.cause as usize] += 1;
                self.gone_total += 1;
                if !self.friends_in.is_empty() {
                    for &w in self.graph.neighbors(m.id) {
                        self.friends_in[w as usize] -= 1;
                        self.friends_gone[w as usize] += 1;
                    }
                }
                continue;
            }
            muted += (m.flags & MUTED != 0) as u32;
            trust += m.trust as f64;
            interest += m.interest as f64;
            self.members[kept] = m;
            kept += 1;
        }
        self.members.truncate(kept);
        let n = kept as u32;
        row.members = n;
        row.muted = muted;
        row.silent = n - muted - row.active;
        if n > 0 {
            row.mean_trust = trust / n as f64;
            row.mean_interest = interest / n as f64;
        }
    }
}
