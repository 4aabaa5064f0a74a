//! The state of one run.
//!
//! Two kinds of plain vectors: per-person arrays indexed by person id (who is
//! in, out or gone; what other people can see), and the dense `members`
//! array holding each current member's own state in one 80-byte record
//! (checked when compiled).
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

use crate::sample;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};

use super::budget::Purse;
use super::params::Params;
use super::{DayRow, Referral};
use crate::graph::{prefetch_at, Graph};
use crate::rng::{DayStream, Purpose, RunKey};

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
    Giveaway(u16),
}

/// Flag: holds a stake (made a purchase, M7).
pub const STAKE: u8 = 1;
/// Flag: has muted the group (M5).
pub const MUTED: u8 = 2;
/// Flag: leaves at the end of today.
pub const LEAVING: u8 = 4;
/// Flag: paid the membership fee (M6).
pub const PAID: u8 = 8;
/// Flag: waiting for a giveaway's gift (R5); cleared when it is delivered.
pub const GIFT: u8 = 16;
/// Flag: an appointed KOL (S4).
pub const KOL: u8 = 32;
/// Flag: joined through a giveaway (kept after delivery, for counting).
pub const GIFT_JOINER: u8 = 64;
/// Flag: the record of a member who has left, kept in place (a hole in the
/// member array, see [`World::holes`]).
pub const LEFT: u8 = 128;

/// One member's own state. Only the member's own decisions (and end-of-day
/// operator actions addressed to them) read or write it.
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
    /// Last day the member spoke (or the joining day).
    pub last_spoke: u32,
    /// Day the member first posted an ad, plus one (0: never).
    pub ad_since: u32,
    /// Day the giveaway gift is due (when GIFT is set).
    pub gift_due: u32,
    /// Day a muted member drifts out (M5), drawn when they mute;
    /// `u32::MAX` while not muted, or never.
    pub drifts_out: u32,
    /// Group the member is in (S13).
    pub group: u16,
    /// Consecutive check-ins (S8).
    pub streak: u16,
    pub role: u8,
    pub flags: u8,
    /// Cause recorded when muting or leaving.
    pub cause: u8,
    /// Index of the giveaway the member joined for (when GIFT_JOINER).
    pub gift: u8,
    /// Strength of the ties made by interaction with members still in
    /// (decays without contact; graph friends count separately).
    pub bond: f32,
    /// Tie strength recently lost to departures (decays like ties); only
    /// used to say that a member left because their friends did.
    pub lost: f32,
    /// Commitment to getting value from the group, 0..1 (paying, buying).
    pub commitment: f32,
    /// Purchases made (X9: repeat purchases).
    pub purchases: u16,
    /// Index of the member's row in the run's member records (u32::MAX: not kept).
    pub row: u32,
}

impl Member {
    /// The member's need: the chance that the explicit or the latent one is
    /// there (§4.3).
    #[inline(always)]
    pub fn need(&self) -> f32 {
        1.0 - (1.0 - self.explicit) * (1.0 - self.latent)
    }
}

/// A tie made by interaction: between whom (by [`pair`]), and its
/// strength at its last contact, `day`.
#[derive(Debug, Clone, Copy)]
pub struct Tie {
    key: u64,
    pub strength: f32,
    pub day: u32,
}

/// The key of a tie record that is free: no pair has it (a tie is never
/// made with oneself).
const NO_PAIR: u64 = u64::MAX;

/// One end of a tie, in a person's list: the other person, and where the
/// tie's record is in [`TieLists`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TieEnd {
    pub other: u32,
    tie: u32,
}

/// Bytes per person of [`World`]'s per-person arrays with every mechanism
/// on: status 1, generation 4, friends in and gone 4 + 4, bond and loss
/// 4 + 4, KOL reach and exposure 8 + 1, outsider pool and positions 4 + 4,
/// group 2, tie slot 4. The memory check adds a [`Member`] record per
/// person, as if everyone joined (`batch::STATE_BYTES_PER_PERSON`);
/// `person_arrays_are_counted` checks the sum against a world.
pub const PERSON_ARRAY_BYTES: usize = 44;

/// Bytes of one member's record in the day loop's array, with their
/// place in the list of active members or in the days the muted drift out
/// on (4). (The holes are counted, not listed.)
pub const MEMBER_BYTES: usize = std::mem::size_of::<Member>() + 4;

/// Bytes per person that the memory check allows for ties made by
/// interaction (with `[ties]` on), as if everyone joined: a list's place
/// (12), a first room of four ends (32) and the arena's reserve for as
/// much again, and two tie records (16 each; a tie has two ends). It is an
/// allowance, not a bound: members who make more ties than that use more
/// (the memory bench's 3-day run, 5 million members of 10 million people,
/// uses about half of it, `ties_fit_the_memory_checks_allowance`'s
/// 60-day full model about a third).
pub const TIE_BYTES_PER_PERSON: usize = std::mem::size_of::<Stretch>()
    + 2 * FIRST_ROOM as usize * std::mem::size_of::<TieEnd>()
    + 2 * std::mem::size_of::<Tie>();

// The module's documentation gives the record's size.
const _: () = assert!(std::mem::size_of::<Member>() == 80);

/// Ties made by interaction. Per person, the ends of their ties in the
/// order the ties were made: a slot per person into a pool of lists, so
/// that a lookup is one array read, not a hash. The lists' ends lie in one
/// arena, each list a stretch of it with room to grow (doubled, at the
/// arena's end, when full), and a leaver's list goes back to the pool with
/// its room for the next person who makes ties: no allocation per list
/// (issue 11: a list a vector of its own cost an allocation per new
/// member and a reallocation per doubling; the arena made the full model
/// about 2.5% faster, `benches/ab.sh`). What a list leaves behind as it grows is less than its
/// room now (rooms double), so the arena is under twice the lists' room,
/// as vectors of their own would be. Each end names the tie's
/// record (its strength), which both ends share: a leaver's ties are ended
/// by walking their own list, each record fetched ahead of use, with no
/// hash lookup (issue 11). A list may still hold ends of ties that have
/// ended (the other person left); their records are free, or reused by
/// another pair, and the pair's key tells.
#[derive(Debug, Default)]
pub struct TieLists {
    /// Per person: the index of their list in `lists`, or [`NO_LIST`].
    slot: Vec<u32>,
    /// Where each list is in `ends`.
    lists: Vec<Stretch>,
    /// Indices of `lists` that are free (emptied, room kept).
    free: Vec<u32>,
    /// The lists' ends; each list's room is a stretch of it.
    ends: Vec<TieEnd>,
    /// The ties' records; a free one has the key [`NO_PAIR`].
    ties: Vec<Tie>,
    /// Indices of `ties` that are free.
    free_ties: Vec<u32>,
}

/// One list's place in [`TieLists::ends`]: its first end, how many ends
/// it has, and its room.
#[derive(Debug, Clone, Copy, Default)]
struct Stretch {
    start: u32,
    len: u32,
    room: u32,
}

impl Stretch {
    fn range(self) -> std::ops::Range<usize> {
        self.start as usize..(self.start + self.len) as usize
    }
}

/// A person with no tie list.
const NO_LIST: u32 = u32::MAX;

/// The room of a list's first stretch.
const FIRST_ROOM: u32 = 4;

impl TieLists {
    /// Lists for `n` people; with `on` false, nobody ever has one.
    pub fn new(n: usize, on: bool) -> TieLists {
        TieLists {
            slot: if on { vec![NO_LIST; n] } else { Vec::new() },
            ..TieLists::default()
        }
    }

    /// The ends of `m`'s ties, if any tie was ever made.
    #[inline]
    pub fn get(&self, m: u32) -> Option<&[TieEnd]> {
        self.stretch(m).map(|r| &self.ends[r.range()])
    }

    /// Where `m`'s list is, if they have one.
    #[inline]
    fn stretch(&self, m: u32) -> Option<Stretch> {
        match self.slot.get(m as usize) {
            Some(&s) if s != NO_LIST => Some(self.lists[s as usize]),
            _ => None,
        }
    }

