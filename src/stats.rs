//! Statistics over Monte Carlo runs: quantiles, bands and spreads, and
//! survival analysis of members' tenure (Kaplan–Meier, Weibull).
//!
//! Plain functions over plain numbers; no I/O.

/// The q-quantile (0 ≤ q ≤ 1) of sorted data by linear interpolation between
/// order statistics (Hyndman & Fan type 7, the default of R and numpy).
/// Returns NaN for empty data.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * q;
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
        }
    }
}

/// Mean and the 5/25/50/75/95 percentiles of a sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    pub mean: f64,
    pub p5: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
}

impl Band {
    /// Summarises `values` (reordered in place).
    pub fn of(values: &mut [f64]) -> Band {
        values.sort_by(|a, b| a.total_cmp(b));
        let mean = if values.is_empty() {
            f64::NAN
        } else {
            values.iter().sum::<f64>() / values.len() as f64
        };
        Band {
            mean,
            p5: quantile_sorted(values, 0.05),
            p25: quantile_sorted(values, 0.25),
            p50: quantile_sorted(values, 0.50),
            p75: quantile_sorted(values, 0.75),
            p95: quantile_sorted(values, 0.95),
        }
    }
}

/// ln Γ(x) for x > 0 (Lanczos approximation, g = 7, n = 9; relative error
/// below 1e-13).
pub fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1−x) = π / sin(πx).
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// The regularised incomplete beta function I_x(a, b): the CDF of
/// Beta(a, b) at x (continued fraction, modified Lentz's method).
pub fn beta_cdf(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    if x < (a + 1.0) / (a + b + 2.0) {
        ln_front.exp() * beta_cf(x, a, b) / a
    } else {
        1.0 - ln_front.exp() * beta_cf(1.0 - x, b, a) / b
    }
}

fn beta_cf(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=300 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-14 {
            break;
        }
    }
    h
}

/// The p-quantile (0.5 ≤ p < 1) of Student's t distribution with `df`
/// degrees of freedom, e.g. 12.706 for p = 0.975 and df = 1.
///
/// For t ≥ 0, P(T ≤ t) = 1 − I_x(df/2, 1/2) / 2 with x = df / (df + t²), so
/// the quantile solves I_x(df/2, 1/2) = 2(1 − p); the CDF is monotone, so
/// bisection on x converges (60 halvings reach double precision).
pub fn student_t_quantile(p: f64, df: f64) -> f64 {
    assert!(
        (0.5..1.0).contains(&p) && df > 0.0,
        "t quantile of p = {p}, df = {df}"
    );
    let target = 2.0 * (1.0 - p);
    // I_x(df/2, 1/2) grows with x; t = 0 at x = 1 and t grows as x falls.
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if beta_cdf(mid, df / 2.0, 0.5) < target {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-17 {
            break;
        }
    }
    let x = 0.5 * (lo + hi);
    (df * (1.0 - x) / x).sqrt()
}

/// Mean and sample standard deviation (n − 1 in the denominator; NaN for a
/// single value) of a sample; NaNs for an empty one.
/// Wilson score 95% interval of a proportion: `k` successes in `n` trials
/// ((0, 1) when `n` is 0).
pub fn wilson(k: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (k, n) = (k as f64, n as f64);
    let z = 1.959_963_984_540_054f64;
    let p = k / n;
    let z2n = z * z / n;
    let centre = (p + z2n / 2.0) / (1.0 + z2n);
    let half = z * (p * (1.0 - p) / n + z2n / (4.0 * n)).sqrt() / (1.0 + z2n);
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

pub fn mean_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    if values.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let mean = values.iter().sum::<f64>() / n;
    if values.len() < 2 {
        return (mean, f64::NAN);
    }
    let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
    (mean, (ss / (n - 1.0)).sqrt())
}

/// Samples Beta(a, b) by its inverse CDF, tabulated once at 2,049 evenly
/// spaced probabilities and interpolated linearly. A draw costs one uniform
/// and a table lookup, so a person's needs can be recomputed from their hash
/// whenever they are looked at.
#[derive(Debug, Clone)]
pub struct BetaTable {
    quantiles: Vec<f64>,
}

impl BetaTable {
    const STEPS: usize = 2048;

