//! Designs: which points of the parameter space a sweep computes.
//!
//! Pure functions. Grids and lists pick from values written in the sweep
//! file; the sampled designs (Latin hypercube, Saltelli, Morris) return
//! coordinates in the unit hypercube [0, 1]^k, which the sweep then maps to
//! each parameter's `min`..`max`. Random draws come from a PCG generator
//! seeded by the sweep seed, so a design is the same on every machine.

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

/// The Saltelli design for first-order and total Sobol indices, with base
/// sample size `n`: two independent n × k matrices A and B of uniform draws,
/// and for each dimension i the matrix A_B^(i), A with its column i taken
/// from B (Saltelli et al. 2010). Points come in n blocks of k + 2, block j
/// being A_j, A_B^(1)_j, …, A_B^(k)_j, B_j; [`crate::sensitivity::sobol`]
/// reads them in this order. Plain pseudo-random draws, not a quasi-random
/// sequence: the estimators are unbiased either way, only slower to converge,
/// and their bootstrap intervals say how far.
pub fn saltelli(rng: &mut Pcg64Mcg, n: usize, k: usize) -> Vec<Vec<f64>> {
    let mut points = Vec::with_capacity(n * (k + 2));
    for _ in 0..n {
        let a: Vec<f64> = (0..k).map(|_| unit(rng)).collect();
        let b: Vec<f64> = (0..k).map(|_| unit(rng)).collect();
        points.push(a.clone());
        for i in 0..k {
            let mut ab = a.clone();
            ab[i] = b[i];
            points.push(ab);
        }
        points.push(b);
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
    assert!(levels >= 2 && levels % 2 == 0, "levels = {levels}");
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
