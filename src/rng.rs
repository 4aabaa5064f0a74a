//! Randomness: where every random number of a run comes from.
//!
//! A run's randomness is a pure function of (scenario seed, run index). Inside a
//! run, every decision a member takes on a day draws from a *counter-based*
//! stream keyed by (run, purpose, day, member): a SplitMix64 hash of the key,
//! not a sequential generator. This gives three properties the engine relies on:
//!
//! - **Order independence.** A member's draw does not depend on how many draws
//!   other members made before it, so processing order (or threads) cannot
//!   change results.
//! - **Common random numbers.** Run r of two scenarios gives the same member the
//!   same uniforms for the same purpose on the same day, so paired comparisons
//!   see differences caused by the strategies, not by reshuffled luck.
//! - **Streams aligned by purpose.** Adding a mechanism draws from its own
//!   purpose and does not shift the draws of any other.
//!
//! Where a sequential generator is the natural tool (graph generation, picking
//! channel candidates from the pool of outsiders), a [`rand_pcg::Pcg64Mcg`] is
//! seeded from the same kind of key. PCG is a named, portable algorithm whose
//! output does not change between releases of `rand`.

use rand::SeedableRng;
use rand_pcg::Pcg64Mcg;

/// SplitMix64's finaliser: a bijective 64-bit mixer with full avalanche.
#[inline(always)]
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(MIX_1);
    z = (z ^ (z >> 27)).wrapping_mul(MIX_2);
    z ^ (z >> 31)
}

/// [`mix`]'s two multipliers.
const MIX_1: u64 = 0xbf58_476d_1ce4_e5b9;
const MIX_2: u64 = 0x94d0_49bb_1331_11eb;

const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// Converts 64 random bits to a uniform f64 in [0, 1).
#[inline(always)]
pub fn to_unit(bits: u64) -> f64 {
    // The 53 bits fit an i64, whose conversion is one instruction on
    // x86-64; a u64's is six (issue 11). The value is the same.
    ((bits >> 11) as i64) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// What a stream of random numbers is used for. Each purpose is an independent
/// stream; the numeric values are part of the reproducibility contract (changing
/// one changes results), so new purposes get new numbers at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    /// Graph generation (sequential generator).
    Graph = 1,
    /// Person attributes: needs and role (per person, day-independent).
    Attributes = 2,
    /// Choosing the initial members and the owner.
    Start = 3,
    /// Channel and well-mixed word-of-mouth candidates (sequential generator).
    Pool = 4,
    /// Whether a member invites today, and which friends receive invitations.
    Invite = 5,
    /// Whether an invited outsider accepts a given inviter's invitation.
    Accept = 6,
    /// Speaking, reading content, questions being answered.
    Activity = 7,
    /// Purchases (conversion of latent needs).
    Convert = 8,
    /// Leaving and muting.
    Leave = 9,
    /// Drawing a sweep's points (Latin hypercube, Saltelli, Morris designs).
    Design = 10,
    /// Ties between members: replies to newcomers, who answered, event
    /// friendships, group-buys.
    Social = 11,
}

/// The key of one run: everything random in run `run` of a scenario with seed
/// `seed` derives from it.
#[derive(Debug, Clone, Copy)]
pub struct RunKey(u64);

impl RunKey {
    pub fn new(seed: u64, run: u64) -> Self {
        RunKey(mix(
            mix(seed ^ 0x636f_6d6d_7369_6d00).wrapping_add(run.wrapping_mul(GOLDEN))
        ))
    }

    /// The 64-bit seed reported in runs.csv for this run.
    pub fn seed(&self) -> u64 {
        self.0
    }

    /// The counter-based stream for `purpose` on `day`.
    #[inline]
    pub fn day(&self, purpose: Purpose, day: u32) -> DayStream {
        DayStream(mix(self.0 ^ mix(((purpose as u64) << 32) | day as u64)))
    }

    /// A sequential generator for `purpose` on `day`.
    pub fn sequential(&self, purpose: Purpose, day: u32) -> Pcg64Mcg {
        let a = self.day(purpose, day).0;
        let b = mix(a ^ GOLDEN);
        Pcg64Mcg::new(((a as u128) << 64) | (b as u128 | 1))
    }
}

/// The scenario seed of point `point` of a parameter sweep with seed `seed`.
///
/// A point's runs then use the engine's usual [`RunKey::new`]`(point seed,
/// run)`, so everything random in run r of point p depends only on (sweep
/// seed, p, r): never on the shard, the thread or the order in which points
/// are computed. The constant keeps point seeds apart from run keys made from
/// the same number.
pub fn point_seed(seed: u64, point: u64) -> u64 {
    mix(mix(seed ^ 0x7377_6565_7000_0000).wrapping_add(point.wrapping_mul(GOLDEN)))
}

/// All draws of one purpose on one day, addressed by member.
#[derive(Debug, Clone, Copy)]
pub struct DayStream(u64);

