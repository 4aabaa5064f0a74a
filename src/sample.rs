//! Sampling algorithms commsim owns, so that results never change with a
//! release of `rand` or `rand_distr`.
//!
//! `rand` documents that the algorithms behind `random_range`,
//! `seq::index::sample` and `rand_distr::Binomial` may change between
//! releases, which would change every result for the same seed. These are
//! written out here instead, each a published method whose output is pinned
//! by golden-output tests below, and each drawing only `next_u64` from the
//! generator (a [`rand_pcg::Pcg64Mcg`] in commsim, whose output is fixed by
//! its specification):
//!
//! - [`unit`]: a uniform number in [0, 1).
//! - [`below`]: a uniform integer in `0..n` by Lemire's multiply-and-reject
//!   method (exact, no modulo bias).
//! - [`index_sample`]: `k` distinct indices of `0..n` by Floyd's algorithm,
//!   in a uniformly random order.
//! - [`binomial`]: an exact Binomial(n, p) draw by counting geometric waiting
//!   times between successes, in O(n·min(p, 1 − p) + 1) expected time.

use rand::RngCore;

use crate::rng::to_unit;

/// A uniform number in [0, 1) with 53 random bits: [`to_unit`] of one
/// `next_u64`. (It is what `rand`'s `random::<f64>()` gives today, but
/// written here so that no release of `rand` can change it.)
#[inline]
pub fn unit<R: RngCore + ?Sized>(rng: &mut R) -> f64 {
    to_unit(rng.next_u64())
}

/// A uniform integer in `0..n`, by Lemire's method ("Fast random integer
/// generation in an interval", ACM TOMACS 2019): the high 64 bits of a
/// 64 × 64-bit product, rejecting the few low products that would bias it.
/// Exactly uniform; one `next_u64` almost always.
///
/// `n` must be at least 1 (there is no integer below 0).
pub fn below<R: RngCore + ?Sized>(rng: &mut R, n: u64) -> u64 {
    assert!(n > 0, "below(0): there is no integer in 0..0");
    let mut m = u128::from(rng.next_u64()) * u128::from(n);
    let mut low = m as u64;
    if low < n {
        // 2^64 mod n: products whose low half falls below it are rejected,
        // so that every result has exactly floor(2^64 / n) accepted inputs.
        let threshold = n.wrapping_neg() % n;
        while low < threshold {
            m = u128::from(rng.next_u64()) * u128::from(n);
            low = m as u64;
        }
    }
    (m >> 64) as u64
}

/// `k` distinct indices of `0..n`, every k-subset equally likely and in a
/// uniformly random order: Floyd's algorithm (Bentley and Floyd, "A sample of
/// brilliance", CACM 1987) picks the subset with k draws, then a
/// Fisher–Yates shuffle (k − 1 draws) orders it. O(k) time and memory,
/// whatever `n`.
///
/// `k` must be at most `n`.
pub fn index_sample<R: RngCore + ?Sized>(rng: &mut R, n: usize, k: usize) -> Vec<usize> {
    assert!(
        k <= n,
        "index_sample: cannot pick {k} distinct indices of {n}"
    );
    let mut chosen: Vec<usize> = Vec::with_capacity(k);
    let mut seen: std::collections::HashSet<usize> = std::collections::HashSet::with_capacity(k);
    for j in n - k..n {
        let t = below(rng, j as u64 + 1) as usize;
        let pick = if seen.contains(&t) { j } else { t };
        seen.insert(pick);
        chosen.push(pick);
    }
    // Floyd's order is not uniformly random (j often comes last): shuffle.
    for i in (1..chosen.len()).rev() {
        let j = below(rng, i as u64 + 1) as usize;
        chosen.swap(i, j);
    }
    chosen
}

