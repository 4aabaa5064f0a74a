//! One simulated day. MODEL.md §4 ("The day") describes these steps; each
//! rule has one home here:
//!
//! - [`World::step`]: the day's order (strategies of the day, every member's
//!   day, the event, joining, the end of the day);
//! - [`World::member_day`]: one member, in the order of MODEL.md §4.2–§4.9,
//!   through [`drift`], [`read`], [`World::speak`], [`World::invite`],
//!   [`World::buy`] and [`World::exit_decision`].

use crate::graph::prefetch_at;
use crate::sample;

use super::budget::Purse;
use super::params::probability_weight;
use super::params::Params;
use super::world::{
    Aggregates, Cause, Census, Member, Role, Source, Speakers, World, GIFT, JOINING, KOL, LEAVING,
    LEFT, MUTED, OUTSIDER, STAKE,
};
use super::{DayRow, Referral};
use crate::rng::{Block, DayStream, Draws, Level, Purpose, LANES};
use crate::scenario::{FriendsMode, Lever, RewardKind};

/// The streams and day-level numbers every member's day reads.
struct DayCtx {
    day: u32,
    content_today: bool,
    act: DayStream,
    inv: DayStream,
    acc: DayStream,
    cnv: DayStream,
    lv: DayStream,
    soc: DayStream,
    well_mixed_pressure: f64,
    /// [`Params::feelings_matter`], looked up once a day.
    feelings: bool,
    /// Whether today's member days are plain ([`World::plain_day`]).
    plain: bool,
    /// How [`Block::fill`] computes today's draws ([`Level::detect`]).
    level: Level,
    /// The invitation draw a member's day starts with: the decision to
    /// invite (0), or the first gap when inviting is certain (1). Only a
    /// hint for [`Block`]: a wrong one costs a hash, never a result.
    inv_first: u64,
}

/// Whether mechanism switch `on` can be set in this copy of the day's
/// loop: never in the plain one, where [`World::plain_day`] has checked
/// that every switch so guarded is off today (issue 11: the compiler then
/// drops the checks and what they guard). The result is the same as `on`.
#[inline(always)]
fn live<const PLAIN: bool>(on: bool) -> bool {
    debug_assert!(!(PLAIN && on), "a plain day with a mechanism on");
    !PLAIN && on
}

/// M5: a muted member is still counted but gone in practice; they only
/// drift out, for the reason they muted, on the day drawn when they muted
/// ([`drift_out_day`]), and do not renew at the end of a cycle (S11).
/// Whether they leave today.
#[inline(always)]
fn muted_day(mem: &mut Member, day: u32, cycle_end: bool) -> bool {
    if cycle_end {
        mem.cause = Cause::FeeNotRenewed as u8;
    } else if day < mem.drifts_out {
        return false;
    }
    mem.flags |= LEAVING;
    true
}

/// M5: the day a member who mutes on `day` drifts out, from the uniform
/// `u`: each later day they leave with chance q = `leave.muted_leave`, so
/// the wait G ≥ 1 is geometric, P(G > k) = (1 − q)^k. One draw when they
/// mute gives it: G = 1 + ⌊ln(1 − u) / ln(1 − q)⌋ (issue 11: a muted
/// member's day then takes no draw; the law is the same as a draw a day).
/// `u32::MAX` is never (q = 0, or leaving switched off).
fn drift_out_day(p: &Params, day: u32, u: f64) -> u32 {
    if !p.leave_on || p.muted_leave <= 0.0 {
        return u32::MAX;
    }
    // ln(1 − u) is finite (u < 1) and ≤ 0; ln(1 − q) < 0, −∞ at q = 1
    // (then the wait is one day).
    let wait = 1.0 + ((-u).ln_1p() / p.muted_log_stay).floor();
    if wait >= (u32::MAX - day) as f64 {
        u32::MAX
    } else {
        day + wait as u32
    }
}

/// Whether draw `u` is below the chance 1 − exp(−H) of leaving at total
/// hazard `total` = H, as the platform's `exp_m1` computes that chance
/// (with the base rate alone, the same number precomputed).
///
/// Members who get this far mostly have hazards of several units, and
/// leave with near certainty: since exp(H) ≥ T(H), the Taylor polynomial
/// of degree 4 (every term positive), the chance is at least
/// 1 − 1/T(H). Below that bound, less a margin of 1e-15 for rounding
/// (the bound's and `exp_m1`'s own, both under 1e-15 here), the answer is
/// yes with no exponential (issue 11); only draws above it compute the
/// chance. The answer is the same either way.
#[inline(always)]
fn exits(u: f64, total: f64, p: &Params) -> bool {
    if total == p.base_hazard {
        return u < p.base_leave;
    }
    if u < sure_exit_below(total) {
        return true;
    }
    // "Not at least", as the comparison this replaced was written, so that
    // a hazard that is not a number decides as before.
    #[allow(clippy::neg_cmp_op_on_partial_ord)]
    let below = !(u >= -(-total).exp_m1());
    below
}

/// [`exits`]'s bound at hazard `x`: 1 − 1/T(x) less the margins, below
/// the computed chance of leaving.
#[inline(always)]
fn sure_exit_below(x: f64) -> f64 {
    let t = 1.0 + x * (1.0 + x / 2.0 * (1.0 + x / 3.0 * (1.0 + x / 4.0)));
    1.0 - (1.0 + 1e-9) / t - 1e-15
}

/// Members per chunk of the day's loop (issue 11). What the loop counts and
/// sums is tallied per chunk and added up in chunk order, so the size of a
/// chunk, never the number of threads, fixes the rounding of every sum; a
/// day with no more members than this adds up exactly as one plain loop.
pub const CHUNK: usize = 1 << 14;

/// Bytes a run's tallies keep for each chunk of members and each group:
/// today's totals, active members and the census's counts.
const TALLY_BYTES_PER_GROUP: u64 = (std::mem::size_of::<Aggregates>() + 4 + 8) as u64;

/// An upper bound on the bytes of a run's tallies over `people` people in
/// at most `groups` groups (the memory check, `batch::check_memory`).
pub fn tally_bytes(people: u64, groups: u64) -> u64 {
    people
        .div_ceil(CHUNK as u64)
        .max(1)
        .saturating_mul(groups)
        .saturating_mul(TALLY_BYTES_PER_GROUP)
}

/// What the day's loop reads, the same for every chunk.
struct LoopIn<'a> {
    ctx: &'a DayCtx,
    today_s: &'a Today,
    inputs: &'a [GroupInputs],
    yesterday: &'a [Speakers],
}

/// One chunk of the day's loop: the active members at `ats` in the member
/// array, and the stretch of it that holds them, `chunk`, which starts at
/// `base` there.
struct Part<'a> {
    base: usize,
    chunk: &'a mut [Member],
    ats: &'a [u32],
}

/// What one chunk of the day's loop wrote outside its members' records,
/// put together in chunk order by [`World::merge_tallies`].
#[derive(Default)]
pub struct Tally {
    /// The day's counts and sums (the first chunk's starts as the day's
    /// row so far).
    row: DayRow,
    today: Vec<Aggregates>,
    active_by_group: Vec<u32>,
    census: Census,
    leaver_at: Vec<u32>,
    pending: Vec<(u32, u32, u32)>,
    inviters: Vec<u32>,
    tie_events: Vec<(u32, u32, f32)>,
    /// Who spoke, in order: (group, member, answers questions).
    spoke: Vec<(u16, u32, bool)>,
    kol_spoke: Vec<u32>,
    signups: Vec<(u32, usize)>,
    /// Members who muted today: (their record, the cause).
    muted: Vec<(u32, Cause)>,
    /// Where the members who muted today are in the member array.
    muted_today: Vec<u32>,
    /// Members a KOL served: (member, the KOL's bit).
    kol_reach: Vec<(u32, u64)>,
    /// The team's hours left this week, as this chunk goes.
    hours_left: f64,
}

impl Tally {
    fn start(&mut self, groups: usize, hours_left: f64) {
        self.row = DayRow::default();
        self.today.clear();
        self.today.resize(groups, Aggregates::default());
        self.active_by_group.clear();
        self.active_by_group.resize(groups, 0);
        self.census.start(groups);
        self.leaver_at.clear();
        self.pending.clear();
        self.inviters.clear();
        self.tie_events.clear();
        self.spoke.clear();
        self.kol_spoke.clear();
        self.signups.clear();
        self.muted.clear();
        self.muted_today.clear();
        self.kol_reach.clear();
        self.hours_left = hours_left;
    }

    /// A member's day is over: a leaver is noted by their place `at` in
    /// the member array, for the end of the day; anyone else is counted in
    /// the day's census, and a member who muted today noted too.
    #[inline(always)]
    fn count_out(&mut self, mem: &Member, at: u32) {
        if mem.flags & LEAVING != 0 {
            self.leaver_at.push(at);
        } else {
            self.census.count(mem, 1);
            if mem.flags & MUTED != 0 {
                self.muted_today.push(at);
            }
        }
    }

    /// The bytes this tally keeps per group (what [`tally_bytes`] bounds).
    #[cfg(test)]
    pub fn group_bytes(&self) -> u64 {
        (self.today.capacity() * std::mem::size_of::<Aggregates>()
            + self.active_by_group.capacity() * 4
            + self.census.groups_capacity() * 8) as u64
    }
}

/// A member's draws of the day in the three purposes every member's day
/// uses, made for a block of members at once ([`Block`]).
#[derive(Clone, Copy)]
struct Dice {
    act: Draws,
    inv: Draws,
    lv: Draws,
}

/// What a member's own decisions produced today, for the group's totals.
struct Spoke {
    active: bool,
    messages: u64,
}