    /// Hints the processor to load `m`'s slot (issue 11).
    #[inline]
    pub fn prefetch(&self, m: u32) {
        prefetch_at(&self.slot, m as usize);
    }

    /// Hints the processor to load where the list `m`'s slot points to is
    /// (once the slot is in cache).
    #[inline]
    pub fn prefetch_list(&self, m: u32) {
        if let Some(&s) = self.slot.get(m as usize).filter(|&&s| s != NO_LIST) {
            prefetch_at(&self.lists, s as usize);
        }
    }

    /// Hints the processor to load the ends in `m`'s list (once the place
    /// [`TieLists::prefetch_list`] fetched is in cache): its first, and
    /// the free room where the next one goes.
    #[inline]
    pub fn prefetch_ends(&self, m: u32) {
        if let Some(r) = self.stretch(m) {
            prefetch_at(&self.ends, r.start as usize);
            if r.len < r.room {
                prefetch_at(&self.ends, (r.start + r.len) as usize);
            }
        }
    }

    /// Hints the processor to load the record of the tie `e` ends.
    #[inline]
    pub fn prefetch_tie(&self, e: TieEnd) {
        prefetch_at(&self.ties, e.tie as usize);
    }

    /// The tie between `a` and `b`, if they have one: looked for among the
    /// ends of whichever of them has fewer, so that a member's contact
    /// with someone who has thousands of ties (the owner, a KOL) costs no
    /// more than their own list.
    #[inline]
    pub fn find(&self, a: u32, b: u32) -> Option<u32> {
        let (la, lb) = (self.get(a)?, self.get(b)?);
        let (list, other) = if lb.len() < la.len() {
            (lb, a)
        } else {
            (la, b)
        };
        let key = pair(a, b);
        list.iter()
            .find(|e| e.other == other && self.ties[e.tie as usize].key == key)
            .map(|e| e.tie)
    }

    /// The record of tie `id`, from [`TieLists::find`].
    #[inline]
    pub fn tie_mut(&mut self, id: u32) -> &mut Tie {
        &mut self.ties[id as usize]
    }

    /// Makes a tie between `a` and `b` (who have none) at `strength` on
    /// `day`, at the end of both lists.
    pub fn make(&mut self, a: u32, b: u32, strength: f32, day: u32) {
        let t = Tie {
            key: pair(a, b),
            strength,
            day,
        };
        let tie = match self.free_ties.pop() {
            Some(i) => {
                self.ties[i as usize] = t;
                i
            }
            None => {
                self.ties.push(t);
                (self.ties.len() - 1) as u32
            }
        };
        self.push(a, TieEnd { other: b, tie });
        self.push(b, TieEnd { other: a, tie });
    }

    /// Ends the tie that `e`, an end in `m`'s list, names, and returns it;
    /// None if it has already ended (an end left from before).
    #[inline]
    pub fn cut(&mut self, m: u32, e: TieEnd) -> Option<Tie> {
        let t = &mut self.ties[e.tie as usize];
        if t.key != pair(m, e.other) {
            return None;
        }
        let ended = *t;
        t.key = NO_PAIR;
        self.free_ties.push(e.tie);
        Some(ended)
    }

    /// Adds end `e` to `a`'s list.
    fn push(&mut self, a: u32, e: TieEnd) {
        let at = &mut self.slot[a as usize];
        if *at == NO_LIST {
            *at = match self.free.pop() {
                Some(s) => s,
                None => {
                    self.lists.push(Stretch::default());
                    (self.lists.len() - 1) as u32
                }
            };
        }
        let s = *at as usize;
        if self.lists[s].len == self.lists[s].room {
            self.grow(s);
        }
        let r = &mut self.lists[s];
        self.ends[(r.start + r.len) as usize] = e;
        r.len += 1;
    }

    /// Moves list `s`, which is full, to the end of the arena with twice
    /// the room (a list already there grows in place).
    fn grow(&mut self, s: usize) {
        let r = self.lists[s];
        let room = (2 * r.room).max(FIRST_ROOM);
        let start = if (r.start + r.room) as usize == self.ends.len() && r.room > 0 {
            r.start as usize
        } else {
            let start = self.ends.len();
            self.ends.extend_from_within(r.range());
            start
        };
        let end = start + room as usize;
        assert!(end <= u32::MAX as usize, "more tie ends than u32 indices");
        self.ends.resize(end, TieEnd { other: 0, tie: 0 });
        self.lists[s] = Stretch {
            start: start as u32,
            len: r.len,
            room,
        };
    }

    /// Heap bytes held, the per-person slots aside (which the per-person
    /// arrays count).
    #[cfg(test)]
    pub fn heap_bytes(&self) -> usize {
        self.lists.capacity() * std::mem::size_of::<Stretch>()
            + self.free.capacity() * 4
            + self.ends.capacity() * std::mem::size_of::<TieEnd>()
            + self.ties.capacity() * std::mem::size_of::<Tie>()
            + self.free_ties.capacity() * 4
    }

    /// Detaches `m`'s list from them, returning it; read its ends with
    /// [`TieLists::end`] and give it back with [`TieLists::recycle`].
    pub fn take(&mut self, m: u32) -> Option<u32> {
        let at = self.slot.get_mut(m as usize)?;
        if *at == NO_LIST {
            return None;
        }
        Some(std::mem::replace(at, NO_LIST))
    }

    /// The `i`-th end of list `s` (taken with [`TieLists::take`]), if it
    /// has that many.
    #[inline]
    pub fn end(&self, s: u32, i: usize) -> Option<TieEnd> {
        let r = self.lists[s as usize];
        (i < r.len as usize).then(|| self.ends[r.start as usize + i])
    }

    /// Returns a list taken with [`TieLists::take`] to the pool, emptied
    /// but with its room, for the next person's ties.
    pub fn recycle(&mut self, s: u32) {
        self.lists[s as usize].len = 0;
        self.free.push(s);
    }
}

/// The key of the tie between `a` and `b` in [`TieLists`].
#[inline]
pub fn pair(a: u32, b: u32) -> u64 {
    ((a.min(b) as u64) << 32) | a.max(b) as u64
}

/// The end-of-day counts of the members who stay: how many, how many
/// muted, the sums of trust and interest, and members and muted per group.
///
/// The day's loop counts each member it visits as it finishes their day,
/// so that the end of the day need not read the member array again. The
/// sums are in fixed point ([`fixed`]): integer sums do not depend on the
/// order they are taken in, so the day's census can add the members the
/// loop saw to a running census of the muted members, whom it does not
/// visit (issue 11). Anything that changes a counted member after the loop
/// (an event's attendees, a split moving members between groups) calls
/// [`Census::stale`], and the end of the day counts everyone afresh.
#[derive(Debug, Default, Clone)]
pub struct Census {
    /// False until the day's loop starts counting, and once stale.
    pub taken: bool,
    muted: u32,
    trust: i64,
    interest: i64,
    /// (members, muted) per group.
    per_group: Vec<(u32, u32)>,
}

/// The units of the census's sums, per unit of trust or interest.
const FIXED: f64 = (1u64 << 32) as f64;

/// A trust or interest (0 to 1) in the census's fixed point: cut to
/// 2^-32 (a cut is one instruction, a rounding a call), so that a mean is
/// off by under 2^-32, and 2^31 members cannot overflow.
#[inline(always)]
pub fn fixed(x: f32) -> i64 {
    (x as f64 * FIXED) as i64
}

impl Census {
    /// Starts a day's count over `groups` groups.
    pub fn start(&mut self, groups: usize) {
        self.taken = true;
        self.muted = 0;
        self.trust = 0;
        self.interest = 0;
        self.per_group.clear();
        self.per_group.resize(groups, (0, 0));
    }

    /// Groups the per-group counts have room for.
    #[cfg(test)]
    pub fn groups_capacity(&self) -> usize {
        self.per_group.capacity()
    }

    /// A counted member has changed: the count must be taken afresh.
    pub fn stale(&mut self) {
        self.taken = false;
    }