    /// Beta with the given mean (0 < mean < 1) and concentration a + b > 0.
    ///
    /// Each quantile solves I_x(a, b) = p by Newton's method on the CDF,
    /// kept inside a bisection bracket that starts at the previous quantile
    /// (quantiles increase), so a table costs a few CDF evaluations per
    /// entry instead of sixty (issue 11: a batch's fixed cost).
    pub fn new(mean: f64, concentration: f64) -> BetaTable {
        let (a, b) = (mean * concentration, (1.0 - mean) * concentration);
        let ln_beta = ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b);
        let mut quantiles = Vec::with_capacity(Self::STEPS + 1);
        let mut prev = 0.0f64;
        for k in 0..=Self::STEPS {
            let q = if k == 0 {
                0.0
            } else if k == Self::STEPS {
                1.0
            } else {
                beta_quantile(k as f64 / Self::STEPS as f64, a, b, ln_beta, prev)
            };
            quantiles.push(q);
            prev = q;
        }
        BetaTable { quantiles }
    }

    /// [`BetaTable::new`], computed once per process for each (mean,
    /// concentration): batches of a sweep, explain's variants and optimise's
    /// candidates share the tables.
    pub fn cached(mean: f64, concentration: f64) -> std::sync::Arc<BetaTable> {
        use std::collections::HashMap;
        use std::sync::{Arc, Mutex, OnceLock};
        type Cache = Mutex<HashMap<(u64, u64), Arc<BetaTable>>>;
        static CACHE: OnceLock<Cache> = OnceLock::new();
        let key = (mean.to_bits(), concentration.to_bits());
        let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
        if let Some(t) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return Arc::clone(t);
        }
        let t = Arc::new(BetaTable::new(mean, concentration));
        let mut c = cache.lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(c.entry(key).or_insert(t))
    }

    /// The value at probability u in [0, 1).
    #[inline]
    pub fn sample(&self, u: f64) -> f64 {
        let x = u * Self::STEPS as f64;
        // (Through i32: u is in [0, 1), and a conversion to 32 bits is
        // one instruction, to an unsigned 64 a dozen without AVX-512.)
        let i = (x as i32 as usize).min(Self::STEPS - 1);
        let f = x - i as f64;
        self.quantiles[i] + f * (self.quantiles[i + 1] - self.quantiles[i])
    }
}

/// The p-quantile of Beta(a, b), at least `above`: safeguarded Newton on
/// I_x(a, b) − p, with pdf x^(a−1)(1 − x)^(b−1)/B(a, b), falling back to
/// bisection whenever a step would leave the bracket.
fn beta_quantile(p: f64, a: f64, b: f64, ln_beta: f64, above: f64) -> f64 {
    let (mut lo, mut hi) = (above, 1.0f64);
    let mut x = if above > 0.0 { above } else { 0.5 * p.min(0.5) };
    for _ in 0..200 {
        let f = beta_cdf(x, a, b) - p;
        if f == 0.0 {
            return x;
        }
        if f < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let pdf = ((a - 1.0) * x.ln() + (b - 1.0) * (1.0 - x).ln() - ln_beta).exp();
        let mut next = x - f / pdf;
        if !(next > lo && next < hi) {
            next = 0.5 * (lo + hi);
        }
        if (next - x).abs() <= 2.0 * f64::EPSILON * x.max(f64::MIN_POSITIVE)
            || hi - lo <= 2.0 * f64::EPSILON * hi
        {
            return next;
        }
        x = next;
    }
    x
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom (NaN for
/// df ≤ 0): the multiplier of two-sided 95% intervals.
pub fn t975(df: f64) -> f64 {
    if df > 0.0 {
        student_t_quantile(0.975, df)
    } else {
        f64::NAN
    }
}

/// A mean with its two-sided 95% confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub mean: f64,
    pub lo: f64,
    pub hi: f64,
}

impl Interval {
    /// Mean ± t(0.975, n−1)·sd/√n; a single value gives an empty (NaN) width.
    pub fn of(values: &[f64]) -> Interval {
        let (mean, sd) = mean_sd(values);
        let half = t975(values.len() as f64 - 1.0) * sd / (values.len() as f64).sqrt();
        Interval {
            mean,
            lo: mean - half,
            hi: mean + half,
        }
    }

    /// Paired differences b − a.
    pub fn paired(a: &[f64], b: &[f64]) -> Interval {
        let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| y - x).collect();
        Interval::of(&d)
    }

    /// Difference of means b − a of independent samples (Welch).
    pub fn welch(a: &[f64], b: &[f64]) -> Interval {
        let ((ma, sa), (mb, sb)) = (mean_sd(a), mean_sd(b));
        let (na, nb) = (a.len() as f64, b.len() as f64);
        let (va, vb) = (sa * sa, sb * sb);
        let se2 = va / na + vb / nb;
        let df = if se2 > 0.0 {
            se2 * se2 / ((va / na).powi(2) / (na - 1.0) + (vb / nb).powi(2) / (nb - 1.0))
        } else {
            na + nb - 2.0
        };
        let mean = mb - ma;
        let half = t975(df) * se2.sqrt();
        Interval {
            mean,
            lo: mean - half,
            hi: mean + half,
        }
    }

    /// Half the interval's width.
    pub fn half_width(&self) -> f64 {
        (self.hi - self.lo) / 2.0
    }

    /// Whether the interval excludes zero.
    pub fn excludes_zero(&self) -> bool {
        self.lo > 0.0 || self.hi < 0.0
    }
}