impl World<'_> {
    /// Simulates day `day` (1-based) and returns its row.
    pub fn step(&mut self, p: &Params, day: u32, referrals: &mut Vec<Referral>) -> DayRow {
        let mut row = DayRow {
            day,
            ..DayRow::default()
        };
        self.purse.start_day(p, day);
        if !self.kols_appointed && p.kol.as_ref().is_some_and(|k| k.schedule.contains(day)) {
            self.appoint_kols(p);
        }
        let today_s = Today::new(p, self, day, &mut row);
        self.muted_members_day(day, today_s.cycle_end);
        let ctx = DayCtx {
            day,
            content_today: today_s.content_today,
            act: self.key.day(Purpose::Activity, day),
            inv: self.key.day(Purpose::Invite, day),
            acc: self.key.day(Purpose::Accept, day),
            cnv: self.key.day(Purpose::Convert, day),
            lv: self.key.day(Purpose::Leave, day),
            soc: self.key.day(Purpose::Social, day),
            well_mixed_pressure: if p.well_mixed && p.friends == FriendsMode::Contagion {
                p.friends_hazard * self.gone_total as f64 / p.n as f64
            } else {
                0.0
            },
            feelings: p.feelings_matter(),
            plain: false,
            level: Level::detect(),
            inv_first: if !p.invite_engaged && p.invite_rate * today_s.invite_mult >= 1.0 {
                1
            } else {
                0
            },
        };
        let ctx = DayCtx {
            plain: self.plain_day(p, &ctx, &today_s),
            ..ctx
        };
        self.plain_days += ctx.plain as u32;

        // Group-level inputs every member reads: yesterday's volume, ads,
        // answerers and answered questions in their own group (synchronous
        // update: nobody sees today's messages today).
        let inputs: Vec<GroupInputs> = self
            .yesterday
            .iter()
            .zip(&self.group_size)
            .zip(&self.speakers)
            .map(|((y, &size), sp)| GroupInputs::new(p, y, size, sp))
            .collect();
        let ng = self.group_size.len();
        // Today's lists of speakers start empty, reusing the lists of the
        // day before yesterday (their room kept: no allocation as they
        // fill).
        let mut fresh = std::mem::take(&mut self.spare_speakers);
        fresh.resize_with(ng, Speakers::default);
        for s in fresh.iter_mut() {
            s.answerers.clear();
            s.speakers.clear();
        }
        let yesterday_speakers = std::mem::replace(&mut self.speakers, fresh);

        // The member records are taken out for the loop, so that each
        // member's day works on its record in place: a copy out and back
        // costs more than the day of a member of the reference SIR
        // (issue 11). Nothing in a member's day reads another's record, and
        // everything it writes elsewhere goes to its chunk's tally, so the
        // chunks may run on several threads (see [`CHUNK`]).
        let mut members = std::mem::take(&mut self.members);
        let active = std::mem::take(&mut self.active);
        let mut tallies = std::mem::take(&mut self.tallies);
        let chunks = active.len().div_ceil(CHUNK).max(1);
        tallies.resize_with(chunks, Tally::default);
        for t in tallies.iter_mut() {
            t.start(ng, self.purse.hours_left);
        }
        tallies[0].row = std::mem::take(&mut row);
        let loop_in = LoopIn {
            ctx: &ctx,
            today_s: &today_s,
            inputs: &inputs,
            yesterday: &yesterday_speakers,
        };
        // The team's hours are the one thing a member's day takes from a
        // common stock (an answer by the team, §9.1): while they can run
        // out today, the chunks run in order, each starting with the hours
        // the one before left.
        let hours_bind = today_s.service && self.purse.hours_left.is_finite();
        // Chunk k: active members k·CHUNK to (k + 1)·CHUNK − 1, with the
        // stretch of the member array from the first of them to the next
        // chunk's first (the muted and the holes in between are not
        // visited).
        let mut parts = Vec::with_capacity(chunks);
        let mut rest = &mut members[..];
        let mut base = 0;
        for (k, ats) in active.chunks(CHUNK).enumerate() {
            let end = active
                .get((k + 1) * CHUNK)
                .map_or(base + rest.len(), |&a| a as usize);
            let (chunk, tail) = rest.split_at_mut(end - base);
            parts.push(Part { base, chunk, ats });
            rest = tail;
            base = end;
        }
        if parts.is_empty() {
            parts.push(Part {
                base: 0,
                chunk: rest,
                ats: &[],
            });
        }
        if chunks > 1 && !hours_bind && self.split_days && rayon::current_num_threads() > 1 {
            use rayon::prelude::*;
            let w = &*self;
            parts
                .into_par_iter()
                .zip(tallies.par_iter_mut())
                .for_each(|(part, t)| w.chunk_day(p, &loop_in, part, t));
        } else {
            let mut hours_left = self.purse.hours_left;
            for (part, t) in parts.into_iter().zip(&mut tallies) {
                t.hours_left = hours_left;
                self.chunk_day(p, &loop_in, part, t);
                hours_left = t.hours_left;
            }
        }
        self.members = members;
        self.active = active;
        let (mut today, mut signups, kol_spoke_today) =
            self.merge_tallies(&mut tallies, &mut row, day);
        self.tallies = tallies;
        row.ads = today.iter().map(|a| a.ads).sum();
        row.answered = today.iter().map(|a| a.answered).sum();

        if let Some(e) = today_s.event {
            self.hold_event(p, e, &mut signups, &mut row, day);
        }
        self.expose_kol_followers(kol_spoke_today);
        self.collect_joiners(p, day, &mut row);
        self.apply_joins(p, day, &mut row, referrals);
        self.apply_ties(p, day);
        self.finish_day(p, day, &mut row);
        today.resize(self.group_size.len(), Aggregates::default());
        self.speakers
            .resize(self.group_size.len(), Speakers::default());
        for (g, n) in self.greetings.drain(..).enumerate() {
            today[g].messages += n;
        }
        row.messages = today.iter().map(|a| a.messages).sum();
        self.yesterday = today;
        self.spare_speakers = yesterday_speakers;
        row
    }

    /// Whether no member's day today can use more than the plain network
    /// SIR of the reference scenarios does: speaking, inviting and leaving
    /// at the base rate (issue 11). Every other mechanism of §4.1–§4.9 is
    /// switched off or idle today; the day's loop then runs a copy of the
    /// member's day without their checks (see [`live`]), with the same
    /// draws and the same outcome.
    fn plain_day(&self, p: &Params, ctx: &DayCtx, today_s: &Today) -> bool {
        !ctx.feelings
            && !p.ties_on
            && !p.trust_on
            && !p.convert_on
            && p.value_hazard <= 0.0
            && p.friends == FriendsMode::Off
            && p.giveaways.is_empty()
            && !(p.moderation.is_some() && self.on.moderation)
            && !today_s.kol_active
            && !today_s.checkin
            && !today_s.content_today
            && !today_s.guest_today
            && !today_s.cycle_end
            && !today_s.group_buy
            && today_s.event.is_none()
    }

    /// M5: the muted members' day, before the loop (which visits only the
    /// active): at the end of a cycle they all go; on other days, those
    /// whose day to drift out it is ([`World::drift_out`]). Notes them in
    /// `muted_leaving`, in order, and takes them out of the muted census.
    fn muted_members_day(&mut self, day: u32, cycle_end: bool) {
        self.muted_leaving.clear();
        let mut due = self
            .drift_out
            .get_mut(day as usize)
            .map(std::mem::take)
            .unwrap_or_default();
        if cycle_end {
            for (at, m) in self.members.iter_mut().enumerate() {
                if m.flags & (MUTED | LEFT) == MUTED && muted_day(m, day, true) {
                    self.muted_leaving.push(at as u32);
                }
            }
        } else {
            due.sort_unstable();
            for &at in &due {
                // (A member who went at the end of a cycle left a hole.)
                let m = &mut self.members[at as usize];
                if m.flags & (MUTED | LEFT) == MUTED && muted_day(m, day, false) {
                    self.muted_leaving.push(at);
                }
            }
        }
        self.muted_census.fit(self.group_size.len());
        for &at in &self.muted_leaving {
            self.muted_census.count(&self.members[at as usize], -1);
        }
    }

    /// The day of the active members of `part`; what it writes outside
    /// their records goes to `t`.
    fn chunk_day(&self, p: &Params, li: &LoopIn, part: Part, t: &mut Tally) {
        if li.ctx.plain {
            self.members_day::<true>(p, li, part, t)
        } else {
            self.members_day::<false>(p, li, part, t)
        }
    }

    /// [`World::chunk_day`], in its plain copy or in full.
    #[inline(always)]
    fn members_day<const PLAIN: bool>(&self, p: &Params, li: &LoopIn, part: Part, t: &mut Tally) {
        let (ctx, today_s) = (li.ctx, li.today_s);
        let Part { base, chunk, ats } = part;
        // A plain member's day takes the speaking draw, the invitation
        // draw and the leaving one (§4.4, §4.6, §4.9): a block makes them
        // ahead. Full days hash each member's when asked for: the block was
        // slower there (issue 11, `full_model_100k`).
        let streams = [ctx.act, ctx.inv, ctx.lv];
        let mut block = Block::new(streams, [2, ctx.inv_first, 0], ctx.level);
        for n in 0..ats.len() {
            let lane = n % LANES;
            if PLAIN && lane == 0 {
                let mut ids = [0; LANES];
                for (id, &a) in ids.iter_mut().zip(&ats[n..]) {
                    *id = chunk[a as usize - base].id;
                }
                block.fill(&ids);
            }
            let draws = |s: usize, id: u32| {
                if PLAIN {
                    block.draws(s, lane)
                } else {
                    streams[s].member(id)
                }
            };
            // Two prefetches (issue 11: the loop is bound by memory
            // latency): far ahead, the offsets and per-person entries a
            // member's day reads; nearer, the neighbour list the offsets
            // point to, which are in cache by then.
            let id_at = |k: usize| ats.get(k).map(|&a| chunk[a as usize - base].id);
            if let Some(ahead) = id_at(n + 16) {
                if PLAIN {
                    // The other per-person arrays are empty on a plain day.
                    self.graph.prefetch_offsets(ahead);
                } else {
                    self.prefetch_person(ahead);
                }
            }
            if let Some(ahead) = id_at(n + 8) {
                self.graph.prefetch(ahead);
            }
            let at = ats[n];
            let idx = at as usize - base;
            let mem = &mut chunk[idx];
            debug_assert_eq!(mem.flags & (MUTED | LEFT), 0, "an active member");
            let g = mem.group as usize;
            if mem.role == Role::Owner as u8 {
                self.owner_day(p, mem, ctx, today_s, t);
            } else {
                let dice = Dice {
                    act: draws(0, mem.id),
                    inv: draws(1, mem.id),
                    lv: draws(2, mem.id),
                };
                let spoke = self.member_day::<PLAIN>(
                    p,
                    mem,
                    &dice,
                    ctx,
                    today_s,
                    &li.inputs[g],
                    &li.yesterday[g],
                    t,
                );
                if spoke.messages > 0 && mem.flags & KOL != 0 && live::<PLAIN>(today_s.kol_active) {
                    t.kol_spoke.push(mem.id);
                }
                if spoke.active {
                    t.row.active += 1;
                    t.active_by_group[g] += 1;
                }
                // S6: sign up for today's offline event, more likely when keen,
                // helped by the group, or committed.
                let keen =
                    (mem.interest + (1.0 - mem.interest) * mem.satisfaction).max(mem.commitment);
                if live::<PLAIN>(today_s.event.is_some())
                    && mem.flags & (MUTED | LEAVING) == 0
                    && dice.act.unit(5) < (keen * mem.trust) as f64
                {
                    t.signups.push((dice.act.bits(6) as u32, base + idx));
                }
            }
            t.count_out(mem, at);
        }
    }

    /// Puts the chunks' tallies together, in chunk order: lists are
    /// concatenated, counts and sums added to the first chunk's (which
    /// carried the day's row into the loop). Returns the groups' totals of
    /// today, the event's sign-ups and the KOLs who spoke.
    fn merge_tallies(
        &mut self,
        tallies: &mut [Tally],
        row: &mut DayRow,
        day: u32,
    ) -> (Vec<Aggregates>, Vec<(u32, usize)>, Vec<u32>) {
        let (first, rest) = tallies.split_first_mut().expect("one chunk at least");
        *row = std::mem::take(&mut first.row);
        let mut today = std::mem::take(&mut first.today);
        let mut signups = std::mem::take(&mut first.signups);
        let mut kol_spoke = std::mem::take(&mut first.kol_spoke);
        std::mem::swap(&mut self.census, &mut first.census);
        std::mem::swap(&mut self.active_by_group, &mut first.active_by_group);
        std::mem::swap(&mut self.leaver_at, &mut first.leaver_at);
        std::mem::swap(&mut self.muted_today, &mut first.muted_today);
        std::mem::swap(&mut self.pending, &mut first.pending);
        std::mem::swap(&mut self.inviters, &mut first.inviters);
        for t in rest.iter_mut() {
            row.add_counts(&t.row);
            for (a, b) in today.iter_mut().zip(&t.today) {
                a.add(b);
            }
            for (a, b) in self.active_by_group.iter_mut().zip(&t.active_by_group) {
                *a += b;
            }
            self.census.add(&t.census);
            self.leaver_at.append(&mut t.leaver_at);
            self.muted_today.append(&mut t.muted_today);
            self.pending.append(&mut t.pending);
            self.inviters.append(&mut t.inviters);
            signups.append(&mut t.signups);
            kol_spoke.append(&mut t.kol_spoke);
        }
        super::world::merge_in(&mut self.leaver_at, &self.muted_leaving);
        self.purse.hours_left = tallies.last().expect("one chunk").hours_left;
        for t in tallies.iter_mut() {
            self.tie_events.append(&mut t.tie_events);
            for &(g, m, answers) in &t.spoke {
                let s = &mut self.speakers[g as usize];
                if answers {
                    s.answerers.push(m)
                } else {
                    s.speakers.push(m)
                }
            }
            for &(r, cause) in &t.muted {
                if let Some(r) = self.records.get_mut(r as usize) {
                    r.mute_day = Some(day);
                    r.cause = Some(cause);
                }
            }
            for &(m, bit) in &t.kol_reach {
                self.kol_reached[m as usize] |= bit;
            }
        }
        (today, signups, kol_spoke)
    }

    /// R1: the owner posts the content and answers questions; never leaves.
    fn owner_day(&self, p: &Params, mem: &Member, ctx: &DayCtx, today_s: &Today, t: &mut Tally) {
        let m = mem.id;
        let speaks = ctx.content_today || ctx.act.member(m).unit(0) < p.speak[0];
        // The owner's messages count, but the owner is not counted among
        // active members: activity measures the members.
        if speaks {
            let today = &mut t.today[mem.group as usize];
            today.messages += p.messages[0] as u64;
            today.answerers += 1;
            t.spoke.push((mem.group, m, true));
        }
        if p.invite_on {
            let chance = p.invite_rate * today_s.invite_mult;
            self.invite(p, m, chance, &ctx.inv.member(m), &ctx.acc, t);
        }
    }

    /// One member's day (MODEL.md §4.2–§4.9). Returns what they said.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn member_day<const PLAIN: bool>(
        &self,
        p: &Params,
        mem: &mut Member,
        dice: &Dice,
        ctx: &DayCtx,
        today_s: &Today,
        gin: &GroupInputs,
        yesterday: &Speakers,
        t: &mut Tally,
    ) -> Spoke {
        let m = mem.id;
        let day = ctx.day;
        let tenure = day - mem.joined;
        let d_act = dice.act;
        if live::<PLAIN>(p.ties_on || !p.giveaways.is_empty()) {
            self.receive(p, mem, day, t);
        }
        let kol_paid = mem.flags & KOL != 0 && live::<PLAIN>(today_s.kol_active);
        if live::<PLAIN>(ctx.feelings) {
            let follows_kol = !self.kol_seen.is_empty() && self.kol_seen[m as usize] > 0;
            drift(p, mem, gin, today_s, mem.need(), follows_kol);
        }
        if kol_paid {
            // S4: a paid KOL is paid to stay keen.
            mem.interest = 1.0;
        }
        if live::<PLAIN>(ctx.feelings || today_s.content_today || today_s.guest_today) {
            read(p, mem, today_s, &d_act, mem.need(), gin, &mut t.row);
        }
        // Social value (ties) changes only between days: computed once for
        // speaking and for the decision to stay.
        let social = if live::<PLAIN>(p.ties_on) {
            self.social(p, mem)
        } else {
            (0.0, 0.0)
        };
        let spoke = self.speak::<PLAIN>(
            p, mem, &d_act, kol_paid, social.0, ctx, today_s, gin, yesterday, t,
        );
        // M3: value short of what was promised erodes trust.
        if live::<PLAIN>(p.trust_on) && tenure > p.grace_days {
            let gap = (mem.expectation - mem.satisfaction).max(0.0);
            mem.trust = (mem.trust - p.expectation_weight * gap).max(0.0);
        }
        if p.invite_on {
            let engaged = if p.invite_engaged {
                (mem.interest * mem.trust) as f64
            } else {
                1.0
            };
            self.invite(
                p,
                m,
                p.invite_rate * engaged * today_s.invite_mult,
                &dice.inv,
                &ctx.acc,
                t,
            );
        }
        if live::<PLAIN>(p.convert_on || today_s.group_buy) {
            buy(p, mem, tenure, ctx, today_s, &mut t.row);
        }
        // Operator removals and renewals, then the member's own choice.
        let exit = if let Some(c) =
            self.operator_exit::<PLAIN>(p, mem, day, today_s.cycle_end, &dice.lv, &mut t.row)
        {
            Some((c, false))
        } else if p.leave_on {
            self.exit_decision::<PLAIN>(p, mem, &dice.lv, tenure, kol_paid, social, gin, ctx)
        } else {
            None
        };
        match exit {
            // Ads are not conversation: an advertiser is never active (R4).
            None => Spoke {
                active: spoke > 0 && mem.role != Role::Advertiser as u8,
                messages: spoke,
            },
            Some((cause, mute)) => {
                mem.cause = cause as u8;
                if mute {
                    mem.flags |= MUTED;
                    mem.drifts_out = drift_out_day(p, day, dice.lv.unit(4));
                    t.row.muted_new += 1;
                    t.muted.push((mem.row, cause));
                } else {
                    mem.flags |= LEAVING;
                }
                Spoke {
                    active: false,
                    messages: spoke,
                }
            }
        }
    }

    /// §4.1: ties made and lost since yesterday reach the member; ties made
    /// by interaction fade without contact; a giveaway's gift arrives.
    fn receive(&self, p: &Params, mem: &mut Member, day: u32, t: &mut Tally) {
        if p.ties_on {
            mem.bond = (mem.bond * p.tie_decay + self.bond_in.take(mem.id)).max(0.0);
            mem.lost = mem.lost * p.tie_decay + self.lost_in.take(mem.id);
        }
        if mem.flags & GIFT != 0 && day >= mem.gift_due {
            // R5: the gift is delivered; what it was worth while waiting is
            // no longer a reason to stay.
            mem.flags &= !GIFT;
            t.row.cost += p.giveaways[mem.gift as usize].gift_cost;
        }
    }

    /// Social value B = M/(M + half_value) of tie strength M (graph friends
    /// still in, and ties made by interaction), and the social value the
    /// member would have without today's losses.
    #[inline]
    fn social(&self, p: &Params, mem: &Member) -> (f32, f32) {
        if !p.ties_on {
            return (0.0, 0.0);
        }
        let friends = self.friends_in.get(mem.id as usize).copied().unwrap_or(0);
        let mass = p.tie_friend * friends as f32 + mem.bond;
        let b = mass / (mass + p.tie_half_value);
        let with = mass + mem.lost;
        (b, with / (with + p.tie_half_value) - b)
    }

    /// §4.4: speaking, check-ins, questions and replies. Returns the
    /// messages sent (0: silent).
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn speak<const PLAIN: bool>(
        &self,
        p: &Params,
        mem: &mut Member,
        d_act: &Draws,
        kol_paid: bool,
        social: f32,
        ctx: &DayCtx,
        today_s: &Today,
        gin: &GroupInputs,
        yesterday: &Speakers,
        t: &mut Tally,
    ) -> u64 {
        let m = mem.id;
        let day = ctx.day;
        let role = mem.role;
        let g = mem.group as usize;
        // Novelty drives speaking, and so does value received: members whom
        // the group helps keep taking part (Joyce & Kraut 2006).
        let i = (mem.interest + (1.0 - mem.interest) * mem.satisfaction) as f64;
        let chance = if kol_paid {
            p.kol.as_ref().expect("KOL flag implies [kol]").speak
        } else if role == Role::Advertiser as u8 {
            // R4: advertisers post on their own schedule, whatever the chat.
            p.speak[role as usize]
        } else {
            // R2: experts and askers carry the chat, people talk to those
            // they are tied to, and a quiet group gets quieter (Joyce &
            // Kraut 2006).
            (p.speak[role as usize] * i + p.tie_chat * social as f64) * gin.talk
        };
        let spoke = d_act.unit(2) < chance;
        let mut checked_in = false;
        if live::<PLAIN>(today_s.checkin) {
            // S8: check-ins are a small ritual of speaking.
            let r = p.rituals.as_ref().expect("checkin implies [rituals]");
            if d_act.unit(4) < r.checkin_rate * i {
                mem.streak = mem.streak.saturating_add(1);
                checked_in = !spoke;
            } else {
                mem.streak = 0;
            }
        }
        // A newcomer whose greeting got a reply has a first tie (Joyce &
        // Kraut 2006: a reply raises the chance that a newcomer returns).
        if live::<PLAIN>(p.ties_on)
            && day == mem.joined + 1
            && !yesterday.speakers.is_empty()
            && self
                .key
                .day(Purpose::Activity, mem.joined)
                .member(m)
                .unit(7)
                < p.greeting
        {
            let d = ctx.soc.member(m);
            if d.unit(0) < gin.replied {
                let who =
                    yesterday.speakers[(d.bits(1) % yesterday.speakers.len() as u64) as usize];
                t.tie_events.push((m, who, p.tie_reply));
            }
        }
        if checked_in {
            // A check-in is one plain message: no ad, no question.
            mem.last_spoke = day;
            t.today[g].messages += 1;
            return 1;
        }
        if !spoke {
            return 0;
        }
        let messages = if kol_paid {
            p.messages[Role::Expert as usize]
        } else {
            p.messages[role as usize]
        } as u64;
        mem.last_spoke = day;
        t.today[g].messages += messages;
        if live::<PLAIN>(p.ties_on) {
            // Only read for the ties replies make.
            t.spoke.push((mem.group, m, false));
        }
        if role == Role::Expert as u8 || kol_paid {
            t.today[g].answerers += 1;
            t.spoke.push((mem.group, m, true));
        } else if role == Role::Advertiser as u8 {
            t.today[g].ads += messages;
            if mem.ad_since == 0 {
                mem.ad_since = day + 1;
            }
        } else if role == Role::Asker as u8 {
            self.ask(p, mem, ctx, today_s, gin, yesterday, t);
        }
        if live::<PLAIN>(p.ties_on) && mem.bond > 0.0 {
            // Talking with one's ties keeps them alive.
            if let Some(list) = self.ties.get(m) {
                let other = list[(ctx.soc.member(m).bits(2) % list.len() as u64) as usize].other;
                if self.status[other as usize] == super::world::MEMBER {
                    t.tie_events.push((m, other, p.tie_reply * 0.5));
                }
            }
        }
        messages
    }

    /// S7: a question answered by a member who answered yesterday, or else
    /// by the operator's team (worth less the slower it comes), is value
    /// received and a tie to the one who answered.
    #[allow(clippy::too_many_arguments)]
    fn ask(
        &self,
        p: &Params,
        mem: &mut Member,
        ctx: &DayCtx,
        today_s: &Today,
        gin: &GroupInputs,
        yesterday: &Speakers,
        t: &mut Tally,
    ) {
        let m = mem.id;
        t.row.questions += 1;
        let u = ctx.act.member(m).unit(3);
        let (gain, by) = if u < gin.answered {
            let who = if yesterday.answerers.is_empty() {
                None
            } else {
                let k = ctx.soc.member(m).bits(3) % yesterday.answerers.len() as u64;
                Some(yesterday.answerers[k as usize])
            };
            (p.answer_gain, who)
        } else if today_s.service
            && u < gin.answered + (1.0 - gin.answered) * p.service.as_ref().expect("service").answer
            && Purse::enough_hours(
                t.hours_left,
                p.service.as_ref().expect("service").hours_per_answer,
            )
        {
            // §9.1: each answer takes the team's time.
            let h = p.service.as_ref().expect("service").hours_per_answer;
            t.row.hours_used += h;
            t.hours_left -= h;
            (p.answer_gain * p.service_speed, self.owner_id)
        } else {
            return;
        };
        t.today[mem.group as usize].answered += 1;
        mem.satisfaction += gain * (1.0 - mem.satisfaction);
        if p.interest_on {
            mem.interest += gain * (1.0 - mem.interest);
        }
        if let Some(w) = by {
            if p.ties_on {
                let strength = if Some(w) == self.owner_id && u >= gin.answered {
                    p.tie_answer * p.service_speed
                } else {
                    p.tie_answer
                };
                t.tie_events.push((m, w, strength));
            }
            if let (false, Some(k)) = (
                self.kol_reached.is_empty(),
                self.kol_ids.iter().position(|&x| x == w),
            ) {
                // R6: a KOL served this member.
                t.kol_reach.push((m, 1 << (k % 64)));
            }
        }
    }

    /// Hazards of leaving, combined (MODEL.md §4.9); returns the cause and
    /// whether the member mutes instead of leaving.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn exit_decision<const PLAIN: bool>(
        &self,
        p: &Params,
        mem: &Member,
        d: &Draws,
        tenure: u32,
        kol_paid: bool,
        social: (f32, f32),
        gin: &GroupInputs,
        ctx: &DayCtx,
    ) -> Option<(Cause, bool)> {
        let m = mem.id;
        let mi = m as usize;
        if live::<PLAIN>(p.friends == FriendsMode::Threshold)
            && !self.friends_in.is_empty()
            && !self.friends_gone.is_empty()
            && self.friends_gone[mi] > 0
            && self.friends_in[mi] < p.friends_k
        {
            // Garcia et al. 2013: stay while at least k friends remain.
            return Some((Cause::Friends, false));
        }
        let (social, social_lost) = social;
        // Value short of the outside option, split by what is missing.
        let mut parts = [0.0f64; 4]; // annoyance, unmet need, friends, boredom
        let mut h_value = 0.0;
        if live::<PLAIN>(p.value_hazard > 0.0) {
            let u = self.net_value(p, mem, tenure, kol_paid, social, gin);
            let short = (p.outside - u.net) as f64;
            if short > 0.0 {
                let mut left = short;
                for (k, x) in [u.annoyance, u.disappointment, p.w_social * social_lost]
                    .into_iter()
                    .enumerate()
                {
                    let take = (x as f64).min(left).max(0.0);
                    parts[k] = take;
                    left -= take;
                }
                parts[3] = left;
                h_value = p.value_hazard * short;
            }
        }
        // Advertisers are there for the audience, not for the leader.
        let h_trust = if live::<PLAIN>(p.trust_on) && mem.role != Role::Advertiser as u8 {
            p.distrust * ((p.trust_floor - mem.trust) / p.trust_floor).max(0.0) as f64
        } else {
            0.0
        };
        let h_friends = match p.friends {
            _ if PLAIN => 0.0,
            FriendsMode::Contagion if p.well_mixed => ctx.well_mixed_pressure,
            FriendsMode::Contagion => p.friends_hazard * self.friends_gone[mi] as f64,
            _ => 0.0,
        };
        let total = p.base_hazard + h_value + h_trust + h_friends;
        if total <= 0.0 {
            return None;
        }
        let u = d.unit(0);
        // 1 − exp(−H) ≤ H, so a draw at or above H is no exit, whatever
        // the exponential gives; most draws are, and need none (issue 11).
        if u >= total {
            return None;
        }
        // P(exit) = 1 − exp(−H): competing hazards over one day (with the
        // base rate alone, the same number precomputed).
        if !exits(u, total, p) {
            return None;
        }
        let cause = pick_cause(d.unit(1) * total, p.base_hazard, h_value, &parts, h_trust);
        // M5: a group is a weak tie. A member annoyed by the chat mutes it
        // rather than leaves; one who gets too little from it mutes only if
        // they still have something to keep (a latent need for later, or
        // ties).
        let keep = match cause {
            Cause::Annoyance => 1.0,
            Cause::Boredom | Cause::Friends => {
                1.0 - (1.0 - mem.latent as f64) * (1.0 - social as f64)
            }
            _ => 0.0,
        };
        let mute = d.unit(2) < p.mute_share * keep;
        Some((cause, mute))
    }

    /// The member's net value of staying today (MODEL.md §4.8).
    fn net_value(
        &self,
        p: &Params,
        mem: &Member,
        tenure: u32,
        kol_paid: bool,
        social: f32,
        gin: &GroupInputs,
    ) -> NetValue {
        if mem.role == Role::Advertiser as u8 {
            // R4: an advertiser's value is their audience.
            return NetValue {
                net: gin.audience,
                annoyance: 0.0,
                disappointment: 0.0,
            };
        }
        let need = mem.need();
        // Hope: the promised value, believed for a while by those who need
        // it; as it fades, a promise not kept turns into disappointment (M3).
        let hope_left = p.hope[tenure as usize];
        let hope = mem.expectation * need * hope_left;
        let pending = if mem.flags & GIFT != 0 {
            // A promised gift not yet received is worth staying for.
            p.giveaways[mem.gift as usize].appeal as f32
        } else {
            0.0
        };
        // A paid KOL's pay is a job's worth of value.
        let pay = if kol_paid { p.outside } else { 0.0 };
        let disappointment = p.w_disappoint
            * mem.explicit
            * (mem.expectation - mem.satisfaction).max(0.0)
            * (1.0 - hope_left);
        // S8: a check-in streak is a habit worth keeping; a week's streak
        // gives half of `rituals.streak_weight`.
        let habit = p.rituals.as_ref().map_or(0.0, |r| {
            r.streak_weight as f32 * mem.streak as f32 / (mem.streak as f32 + 7.0)
        });
        let gross = p.w_info * mem.satisfaction
            + habit
            + p.w_social * social
            + p.w_novelty * mem.interest
            + hope
            + pending
            + pay;
        let annoyance = p.w_annoy * mem.annoyance;
        NetValue {
            net: gross - annoyance - disappointment,
            annoyance,
            disappointment,
        }
    }
}