    /// Makes room for `groups` groups' counts (groups made today).
    pub fn fit(&mut self, groups: usize) {
        if self.per_group.len() < groups {
            self.per_group.resize(groups, (0, 0));
        }
    }

    /// Adds another census.
    pub fn add(&mut self, other: &Census) {
        self.fit(other.per_group.len());
        for (a, b) in self.per_group.iter_mut().zip(&other.per_group) {
            a.0 += b.0;
            a.1 += b.1;
        }
        self.muted += other.muted;
        self.trust += other.trust;
        self.interest += other.interest;
    }

    /// Counts member `m` (`sign` 1), or takes them out of the count (−1).
    /// Their group has room ([`Census::start`], [`Census::fit`]).
    #[inline(always)]
    pub fn count(&mut self, m: &Member, sign: i32) {
        let is_muted = (m.flags & MUTED != 0) as i32 * sign;
        let g = &mut self.per_group[m.group as usize];
        g.0 = g.0.wrapping_add_signed(sign);
        g.1 = g.1.wrapping_add_signed(is_muted);
        self.muted = self.muted.wrapping_add_signed(is_muted);
        self.trust += sign as i64 * fixed(m.trust);
        self.interest += sign as i64 * fixed(m.interest);
    }

    /// Counts the members of `part` who stay (neither leaving nor gone).
    pub fn count_part<'a>(&mut self, part: impl Iterator<Item = &'a Member>) {
        for m in part {
            if m.flags & (LEFT | LEAVING) == 0 {
                self.count(m, 1);
            }
        }
    }

    /// Members counted.
    pub fn members(&self) -> usize {
        self.per_group.iter().map(|g| g.0 as usize).sum()
    }

    /// Muted members, mean trust and mean interest of `n` members.
    pub fn means(&self, n: usize) -> (u32, f64, f64) {
        let per = FIXED * n.max(1) as f64;
        (
            self.muted,
            self.trust as f64 / per,
            self.interest as f64 / per,
        )
    }
}

/// Merges `from` into `into`, both in order, in place (from the back).
pub fn merge_in(into: &mut Vec<u32>, from: &[u32]) {
    let (mut i, mut j) = (into.len(), from.len());
    into.resize(i + j, 0);
    while j > 0 {
        let k = i + j - 1;
        if i > 0 && into[i - 1] > from[j - 1] {
            into[k] = into[i - 1];
            i -= 1;
        } else {
            into[k] = from[j - 1];
            j -= 1;
        }
    }
}

/// Takes the places in `a` and in `b` (each in order; places not in
/// `list` are passed over) out of `list` (in order), moving the runs
/// between them down: the work is the removals' and a move of the list,
/// not a test of every place in it (issue 11).
pub fn remove_places(list: &mut Vec<u32>, a: &[u32], b: &[u32]) {
    let (mut i, mut j) = (0, 0);
    let (mut read, mut write) = (0, 0);
    loop {
        let next = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) if x <= y => {
                i += 1;
                x
            }
            (_, Some(&y)) => {
                j += 1;
                y
            }
            (Some(&x), None) => {
                i += 1;
                x
            }
            (None, None) => break,
        };
        // The first place at or past `next`, by galloping from `read`.
        let rest = &list[read..];
        let mut reach = 1;
        while reach < rest.len() && rest[reach - 1] < next {
            reach *= 2;
        }
        let at = read + rest[..reach.min(rest.len())].partition_point(|&v| v < next);
        if list.get(at) == Some(&next) {
            if write != read {
                list.copy_within(read..at, write);
            }
            write += at - read;
            read = at + 1;
        }
    }
    let len = list.len();
    if write != read {
        list.copy_within(read..len, write);
    }
    list.truncate(write + len - read);
}

/// Notes that the muted member at place `at` drifts out on `day` (not if
/// that is after the run).
fn note_drift(drift_out: &mut [Vec<u32>], day: u32, at: u32) {
    if let Some(list) = drift_out.get_mut(day as usize) {
        list.push(at);
    }
}

/// Per person: tie strength arriving for tomorrow, an `f32` kept as its
/// bits. Each entry is added to between days and read and cleared only by
/// its own member's day, so the day's chunks of members (issue 11) may read
/// and clear their entries from several threads: relaxed loads and stores,
/// which are plain moves.
#[derive(Debug, Default)]
pub struct Inflow(Vec<AtomicU32>);

impl Inflow {
    pub fn new(n: usize) -> Inflow {
        // Allocated zeroed, as `vec![0; n]` is (the collect reuses the
        // allocation): a large one is then mapped afresh rather than taken
        // from the heap, whose top a run's end would otherwise give back
        // and the next run fault in again (measured on the full model).
        Inflow(vec![0u32; n].into_iter().map(AtomicU32::new).collect())
    }

    pub fn cells(&self) -> &[AtomicU32] {
        &self.0
    }

    /// Adds `x` to person `i`'s entry.
    #[inline]
    pub fn add(&mut self, i: u32, x: f32) {
        let a = self.0[i as usize].get_mut();
        *a = (f32::from_bits(*a) + x).to_bits();
    }

    /// Person `i`'s entry, cleared (by person `i`'s day only).
    #[inline]
    pub fn take(&self, i: u32) -> f32 {
        let a = &self.0[i as usize];
        let x = f32::from_bits(a.load(Relaxed));
        a.store(0, Relaxed);
        x
    }
}