/// An exact Binomial(n, p) draw: the number of successes in `n` independent
/// trials of probability `p`.
///
/// Counts successes by jumping from one to the next: the gap to the next
/// success is Geometric(p), drawn by inversion as 1 + ⌊ln U / ln(1 − p)⌋,
/// and successes are counted while the trials used stay within `n`
/// (Devroye, "Non-Uniform Random Variate Generation", 1986, X.4, the
/// waiting-time method). For p > 1/2 it counts failures instead, so the
/// expected cost is O(n · min(p, 1 − p) + 1) draws. The distribution is
/// exact up to floating-point rounding of the logarithms.
///
/// `p` outside [0, 1] (or NaN) is treated as the nearest end: 0 successes
/// for p ≤ 0 or NaN, `n` for p ≥ 1.
pub fn binomial<R: RngCore + ?Sized>(rng: &mut R, n: u64, p: f64) -> u64 {
    if p.is_nan() || p <= 0.0 || n == 0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    if p > 0.5 {
        return n - successes(rng, n, 1.0 - p);
    }
    successes(rng, n, p)
}

/// The waiting-time count of [`binomial`] for 0 < p ≤ 1/2.
fn successes<R: RngCore + ?Sized>(rng: &mut R, n: u64, p: f64) -> u64 {
    // ln(1 − p) < 0, computed accurately for small p.
    let log_q = (-p).ln_1p();
    // Trials used so far (at most n).
    let mut used: u64 = 0;
    let mut count: u64 = 0;
    loop {
        // U in (0, 1], so ln U is finite and at most 0.
        let u = 1.0 - to_unit(rng.next_u64());
        // The gap is the floor of a number ≥ 0, which `as` takes (and
        // saturates, so a huge gap cannot wrap).
        let gap = (u.ln() / log_q) as u64;
        // The next success lies gap + 1 trials on; past the trials left,
        // the count ends.
        let step = gap.saturating_add(1);
        if step > n - used {
            return count;
        }
        used += step;
        count += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_pcg::Pcg64Mcg;

    fn rng(seed: u128) -> Pcg64Mcg {
        Pcg64Mcg::new(seed | 1)
    }

    /// Mean and variance of `xs`.
    fn moments(xs: &[f64]) -> (f64, f64) {
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (mean, var)
    }

    // Golden outputs: these values are part of the reproducibility
    // contract. If one changes, results for the same seed change.

    #[test]
    fn below_golden_output() {
        let mut r = rng(42);
        let got: Vec<u64> = [10, 10, 1000, 7, 1 << 40, u64::MAX, 3, 1]
            .iter()
            .map(|&n| below(&mut r, n))
            .collect();
        assert_eq!(got, GOLDEN_BELOW);
    }

    #[test]
    fn index_sample_golden_output() {
        let mut r = rng(42);
        assert_eq!(index_sample(&mut r, 100, 8), GOLDEN_SAMPLE_100_8);
        assert_eq!(index_sample(&mut r, 5, 5).len(), 5);
        assert_eq!(index_sample(&mut r, 1_000_000_000, 3), GOLDEN_SAMPLE_1E9_3);
    }

    #[test]
    fn binomial_golden_output() {
        let mut r = rng(42);
        let got: Vec<u64> = [
            (10, 0.5),
            (100, 0.01),
            (1000, 0.3),
            (1000, 0.9),
            (1_000_000, 0.0001),
            (5, 0.0),
            (5, 1.0),
        ]
        .iter()
        .map(|&(n, p)| binomial(&mut r, n, p))
        .collect();
        assert_eq!(got, GOLDEN_BINOMIAL);
    }

    const GOLDEN_BELOW: [u64; 8] = [3, 2, 656, 5, 415692221998, 9567028158238228502, 1, 0];
    const GOLDEN_SAMPLE_100_8: [usize; 8] = [80, 36, 50, 53, 62, 47, 20, 96];
    const GOLDEN_SAMPLE_1E9_3: [usize; 3] = [744932806, 331459903, 132100843];
    const GOLDEN_BINOMIAL: [u64; 7] = [6, 1, 297, 880, 99, 0, 5];

    // Statistical checks: each estimate within 5 standard errors of the
    // exact value (a false alarm about once in 3.5 million runs per check).

    #[test]
    fn below_is_uniform() {
        let mut r = rng(7);
        let n = 6u64;
        let draws = 600_000;
        let mut counts = [0u64; 6];
        for _ in 0..draws {
            counts[below(&mut r, n) as usize] += 1;
        }
        // Each count is Binomial(draws, 1/6).
        let expected = draws as f64 / 6.0;
        let se = (draws as f64 * (1.0 / 6.0) * (5.0 / 6.0)).sqrt();
        for (v, &c) in counts.iter().enumerate() {
            assert!(
                (c as f64 - expected).abs() < 5.0 * se,
                "value {v}: {c} draws, expected {expected} ± {se}"
            );
        }
        // A range that is not a power of two and rejects often: 2^63 + 1.
        let n = (1u64 << 63) + 1;
        let xs: Vec<f64> = (0..100_000)
            .map(|_| below(&mut r, n) as f64 / n as f64)
            .collect();
        let (mean, var) = moments(&xs);
        let se = (1.0 / 12.0 / xs.len() as f64).sqrt();
        assert!((mean - 0.5).abs() < 5.0 * se, "mean {mean}");
        assert!((var - 1.0 / 12.0).abs() < 0.01, "variance {var}");
    }

    #[test]
    fn index_sample_is_distinct_and_uniform() {
        let mut r = rng(9);
        let (n, k, reps) = (20usize, 5usize, 100_000usize);
        let mut included = vec![0u64; n];
        let mut first = vec![0u64; n];
        for _ in 0..reps {
            let s = index_sample(&mut r, n, k);
            assert_eq!(s.len(), k);
            let mut sorted = s.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), k, "repeated index in {s:?}");
            for &i in &s {
                included[i] += 1;
            }
            first[s[0]] += 1;
        }
        // Inclusion: Binomial(reps, k/n); first position: Binomial(reps, 1/n).
        for (p, counts) in [(k as f64 / n as f64, &included), (1.0 / n as f64, &first)] {
            let expected = reps as f64 * p;
            let se = (reps as f64 * p * (1.0 - p)).sqrt();
            for (i, &c) in counts.iter().enumerate() {
                assert!(
                    (c as f64 - expected).abs() < 5.0 * se,
                    "index {i}: {c}, expected {expected} ± {se}"
                );
            }
        }
    }

    #[test]
    fn binomial_mean_and_variance_match() {
        let mut r = rng(11);
        for &(n, p) in &[
            (1u64, 0.5),
            (10, 0.1),
            (50, 0.5),
            (1000, 0.02),
            (1000, 0.97),
            (100_000, 0.001),
            (200, 0.75),
        ] {
            let reps = 40_000;
            let xs: Vec<f64> = (0..reps).map(|_| binomial(&mut r, n, p) as f64).collect();
            assert!(xs.iter().all(|&x| x <= n as f64));
            let (mean, var) = moments(&xs);
            let (m, v) = (n as f64 * p, n as f64 * p * (1.0 - p));
            // SE of the mean: sqrt(v / reps). SE of the sample variance:
            // sqrt((mu4 - v^2 (reps - 3)/(reps - 1)) / reps), with the
            // binomial's fourth central moment mu4 = v (1 + 3 (n - 2) p q).
            let se_mean = (v / reps as f64).sqrt();
            let mu4 = v * (1.0 + 3.0 * (n as f64 - 2.0) * p * (1.0 - p));
            let se_var = ((mu4 - v * v * (reps as f64 - 3.0) / (reps as f64 - 1.0)) / reps as f64)
                .max(0.0)
                .sqrt();
            assert!(
                (mean - m).abs() < 5.0 * se_mean,
                "n = {n}, p = {p}: mean {mean}, expected {m} ± {se_mean}"
            );
            assert!(
                (var - v).abs() < 5.0 * se_var + 1e-9,
                "n = {n}, p = {p}: variance {var}, expected {v} ± {se_var}"
            );
        }
    }

    #[test]
    fn binomial_edges() {
        let mut r = rng(1);
        assert_eq!(binomial(&mut r, 0, 0.5), 0);
        assert_eq!(binomial(&mut r, 9, 0.0), 0);
        assert_eq!(binomial(&mut r, 9, -1.0), 0);
        assert_eq!(binomial(&mut r, 9, f64::NAN), 0);
        assert_eq!(binomial(&mut r, 9, 1.0), 9);
        assert!(binomial(&mut r, u64::MAX, 1e-18) < 1000);
        // Tiny p on a huge n is fast: cost follows n·p, not n.
        let start = std::time::Instant::now();
        let x = binomial(&mut r, 1 << 50, 1e-12);
        assert!(x < 10_000 && start.elapsed().as_secs() < 1);
    }
}