/// What a member weighs against the outside option today.
struct NetValue {
    net: f32,
    annoyance: f32,
    disappointment: f32,
}

/// Draws the cause of an exit, with probability proportional to its hazard;
/// the value hazard is split by what was missing (annoyance, unmet need,
/// lost friends, or simply too little value: boredom).
fn pick_cause(mut x: f64, base: f64, h_value: f64, parts: &[f64; 4], h_trust: f64) -> Cause {
    if x < base {
        return Cause::Boredom;
    }
    x -= base;
    if x < h_value {
        let total: f64 = parts.iter().sum();
        let mut y = x / h_value * total;
        for (k, c) in [
            Cause::Annoyance,
            Cause::UnmetNeed,
            Cause::Friends,
            Cause::Boredom,
        ]
        .into_iter()
        .enumerate()
        {
            if y < parts[k] {
                return c;
            }
            y -= parts[k];
        }
        return Cause::Boredom;
    }
    x -= h_value;
    if x < h_trust {
        return Cause::LostTrust;
    }
    Cause::Friends
}

/// §4.2: own state drifts: novelty fades (M4), value received is forgotten,
/// annoyance wears off; the chat, KOLs, rewards, ads and pushes act on it.
#[inline(always)]
fn drift(
    p: &Params,
    mem: &mut Member,
    gin: &GroupInputs,
    today_s: &Today,
    need: f32,
    follows_kol: bool,
) {
    let mut i = mem.interest;
    let mut t = mem.trust;
    let mut a = mem.annoyance * p.annoyance_decay;
    mem.satisfaction *= p.satisfaction_decay;
    if p.interest_on {
        i *= p.interest_decay;
        // A lively group is interesting up to the reader's capacity...
        i += gin.chat * (1.0 - i);
        // ...and beyond it the volume is a burden, worst for those with
        // little interest (Ren & Kraut).
        a += p.overload * (gin.volume_ratio as f32 - i).max(0.0);
        if follows_kol {
            // R6: a KOL's posts keep their followers interested.
            let k = p.kol.as_ref().expect("kol_seen implies [kol]");
            i += k.follower_gain as f32 * (1.0 - i);
        }
        // S2: rewards raise interest and goodwill.
        i += today_s.reward_interest * (1.0 - i);
    }
    if p.trust_on {
        t += today_s.reward_trust * (1.0 - t);
    }
    // R4, S10: ads annoy, most of all members who do not need the product.
    a += gin.ads * (1.0 - need);
    // S10: every product push spends trust and annoys, most of all members
    // without a need for the product.
    if today_s.pushes > 0.0 {
        let k = p.selling.as_ref().expect("pushes imply [selling]");
        let burden = today_s.pushes * (1.0 - need);
        if p.trust_on {
            t = (t - k.trust_cost as f32 * burden).max(0.0);
        }
        a += k.annoyance as f32 * burden;
    }
    mem.interest = i;
    mem.trust = t;
    mem.annoyance = a;
}

