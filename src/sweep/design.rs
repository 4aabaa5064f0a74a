//! Designs: which points of the parameter space a sweep computes.
//!
//! Pure functions. Grids and lists pick from values written in the sweep
//! file; the sampled designs (Latin hypercube, Saltelli, Morris) return
//! coordinates in the unit hypercube [0, 1]^k, which the sweep then maps to
//! each parameter's `min`..`max`. Random draws come from a PCG generator
//! seeded by the sweep seed, so a design is the same on every machine; the
//! Saltelli design's base points are an Owen-scrambled Sobol sequence whose
//! scramble is drawn from that generator.

use rand::RngCore;
use rand_pcg::Pcg64Mcg;

use crate::rng::{self, Purpose};

/// The generator for a sweep's design.
pub fn design_rng(seed: u64) -> Pcg64Mcg {
    rng::seeded(seed, Purpose::Design)
}

/// A uniform draw in [0, 1).
fn unit(rng: &mut Pcg64Mcg) -> f64 {
    rng::to_unit(rng.next_u64())
}

/// A uniform integer in 0..n (n > 0), without modulo bias (Lemire 2019).
fn below(rng: &mut Pcg64Mcg, n: u64) -> u64 {
    let mut m = rng.next_u64() as u128 * n as u128;
    if (m as u64) < n {
        let threshold = n.wrapping_neg() % n;
        while (m as u64) < threshold {
            m = rng.next_u64() as u128 * n as u128;
        }
    }
    (m >> 64) as u64
}

/// A uniformly random permutation of 0..n (Fisher–Yates). Written out rather
/// than taken from `rand`, whose shuffle is not promised to stay the same
/// between releases; designs must not change with a dependency update.
fn permutation(rng: &mut Pcg64Mcg, n: usize) -> Vec<usize> {
    let mut p: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = below(rng, i as u64 + 1) as usize;
        p.swap(i, j);
    }
    p
}

/// The points of a full grid as value indices, one per parameter: the
/// Cartesian product of 0..counts[j], the first parameter varying slowest
/// (like nested loops in the order the parameters are listed).
pub fn grid(counts: &[usize]) -> Vec<Vec<usize>> {
    let total: usize = counts.iter().product();
    let mut out = Vec::with_capacity(total);
    for mut p in 0..total {
        let mut idx = vec![0; counts.len()];
        for j in (0..counts.len()).rev() {
            idx[j] = p % counts[j];
            p /= counts[j];
        }
        out.push(idx);
    }
    out
}

/// A Latin hypercube of `n` points in k dimensions: along every dimension,
/// each of the n equal strata [i/n, (i+1)/n) holds exactly one point, at a
/// uniformly random place inside it (McKay, Beckman & Conover 1979).
pub fn latin_hypercube(rng: &mut Pcg64Mcg, n: usize, k: usize) -> Vec<Vec<f64>> {
    let mut points = vec![vec![0.0; k]; n];
    for j in 0..k {
        let strata = permutation(rng, n);
        for (i, point) in points.iter_mut().enumerate() {
            point[j] = (strata[i] as f64 + unit(rng)) / n as f64;
        }
    }
    points
}

/// Points per Owen-scrambled Sobol sequence of `sobol_burley` (2^16), and
/// dimensions per sequence (256).
const SOBOL_MAX_POINTS: usize = 1 << 16;
const SOBOL_MAX_DIMENSIONS: usize = sobol_burley::NUM_DIMENSIONS as usize;

