//! Statistics over Monte Carlo runs: quantiles, bands and spreads.
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
    pub fn new(mean: f64, concentration: f64) -> BetaTable {
        let (a, b) = (mean * concentration, (1.0 - mean) * concentration);
        let quantiles = (0..=Self::STEPS)
            .map(|k| {
                let p = k as f64 / Self::STEPS as f64;
                if k == 0 {
                    return 0.0;
                }
                if k == Self::STEPS {
                    return 1.0;
                }
                let (mut lo, mut hi) = (0.0f64, 1.0f64);
                for _ in 0..60 {
                    let mid = 0.5 * (lo + hi);
                    if beta_cdf(mid, a, b) < p {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                0.5 * (lo + hi)
            })
            .collect();
        BetaTable { quantiles }
    }

    /// The value at probability u in [0, 1).
    #[inline]
    pub fn sample(&self, u: f64) -> f64 {
        let x = u * Self::STEPS as f64;
        let i = (x as usize).min(Self::STEPS - 1);
        let f = x - i as f64;
        self.quantiles[i] + f * (self.quantiles[i + 1] - self.quantiles[i])
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