/// §4.3: the leader's lesson (R1, S1), read with a chance that grows with
/// interest or commitment, satisfies needs as far as its topics match them;
/// reading the chat, a member learns from questions answered for others
/// that match their own need (X28).
#[inline(always)]
fn read(
    p: &Params,
    mem: &mut Member,
    today_s: &Today,
    d_act: &Draws,
    need: f32,
    gin: &GroupInputs,
    row: &mut DayRow,
) {
    let engaged = 0.5 + 0.5 * mem.interest.max(mem.commitment);
    let mut s = mem.satisfaction;
    if today_s.guest_today && d_act.unit(8) < engaged as f64 {
        // L3, X35: a guest speaker's talk informs and interests like a
        // lesson, but the trust it earns goes to the speaker, not the owner,
        // and it raises what members expect of the group.
        if p.interest_on {
            mem.interest += p.guest_interest * (1.0 - mem.interest);
        }
        s += p.guest_satisfaction * p.topic_match * need * (1.0 - s);
        let g = p.guests.as_ref().expect("guest day implies [guests]");
        mem.expectation += g.expectation as f32 * (1.0 - mem.expectation);
    }
    if today_s.content_today && d_act.unit(1) < engaged as f64 {
        let before = mem.trust;
        if p.interest_on {
            mem.interest += p.content_interest * (1.0 - mem.interest);
        }
        if p.trust_on {
            mem.trust += p.content_trust * (1.0 - mem.trust);
        }
        s += p.content_satisfaction * p.topic_match * need * (1.0 - s);
        row.lesson_readers += 1;
        row.lesson_trust_gain += (mem.trust - before) as f64;
    }
    if gin.watch > 0.0 {
        s += mem.explicit * gin.watch * engaged * (1.0 - s);
    }
    mem.satisfaction = s;
}