/// State of one run.
pub struct World<'g> {
    pub graph: &'g Graph,
    pub key: RunKey,
    /// The run's stream of fixed personal draws (role, needs, willingness
    /// to pay), computed once.
    attr: DayStream,
    /// Per person: OUTSIDER, JOINING, MEMBER or GONE.
    pub status: Vec<u8>,
    /// Per person: referral generation (0 for launch and channel joiners).
    pub generation: Vec<u32>,
    /// Per member: friends currently in the group (for the threshold rule
    /// and the social value of graph friends); kept up to date for members
    /// only, and set for a joiner on joining.
    pub friends_in: Vec<u32>,
    /// Per person: friends who have left the group while the person was in;
    /// kept as `friends_in`.
    pub friends_gone: Vec<u32>,
    /// Ties made by interaction (answers, replies, welcomes, events), and
    /// per person the ends of theirs. Kept only with `[ties]` on; an end
    /// may name someone who has left.
    pub ties: TieLists,
    /// Per person: tie strength gained today from others' actions, added to
    /// the member's bond at the start of tomorrow (kept with ties on).
    pub bond_in: Inflow,
    /// Per person: tie strength lost today to departures (kept with ties on).
    pub lost_in: Inflow,
    /// Ties made today: (a, b, strength), applied at the end of the day.
    pub tie_events: Vec<(u32, u32, f32)>,
    /// The owner's id, if there is one.
    pub owner_id: Option<u32>,
    /// Per person: which KOLs reached them (bit i for KOL i mod 64; kept
    /// only with `[kol]`, R6).
    pub kol_reached: Vec<u64>,
    /// The KOLs appointed (S4).
    pub kol_ids: Vec<u32>,
    /// One record per person who joined, in joining order (members.csv).
    pub records: Vec<super::MemberRow>,
    /// Per person: KOL friends who spoke yesterday (S4); kept only with KOLs.
    pub kol_seen: Vec<u8>,
    /// KOLs who spoke yesterday (to clear `kol_seen`).
    pub kol_spoke: Vec<u32>,
    /// The members' records, in joining order, with holes: a leaver's
    /// record stays in place, flagged [`LEFT`], until the holes make up a
    /// quarter of the array ([`Params::hole_share`]), and it is then compacted in one pass
    /// (issue 11: moving every record behind a leaver, every day, was a
    /// tenth of the reference SIR's time). Nothing reads a hole.
    pub members: Vec<Member>,
    /// How many holes `members` has.
    pub holes: usize,
    /// [`Params::hole_share`].
    pub hole_share: usize,
    pub pool: Vec<u32>,
    pub pool_pos: Vec<u32>,
    pub gone_total: u64,
    /// Yesterday's totals of each group, read by today's decisions.
    pub yesterday: Vec<Aggregates>,
    /// Yesterday's speakers of each group.
    pub speakers: Vec<Speakers>,
    /// The lists of the day before yesterday, reused for today's.
    pub spare_speakers: Vec<Speakers>,
    /// Members in each group now (S13).
    pub group_size: Vec<u32>,
    /// Every group before this index is full (S13: a joiner's search for a
    /// group with room starts here).
    pub open_hint: usize,
    /// Per person: the group they are in; kept only when several groups
    /// may open.
    pub group_of: Vec<u16>,
    /// Whether the KOLs have been appointed.
    pub kols_appointed: bool,
    /// Need matching of invitation acceptance today (S3 lowers it).
    pub need_match: f64,
    // Scratch buffers reused every day (no allocation in the daily loop once
    // they have grown).
    pub pending: Vec<(u32, u32, u32)>,
    pub joiners: Vec<(u32, Source)>,
    /// Today's candidates from the outsider pool (`collect_joiners`).
    pub candidates: Vec<super::day::Candidate>,
    /// Today's leavers, in member order (finish_day).
    pub leaving: Vec<Member>,
    /// Where today's leavers are in the member array, in order (filled by
    /// the day's loop and the muted members' day, the only places members
    /// decide to leave).
    pub leaver_at: Vec<u32>,
    /// The end-of-day counts of the members who stay, taken by the day's
    /// loop as it goes (see [`Census`]).
    pub census: Census,
    /// Where the members who are neither muted nor gone are in the member
    /// array, in order: the members the day's loop visits (issue 11).
    pub active: Vec<u32>,
    /// The census of the muted members still in, kept as they mute and go
    /// (the day's loop does not visit them).
    pub muted_census: Census,
    /// Per day, where the muted members who drift out that day are in the
    /// member array ([`Member::drifts_out`]; days after the run's last are
    /// not kept).
    pub drift_out: Vec<Vec<u32>>,
    /// Where today's muted leavers are in the member array, in order.
    pub muted_leaving: Vec<u32>,
    /// Where the members who muted today are in the member array, in order.
    pub muted_today: Vec<u32>,
    pub inviters: Vec<u32>,
    pub group_rows: Vec<super::GroupRow>,
    /// Greeting messages per group today, from joiners.
    pub greetings: Vec<u64>,
    /// Active members per group today (filled by the day's loop).
    pub active_by_group: Vec<u32>,
    /// The finished per-group rows of the last day.
    pub day_groups: Vec<super::GroupRow>,
    /// The operator's money and time (§9.1).
    pub purse: Purse,
    /// The day's loop's tallies, one per chunk of members (reused daily).
    pub tallies: Vec<super::day::Tally>,
    /// Whether a day's chunks may run on several threads (see
    /// [`super::simulate_split`]).
    pub split_days: bool,
    /// Days so far whose member loop ran in its plain copy (see
    /// `World::plain_day`; the tests read it).
    pub plain_days: u32,
    /// Which levers paid for as they run are on today.
    pub on: LeversOn,
}

/// Levers whose effect is felt outside the day's member loop, and whether
/// the operator could pay for them today (§9.1).
#[derive(Debug, Clone)]
pub struct LeversOn {
    pub rituals: bool,
    pub moderation: bool,
    /// The referral reward paid per join today, if one runs, and the share
    /// of a friend's vouching a lured invitation still carries (S3).
    pub referral: Option<(f64, f32)>,
    pub channels: Vec<bool>,
    pub giveaways: Vec<bool>,
}

/// Group-level totals of one day that members react to on the next.
#[derive(Debug, Clone, Copy, Default)]
pub struct Aggregates {
    pub messages: u64,
    pub ads: u64,
    /// Active experts and KOLs plus the owner if active: people who answer
    /// questions.
    pub answerers: u32,
    /// Questions answered (by members or the team).
    pub answered: u32,
}

impl Aggregates {
    pub fn add(&mut self, o: &Aggregates) {
        self.messages += o.messages;
        self.ads += o.ads;
        self.answerers += o.answerers;
        self.answered += o.answered;
    }
}

/// Who spoke in a group yesterday, for today's ties: repliers to newcomers
/// and answerers of questions.
#[derive(Debug, Clone, Default)]
pub struct Speakers {
    pub answerers: Vec<u32>,
    pub speakers: Vec<u32>,
}

impl<'g> World<'g> {
    pub fn new(p: &Params, graph: &'g Graph, key: RunKey) -> World<'g> {
        let n = p.n;
        let keep_pool = p.well_mixed || !p.channels.is_empty() || !p.giveaways.is_empty();
        let track = p.tracks_friends();
        let ties = p.ties_on;
        World {
            graph,
            key,
            attr: key.day(Purpose::Attributes, 0),
            status: vec![OUTSIDER; n],
            generation: vec![0; n],
            // The threshold rule and the social value of graph friends
            // count friends still in; both friends rules count friends who left.
            friends_in: if p.counts_friends_in() {
                vec![0; n]
            } else {
                Vec::new()
            },
            friends_gone: if track { vec![0; n] } else { Vec::new() },
            ties: TieLists::new(n, ties),
            bond_in: Inflow::new(if ties { n } else { 0 }),
            lost_in: Inflow::new(if ties { n } else { 0 }),
            tie_events: Vec::new(),
            owner_id: None,
            kol_reached: if p.kol.is_some() {
                vec![0; n]
            } else {
                Vec::new()
            },
            kol_ids: Vec::new(),
            // Room for everyone up front, as the memory check counts it
            // (`batch::STATE_BYTES_PER_PERSON`, `batch::KeptRows`): grown
            // by doubling instead, the arrays are copied and their pages
            // faulted in again, a tenth of the full model's time (issue
            // 11). Pages nobody joins into are never touched.
            records: if p.keep_members {
                Vec::with_capacity(n)
            } else {
                Vec::new()
            },
            kol_seen: if p.kol.is_some() && !p.well_mixed {
                vec![0; n]
            } else {
                Vec::new()
            },
            kol_spoke: Vec::new(),
            // (See `records`.) Holes never make the array outgrow this:
            // at the end of a day it holds members and holes of people
            // gone, and those who can join tomorrow are outsiders.
            members: Vec::with_capacity(n),
            holes: 0,
            hole_share: p.hole_share,
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
            yesterday: vec![Aggregates::default()],
            speakers: vec![Speakers::default()],
            spare_speakers: Vec::new(),
            group_size: vec![0],
            open_hint: 0,
            group_of: if p.groups.max > 1 {
                vec![0; n]
            } else {
                Vec::new()
            },
            kols_appointed: false,
            need_match: p.accept_need_match,
            pending: Vec::new(),
            joiners: Vec::new(),
            candidates: Vec::new(),
            leaving: Vec::new(),
            leaver_at: Vec::new(),
            census: Census::default(),
            active: Vec::new(),
            muted_census: Census::default(),
            drift_out: vec![Vec::new(); p.days as usize + 1],
            muted_leaving: Vec::new(),
            muted_today: Vec::new(),
            inviters: Vec::new(),
            group_rows: Vec::new(),
            active_by_group: Vec::new(),
            day_groups: Vec::new(),
            greetings: Vec::new(),
            purse: Purse::new(p),
            tallies: Vec::new(),
            split_days: true,
            plain_days: 0,
            on: LeversOn {
                rituals: p.rituals.is_some(),
                moderation: p.moderation.is_some(),
                referral: None,
                channels: vec![false; p.channels.len()],
                giveaways: vec![false; p.giveaways.len()],
            },
        }
    }

    /// A person's role and needs: a pure function of (run, person), so an
    /// outsider's need is the same whenever it is looked at.
    pub fn attributes(&self, p: &Params, person: u32) -> (Role, f32, f32) {
        let d = self.attr.member(person);
        let u = d.unit(0);
        // The first role whose cumulative share exceeds u: the shares are
        // cumulative, so it is the number of them u reaches (counted
        // without a branch: u is a coin toss, issue 11).
        const BY_RANK: [Role; 5] = [
            Role::Expert,
            Role::Asker,
            Role::Advertiser,
            Role::Freebie,
            Role::Lurker,
        ];
        let reached: usize = p.role_cum.iter().map(|&c| (u >= c) as usize).sum();
        let role = BY_RANK[reached];
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

    /// Whether a person would pay the fee and passes the entry threshold (S5);
    /// their willingness to pay is a fixed draw of (run, person).
    pub fn admits(&self, p: &Params, person: u32) -> bool {
        if p.fee.is_none() {
            return true;
        }
        let u = self.attr.member(person).unit(3);
        p.admits(self.need(p, person), u)
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
                let owner = sample::below(&mut rng, n as u64) as u32;
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
                    let v = sample::below(&mut rng, n as u64) as u32;
                    if seen.insert(v) {
                        chosen.push(v);
                    }
                }
            } else {
                chosen = sample::index_sample(&mut rng, p.n, k)
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
                self.owner_id = Some(o.id);
            }
        }
        self.apply_ties(p, 0);
        self.finish_day(p, 0, &mut row);
        self.yesterday
            .resize(self.group_size.len(), Aggregates::default());
        self.speakers
            .resize(self.group_size.len(), Speakers::default());
        for (g, n) in self.greetings.drain(..).enumerate() {
            self.yesterday[g].messages += n;
        }
        row.messages = self.yesterday.iter().map(|a| a.messages).sum();
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