/// Spreads a member id over the day stream's key.
const MEMBER: u64 = 0xd6e8_feb8_6659_fd93;

/// No draw made yet ([`Draws::made_k`]).
const NONE_MADE: u64 = u64::MAX;

impl DayStream {
    /// The draws of member `who` on this day and purpose.
    #[inline(always)]
    pub fn member(&self, who: u32) -> Draws {
        Draws {
            base: self.base(who),
            made_k: NONE_MADE,
            made: 0,
        }
    }

    #[inline(always)]
    fn base(&self, who: u32) -> u64 {
        mix(self.0 ^ (who as u64).wrapping_mul(MEMBER))
    }
}

/// The offset of draw `k` from a member's base.
#[inline(always)]
fn offset(k: u64) -> u64 {
    k.wrapping_add(1).wrapping_mul(GOLDEN)
}

/// A member's own short stream: the k-th draw is a hash of (base, k).
///
/// One of its draws, the `made_k`-th, may have been made already, by
/// [`Block::fill`]: it is then returned as it was made. It is the same
/// number either way; only the work differs.
#[derive(Debug, Clone, Copy)]
pub struct Draws {
    base: u64,
    made_k: u64,
    made: u64,
}

impl Draws {
    /// The k-th uniform in [0, 1).
    #[inline(always)]
    pub fn unit(&self, k: u64) -> f64 {
        to_unit(self.bits(k))
    }

    /// The k-th draw's raw 64 bits.
    #[inline(always)]
    pub fn bits(&self, k: u64) -> u64 {
        if k == self.made_k {
            self.made
        } else {
            mix(self.base.wrapping_add(offset(k)))
        }
    }
}

/// Members whose draws [`Block::fill`] makes together.
pub const LANES: usize = 8;

/// The draws of `S` purposes on one day for a block of [`LANES`] members.
///
/// Keyed draws do not depend on each other, so a block's hashes can be
/// computed side by side. Where the processor multiplies eight 64-bit
/// integers in one instruction (AVX-512, detected at run time on x86-64),
/// [`Block::fill`] computes each member's base for every purpose, and one
/// draw of each purpose ahead: draw `made_k[s]`, the one every member's
/// day starts with (issue 11). Elsewhere it only notes the members, and
/// each member's draws are hashed when asked for, as
/// [`DayStream::member`] does. Both compute the same integers, so results
/// never depend on the processor.
#[derive(Debug, Clone, Copy)]
pub struct Block<const S: usize> {
    streams: [DayStream; S],
    made_k: [u64; S],
    level: Level,
    ids: [u32; LANES],
    base: [[u64; LANES]; S],
    made: [[u64; LANES]; S],
}

/// How [`Block::fill`] computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// One hash at a time, when asked for.
    Plain,
    /// AVX-512 (F, DQ): eight hashes in one register, ahead.
    Avx512,
}

impl Level {
    /// The best this processor has.
    pub fn detect() -> Level {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512dq")
            {
                return Level::Avx512;
            }
        }
        Level::Plain
    }
}

impl<const S: usize> Block<S> {
    /// A block of draws from `streams` that makes draw `made_k[s]` of each
    /// purpose `s` ahead, computing with `level`: [`Level::detect`]'s, or
    /// [`Level::Plain`].
    pub fn new(streams: [DayStream; S], made_k: [u64; S], level: Level) -> Self {
        Block {
            streams,
            made_k,
            level,
            ids: [0; LANES],
            base: [[0; LANES]; S],
            made: [[0; LANES]; S],
        }
    }

    /// The members of the next block, one a lane.
    #[inline]
    pub fn fill(&mut self, ids: &[u32; LANES]) {
        self.ids = *ids;
        #[cfg(target_arch = "x86_64")]
        if self.level == Level::Avx512 {
            let keys = self.streams.map(|d| d.0);
            let steps = self.made_k.map(offset);
            // SAFETY: `level` is AVX-512 only where the processor has it
            // (`Level::detect`), and the function needs nothing else.
            unsafe { lanes_avx512(&keys, &steps, ids, &mut self.base, &mut self.made) }
        }
    }

    /// The draws of purpose `s` of the member in `lane`.
    #[inline(always)]
    pub fn draws(&self, s: usize, lane: usize) -> Draws {
        if self.level == Level::Plain {
            return self.streams[s].member(self.ids[lane]);
        }
        Draws {
            base: self.base[s][lane],
            made_k: self.made_k[s],
            made: self.made[s][lane],
        }
    }
}