/// §4.7: purchases (M1, X9) and the group-buy (M7). A purchase is value
/// received, a question to ask about what was bought, and commitment.
#[inline]
#[allow(clippy::too_many_arguments)]
fn buy(p: &Params, mem: &mut Member, tenure: u32, ctx: &DayCtx, today_s: &Today, row: &mut DayRow) {
    // The need before today's purchase (which meets some of it).
    let need = mem.need();
    let d = ctx.cnv.member(mem.id);
    if p.convert_on {
        // Latent needs mature with tenure and trust; a push raises the
        // chance that day (S10); a satisfied buyer buys again (X9).
        let repeat = if mem.purchases > 0 {
            1.0 + (p.repeat * mem.satisfaction) as f64
        } else {
            1.0
        };
        let chance = p.convert_rate
            * (mem.latent * mem.trust) as f64
            * p.maturity[tenure as usize]
            * today_s.conversion_mult
            * repeat;
        if d.unit(0) < chance {
            purchase(p, mem, p.price, row);
            mem.latent *= 1.0 - p.satisfies;
        }
    }
    if let (Some(b), true) = (&p.group_buy, today_s.group_buy) {
        if mem.flags & STAKE == 0 && d.unit(1) < b.appeal * (mem.trust * need) as f64 {
            purchase(p, mem, b.price, row);
        }
    }
}

/// A purchase at `price`: value from using it, a question to ask about it,
/// commitment and a stake (M7).
fn purchase(p: &Params, mem: &mut Member, price: f64, row: &mut DayRow) {
    row.purchases += 1;
    row.revenue += price;
    mem.satisfaction += p.purchase_value * (1.0 - mem.satisfaction);
    mem.explicit += p.use_need * (1.0 - mem.explicit);
    mem.commitment += p.purchase_commitment * (1.0 - mem.commitment);
    mem.purchases = mem.purchases.saturating_add(1);
    mem.flags |= STAKE;
}