/// `n` points of an Owen-scrambled Sobol sequence in `dims` dimensions
/// (Burley 2020, "Practical Hash-based Owen Scrambling"), the scramble
/// chosen by `seed`. Along every dimension the first 2^m points fill each
/// of the 2^m intervals [i/2^m, (i+1)/2^m) exactly once, and pairs of the
/// low dimensions are stratified in two dimensions too, so the points
/// cover the cube more evenly than independent draws; yet each point is
/// uniform on [0, 1)^dims, so estimators stay unbiased.
///
/// The sequence holds 2^16 points of 256 dimensions: point p ≥ 2^16 and
/// dimension d ≥ 256 come from independently scrambled sequences (point
/// p mod 2^16, dimension d mod 256, of the sequence numbered p / 2^16 and
/// d / 256), so stratification holds within each run of 2^16 points only.
/// Values have the 24 bits of an f32.
pub fn sobol_points(seed: u64, n: usize, dims: usize) -> Vec<Vec<f64>> {
    (0..n)
        .map(|p| {
            (0..dims)
                .map(|d| {
                    let part =
                        ((p / SOBOL_MAX_POINTS) as u64) << 32 | (d / SOBOL_MAX_DIMENSIONS) as u64;
                    let scramble = if part == 0 {
                        rng::mix(seed)
                    } else {
                        rng::mix(seed ^ rng::mix(part))
                    };
                    f64::from(sobol_burley::sample(
                        (p % SOBOL_MAX_POINTS) as u32,
                        (d % SOBOL_MAX_DIMENSIONS) as u32,
                        scramble as u32,
                    ))
                })
                .collect()
        })
        .collect()
}

/// The Saltelli design for first-order and total Sobol indices, with base
/// sample size `n`: two n × k matrices A and B, and for each dimension i the
/// matrix A_B^(i), A with its column i taken from B (Saltelli et al. 2010).
/// Points come in n blocks of k + 2, block j being A_j, A_B^(1)_j, …,
/// A_B^(k)_j, B_j; [`crate::sensitivity::sobol`] reads them in this order.
///
/// A and B are the first k and the last k coordinates of n points of one
/// Owen-scrambled Sobol sequence in 2k dimensions ([`sobol_points`]), as
/// Saltelli et al. (2010) recommend, with the scramble drawn from `rng`
/// (the sweep seed's design generator). The estimators are unbiased with
/// random points too; quasi-random ones make them converge faster, which
/// the bootstrap intervals show.
pub fn saltelli(rng: &mut Pcg64Mcg, n: usize, k: usize) -> Vec<Vec<f64>> {
    let base = sobol_points(rng.next_u64(), n, 2 * k);
    let mut points = Vec::with_capacity(n * (k + 2));
    for row in base {
        let (a, b) = row.split_at(k);
        points.push(a.to_vec());
        for i in 0..k {
            let mut ab = a.to_vec();
            ab[i] = b[i];
            points.push(ab);
        }
        points.push(b.to_vec());
    }
    points
}