    /// The group a joiner goes to: the inviter's if it has room, else the
    /// first group with room, else a new group if one may open (S13).
    /// None when every group is full.
    fn place(&mut self, p: &Params, inviter_group: Option<u16>, row: &mut DayRow) -> Option<u16> {
        let cap = p.capacity();
        if let Some(g) = inviter_group {
            if self.group_size[g as usize] < cap {
                return Some(g);
            }
        }
        // Every group before `open_hint` is full, so the scan starts there:
        // over a run, the work is linear in joins plus groups, not their
        // product (60,000 groups are allowed).
        if let Some(k) = self.group_size[self.open_hint..]
            .iter()
            .position(|&s| s < cap)
        {
            self.open_hint += k;
            return Some(self.open_hint as u16);
        }
        self.open_hint = self.group_size.len();
        if (self.group_size.len() as u32) < p.groups.max {
            self.open_group(p, row);
            return Some(self.group_size.len() as u16 - 1);
        }
        None
    }

    fn open_group(&mut self, p: &Params, row: &mut DayRow) {
        self.group_size.push(0);
        self.yesterday.push(Aggregates::default());
        self.speakers.push(Speakers::default());
        row.cost += p.groups.open_cost;
    }

    /// Turns today's joiners into members. A joiner who finds every group
    /// full stays an outsider.
    pub fn apply_joins(
        &mut self,
        p: &Params,
        day: u32,
        row: &mut DayRow,
        referrals: &mut Vec<Referral>,
    ) {
        let joiners = std::mem::take(&mut self.joiners);
        let referral_paid = self.on.referral;
        let activity = self.key.day(Purpose::Activity, day);
        for (j, &(v, source)) in joiners.iter().enumerate() {
            // Joiners are scattered over the population: fetch what each
            // one's join reads a few joiners ahead (issue 11).
            if let Some(&(ahead, _)) = joiners.get(j + 16) {
                self.graph.prefetch_offsets(ahead);
                prefetch_at(&self.pool_pos, ahead as usize);
            }
            if let Some(&(ahead, _)) = joiners.get(j + 8) {
                self.graph.prefetch(ahead);
                // The joiner's own counts, set below.
                prefetch_at(&self.friends_in, ahead as usize);
                prefetch_at(&self.friends_gone, ahead as usize);
                // The pool slot `unpool` empties (a wasted hint if a join
                // before it moves the slot).
                if let Some(&at) = self.pool_pos.get(ahead as usize) {
                    prefetch_at(&self.pool, at as usize);
                }
            }
            if let (Some(&(ahead, _)), false) = (joiners.get(j + 4), self.friends_in.is_empty()) {
                for &w in self.graph.neighbors(ahead).iter().take(16) {
                    prefetch_at(&self.status, w as usize);
                    prefetch_at(&self.friends_in, w as usize);
                }
            }
            let vi = v as usize;
            debug_assert_eq!(self.status[vi], JOINING);
            // The inviter's group: with one group there is nothing to look
            // up; otherwise the per-person record kept for this.
            let inviter_group = match source {
                Source::Referral(_) if self.group_of.is_empty() => Some(0),
                Source::Referral(by) => Some(self.group_of[by as usize]),
                _ => None,
            };
            let Some(group) = self.place(p, inviter_group, row) else {
                // Every group is full: the person stays outside (S13).
                self.status[vi] = OUTSIDER;
                row.refused_full += 1;
                continue;
            };
            self.group_size[group as usize] += 1;
            if !self.group_of.is_empty() {
                self.group_of[vi] = group;
            }
            self.unpool(v);
            let (role, explicit, latent) = self.attributes(p, v);
            self.status[vi] = MEMBER;
            let mut flags = 0;
            let (mut trust, mut promise) = match source {
                Source::Launch => (p.start_trust, p.start_promise),
                Source::Channel(c) => {
                    let ch = &p.channels[c as usize];
                    row.channel_joins += 1;
                    row.cost += ch.cost_per_join;
                    (ch.trust, ch.promise)
                }
                Source::Giveaway(g) => {
                    let gv = &p.giveaways[g as usize];
                    row.channel_joins += 1;
                    row.gift_joins += 1;
                    flags |= GIFT | GIFT_JOINER;
                    (gv.trust as f32, gv.promise as f32)
                }
                Source::Referral(by) => {
                    row.referral_joins += 1;
                    let mut vouch = 1.0;
                    if let Some((a, v)) = referral_paid {
                        row.cost += a;
                        vouch = v;
                    }
                    self.generation[vi] = self.generation[by as usize] + 1;
                    referrals.push(Referral {
                        day,
                        inviter: self.graph.label(by),
                        invitee: self.graph.label(v),
                        generation: self.generation[vi],
                    });
                    // S3: a friend who invites for the reward vouches less.
                    (p.invite_trust * vouch, p.invite_promise)
                }
            };
            let mut commitment = 0.0;
            if let (Some(f), false) = (&p.fee, matches!(source, Source::Launch)) {
                // S5, M6: joiners pay (checked when they accepted), expect
                // more, and mean to get their money's worth.
                flags |= PAID;
                row.revenue += f.amount;
                promise = (promise + f.expectation as f32).min(1.0);
                commitment = f.commitment as f32;
            }
            let mut interest = if p.interest_on {
                p.interest_initial
            } else {
                1.0
            };
            if let Some(r) = p.rituals.as_ref().filter(|r| r.welcome && self.on.rituals) {
                // S8: a welcome message and a self-introduction: the owner
                // greets the newcomer by name, a first tie.
                let g = r.welcome_gain as f32;
                trust += g * (1.0 - trust);
                if p.interest_on {
                    interest += g * (1.0 - interest);
                }
                if let (true, Some(o)) = (p.ties_on, self.owner_id) {
                    self.tie_events.push((v, o, p.tie_welcome));
                }
            }
            let record = if p.keep_members {
                self.records.push(super::MemberRow {
                    person: self.graph.label(v),
                    source: match source {
                        Source::Launch => super::JoinSource::Launch,
                        Source::Channel(c) => super::JoinSource::Channel(c),
                        Source::Referral(_) => super::JoinSource::Invited,
                        Source::Giveaway(_) => super::JoinSource::Gift,
                    },
                    join_day: day,
                    mute_day: None,
                    leave_day: None,
                    cause: None,
                    group,
                    paid: flags & PAID != 0,
                    purchases: 0,
                    degree: self.graph.degree(v) as u32,
                    ties: 0,
                    events: 0,
                    waitlisted: 0,
                    trust: 0.0,
                    need: 1.0 - (1.0 - explicit) * (1.0 - latent),
                });
                (self.records.len() - 1) as u32
            } else {
                u32::MAX
            };
            let gift_due = match source {
                Source::Giveaway(g) => p.giveaways[g as usize].deliver_after,
                _ => 0,
            };
            debug_assert!(self.members.len() < self.members.capacity());
            self.members.push(Member {
                id: v,
                joined: day,
                interest,
                trust: if p.trust_on { trust } else { 1.0 },
                satisfaction: 0.0,
                annoyance: 0.0,
                expectation: promise,
                explicit,
                latent,
                last_spoke: day,
                ad_since: 0,
                gift_due: day + gift_due,
                drifts_out: u32::MAX,
                group,
                streak: 0,
                role: role as u8,
                flags,
                cause: 0,
                gift: match source {
                    Source::Giveaway(g) => g as u8,
                    _ => 0,
                },
                bond: 0.0,
                lost: 0.0,
                commitment,
                purchases: 0,
                row: record,
            });
            row.joined += 1;
            // A newcomer says hello: a burst of joins is a burst of chat.
            if activity.member(v).unit(7) < p.greeting {
                self.greetings.resize(self.group_size.len(), 0);
                self.greetings[group as usize] += 1;
            }
            if !self.friends_gone.is_empty() {
                // Only friends who leave while v is in count against v.
                self.friends_gone[vi] = 0;
            }
            if !self.friends_in.is_empty() {
                // Friends still in are counted for members only: the
                // newcomer's own count starts from its member friends.
                let mut k = 0;
                for &w in self.graph.neighbors(v) {
                    if self.status[w as usize] == MEMBER {
                        self.friends_in[w as usize] += 1;
                        k += 1;
                    }
                }
                self.friends_in[vi] = k;
            }
            self.group_rows_join(group);
            if p.groups.split
                && self.group_size[group as usize] >= p.capacity()
                && (self.group_size.len() as u32) < p.groups.max
            {
                self.split(p, group, row);
            }
        }
        self.joiners = joiners;
        self.joiners.clear();
    }