impl World<'_> {
    /// S4: appoints the best-connected members (most friends; ties broken by
    /// the smaller id)
    /// as KOLs.
    fn appoint_kols(&mut self, p: &Params) {
        let k = p.kol.as_ref().expect("[kol]");
        let mut candidates: Vec<(usize, u32, usize)> = self
            .members
            .iter()
            .enumerate()
            .filter(|(_, m)| m.role != Role::Owner as u8 && m.flags & (MUTED | LEAVING | LEFT) == 0)
            .map(|(i, m)| (self.graph.degree(m.id), m.id, i))
            .collect();
        candidates.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for &(_, id, i) in candidates.iter().take(k.count as usize) {
            self.members[i].flags |= KOL;
            self.members[i].role = Role::Expert as u8;
            self.kol_ids.push(id);
        }
        self.kols_appointed = true;
    }

    /// S4: yesterday's KOL posts reach their friends today.
    fn expose_kol_followers(&mut self, spoke: Vec<u32>) {
        if self.kol_seen.is_empty() {
            return;
        }
        for &k in &self.kol_spoke {
            for &w in self.graph.neighbors(k) {
                self.kol_seen[w as usize] = 0;
            }
        }
        for &k in &spoke {
            // R6: the members among the KOL's friends are reached by the post.
            let bit = self
                .kol_ids
                .iter()
                .position(|&x| x == k)
                .map_or(0, |i| 1u64 << (i % 64));
            for &w in self.graph.neighbors(k) {
                self.kol_seen[w as usize] = self.kol_seen[w as usize].saturating_add(1);
                if self.status[w as usize] == super::world::MEMBER {
                    self.kol_reached[w as usize] |= bit;
                }
            }
        }
        self.kol_spoke = spoke;
    }

    /// S6: the event takes the first `capacity` sign-ups in hash order;
    /// attendees gain trust and interest and some pairs become tied. Sign-ups
    /// beyond capacity are turned away (they are the comparison group of the
    /// S6 test: the same keenness, no meeting).
    fn hold_event(
        &mut self,
        p: &Params,
        e: usize,
        signups: &mut [(u32, usize)],
        row: &mut DayRow,
        day: u32,
    ) {
        let ev = &p.events[e];
        // Attendees' trust and interest change after the day's census.
        self.census.stale();
        signups.sort_unstable();
        // Members who muted or are leaving today do not come.
        let willing: Vec<usize> = signups
            .iter()
            .map(|&(_, i)| i)
            .filter(|&i| self.members[i].flags & (MUTED | LEAVING) == 0)
            .collect();
        let cap = (ev.capacity as usize).min(willing.len());
        let (attendees, turned_away) = willing.split_at(cap);
        // The fixed cost was paid when the day began (§9.1).
        row.cost += ev.cost_per_attendee * attendees.len() as f64;
        for &i in turned_away {
            if let Some(r) = self.records.get_mut(self.members[i].row as usize) {
                r.waitlisted += 1;
            }
        }
        for &i in attendees {
            let m = &mut self.members[i];
            let before = m.trust;
            if p.trust_on {
                m.trust += ev.trust_gain as f32 * (1.0 - m.trust);
            }
            if p.interest_on {
                m.interest += ev.interest_gain as f32 * (1.0 - m.interest);
            }
            row.event_attendees += 1;
            row.event_trust_gain += (m.trust - before) as f64;
            if let Some(r) = self.records.get_mut(m.row as usize) {
                r.events += 1;
            }
        }
        if ev.tie_probability > 0.0 && p.ties_on && attendees.len() > 1 {
            // Each pair is tied with probability tie_probability: the gaps
            // between tied pairs, in pair order, are geometric, so the work
            // is proportional to attendees plus ties, not to pairs.
            let mut rng = self.key.sequential(Purpose::Social, day);
            let q = ev.tie_probability;
            let log_q = (1.0 - q).ln();
            let n = attendees.len() as u64;
            let pairs = n * (n - 1) / 2;
            let mut k: u64 = 0;
            let (mut a, mut row_start) = (0u64, 0u64);
            loop {
                if q < 1.0 {
                    let u = sample::unit(&mut rng);
                    let gap = ((1.0 - u).ln() / log_q).floor();
                    if gap.is_nan() || gap >= (pairs - k) as f64 {
                        break;
                    }
                    k += gap as u64;
                }
                if k >= pairs {
                    break;
                }
                // Pair k: row a holds pairs (a, a+1..n), n − 1 − a of them.
                while k >= row_start + (n - 1 - a) {
                    row_start += n - 1 - a;
                    a += 1;
                }
                let b = a + 1 + (k - row_start);
                let x = self.members[attendees[a as usize]].id;
                let y = self.members[attendees[b as usize]].id;
                self.tie_events.push((x, y, p.tie_event));
                k += 1;
            }
        }
    }

    /// S9, S11: removal by moderators and renewal at the end of a cycle.
    #[inline(always)]
    fn operator_exit<const PLAIN: bool>(
        &self,
        p: &Params,
        mem: &Member,
        day: u32,
        cycle_end: bool,
        lv: &Draws,
        row: &mut DayRow,
    ) -> Option<Cause> {
        if PLAIN {
            // A plain day has no moderation and no end of a cycle.
            return None;
        }
        if let Some(md) = p.moderation.as_ref().filter(|_| self.on.moderation) {
            // Advertisers are removed once they have posted ads for ad_delay days.
            // Removal comes ad_delay days after the first ad (0: that day).
            if mem.ad_since > 0 && day + 1 - mem.ad_since >= md.ad_delay {
                return Some(Cause::Removed);
            }
            if cycle_end && md.inactive_days > 0 && day - mem.last_spoke >= md.inactive_days {
                return Some(Cause::Removed);
            }
        }
        if cycle_end {
            let c = p.cycle.as_ref().expect("cycle_end implies [cycle]");
            let value = ((mem.satisfaction + mem.trust) / 2.0) as f64;
            let renew = c.renew_base + c.renew_weight * value;
            if lv.unit(3) >= renew {
                return Some(Cause::FeeNotRenewed);
            }
            if let Some(f) = &p.fee {
                row.revenue += f.renewal;
            }
        }
        None
    }

    /// Member `m` decides whether to invite today (probability `chance`) and,
    /// on a graph, which non-member friends receive an invitation and accept.
    #[inline(always)]
    fn invite(&self, p: &Params, m: u32, chance: f64, d: &Draws, acc: &DayStream, t: &mut Tally) {
        if chance < 1.0 && d.unit(0) >= chance {
            return;
        }
        if p.well_mixed {
            t.inviters.push(m);
            return;
        }
        if p.per_friend <= 0.0 {
            return;
        }
        let sure = p.accept_pulled * (1.0 - self.need_match);
        let friends = self.graph.neighbors(m);
        // Each friend receives an invitation independently with probability
        // per_friend. Rather than one draw per friend, draw the gap to the
        // next invited friend (geometric skipping): the same distribution,
        // with work proportional to invitations, not to friends. Invitations
        // to people already in (or gone) have no effect.
        let mut k = 0u64;
        let mut at = 0usize;
        loop {
            let bits = d.bits(k + 1);
            k += 1;
            if p.per_friend < 1.0 {
                let v = 1.0 - crate::rng::to_unit(bits);
                match invitation_gap(
                    &p.per_friend_none,
                    p.per_friend_log_inv,
                    v,
                    friends.len() - at,
                ) {
                    Some(gap) => at += gap,
                    None => break,
                }
            }
            if at >= friends.len() {
                break;
            }
            let f = friends[at];
            at += 1;
            if self.status[f as usize] != OUTSIDER {
                continue;
            }
            t.row.invitations += 1;
            // Accept with probability accept·(1 − match + match·need),
            // without a draw when acceptance is certain.
            let accepted = sure >= 1.0
                || self.matches(
                    p,
                    f,
                    acc.member(f).unit(m as u64),
                    p.accept_pulled,
                    self.need_match,
                );
            if accepted {
                // Several friends may win the same person; the smallest key
                // keeps the inviter independent of processing order.
                // The key is a fresh hash of the draw, not its bits: the gap
                // was drawn from those, so reusing them would favour some
                // inviters (issue 13).
                let key = (crate::rng::mix(bits ^ 0x7469_6562_7265_616b) >> 32) as u32;
                t.pending.push((f, key, m));
            }
        }
    }

    /// Settles who joins today: accepted invitations (graph), then channel
    /// candidates and well-mixed word of mouth drawn from the outsider pool.
    fn collect_joiners(&mut self, p: &Params, day: u32, row: &mut DayRow) {
        self.joiners.clear();
        // Invitations: one inviter per invitee, the smallest key.
        self.pending.sort_unstable();
        let mut last = u32::MAX;
        for k in 0..self.pending.len() {
            let (f, _, by) = self.pending[k];
            if f != last {
                last = f;
                // S5: an invitee who will not pay the fee declines.
                if self.admits(p, f) {
                    self.status[f as usize] = JOINING;
                    self.joiners.push((f, Source::Referral(by)));
                }
            }
        }
        // Channels and giveaways the operator could pay for today (§9.1).
        let active: Vec<usize> = (0..p.channels.len())
            .filter(|&c| self.on.channels[c])
            .collect();
        let giveaways: Vec<usize> = (0..p.giveaways.len())
            .filter(|&g| self.on.giveaways[g])
            .collect();
        let wom = if p.well_mixed && p.invite_on {
            p.contacts * self.inviters.len() as f64 / p.n as f64
        } else {
            0.0
        };
        if active.is_empty() && giveaways.is_empty() && wom == 0.0 {
            return;
        }
        let mut rng = self.key.sequential(Purpose::Pool, day);
        // The day's candidates are drawn in two passes (issue 11): first
        // every draw of the generator, in the order below, then the pool
        // and each candidate's decision, with the pool's slots fetched a
        // few candidates ahead; each draw from the pool is otherwise a
        // chain of cache misses. No decision draws from the generator, so
        // the two passes draw what one pass would.
        let mut plan = std::mem::take(&mut self.candidates);
        plan.clear();
        // `avail` shrinks as candidates are drawn: pool[avail..] are today's
        // candidates, so nobody is drawn twice in a day. Someone already
        // joining by invitation can be drawn; they are simply not new.
        let mut avail = self.pool.len();
        // A slot among those still available.
        let slot = |avail: &mut usize, rng: &mut rand_pcg::Pcg64Mcg| {
            let j = sample::below(rng, *avail as u64) as u32;
            *avail -= 1;
            j
        };
        // Volume channels: a fixed number of people reached (S12).
        for &c in &active {
            let ch = &p.channels[c];
            if ch.daily <= 0.0 {
                continue;
            }
            let whole = ch.daily.floor();
            let k = whole as usize + (sample::unit(&mut rng) < ch.daily - whole) as usize;
            for _ in 0..k.min(avail) {
                let j = slot(&mut avail, &mut rng);
                let u = sample::unit(&mut rng);
                plan.push(Candidate {
                    j,
                    u,
                    offer: Offer::Channel(c as u16),
                });
            }
        }
        // Giveaways (S2, R5): reach outsiders like a volume channel, but the
        // gift lures them whatever their needs.
        for &gi in &giveaways {
            let gv = &p.giveaways[gi];
            let whole = gv.reach.floor();
            let k = whole as usize + (sample::unit(&mut rng) < gv.reach - whole) as usize;
            for _ in 0..k.min(avail) {
                let j = slot(&mut avail, &mut rng);
                let u = sample::unit(&mut rng);
                plan.push(Candidate {
                    j,
                    u,
                    offer: Offer::Gift(gi as u16),
                });
            }
        }
        // Rate channels and well-mixed word of mouth compete for the same
        // outsiders: each is reached today with probability min(1, Σ rates),
        // the discrete Bass form p + q·F when everyone reached accepts.
        let rates: f64 = active.iter().map(|&c| p.channels[c].rate).sum();
        let total = rates + wom;
        if total > 0.0 && avail > 0 {
            let reach = total.min(1.0);
            let k = sample::binomial(&mut rng, avail as u64, reach) as usize;
            for _ in 0..k {
                let j = slot(&mut avail, &mut rng);
                let mut x = sample::unit(&mut rng) * total;
                let u = sample::unit(&mut rng);
                let mut offer = None;
                for &c in &active {
                    let ch = &p.channels[c];
                    if x < ch.rate {
                        offer = Some(Offer::Channel(c as u16));
                        break;
                    }
                    x -= ch.rate;
                }
                let offer = offer.unwrap_or_else(|| {
                    // Word of mouth: contacted by a random inviting member.
                    row.invitations += 1;
                    let k = sample::below(&mut rng, self.inviters.len() as u64);
                    Offer::Word(self.inviters[k as usize])
                });
                plan.push(Candidate { j, u, offer });
            }
        }
        let mut avail = self.pool.len();
        for (i, cand) in plan.iter().enumerate() {
            // A candidate's turn is short: fetched far ahead.
            if let Some(ahead) = plan.get(i + 32) {
                prefetch_at(&self.pool, ahead.j as usize);
            }
            if let Some(&w) = plan.get(i + 16).and_then(|a| self.pool.get(a.j as usize)) {
                // (The slot may yet be swapped: then a wasted hint.)
                prefetch_at(&self.pool_pos, w as usize);
                prefetch_at(&self.status, w as usize);
            }
            let v = draw_at(
                &mut self.pool,
                &mut self.pool_pos,
                &mut avail,
                cand.j as usize,
            );
            let u = cand.u;
            let outsider = self.status[v as usize] == OUTSIDER;
            let source = match cand.offer {
                Offer::Channel(c) => {
                    let ch = &p.channels[c as usize];
                    (outsider && self.matches(p, v, u, ch.pull, ch.need_match))
                        .then_some(Source::Channel(c))
                }
                Offer::Gift(gi) => {
                    // The gift lures people for whom the group itself is
                    // worth little: acceptance appeal × (1 − need) (R5).
                    // Decided without the need where u is at least the
                    // chance at need 0, the most it can be.
                    let gv = &p.giveaways[gi as usize];
                    let scale = p.pull(gv.promise) * gv.appeal;
                    (outsider && u < scale && u < scale * (1.0 - self.need(p, v)))
                        .then_some(Source::Giveaway(gi))
                }
                Offer::Word(by) => (outsider
                    && self.matches(p, v, u, p.accept_pulled, self.need_match))
                .then_some(Source::Referral(by)),
            };
            if let Some(src) = source.filter(|_| self.admits(p, v)) {
                self.status[v as usize] = JOINING;
                self.joiners.push((v, src));
            }
        }
        self.candidates = plan;
    }
}