/// Morris's design: `r` trajectories of k + 1 points on a grid of `levels`
/// values per dimension (0, 1/(levels−1), …, 1). A trajectory starts at a
/// random grid point and moves one dimension at a time, in random order, by
/// Δ = levels / (2 (levels − 1)) (Morris 1991). With an even number of levels
/// every level can move by Δ in exactly one direction (up from the lower
/// half, down from the upper half), so both ends of each step are uniform
/// over the levels. `levels` must be even and at least 2.
pub fn morris(rng: &mut Pcg64Mcg, r: usize, k: usize, levels: usize) -> Vec<Vec<f64>> {
    assert!(levels >= 2 && levels.is_multiple_of(2), "levels = {levels}");
    let delta_steps = levels / 2;
    let top = (levels - 1) as f64;
    let mut points = Vec::with_capacity(r * (k + 1));
    for _ in 0..r {
        let mut level: Vec<usize> = (0..k).map(|_| below(rng, levels as u64) as usize).collect();
        let order = permutation(rng, k);
        points.push(level.iter().map(|&l| l as f64 / top).collect());
        for &i in &order {
            level[i] = if level[i] < delta_steps {
                level[i] + delta_steps
            } else {
                level[i] - delta_steps
            };
            points.push(level.iter().map(|&l| l as f64 / top).collect());
        }
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_varies_the_last_parameter_fastest() {
        assert_eq!(
            grid(&[2, 3]),
            vec![
                vec![0, 0],
                vec![0, 1],
                vec![0, 2],
                vec![1, 0],
                vec![1, 1],
                vec![1, 2]
            ]
        );
        assert_eq!(grid(&[4]).len(), 4);
    }

    #[test]
    fn latin_hypercube_fills_every_stratum_once() {
        let mut rng = design_rng(5);
        let n = 50;
        let pts = latin_hypercube(&mut rng, n, 3);
        for j in 0..3 {
            let mut strata: Vec<usize> = pts.iter().map(|p| (p[j] * n as f64) as usize).collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..n).collect::<Vec<_>>(), "dimension {j}");
        }
        // The same seed gives the same design; another seed another one.
        assert_eq!(pts, latin_hypercube(&mut design_rng(5), n, 3));
        assert_ne!(pts, latin_hypercube(&mut design_rng(6), n, 3));
    }

    #[test]
    fn saltelli_blocks_swap_one_column_from_b() {
        let k = 3;
        let pts = saltelli(&mut design_rng(1), 4, k);
        assert_eq!(pts.len(), 4 * (k + 2));
        for block in pts.chunks(k + 2) {
            let (a, b) = (&block[0], &block[k + 1]);
            for i in 0..k {
                let ab = &block[1 + i];
                for d in 0..k {
                    let want = if d == i { b[d] } else { a[d] };
                    assert_eq!(ab[d], want);
                }
            }
        }
    }

    /// Whether each of the 2^m intervals [i/2^m, (i+1)/2^m) holds exactly
    /// one of the values.
    fn one_per_interval(values: &[f64], m: u32) -> bool {
        let mut cells: Vec<usize> = values
            .iter()
            .map(|v| (v * f64::from(1u32 << m)) as usize)
            .collect();
        cells.sort_unstable();
        cells == (0..1usize << m).collect::<Vec<_>>()
    }

    #[test]
    fn sobol_points_are_stratified_in_every_dimension() {
        // Owen scrambling keeps the Sobol sequence's net property: for every
        // m, the first 2^m points fill each interval of width 2^-m along
        // every dimension exactly once (independent draws would leave about
        // 1/e of them empty), and dimensions 0 and 1 together form a
        // (0, m, 2)-net: every box of 2^-a × 2^-(m-a) holds one point.
        for seed in [0, 1, 0xdead_beef] {
            let pts = sobol_points(seed, 1 << 10, 12);
            for m in 0..=10 {
                let first = &pts[..1 << m];
                for d in 0..12 {
                    let col: Vec<f64> = first.iter().map(|p| p[d]).collect();
                    assert!(
                        one_per_interval(&col, m),
                        "seed {seed}, m {m}, dimension {d}"
                    );
                }
                for a in 0..=m {
                    let mut boxes: Vec<(usize, usize)> = first
                        .iter()
                        .map(|p| {
                            (
                                (p[0] * f64::from(1u32 << a)) as usize,
                                (p[1] * f64::from(1u32 << (m - a))) as usize,
                            )
                        })
                        .collect();
                    boxes.sort_unstable();
                    boxes.dedup();
                    assert_eq!(boxes.len(), 1 << m, "seed {seed}, m {m}, a {a}");
                }
            }
            assert!(pts.iter().flatten().all(|v| (0.0..1.0).contains(v)));
        }
        // The scramble follows the seed.
        assert_eq!(sobol_points(7, 64, 3), sobol_points(7, 64, 3));
        assert_ne!(sobol_points(7, 64, 3), sobol_points(8, 64, 3));
    }

    #[test]
    fn sobol_points_past_the_sequence_stay_uniform_and_distinct() {
        // Points past 2^16 and dimensions past 256 come from other scrambles:
        // still in [0, 1), not a repeat of the first sequence.
        let pts = sobol_points(3, SOBOL_MAX_POINTS + 4, 2);
        assert_ne!(pts[SOBOL_MAX_POINTS], pts[0]);
        let wide = sobol_points(3, 4, SOBOL_MAX_DIMENSIONS + 2);
        assert_ne!(wide[1][SOBOL_MAX_DIMENSIONS], wide[1][0]);
        assert!(wide.iter().flatten().all(|v| (0.0..1.0).contains(v)));
    }

    #[test]
    fn sobol_points_do_not_change_with_a_dependency_update() {
        // Designs are part of the reproducibility contract: a sobol_burley
        // release that changed its scramble would change every saltelli
        // sweep's points. These are its values, as f32, at release 0.5.0.
        let got: Vec<f32> = sobol_points(42, 3, 2)
            .into_iter()
            .flatten()
            .map(|v| v as f32)
            .collect();
        assert_eq!(
            got,
            [0.7407148, 0.46641886, 0.07831955, 0.8158978, 0.39039874, 0.24630344]
        );
    }

    /// The squared L2-star discrepancy of points in [0, 1]^k (Warnock 1972):
    /// the mean squared difference, over boxes [0, t), between the share of
    /// points inside and the box's volume.
    fn l2_star_discrepancy_sq(pts: &[Vec<f64>]) -> f64 {
        let n = pts.len() as f64;
        let k = pts[0].len() as i32;
        let single: f64 = pts
            .iter()
            .map(|p| p.iter().map(|x| (1.0 - x * x) / 2.0).product::<f64>())
            .sum();
        let mut pairs = 0.0;
        for p in pts {
            for q in pts {
                pairs += p
                    .iter()
                    .zip(q)
                    .map(|(x, y)| 1.0 - x.max(*y))
                    .product::<f64>();
            }
        }
        3f64.powi(-k) - 2.0 * single / n + pairs / (n * n)
    }

    #[test]
    fn saltelli_base_points_are_better_spread_than_random_ones() {
        // For n independent uniform points the squared L2-star discrepancy
        // has mean (2^-k − 3^-k) / n; a scrambled Sobol set's is of order
        // (log n)^k / n², far smaller. Compare A|B (2k = 6 dimensions, n =
        // 512) with the old design's pseudo-random A|B from the same seeds
        // and with the expectation for random points. The design is a fixed
        // function of the seed, so this cannot fail by chance.
        let (n, k) = (512, 3);
        let random_mean = (2f64.powi(-2 * k as i32) - 3f64.powi(-2 * k as i32)) / n as f64;
        for seed in 1..=5 {
            let pts = saltelli(&mut design_rng(seed), n, k);
            let base: Vec<Vec<f64>> = pts
                .chunks(k + 2)
                .map(|b| b[0].iter().chain(&b[k + 1]).copied().collect())
                .collect();
            let mut rng = design_rng(seed);
            let random: Vec<Vec<f64>> = (0..n)
                .map(|_| (0..2 * k).map(|_| unit(&mut rng)).collect())
                .collect();
            let (sobol, plain) = (
                l2_star_discrepancy_sq(&base),
                l2_star_discrepancy_sq(&random),
            );
            assert!(
                sobol < random_mean / 4.0,
                "seed {seed}: {sobol} vs {random_mean} expected of random points"
            );
            assert!(
                sobol < plain / 2.0,
                "seed {seed}: Sobol {sobol}, pseudo-random {plain}"
            );
        }
    }

    #[test]
    fn morris_trajectories_move_one_factor_by_delta() {
        let (k, levels) = (4, 4);
        let delta = levels as f64 / (2.0 * (levels - 1) as f64);
        let pts = morris(&mut design_rng(3), 20, k, levels);
        assert_eq!(pts.len(), 20 * (k + 1));
        for t in pts.chunks(k + 1) {
            let mut moved = vec![false; k];
            for w in t.windows(2) {
                let changed: Vec<usize> = (0..k).filter(|&i| w[0][i] != w[1][i]).collect();
                assert_eq!(changed.len(), 1);
                let i = changed[0];
                assert!(((w[1][i] - w[0][i]).abs() - delta).abs() < 1e-12);
                assert!(!moved[i], "factor {i} moved twice");
                moved[i] = true;
            }
            for p in t {
                assert!(p.iter().all(|&x| (0.0..=1.0).contains(&x)));
            }
        }
    }

    #[test]
    fn below_is_in_range_and_covers_it() {
        let mut rng = design_rng(9);
        let mut seen = [0u32; 7];
        for _ in 0..7000 {
            seen[below(&mut rng, 7) as usize] += 1;
        }
        // Each value expected 1000 times; 5 standard deviations is ±150.
        assert!(seen.iter().all(|&c| (850..1150).contains(&c)), "{seen:?}");
    }
}