    /// Counts a join in today's per-group row.
    fn group_rows_join(&mut self, group: u16) {
        self.group_row(group).joined += 1;
    }

    /// Today's per-group row of `group` (joins and moves so far).
    fn group_row(&mut self, group: u16) -> &mut super::GroupRow {
        let at = match self.group_rows.iter().position(|r| r.group == group) {
            Some(at) => at,
            None => {
                self.group_rows.push(super::GroupRow {
                    group,
                    ..Default::default()
                });
                self.group_rows.len() - 1
            }
        };
        &mut self.group_rows[at]
    }

    /// S13: a full group splits: a new group opens and every second member
    /// of the full one (in joining order) moves there.
    fn split(&mut self, p: &Params, group: u16, row: &mut DayRow) {
        // Members change groups after the day's loop counted them.
        self.census.stale();
        self.open_group(p, row);
        let new = self.group_size.len() as u16 - 1;
        let before = self.group_size[new as usize];
        for (k, m) in self
            .members
            .iter_mut()
            .filter(|m| m.group == group && m.flags & LEFT == 0)
            .enumerate()
        {
            if k % 2 == 1 && m.role != Role::Owner as u8 {
                m.group = new;
                if !self.group_of.is_empty() {
                    self.group_of[m.id as usize] = new;
                }
                if let Some(r) = self.records.get_mut(m.row as usize) {
                    r.group = new;
                }
                self.group_size[group as usize] -= 1;
                self.group_size[new as usize] += 1;
                self.open_hint = self.open_hint.min(group as usize);
            }
        }
        let moved = self.group_size[new as usize] - before;
        self.group_row(group).moved_out += moved;
        self.group_row(new).moved_in += moved;
    }

    /// Applies the ties made today (S6 events, answers, replies, welcomes):
    /// each strengthens both people's tie, decayed to today, and both
    /// members' bond from tomorrow.
    pub fn apply_ties(&mut self, p: &Params, day: u32) {
        if self.tie_events.is_empty() {
            return;
        }
        let events = std::mem::take(&mut self.tie_events);
        for (i, &(a, b, strength)) in events.iter().enumerate() {
            // The people tied are scattered: fetch their slots and bond
            // entries a few events ahead (issue 11).
            if let Some(&(x, y, _)) = events.get(i + 8) {
                for v in [x, y] {
                    self.ties.prefetch(v);
                    prefetch_at(self.bond_in.cells(), v as usize);
                }
            }
            if let Some(&(x, y, _)) = events.get(i + 4) {
                self.ties.prefetch_list(x);
                self.ties.prefetch_list(y);
            }
            if let Some(&(x, y, _)) = events.get(i + 2) {
                self.ties.prefetch_ends(x);
                self.ties.prefetch_ends(y);
            }
            if a == b || strength <= 0.0 {
                continue;
            }
            match self.ties.find(a, b) {
                Some(id) => {
                    let t = self.ties.tie_mut(id);
                    t.strength = t.strength * p.tie_decay_pow[(day - t.day) as usize] + strength;
                    t.day = day;
                }
                None => self.ties.make(a, b, strength, day),
            }
            self.bond_in.add(a, strength);
            self.bond_in.add(b, strength);
        }
        self.tie_events = events;
        self.tie_events.clear();
    }

    /// Heap bytes of the per-person arrays, at their lengths.
    #[cfg(test)]
    pub fn person_array_bytes(&self) -> usize {
        fn b<T>(v: &[T]) -> usize {
            std::mem::size_of_val(v)
        }
        b(&self.status)
            + b(&self.generation)
            + b(&self.friends_in)
            + b(&self.friends_gone)
            + b(self.bond_in.cells())
            + b(self.lost_in.cells())
            + b(&self.kol_reached)
            + b(&self.kol_seen)
            + b(&self.pool)
            + b(&self.pool_pos)
            + b(&self.group_of)
            + b(&self.ties.slot)
    }

    /// Hints the processor to load what member `m`'s day reads from the
    /// per-person arrays and the graph's offsets (issue 11).
    #[inline]
    pub fn prefetch_person(&self, m: u32) {
        let mi = m as usize;
        self.graph.prefetch_offsets(m);
        self.ties.prefetch(m);
        prefetch_at(self.bond_in.cells(), mi);
        prefetch_at(self.lost_in.cells(), mi);
        prefetch_at(&self.friends_in, mi);
        prefetch_at(&self.friends_gone, mi);
    }

    /// Ties member `m` has inside the group: graph friends still in and
    /// interaction ties with people still members.
    pub fn ties_inside(&self, m: u32) -> u32 {
        let friends = self.friends_in.get(m as usize).copied().unwrap_or(0);
        let made = self.ties.get(m).map_or(0, |l| {
            l.iter()
                .filter(|e| self.status[e.other as usize] == MEMBER)
                .count() as u32
        });
        friends + made
    }

    /// Removes leaver `m` from their friends' and ties' counts: the social
    /// value they gave others is lost from tomorrow.
    ///
    /// Returns the interaction ties the leaver had with members, as
    /// [`World::ties_inside`] counts them.
    fn depart(&mut self, p: &Params, m: u32, day: u32) -> u32 {
        let mut made = 0;
        let track = !self.friends_gone.is_empty();
        // Only members' counts are kept (a joiner's are set on joining).
        for &w in self.graph.neighbors(m) {
            let wi = w as usize;
            if self.status[wi] != MEMBER {
                continue;
            }
            if track {
                self.friends_gone[wi] += 1;
            }
            if let Some(c) = self.friends_in.get_mut(wi) {
                *c -= 1;
            }
            if p.ties_on {
                self.lost_in.add(w, p.tie_friend);
            }
        }
        if let Some(list) = self.ties.take(m) {
            let mut i = 0;
            while let Some(e) = self.ties.end(list, i) {
                // Partners and the ties' records are scattered: fetch a few
                // ahead (issue 11).
                if let Some(ahead) = self.ties.end(list, i + 4) {
                    let ai = ahead.other as usize;
                    prefetch_at(&self.status, ai);
                    prefetch_at(self.bond_in.cells(), ai);
                    self.ties.prefetch_tie(ahead);
                }
                i += 1;
                let (o, oi) = (e.other, e.other as usize);
                let member = self.status[oi] == MEMBER;
                made += member as u32;
                let Some(t) = self.ties.cut(m, e) else {
                    continue;
                };
                if !member {
                    continue;
                }
                let s = t.strength * p.tie_decay_pow[(day - t.day) as usize];
                self.bond_in.add(o, -s);
                self.lost_in.add(o, s);
                if track {
                    // Contagion counts people met at events and through
                    // answers as friends too.
                    self.friends_gone[oi] += 1;
                }
            }
            self.ties.recycle(list);
        }
        made
    }