/// One time of a Kaplan–Meier estimate (see [`kaplan_meier`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SurvivalPoint {
    /// Time (for tenure: whole days since joining).
    pub t: u32,
    /// Subjects still at risk at `t`: those whose time is `t` or later.
    pub at_risk: u64,
    /// Events (for tenure: leaving) at exactly `t`.
    pub events: u64,
    /// Subjects censored at exactly `t` (observed through `t`, no event).
    pub censored: u64,
    /// S(t), the estimated probability that the event has not happened by
    /// the end of `t`: the product over s ≤ t of (1 − events(s) ÷ at_risk(s)).
    pub survival: f64,
    /// Greenwood's standard error of S(t):
    /// S(t) · √(Σ_{s ≤ t} events(s) ÷ (at_risk(s) · (at_risk(s) − events(s)))),
    /// taken as 0 once S(t) is 0 (the sum is infinite there, S is not).
    pub se: f64,
    /// The discrete hazard h(t) = events(t) ÷ at_risk(t): the chance that
    /// the event happens at `t` given that it has not happened before.
    pub hazard: f64,
}

/// The Kaplan–Meier estimate of the survival function of right-censored
/// `durations` (time, whether the event was observed), with one point for
/// every t = 0, 1, …, max time (times without events included, so that the
/// result can be drawn or indexed by t). Empty for empty input.
///
/// Ties follow the usual convention: a subject censored at t is still at
/// risk at t, as if censoring came just after the events of t. Every t up
/// to the largest time has at least one subject at risk, so every hazard
/// is a number.
pub fn kaplan_meier(durations: &[(u32, bool)]) -> Vec<SurvivalPoint> {
    let Some(max) = durations.iter().map(|&(t, _)| t).max() else {
        return Vec::new();
    };
    let len = max as usize + 1;
    let (mut events, mut censored) = (vec![0u64; len], vec![0u64; len]);
    for &(t, observed) in durations {
        if observed {
            events[t as usize] += 1;
        } else {
            censored[t as usize] += 1;
        }
    }
    let mut at_risk = durations.len() as u64;
    let (mut survival, mut greenwood) = (1.0f64, 0.0f64);
    let mut out = Vec::with_capacity(len);
    for t in 0..len {
        let (n, d) = (at_risk, events[t]);
        let hazard = d as f64 / n as f64;
        survival *= 1.0 - hazard;
        if d > 0 && d < n {
            greenwood += d as f64 / (n as f64 * (n - d) as f64);
        }
        out.push(SurvivalPoint {
            t: t as u32,
            at_risk: n,
            events: d,
            censored: censored[t],
            survival,
            se: if survival > 0.0 {
                survival * greenwood.sqrt()
            } else {
                0.0
            },
            hazard,
        });
        at_risk -= d + censored[t];
    }
    out
}