/// [`Block::fill`] on AVX-512: the same arithmetic as
/// [`DayStream::member`] and [`Draws::bits`], for the eight lanes in one
/// register, the purposes side by side.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq")]
unsafe fn lanes_avx512<const S: usize>(
    keys: &[u64; S],
    steps: &[u64; S],
    ids: &[u32; LANES],
    base: &mut [[u64; LANES]; S],
    made: &mut [[u64; LANES]; S],
) {
    use std::arch::x86_64::*;
    let all = |x: u64| _mm512_set1_epi64(x as i64);
    let mix8 = |z: __m512i| {
        let z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64::<30>(z)), all(MIX_1));
        let z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64::<27>(z)), all(MIX_2));
        _mm512_xor_si512(z, _mm512_srli_epi64::<31>(z))
    };
    let id = _mm512_cvtepu32_epi64(_mm256_loadu_si256(ids.as_ptr().cast()));
    let spread = _mm512_mullo_epi64(id, all(MEMBER));
    for s in 0..S {
        let b = mix8(_mm512_xor_si512(spread, all(keys[s])));
        _mm512_storeu_si512(base[s].as_mut_ptr().cast(), b);
        let m = mix8(_mm512_add_epi64(b, all(steps[s])));
        _mm512_storeu_si512(made[s].as_mut_ptr().cast(), m);
    }
}

/// A sequential PCG generator seeded from a plain seed (graph generation).
pub fn seeded(seed: u64, purpose: Purpose) -> Pcg64Mcg {
    Pcg64Mcg::seed_from_u64(mix(seed ^ mix(purpose as u64)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_uniform_and_independent_across_members() {
        // Mean and variance of 200k draws from distinct members: a biased or
        // correlated hash would miss these by far more than sampling noise
        // (standard error of the mean ~ 0.0006).
        let key = RunKey::new(7, 3).day(Purpose::Leave, 11);
        let n = 200_000u32;
        let (mut s, mut s2, mut lag) = (0.0, 0.0, 0.0);
        let mut prev = 0.5;
        for m in 0..n {
            let u = key.member(m).unit(0);
            assert!((0.0..1.0).contains(&u));
            s += u;
            s2 += u * u;
            lag += (u - 0.5) * (prev - 0.5);
            prev = u;
        }
        let mean = s / n as f64;
        let var = s2 / n as f64 - mean * mean;
        assert!((mean - 0.5).abs() < 0.003, "mean {mean}");
        assert!((var - 1.0 / 12.0).abs() < 0.002, "var {var}");
        assert!((lag / n as f64).abs() < 0.002, "lag-1 covariance {lag}");
    }

    #[test]
    fn point_seeds_differ_by_point_and_sweep_seed() {
        let seeds: std::collections::BTreeSet<u64> = (0..1000).map(|p| point_seed(3, p)).collect();
        assert_eq!(seeds.len(), 1000);
        assert_ne!(point_seed(3, 0), point_seed(4, 0));
        assert_eq!(point_seed(3, 7), point_seed(3, 7));
    }

    #[test]
    fn a_block_gives_the_draws_each_member_would_get() {
        // Every level this processor has (AVX-512 where it is there), every
        // lane and purpose: the made draw, the others and the raw bits are
        // exactly the ones `DayStream::member` gives, including ids past
        // 2^31 and a lane whose id repeats another's.
        let key = RunKey::new(42, 5);
        let streams = [
            key.day(Purpose::Activity, 3),
            key.day(Purpose::Invite, 3),
            key.day(Purpose::Leave, 3),
        ];
        let ids = [0, 1, 7, 99_999, 3_000_000_000, u32::MAX, 7, 12_345];
        let mut levels = vec![Level::Plain];
        if Level::detect() != Level::Plain {
            levels.push(Level::detect());
        }
        for level in levels {
            for made_k in [[2, 1, 0], [0, 0, 0], [5, 9, 3]] {
                let mut block = Block::new(streams, made_k, level);
                block.fill(&ids);
                for (s, stream) in streams.iter().enumerate() {
                    for (lane, &id) in ids.iter().enumerate() {
                        let (a, b) = (block.draws(s, lane), stream.member(id));
                        for k in 0..10 {
                            assert_eq!(a.bits(k), b.bits(k), "{level:?} s{s} lane {lane} k{k}");
                            assert_eq!(a.unit(k).to_bits(), b.unit(k).to_bits());
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn purposes_and_days_give_different_streams() {
        let k = RunKey::new(1, 0);
        let a = k.day(Purpose::Leave, 1).member(5).unit(0);
        let b = k.day(Purpose::Invite, 1).member(5).unit(0);
        let c = k.day(Purpose::Leave, 2).member(5).unit(0);
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_eq!(
            a,
            RunKey::new(1, 0).day(Purpose::Leave, 1).member(5).unit(0)
        );
    }
}

/// A hasher for integer keys inside a run (tie lists and strengths): one
/// SplitMix64 mix per key instead of SipHash. The keys are person ids, not
/// input an attacker chooses, and iteration order is never used.
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        mix(self.0)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ b as u64;
        }
    }
    fn write_u32(&mut self, i: u32) {
        self.0 ^= i as u64;
    }
    fn write_u64(&mut self, i: u64) {
        self.0 ^= i;
    }
}

/// A hash map keyed by ids, hashed with [`IdHasher`].
pub type IdMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<IdHasher>>;