    /// Applies today's departures, drops leavers from the member array, and
    /// fills the end-of-day counts and means of `row` and the group rows.
    pub fn finish_day(&mut self, p: &Params, day: u32, row: &mut DayRow) {
        let groups = self.group_size.len();
        let mut per_group = vec![super::GroupRow::default(); groups];
        for r in self.group_rows.drain(..) {
            let g = &mut per_group[r.group as usize];
            g.joined = r.joined;
            g.moved_in = r.moved_in;
            g.moved_out = r.moved_out;
        }
        // Who stays: the active members, counted by the day's loop, the
        // day's joiners (at the end of the array) and the muted, whose
        // census is kept as they come and go; or, when the loop's count is
        // stale or there was no loop (the launch), everyone afresh.
        let mut census = std::mem::take(&mut self.census);
        let from = self.members.len() - row.joined as usize;
        let fresh = !census.taken;
        if !fresh {
            census.fit(groups);
            census.count_part(self.members[from..].iter());
            census.add(&self.muted_census);
        } else {
            census.start(groups);
            census.count_part(self.members.iter());
            self.leaver_at.clear();
            for (r, m) in self.members.iter().enumerate() {
                if m.flags & (LEFT | LEAVING) == LEAVING {
                    self.leaver_at.push(r as u32);
                }
            }
        }
        for (g, &(members, m)) in per_group.iter_mut().zip(&census.per_group) {
            g.members = members;
            g.muted = m;
        }
        let kept = census.members();
        let (muted, trust, interest) = census.means(kept);
        census.taken = false;
        // Leavers' records become holes, in order.
        for &r in &self.leaver_at {
            let m = &mut self.members[r as usize];
            self.leaving.push(*m);
            m.flags |= LEFT;
        }
        if !fresh {
            // (Before the array may be compacted: their places change.)
            self.count_muted_today();
        }
        let compacted = self.add_holes();
        debug_assert_eq!(kept, self.member_count());
        if fresh || compacted {
            self.take_stock(day, fresh);
        } else {
            let leavers = std::mem::take(&mut self.leaver_at);
            self.stock_today(from, &leavers);
            self.leaver_at = leavers;
        }
        self.leaver_at.clear();
        // Leavers in member order, as they were found: each departure
        // changes what the next one counts. They are scattered over the
        // population, so what each one's departure reads is fetched a few
        // leavers ahead (issue 11).
        let leaving = std::mem::take(&mut self.leaving);
        for (i, m) in leaving.iter().enumerate() {
            if let Some(ahead) = leaving.get(i + 16) {
                self.prefetch_person(ahead.id);
            }
            if let Some(ahead) = leaving.get(i + 8) {
                self.graph.prefetch(ahead.id);
                prefetch_at(&self.records, ahead.row as usize);
                self.ties.prefetch_list(ahead.id);
            }
            if let Some(ahead) = leaving.get(i + 4) {
                for &w in self.graph.neighbors(ahead.id).iter().take(16) {
                    prefetch_at(&self.status, w as usize);
                }
                self.ties.prefetch_ends(ahead.id);
            }
            if let Some(list) = leaving.get(i + 2).and_then(|a| self.ties.get(a.id)) {
                for &e in list.iter().take(4) {
                    prefetch_at(&self.status, e.other as usize);
                    self.ties.prefetch_tie(e);
                }
            }
            let vi = m.id as usize;
            // The leaver's ties inside the group, as `ties_inside` counts
            // them: graph friends still in (their own departure leaves the
            // count alone), and interaction ties with members, which
            // `depart` counts as it walks them.
            let friends = self.friends_in.get(vi).copied().unwrap_or(0);
            self.status[vi] = GONE;
            row.left += 1;
            row.left_by_cause[m.cause as usize] += 1;
            if m.flags & GIFT_JOINER != 0 {
                row.gift_left += 1;
            }
            per_group[m.group as usize].left += 1;
            self.group_size[m.group as usize] -= 1;
            self.open_hint = self.open_hint.min(m.group as usize);
            self.gone_total += 1;
            let made = self.depart(p, m.id, day);
            if let Some(rec) = self.records.get_mut(m.row as usize) {
                rec.leave_day = Some(day);
                rec.cause = Some(super::CAUSES[m.cause as usize]);
                rec.ties = friends + made;
                rec.trust = m.trust;
                rec.purchases = m.purchases as u32;
            }
        }
        self.leaving = leaving;
        self.leaving.clear();
        self.census = census;
        let n = kept as u32;
        row.members = n;
        row.muted = muted;
        row.silent = n - muted - row.active;
        // (The owner, never active by definition, counts as silent.)
        row.groups = groups as u32;
        if n > 0 {
            row.mean_trust = trust;
            row.mean_interest = interest;
        }
        for (g, r) in per_group.iter_mut().enumerate() {
            r.group = g as u16;
            r.day = row.day;
            r.active = self.active_by_group.get(g).copied().unwrap_or(0);
        }
        self.active_by_group.clear();
        self.day_groups = per_group;
        self.purse.end_day(p, row);
    }

    /// Today's leavers (`leaver_at`, left as it is) become holes; when the
    /// holes make up more than a quarter of the member array, it is
    /// compacted, in order. Whether it was (every member's place changed).
    fn add_holes(&mut self) -> bool {
        if self.leaver_at.is_empty() {
            return false;
        }
        // Today's leavers were members, not holes.
        self.holes += self.leaver_at.len();
        if self.holes.saturating_mul(self.hole_share) > self.members.len() {
            self.members.retain(|m| m.flags & LEFT == 0);
            self.holes = 0;
            return true;
        }
        false
    }

    /// Those who muted today join the muted census (from their places in
    /// the member array, before it is compacted).
    fn count_muted_today(&mut self) {
        self.muted_census.fit(self.group_size.len());
        for &at in &self.muted_today {
            self.muted_census.count(&self.members[at as usize], 1);
        }
    }

    /// The active list and the days the muted drift out on, taken afresh
    /// from the member array at the end of day `day` (after a fresh census,
    /// or when the array was compacted), and with `census` the muted
    /// census too (otherwise it is up to date: compacting moves records,
    /// it changes nobody's state).
    fn take_stock(&mut self, day: u32, census: bool) {
        self.active.clear();
        if census {
            self.muted_census.start(self.group_size.len());
        }
        // (The lists of today and before were taken on their days.)
        for list in self.drift_out.iter_mut().skip(day as usize + 1) {
            list.clear();
        }
        for (at, m) in self.members.iter().enumerate() {
            if m.flags & LEFT != 0 {
                continue;
            }
            if m.flags & MUTED == 0 {
                self.active.push(at as u32);
            } else {
                if census {
                    self.muted_census.count(m, 1);
                }
                if m.drifts_out > day {
                    note_drift(&mut self.drift_out, m.drifts_out, at as u32);
                }
            }
        }
        self.muted_today.clear();
    }