/// A Weibull distribution fitted by maximum likelihood (see
/// [`weibull_fit`]): survival S(t) = exp(−(t / scale)^shape).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeibullFit {
    /// The shape k: below 1 the hazard falls with time (the ones who stay
    /// past the first days tend to stay), 1 is a constant hazard
    /// (exponential), above 1 it rises.
    pub shape: f64,
    /// The scale λ, in the unit of the durations: the time by which 63% have
    /// had the event.
    pub scale: f64,
    /// The standard error of `shape`, from the observed information of the
    /// likelihood (equal, at the maximum, to the curvature of the profile
    /// likelihood of k).
    pub shape_se: f64,
}

/// Fits a Weibull distribution to right-censored `durations` (time, whether
/// the event was observed) by maximum likelihood.
///
/// For a given shape k the likelihood is maximised by the scale
/// λ(k)^k = Σ tᵢ^k ÷ r, where r is the number of events, which leaves the
/// profile log-likelihood ℓ(k) = r ln k − r ln(Σ tᵢ^k ÷ r) + (k − 1) Σ_events ln tᵢ − r.
/// It is strictly concave; its score r/k + Σ_events ln tᵢ − r·Σ tᵢ^k ln tᵢ ÷ Σ tᵢ^k
/// falls from +∞, and its root is found by Newton's method kept inside a
/// bracket that bisection narrows whenever a Newton step would leave it.
/// Times enter only through ln(tᵢ ÷ max t), so large times and shapes
/// cannot overflow.
///
/// Times must be positive: day-discretised tenures should be passed as
/// days + 0.5 (a member who left on their join day stayed half a day on
/// average), which is what the survival chart and docs/outputs.md assume.
///
/// Returns `None` when the maximum does not exist or is degenerate: no
/// durations, a time that is not positive and finite, no event, or no
/// event before the largest time (the likelihood then grows without bound
/// in k), or a shape outside 10⁻³…10³.
pub fn weibull_fit(durations: &[(f64, bool)]) -> Option<WeibullFit> {
    if durations.iter().any(|&(t, _)| !(t.is_finite() && t > 0.0)) {
        return None;
    }
    let events = durations.iter().filter(|&&(_, e)| e).count();
    if events == 0 {
        return None;
    }
    let r = events as f64;
    let ln_max = durations.iter().map(|&(t, _)| t).fold(0.0, f64::max).ln();
    // uᵢ = ln(tᵢ ÷ max t) ≤ 0.
    let u: Vec<f64> = durations.iter().map(|&(t, _)| t.ln() - ln_max).collect();
    let sum_event_u: f64 = u
        .iter()
        .zip(durations)
        .filter(|(_, &(_, e))| e)
        .map(|(u, _)| u)
        .sum();
    // Σ e^{k u}, and the weighted mean and variance of u with weights
    // e^{k u}: the score is r/k + Σ_events u − r·mean, the second
    // derivative −r/k² − r·variance.
    let moments = |k: f64| -> (f64, f64, f64) {
        let (mut s0, mut s1, mut s2) = (0.0, 0.0, 0.0);
        for &ui in &u {
            let w = (k * ui).exp();
            s0 += w;
            s1 += w * ui;
            s2 += w * ui * ui;
        }
        let mean = s1 / s0;
        (s0, mean, (s2 / s0 - mean * mean).max(0.0))
    };
    let score = |k: f64| -> (f64, f64) {
        let (_, mean, var) = moments(k);
        (r / k + sum_event_u - r * mean, -r / (k * k) - r * var)
    };
    let (mut lo, mut hi) = (1e-3, 1e3);
    if score(lo).0 <= 0.0 || score(hi).0 >= 0.0 {
        return None;
    }
    let mut k = 1.0;
    for _ in 0..200 {
        let (g, dg) = score(k);
        if g > 0.0 {
            lo = k;
        } else {
            hi = k;
        }
        let newton = k - g / dg;
        let next = if newton > lo && newton < hi {
            newton
        } else {
            (lo * hi).sqrt()
        };
        let done = (next - k).abs() <= 1e-12 * k;
        k = next;
        if done || hi - lo <= 1e-12 * lo {
            break;
        }
    }
    let (s0, _, var) = moments(k);
    let information = r / (k * k) + r * var;
    Some(WeibullFit {
        shape: k,
        scale: (ln_max + (s0 / r).ln() / k).exp(),
        shape_se: 1.0 / information.sqrt(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beta_tables_match_bisection_on_the_cdf() {
        // The reference: sixty halvings of [0, 1] on the same CDF.
        for &(mean, conc) in &[(0.4, 4.0), (0.3, 4.0), (0.1, 0.5), (0.9, 50.0), (0.5, 1.0)] {
            let t = BetaTable::new(mean, conc);
            let (a, b) = (mean * conc, (1.0 - mean) * conc);
            for k in (1..BetaTable::STEPS).step_by(97) {
                let p = k as f64 / BetaTable::STEPS as f64;
                let (mut lo, mut hi) = (0.0f64, 1.0f64);
                for _ in 0..60 {
                    let mid = 0.5 * (lo + hi);
                    if beta_cdf(mid, a, b) < p {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                let want = 0.5 * (lo + hi);
                let got = t.quantiles[k];
                assert!(
                    (got - want).abs() <= 1e-12 * want.max(1e-3),
                    "Beta({a}, {b}) at {p}: {got} vs {want}"
                );
            }
            assert!(t.quantiles.windows(2).all(|w| w[0] <= w[1]));
        }
    }

    #[test]
    fn wilson_interval_matches_published_values() {
        // Newcombe (1998), Table I: 81/263 gives 0.2553 to 0.3662.
        let (lo, hi) = wilson(81, 263);
        assert!(
            (lo - 0.2553).abs() < 5e-4 && (hi - 0.3662).abs() < 5e-4,
            "{lo} {hi}"
        );
        let (lo, hi) = wilson(0, 10);
        assert_eq!(lo, 0.0);
        assert!((hi - 0.2775).abs() < 5e-4, "{hi}");
    }

    #[test]
    fn t_quantiles_match_tables() {
        // Two-sided 95% critical values from any t table (and R's qt).
        for (df, t) in [
            (1.0, 12.706_204_7),
            (2.0, 4.302_652_7),
            (4.0, 2.776_445_1),
            (10.0, 2.228_138_9),
            (30.0, 2.042_272_5),
            (1000.0, 1.962_339_1),
        ] {
            let got = student_t_quantile(0.975, df);
            assert!((got - t).abs() < 1e-6, "df {df}: {got} vs {t}");
        }
        assert!(student_t_quantile(0.5, 3.0).abs() < 1e-6);
    }

    #[test]
    fn mean_and_sample_sd() {
        let (m, s) = mean_sd(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        assert_eq!(m, 5.0);
        assert!((s - (32.0_f64 / 7.0).sqrt()).abs() < 1e-12);
        assert!(mean_sd(&[3.0]).1.is_nan());
        assert!(mean_sd(&[]).0.is_nan());
    }

    #[test]
    fn type7_quantiles_match_numpy() {
        // numpy.percentile([1, 2, 3, 4, 10], [5, 25, 50, 75, 95])
        // = [1.2, 2.0, 3.0, 4.0, 8.8]
        let b = Band::of(&mut [10.0, 3.0, 1.0, 4.0, 2.0]);
        let got = [b.p5, b.p25, b.p50, b.p75, b.p95];
        for (g, e) in got.iter().zip([1.2, 2.0, 3.0, 4.0, 8.8]) {
            assert!((g - e).abs() < 1e-12, "{got:?}");
        }
        assert_eq!(b.mean, 4.0);
    }

    #[test]
    fn single_value_band_is_that_value() {
        let b = Band::of(&mut [7.0]);
        assert_eq!((b.p5, b.p95, b.mean), (7.0, 7.0, 7.0));
    }

    #[test]
    fn beta_cdf_known_values() {
        // Beta(1, 1) is uniform; Beta(2, 1) has CDF x²; Beta(2, 3) at 0.5
        // is 11/16 (from the binomial identity).
        assert!((beta_cdf(0.3, 1.0, 1.0) - 0.3).abs() < 1e-12);
        assert!((beta_cdf(0.6, 2.0, 1.0) - 0.36).abs() < 1e-12);
        assert!((beta_cdf(0.5, 2.0, 3.0) - 11.0 / 16.0).abs() < 1e-12);
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-12);
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-12);
    }

    #[test]
    fn beta_table_has_the_right_moments() {
        // Mean a/(a+b) and variance ab/((a+b)²(a+b+1)) over an even grid
        // of probabilities; the table's interpolation error is far smaller
        // than these tolerances.
        for (mean, conc) in [(0.4, 4.0), (0.3, 4.0), (0.1, 0.8), (0.7, 20.0)] {
            let t = BetaTable::new(mean, conc);
            let k = 100_000;
            let xs: Vec<f64> = (0..k)
                .map(|i| t.sample((i as f64 + 0.5) / k as f64))
                .collect();
            let m = xs.iter().sum::<f64>() / k as f64;
            let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / k as f64;
            let expected_v = mean * (1.0 - mean) / (conc + 1.0);
            assert!((m - mean).abs() < 2e-3, "mean {m} vs {mean}");
            assert!((v - expected_v).abs() < 2e-3, "var {v} vs {expected_v}");
        }
    }

    #[test]
    fn t975_matches_tables() {
        // Student's t tables: t(0.975; 4) = 2.776, 9 → 2.262, 29 → 2.045,
        // 99 → 1.984.
        for (df, t) in [(4.0, 2.776), (9.0, 2.262), (29.0, 2.045), (99.0, 1.984)] {
            assert!((t975(df) - t).abs() < 0.01, "df {df}: {} vs {t}", t975(df));
        }
    }

    #[test]
    fn paired_interval_of_identical_samples_is_zero() {
        let a = [1.0, 5.0, 2.0, 8.0];
        let i = Interval::paired(&a, &a);
        assert_eq!((i.mean, i.lo, i.hi), (0.0, 0.0, 0.0));
        let w = Interval::welch(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]);
        assert!((w.mean - 3.0).abs() < 1e-12 && w.lo > 0.0);
    }

    #[test]
    fn kaplan_meier_matches_the_freireich_leukaemia_example() {
        // The 6-MP arm of Freireich et al. (1963), the textbook example
        // (Kleinbaum & Klein, Survival Analysis, table 2.2): weeks of
        // remission, `false` = censored.
        let data: Vec<(u32, bool)> = [
            (6, true),
            (6, true),
            (6, true),
            (6, false),
            (7, true),
            (9, false),
            (10, true),
            (10, false),
            (11, false),
            (13, true),
            (16, true),
            (17, false),
            (19, false),
            (20, false),
            (22, true),
            (23, true),
            (25, false),
            (32, false),
            (32, false),
            (34, false),
            (35, false),
        ]
        .to_vec();
        let km = kaplan_meier(&data);
        assert_eq!(km.len(), 36, "t = 0..=35");
        assert_eq!((km[0].at_risk, km[0].survival, km[0].se), (21, 1.0, 0.0));
        // (t, at risk, S, Greenwood se), S and se to the table's 4 decimals.
        for (t, n, s, se) in [
            (6, 21, 0.8571, 0.0764),
            (7, 17, 0.8067, 0.0869),
            (10, 15, 0.7529, 0.0963),
            (13, 12, 0.6902, 0.1068),
            (16, 11, 0.6275, 0.1141),
            (22, 7, 0.5378, 0.1282),
            (23, 6, 0.4482, 0.1346),
        ] {
            let p = km[t];
            assert_eq!(p.at_risk, n, "at risk at {t}");
            assert!((p.survival - s).abs() < 5e-5, "S({t}) = {}", p.survival);
            assert!((p.se - se).abs() < 5e-5, "se({t}) = {}", p.se);
        }
        // Between events S stays flat; the hazard is events ÷ at risk.
        assert_eq!(km[8].survival, km[7].survival);
        assert_eq!(km[8].hazard, 0.0);
        assert!((km[6].hazard - 3.0 / 21.0).abs() < 1e-12);
        assert_eq!((km[6].events, km[6].censored), (3, 1));
        assert_eq!(km[35].at_risk, 1);
        assert!(kaplan_meier(&[]).is_empty());
    }

    #[test]
    fn kaplan_meier_reaches_zero_when_the_last_subject_leaves() {
        let km = kaplan_meier(&[(0, true), (2, true), (2, false), (3, true)]);
        let s: Vec<f64> = km.iter().map(|p| p.survival).collect();
        assert_eq!(s, [0.75, 0.75, 0.5, 0.0]);
        assert_eq!(km[0].hazard, 0.25);
        assert_eq!(km[3].se, 0.0, "no error once S is 0");
        assert!(km[2].se > 0.0);
    }

    /// `n` Weibull(shape, scale) times, censored at an independent
    /// uniform time on [0, 3·scale] and at 2·scale (end of observation).
    fn weibull_sample(shape: f64, scale: f64, n: usize, seed: u64) -> Vec<(f64, bool)> {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
        (0..n)
            .map(|_| {
                let u: f64 = rng.random();
                let t = scale * (-(1.0 - u).ln()).powf(1.0 / shape);
                let c = (3.0 * scale * rng.random::<f64>()).min(2.0 * scale);
                if t <= c {
                    (t, true)
                } else {
                    (c.max(1e-9), false)
                }
            })
            .collect()
    }

    #[test]
    fn weibull_fit_recovers_known_shapes_from_censored_samples() {
        for (i, shape) in [0.7, 1.0, 1.5].into_iter().enumerate() {
            let data = weibull_sample(shape, 10.0, 4000, 20 + i as u64);
            let censored = data.iter().filter(|d| !d.1).count();
            assert!(censored > 400, "the sample is censored ({censored})");
            let fit = weibull_fit(&data).expect("a fit");
            // The asymptotic se of k̂ without censoring is about
            // 0.78·k/√n; censoring makes it larger, never far smaller.
            let rough = 0.78 * shape / (data.len() as f64).sqrt();
            assert!(
                fit.shape_se > 0.8 * rough && fit.shape_se < 3.0 * rough,
                "k = {shape}: se {} vs {rough}",
                fit.shape_se
            );
            assert!(
                (fit.shape - shape).abs() < 4.0 * fit.shape_se,
                "k = {shape}: fitted {} ± {}",
                fit.shape,
                fit.shape_se
            );
            assert!(
                (fit.scale - 10.0).abs() < 0.5,
                "k = {shape}: scale {}",
                fit.scale
            );
        }
    }

    #[test]
    fn weibull_fit_is_scale_free_and_refuses_degenerate_data() {
        let data = weibull_sample(1.2, 5.0, 500, 3);
        let a = weibull_fit(&data).unwrap();
        let scaled: Vec<(f64, bool)> = data.iter().map(|&(t, e)| (t * 1000.0, e)).collect();
        let b = weibull_fit(&scaled).unwrap();
        assert!((a.shape - b.shape).abs() < 1e-9 * a.shape);
        assert!((b.scale / a.scale - 1000.0).abs() < 1e-6);
        assert!((a.shape_se - b.shape_se).abs() < 1e-9);
        // The fit is the maximum of the censored log-likelihood.
        let ll = |k: f64, l: f64| -> f64 {
            data.iter()
                .map(|&(t, e)| {
                    let z = (t / l).powf(k);
                    if e {
                        k.ln() - l.ln() + (k - 1.0) * (t / l).ln() - z
                    } else {
                        -z
                    }
                })
                .sum()
        };
        let best = ll(a.shape, a.scale);
        for (dk, dl) in [(0.01, 0.0), (-0.01, 0.0), (0.0, 0.05), (0.0, -0.05)] {
            assert!(best > ll(a.shape + dk, a.scale + dl), "({dk}, {dl})");
        }
        assert!(weibull_fit(&[]).is_none());
        assert!(
            weibull_fit(&[(1.0, false), (2.0, false)]).is_none(),
            "no event"
        );
        assert!(weibull_fit(&[(0.0, true), (2.0, true)]).is_none(), "time 0");
        assert!(
            weibull_fit(&[(3.0, true), (3.0, true)]).is_none(),
            "one time"
        );
        assert!(
            weibull_fit(&[(1.0, false), (3.0, true)]).is_none(),
            "no event before the largest time"
        );
        let two = weibull_fit(&[(1.0, true), (3.0, true)]).unwrap();
        assert!(two.shape.is_finite() && two.shape_se > 0.0);
    }
}