/// Whom a candidate drawn from the pool was reached by.
#[derive(Debug, Clone, Copy)]
enum Offer {
    Channel(u16),
    Gift(u16),
    /// Well-mixed word of mouth from this inviting member.
    Word(u32),
}

/// A candidate drawn from the outsider pool: the slot drawn among those
/// still available, the acceptance draw, and who reached them.
#[derive(Debug, Clone, Copy)]
pub struct Candidate {
    j: u32,
    u: f64,
    offer: Offer,
}

impl World<'_> {
    /// Whether draw `u` accepts at chance `scale · (1 − m + m·need)` of
    /// person `v`'s need. The chance is monotone in the need, which lies in
    /// [0, 1], so where `u` is below the chance at need 0 or at least the
    /// chance at need 1 (both computed by the same expression) the answer
    /// is known without computing the need (issue 11); the result is the
    /// same either way.
    #[inline]
    fn matches(&self, p: &Params, v: u32, u: f64, scale: f64, m: f64) -> bool {
        let chance = |need: f64| scale * (1.0 - m + m * need);
        if u < chance(0.0) {
            return true;
        }
        if u >= chance(1.0) {
            return false;
        }
        u < chance(self.need(p, v))
    }
}

/// The number of friends passed over before the next invited one, among
/// `left` friends still to consider, each invited with probability q
/// (None: none of them is). P(gap = g) = (1 − q)^g q for g = 0, 1, ...; with
/// v = 1 − u uniform on (0, 1], g ≥ j exactly when v ≤ (1 − q)^j, so g is
/// the number of j ≥ 1 with v ≤ (1 − q)^j: `none[j]` = (1 − q)^j answers
/// that without a logarithm (issue 11). Past the table's end,
/// g = ⌊ln v / ln(1 − q)⌋ (`log_inv` = 1 / ln(1 − q)).
#[inline]
fn invitation_gap(none: &[f64], log_inv: f64, v: f64, left: usize) -> Option<usize> {
    if let Some(none) = none.get(..=left) {
        // Most members invite nobody: one comparison.
        if v <= none[left] {
            return None;
        }
        Some(none[1..left].partition_point(|&pw| v <= pw))
    } else {
        // `as` floors x ≥ 0, so no call to `floor` (a libm call on
        // baseline x86-64).
        let x = v.ln() * log_inv;
        if x.is_nan() || x >= left as f64 {
            return None;
        }
        Some(x as usize)
    }
}

/// Takes the candidate in slot `j` of `pool[..avail]`: moves it to the
/// end of that range, keeping `pos` in step.
#[inline]
fn draw_at(pool: &mut [u32], pos: &mut [u32], avail: &mut usize, j: usize) -> u32 {
    *avail -= 1;
    pool.swap(j, *avail);
    pos[pool[j] as usize] = j as u32;
    pos[pool[*avail] as usize] = *avail as u32;
    pool[*avail]
}

/// What one group's members read from yesterday.
struct GroupInputs {
    volume_ratio: f64,
    chat: f32,
    ads: f32,
    /// Chance that a question is answered by members.
    answered: f64,
    /// Speaking multiplier from yesterday's conversation.
    talk: f64,
    /// Information a reader with full explicit need takes from the questions
    /// answered yesterday (X28).
    watch: f32,
    /// Chance that a newcomer's greeting got a reply.
    replied: f64,
    /// An advertiser's value of the group's audience (R4).
    audience: f32,
}

impl GroupInputs {
    fn new(p: &Params, y: &Aggregates, size: u32, sp: &Speakers) -> GroupInputs {
        let volume_ratio = y.messages as f64 / p.capacity;
        GroupInputs {
            volume_ratio,
            chat: p.chat_gain * volume_ratio.min(1.0) as f32,
            ads: y.ads as f32 * p.ad_annoyance,
            answered: 1.0 - (1.0 - p.answer_rate).powi(y.answerers as i32),
            talk: if p.conversation > 0.0 {
                // Ads are not conversation: nobody talks because of them.
                let per_member = (y.messages - y.ads) as f64 / size.max(1) as f64;
                p.spontaneous + (1.0 - p.spontaneous) * (per_member / p.conversation).min(1.0)
            } else {
                1.0
            },
            watch: (1.0 - (1.0 - p.watch_gain).powi(y.answered as i32)) as f32,
            replied: 1.0
                - (1.0 - p.reply_rate).powi(sp.speakers.len().min(i32::MAX as usize) as i32),
            audience: size as f32 / (size as f32 + p.ad_audience).max(f32::MIN_POSITIVE),
        }
    }
}

/// Which strategies act today, and their day-level numbers. Costs are
/// booked here, through the operator's purse, lever by lever in
/// `operator.priority` order (§9.1): a lever that cannot be paid for today
/// does not act.
struct Today {
    content_today: bool,
    guest_today: bool,
    invite_mult: f64,
    reward_interest: f32,
    reward_trust: f32,
    pushes: f32,
    conversion_mult: f64,
    service: bool,
    checkin: bool,
    kol_active: bool,
    cycle_end: bool,
    event: Option<usize>,
    group_buy: bool,
}