    /// The active list and the days the muted drift out on, brought up to
    /// date at the end of a day: today's `leavers` and those who muted
    /// leave the active list, today's joiners (from place `from`) join it,
    /// and those who muted are noted on the day they drift out (they joined
    /// the muted census in [`World::count_muted_today`]).
    fn stock_today(&mut self, from: usize, leavers: &[u32]) {
        let members = &self.members;
        remove_places(&mut self.active, leavers, &self.muted_today);
        debug_assert!(self
            .active
            .iter()
            .all(|&at| members[at as usize].flags & (MUTED | LEFT) == 0));
        self.active.extend(from as u32..members.len() as u32);
        for &at in &self.muted_today {
            note_drift(&mut self.drift_out, members[at as usize].drifts_out, at);
        }
        self.muted_today.clear();
    }

    /// The members' records, without the holes.
    pub fn live_members(&self) -> impl Iterator<Item = &Member> {
        self.members.iter().filter(|m| m.flags & LEFT == 0)
    }

    /// The number of members (records that are not holes).
    pub fn member_count(&self) -> usize {
        self.members.len() - self.holes
    }

    /// R6: members each KOL served (answered, or reached with a post),
    /// averaged over the KOLs appointed. With more than 64 KOLs, KOLs i and
    /// i + 64 share a bit, which undercounts.
    pub fn reached_per_kol(&self) -> f64 {
        if self.kol_ids.is_empty() {
            return 0.0;
        }
        let reached: u64 = self.kol_reached.iter().map(|r| r.count_ones() as u64).sum();
        reached as f64 / self.kol_ids.len() as f64
    }

    /// Completes the records of people still in at the end of the run.
    pub fn close_records(&mut self) {
        for i in 0..self.members.len() {
            // Each member's tie list is somewhere on the heap: fetched a
            // few members ahead, slot, list, then its ends (issue 11).
            if let Some(a) = self.members.get(i + 16) {
                self.ties.prefetch(a.id);
                prefetch_at(&self.friends_in, a.id as usize);
            }
            if let Some(a) = self.members.get(i + 8) {
                self.ties.prefetch_list(a.id);
            }
            if let Some(a) = self.members.get(i + 4) {
                self.ties.prefetch_ends(a.id);
            }
            let m = self.members[i];
            if m.flags & LEFT == 0 && (m.row as usize) < self.records.len() {
                let ties = self.ties_inside(m.id);
                let rec = &mut self.records[m.row as usize];
                rec.ties = ties;
                rec.trust = m.trust;
                rec.purchases = m.purchases as u32;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    /// `remove_places` gives what a filter gives: lists with places
    /// removed from the front, the back, in runs and alone, and removals
    /// that are not in the list, from either of the two lists or both.
    #[test]
    fn removing_places_is_filtering_them() {
        let mut key = 7u64;
        for len in [0usize, 1, 2, 5, 64, 1000] {
            for _ in 0..50 {
                let list: Vec<u32> = (0..len as u32).map(|k| 3 * k + (k % 2)).collect();
                let mut pick = |share: u64| {
                    let mut v: Vec<u32> = (0..3 * len as u32 + 3)
                        .filter(|_| {
                            key = crate::rng::mix(key);
                            key % 100 < share
                        })
                        .collect();
                    v.dedup();
                    v
                };
                let (a, b) = (pick(20), pick(5));
                let want: Vec<u32> = list
                    .iter()
                    .copied()
                    .filter(|x| !a.contains(x) && !b.contains(x))
                    .collect();
                let mut got = list.clone();
                super::remove_places(&mut got, &a, &b);
                assert_eq!(got, want, "len {len}");
            }
        }
        let mut all: Vec<u32> = (0..10).collect();
        super::remove_places(&mut all, &[0, 2, 4, 6, 8], &[1, 3, 5, 7, 9]);
        assert!(all.is_empty());
    }

    use super::TieLists;

    #[test]
    fn tie_lists_keep_order_and_reuse_a_leavers_list() {
        let mut t = TieLists::new(5, true);
        t.make(1, 2, 0.5, 0);
        t.make(1, 4, 0.25, 1);
        t.make(3, 1, 0.125, 2);
        let others = |t: &TieLists, m| {
            t.get(m)
                .map(|l| l.iter().map(|e| e.other).collect::<Vec<_>>())
        };
        assert_eq!(others(&t, 1), Some(vec![2, 4, 3]));
        assert_eq!(others(&t, 3), Some(vec![1]));
        assert_eq!(t.get(0), None);
        // Found from either end, whichever list is shorter.
        let id = t.find(4, 1).expect("1 and 4 are tied");
        assert_eq!(t.find(1, 4), Some(id));
        assert_eq!(t.tie_mut(id).strength, 0.25);
        assert_eq!(t.find(2, 4), None);
        let slot = t.take(1).expect("1 has ties");
        let list: Vec<super::TieEnd> = (0..).map_while(|i| t.end(slot, i)).collect();
        assert_eq!(list.len(), 3);
        assert_eq!(t.get(1), None);
        assert!(t.take(1).is_none());
        // Ending each of 1's ties once; an end already ended gives nothing.
        let ended: Vec<f32> = list
            .iter()
            .filter_map(|&e| t.cut(1, e))
            .map(|x| x.strength)
            .collect();
        assert_eq!(ended, [0.5, 0.25, 0.125]);
        assert!(t.cut(1, list[0]).is_none());
        assert_eq!(t.find(2, 1), None, "2's end of the tie is left, ended");
        let room = t.lists[slot as usize].room;
        t.recycle(slot);
        // The next person to make a tie gets the freed list, room kept,
        // and a freed record: the one 3's old end still names, now another
        // pair's, which that end does not end.
        t.make(4, 0, 1.0, 3);
        assert_eq!(others(&t, 4), Some(vec![1, 0]));
        assert_eq!(t.lists.len(), 4, "no new list was made for 4 or 0");
        assert_eq!(t.ties.len(), 3, "no new record was made");
        assert!(t.lists.iter().any(|l| l.room >= room));
        let old_end = t.get(3).expect("3's list is kept")[0];
        assert!(t.cut(3, old_end).is_none());
        assert_eq!(t.find(2, 0), None);
        assert_eq!(t.find(0, 4).map(|id| t.tie_mut(id).strength), Some(1.0));
        // Off: nobody has a list.
        assert_eq!(TieLists::new(5, false).get(1), None);
    }

    /// The arena of tie ends gives what a vector per person gives, as lists
    /// grow (in place at the arena's end or moved) and are taken and
    /// reused; the arena stays under twice the lists' room.
    #[test]
    fn tie_lists_in_one_arena_are_lists_of_their_own() {
        let n = 40u32;
        let mut t = TieLists::new(n as usize, true);
        let mut model: Vec<Vec<u32>> = vec![Vec::new(); n as usize];
        let mut key = 11u64;
        let mut next = || {
            key = crate::rng::mix(key);
            key
        };
        let mut moved = 0;
        for step in 0..20_000u32 {
            let a = (next() % n as u64) as u32;
            // One person makes many ties (the owner) in the first half.
            let b = if step < 10_000 && next() % 3 == 0 {
                0
            } else {
                (next() % n as u64) as u32
            };
            if next() % 50 == 0 {
                if let Some(s) = t.take(a) {
                    let ends: Vec<u32> =
                        (0..).map_while(|i| t.end(s, i)).map(|e| e.other).collect();
                    assert_eq!(ends, model[a as usize], "step {step}");
                    t.recycle(s);
                }
                model[a as usize].clear();
            } else if a != b {
                let before = t.ends.len();
                t.make(a, b, 1.0, 0);
                moved += (t.ends.len() > before) as u32;
                model[a as usize].push(b);
                model[b as usize].push(a);
            }
        }
        assert!(moved > 100, "lists grew {moved} times");
        let room: usize = t.lists.iter().map(|r| r.room as usize).sum();
        assert!(
            t.ends.len() < 2 * room,
            "{} ends for a room of {room}",
            t.ends.len()
        );
        for m in 0..n {
            let got: Vec<u32> = t
                .get(m)
                .map_or(Vec::new(), |l| l.iter().map(|e| e.other).collect());
            assert_eq!(got, model[m as usize], "person {m}");
        }
    }
}