impl Today {
    fn new(p: &Params, w: &mut World, day: u32, row: &mut DayRow) -> Today {
        let members = w.member_count().max(1) as f64;
        let mut t = Today {
            content_today: false,
            guest_today: false,
            invite_mult: 1.0,
            reward_interest: 0.0,
            reward_trust: 0.0,
            pushes: 0.0,
            conversion_mult: 1.0,
            service: false,
            checkin: false,
            kol_active: false,
            cycle_end: p
                .cycle
                .as_ref()
                .is_some_and(|c| day.is_multiple_of(c.length)),
            event: None,
            group_buy: p
                .group_buy
                .as_ref()
                .is_some_and(|b| b.schedule.contains(day)),
        };
        let mut referral = None;
        let (mut ri, mut rt) = (0.0f64, 0.0f64);
        for &lever in &p.order {
            let purse = &mut w.purse;
            match lever {
                Lever::Content => {
                    t.content_today = p.content_on
                        && p.content.contains(day)
                        && purse.pay(p.content_cost, p.content_hours, row);
                }
                Lever::Guests => {
                    t.guest_today = p.guests.as_ref().is_some_and(|g| {
                        g.schedule.contains(day) && purse.pay(g.fee, g.hours, row)
                    });
                }
                Lever::Service => {
                    t.service = p.service.as_ref().is_some_and(|v| {
                        v.schedule.contains(day)
                            && purse.has_hours(v.hours_per_answer)
                            && purse.pay(v.cost_per_day, 0.0, row)
                    });
                }
                Lever::Event => {
                    // An event is held only when its fixed cost, the cost of
                    // a full room and its hours are all there.
                    t.event = p.events.iter().position(|e| e.schedule.contains(day));
                    if let Some(e) = t.event.map(|e| &p.events[e]) {
                        let full = e.cost_per_attendee * e.capacity as f64;
                        let ok = purse.pay(e.cost + full, e.hours, row);
                        if ok {
                            // Attendees are booked when they come.
                            row.cost -= full;
                        } else {
                            t.event = None;
                        }
                    }
                }
                Lever::Rituals => {
                    w.on.rituals = p
                        .rituals
                        .as_ref()
                        .is_some_and(|r| purse.pay(r.cost_per_day, r.hours_per_day, row));
                    t.checkin = w.on.rituals
                        && p.rituals
                            .as_ref()
                            .is_some_and(|r| r.checkins && r.checkin.contains(day));
                }
                Lever::Moderation => {
                    w.on.moderation = p
                        .moderation
                        .as_ref()
                        .is_some_and(|m| purse.pay(m.cost_per_day, m.hours_per_day, row));
                }
                Lever::Kol => {
                    if let Some(k) = p.kol.as_ref().filter(|k| k.schedule.contains(day)) {
                        let kols = if w.kols_appointed {
                            w.members
                                .iter()
                                .filter(|m| m.flags & (KOL | LEFT) == KOL)
                                .count()
                        } else {
                            k.count as usize
                        };
                        t.kol_active = purse.pay(k.pay_per_day * kols as f64, 0.0, row);
                    }
                }
                Lever::Reward => {
                    // S2: the perceived value of today's rewards. A lottery's
                    // few prizes are weighted by how likely winning feels,
                    // w(p) > p for small p.
                    for r in p.rewards.iter().filter(|r| r.schedule.contains(day)) {
                        if !purse.pay(r.budget, 0.0, row) {
                            continue;
                        }
                        let v = match r.kind {
                            RewardKind::Fixed => r.budget / members,
                            RewardKind::Lottery => {
                                let chance = (r.winners as f64 / members).min(1.0);
                                probability_weight(chance) * r.budget / r.winners as f64
                            }
                        };
                        let response = v / (v + r.reference);
                        ri = 1.0 - (1.0 - ri) * (1.0 - r.interest_gain * response);
                        rt = 1.0 - (1.0 - rt) * (1.0 - r.trust_gain * response);
                    }
                }
                Lever::ReferralReward => {
                    referral = p
                        .referral_reward
                        .as_ref()
                        .filter(|r| r.schedule.contains(day) && purse.can_run(r.amount, row));
                }
                Lever::Giveaway => {
                    for (g, gv) in p.giveaways.iter().enumerate() {
                        w.on.giveaways[g] =
                            gv.schedule.contains(day) && purse.can_run(gv.gift_cost, row);
                    }
                }
                Lever::Channel => {
                    for (c, ch) in p.channels.iter().enumerate() {
                        w.on.channels[c] =
                            ch.schedule.contains(day) && purse.can_run(ch.cost_per_join, row);
                    }
                }
                Lever::Selling => {
                    if let Some(x) = p.selling.as_ref().filter(|x| x.schedule.contains(day)) {
                        if purse.pay(x.cost * x.pushes as f64, 0.0, row) {
                            t.pushes = x.pushes as f32;
                        }
                    }
                }
            }
        }
        if t.content_today {
            t.invite_mult = p.invite_boost;
        }
        // S3: a referral reward's size moves how many invite and how much
        // invitees weigh their own need (the benefit lure).
        w.on.referral = referral.map(|r| (r.amount, (1.0 - r.lure * r.response()) as f32));
        w.need_match = referral.map_or(p.accept_need_match, |r| {
            p.accept_need_match * (1.0 - r.lure * r.response())
        });
        if let Some(r) = referral {
            t.invite_mult *= 1.0 + r.invite_gain * r.response();
        }
        t.reward_interest = ri as f32;
        t.reward_trust = rt as f32;
        t.conversion_mult = p.selling.as_ref().map_or(1.0, |x| {
            1.0 + (x.conversion_boost - 1.0).max(0.0) * t.pushes as f64
        });
        t
    }
}

#[cfg(test)]
mod tests {
    use super::{drift_out_day, exits, invitation_gap, sure_exit_below, Params};

    #[test]
    fn invitation_gaps_from_the_table_are_the_logarithms_gaps() {
        // The gap read from the table of powers equals the floor of
        // ln v / ln(1 − q) for every draw whose logarithm is not within
        // rounding of a whole number, for friends left inside and past the
        // table, and says "nobody" exactly when that floor reaches past them.
        for q in [0.05, 0.3, 0.9] {
            let log_q = f64::ln(1.0 - q);
            let none: Vec<f64> = (0..256).map(|k| (k as f64 * log_q).exp()).collect();
            let mut key = 0x5eed_u64;
            let (mut checked, mut hits) = (0, 0);
            for left in (0..300).chain([1000, 5000]) {
                for _ in 0..200 {
                    key = crate::rng::mix(key.wrapping_add(1));
                    let v = 1.0 - crate::rng::to_unit(key);
                    let x = v.ln() / log_q;
                    if (x - x.round()).abs() < 1e-9 {
                        continue;
                    }
                    let want = (x < left as f64).then_some(x as usize);
                    let got = invitation_gap(&none, 1.0 / log_q, v, left);
                    assert_eq!(got, want, "q {q} left {left} v {v}");
                    checked += 1;
                    hits += got.is_some() as u32;
                }
            }
            assert!(checked > 50_000 && hits > 10_000, "{checked} {hits}");
        }
    }

    /// M5 (issue 11): the day a muted member drifts out, drawn once when
    /// they mute, has the law of a chance q each later day: the wait W
    /// has P(W > k) = (1 − q)^k. Over a grid of N uniforms, u = (i + ½)/N,
    /// the share with W > k is within 1/N of it (the grid's error: this
    /// is a quadrature, not a sample). q = 1 is the next day; q = 0 and
    /// leaving switched off are never; a wait past the last day saturates.
    #[test]
    fn the_day_a_muted_member_drifts_out_has_the_daily_chances_law() {
        let s = crate::scenario::Scenario::builtin_default();
        let mut p = Params::new(&s, 100);
        const N: usize = 200_000;
        for q in [1e-4, 0.02, 0.3, 0.9, 1.0 - 1e-9] {
            p.muted_leave = q;
            p.muted_log_stay = (-q).ln_1p();
            let waits: Vec<u32> = (0..N)
                .map(|i| drift_out_day(&p, 10, (i as f64 + 0.5) / N as f64) - 10)
                .collect();
            assert!(waits.iter().all(|&w| w >= 1), "q {q}: at least a day");
            for k in [0u32, 1, 2, 5, 20, 100, 1000] {
                let share = waits.iter().filter(|&&w| w > k).count() as f64 / N as f64;
                let law = (1.0 - q).powi(k as i32);
                assert!(
                    (share - law).abs() <= 1.0 / N as f64,
                    "q {q} k {k}: {share} vs {law}"
                );
            }
        }
        p.muted_leave = 1.0;
        p.muted_log_stay = f64::NEG_INFINITY;
        for u in [0.0, 0.5, 1.0f64.next_down()] {
            assert_eq!(drift_out_day(&p, 7, u), 8);
        }
        p.muted_leave = 1e-12;
        p.muted_log_stay = (-1e-12f64).ln_1p();
        assert_eq!(
            drift_out_day(&p, u32::MAX - 3, 1.0f64.next_down()),
            u32::MAX
        );
        p.muted_leave = 0.0;
        p.muted_log_stay = 0.0;
        assert_eq!(drift_out_day(&p, 7, 0.5), u32::MAX);
        p.muted_leave = 0.5;
        p.leave_on = false;
        assert_eq!(drift_out_day(&p, 7, 0.5), u32::MAX);
    }

    /// `exits` answers from a bound where it can; the bound must never
    /// say yes where the exponential says no. Checked at draws just below,
    /// at and just above the bound and the chance, for hazards from 1e-12
    /// to 1e3 and the extremes.
    #[test]
    fn the_exit_bound_agrees_with_the_exponential() {
        let s = crate::scenario::Scenario::builtin_default();
        let p = Params::new(&s, 100);
        let mut h = 1e-12f64;
        let mut checked = 0;
        let mut hazards = Vec::new();
        while h < 1e3 {
            hazards.extend([h, h * 1.37, h * 2.9]);
            h *= 1.003;
        }
        hazards.extend([
            f64::MIN_POSITIVE,
            1.0,
            700.0,
            1e300,
            f64::MAX,
            f64::INFINITY,
        ]);
        for x in hazards {
            let chance = -(-x).exp_m1();
            let bound = sure_exit_below(x);
            for at in [bound, chance] {
                let mut u = at;
                for _ in 0..4 {
                    u = u.next_down();
                }
                for _ in 0..9 {
                    if (0.0..1.0).contains(&u) {
                        assert_eq!(exits(u, x, &p), u < chance, "H {x} u {u}");
                        checked += 1;
                    }
                    u = u.next_up();
                }
            }
            assert!(
                bound < chance || bound <= 0.0,
                "H {x}: bound {bound} chance {chance}"
            );
        }
        assert!(checked > 30_000, "{checked}");
    }

    /// `exit_decision` skips the exponential when the draw is at least the
    /// total hazard H, which is exact only if the computed 1 − exp(−H)
    /// never exceeds H. Checked over hazards from 1e-300 to 1e3 (and the
    /// extremes), as the platform's `exp_m1` computes them.
    #[test]
    fn exit_chance_never_exceeds_the_hazard() {
        let mut h = 1e-300f64;
        while h < 1e3 {
            for x in [h, h * 1.000_000_1, h * 1.37, h * 2.9] {
                let chance = -(-x).exp_m1();
                assert!(chance <= x, "1 - exp(-{x}) = {chance} > {x}");
            }
            h *= 1.01;
        }
        for x in [
            f64::MIN_POSITIVE,
            5e-324,
            1e-8,
            0.1,
            0.5,
            1.0,
            700.0,
            f64::MAX,
        ] {
            assert!(-(-x).exp_m1() <= x, "{x}");
        }
    }
}
