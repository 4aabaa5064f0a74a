//! Referral trees: who invited whom in one run, as a forest, and its metrics.
//!
//! Every person who joined without an invitation (a launch member or a
//! channel joiner) roots one tree; everyone who joined by invitation hangs
//! below their inviter. The engine summarises each run's forest into
//! runs.csv ([`tree_stats`]) and the charts read the same forest back from
//! referrals.csv ([`Forest`]), so both use this one definition.
//!
//! Everything here is a pure function of the referral list and runs in time
//! linear in its length: the mean distance between all pairs of a tree's
//! nodes comes from subtree sizes, never from a search per pair.

/// Marks a node without a parent (a root) in [`Forest::parent`].
pub const ROOT: u32 = u32::MAX;

/// The referral forest of one run, restricted to the people who appear in a
/// referral (as inviter or invitee): roots that invited nobody are not in it.
///
/// Nodes are numbered in the order they first appear, so a parent always has
/// a smaller index than its children; the passes below rely on that.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Forest {
    /// Per node: its parent's index, or [`ROOT`].
    pub parent: Vec<u32>,
    /// Per node: its generation, the number of invitations between its root
    /// and it (0 for a root).
    pub depth: Vec<u32>,
    /// Per node: the index of its tree's root.
    pub root: Vec<u32>,
}

impl Forest {
    /// Builds the forest from (inviter, invitee) pairs in the order they
    /// happened.
    ///
    /// Each pair adds a node for the invitee below the inviter's node; an
    /// inviter seen for the first time becomes a root. Because an invitee
    /// is always a new node, the result is a forest even if a person id
    /// repeats (a later engine might let leavers rejoin): their earlier node
    /// keeps its subtree and invitations they send afterwards hang below the
    /// newest node.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (u64, u64)>) -> Forest {
        let mut forest = Forest::default();
        // Person labels are the run's own ids, not input an attacker
        // chooses: hashed with one mix, not SipHash (issue 11).
        let pairs = pairs.into_iter();
        let mut node_of: crate::rng::IdMap<u64, u32> = Default::default();
        node_of.reserve(pairs.size_hint().0);
        for (inviter, invitee) in pairs {
            let parent = match node_of.get(&inviter) {
                Some(&n) => n,
                None => {
                    let n = forest.push(ROOT);
                    node_of.insert(inviter, n);
                    n
                }
            };
            let child = forest.push(parent);
            node_of.insert(invitee, child);
        }
        forest
    }

    /// Appends a node below `parent` (or a root) and returns its index.
    fn push(&mut self, parent: u32) -> u32 {
        let n = self.parent.len() as u32;
        let (depth, root) = if parent == ROOT {
            (0, n)
        } else {
            (self.depth[parent as usize] + 1, self.root[parent as usize])
        };
        self.parent.push(parent);
        self.depth.push(depth);
        self.root.push(root);
        n
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.parent.len()
    }

    /// Whether the forest has no nodes (no referrals).
    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }

    /// Indices of the roots, in the order they first appeared.
    pub fn roots(&self) -> Vec<u32> {
        (0..self.len() as u32)
            .filter(|&v| self.parent[v as usize] == ROOT)
            .collect()
    }

    /// Per node: the size of its subtree, itself included. One pass from
    /// the last node to the first, since children come after their parent.
    pub fn subtree_sizes(&self) -> Vec<u64> {
        let mut size = vec![1u64; self.len()];
        for v in (0..self.len()).rev() {
            let p = self.parent[v];
            if p != ROOT {
                size[p as usize] += size[v];
            }
        }
        size
    }

    /// Children of every node as one flat list: the children of `v` are
    /// `list[offsets[v]..offsets[v + 1]]`, in the order they joined.
    pub fn children(&self) -> (Vec<usize>, Vec<u32>) {
        let mut offsets = vec![0usize; self.len() + 1];
        for &p in &self.parent {
            if p != ROOT {
                offsets[p as usize + 1] += 1;
            }
        }
        for v in 0..self.len() {
            offsets[v + 1] += offsets[v];
        }
        let mut fill = offsets.clone();
        let mut list = vec![0u32; offsets[self.len()]];
        for (v, &p) in self.parent.iter().enumerate() {
            if p != ROOT {
                list[fill[p as usize]] = v as u32;
                fill[p as usize] += 1;
            }
        }
        (offsets, list)
    }

    /// Structural virality of the tree rooted at `root`: the mean distance
    /// over all pairs of its nodes (Goel, Anderson, Hofman & Watts,
    /// Management Science 2016). `sizes` are [`Forest::subtree_sizes`].
    /// `None` for a tree of one node, which has no pairs.
    ///
    /// Each edge between a node v and its parent lies on the path of exactly
    /// the pairs with one end in v's subtree (s nodes) and the other outside
    /// it (n − s nodes), so the sum of all pairwise distances is the sum of
    /// s · (n − s) over the tree's edges.
    pub fn structural_virality(&self, root: u32, sizes: &[u64]) -> Option<f64> {
        let n = sizes[root as usize];
        if n < 2 {
            return None;
        }
        // The tree's nodes all come after its root.
        let total: u128 = (root as usize + 1..self.len())
            .filter(|&v| self.root[v] == root)
            .map(|v| {
                let s = sizes[v] as u128;
                s * (n as u128 - s)
            })
            .sum();
        let pairs = n as u128 * (n as u128 - 1) / 2;
        Some(total as f64 / pairs as f64)
    }
}

/// The referral metrics of one run, as written to runs.csv.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TreeStats {
    /// Number of referral trees: one per person who joined without an
    /// invitation (launch members and channel joiners).
    pub trees: u64,
    /// Size of the largest tree, its root included (0 if nobody joined).
    pub largest: u64,
    /// Deepest generation reached in any tree (0 without referrals).
    pub deepest: u32,
    /// Structural virality of the largest tree; `None` when it has fewer
    /// than two people. Ties between trees of the largest size go to the one
    /// whose first invitation came first.
    pub virality: Option<f64>,
}

/// Summarises one run's referrals, given as (inviter, invitee) pairs in the
/// order they happened, and the number of people who joined in the run
/// (launch members included). Runs in time linear in the number of pairs.
pub fn tree_stats(pairs: impl IntoIterator<Item = (u64, u64)>, total_joined: u64) -> TreeStats {
    let forest = Forest::from_pairs(pairs);
    let roots = forest.roots();
    let invited = (forest.len() - roots.len()) as u64;
    // Roots who invited nobody are not in the forest; they count as trees
    // of one person. `max` keeps the count sane if `total_joined` ever
    // disagrees with the list.
    let trees = total_joined.saturating_sub(invited).max(roots.len() as u64);
    let sizes = forest.subtree_sizes();
    let mut largest_root = None;
    let mut largest = u64::from(trees > 0);
    for &r in &roots {
        if sizes[r as usize] > largest {
            largest = sizes[r as usize];
            largest_root = Some(r);
        }
    }
    TreeStats {
        trees,
        largest,
        deepest: forest.depth.iter().copied().max().unwrap_or(0),
        virality: largest_root.and_then(|r| forest.structural_virality(r, &sizes)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn star(n: u64) -> Vec<(u64, u64)> {
        (1..n).map(|v| (0, v)).collect()
    }

    fn chain(n: u64) -> Vec<(u64, u64)> {
        (1..n).map(|v| (v - 1, v)).collect()
    }

    /// Mean pairwise distance by breadth-first search from every node, to
    /// check the subtree-size formula against the definition.
    fn brute_force_virality(pairs: &[(u64, u64)]) -> f64 {
        let forest = Forest::from_pairs(pairs.iter().copied());
        let n = forest.len();
        let mut adj = vec![Vec::new(); n];
        for (v, &p) in forest.parent.iter().enumerate() {
            if p != ROOT {
                adj[v].push(p as usize);
                adj[p as usize].push(v);
            }
        }
        let mut total = 0u64;
        for s in 0..n {
            let mut dist = vec![u64::MAX; n];
            dist[s] = 0;
            let mut queue = std::collections::VecDeque::from([s]);
            while let Some(v) = queue.pop_front() {
                for &w in &adj[v] {
                    if dist[w] == u64::MAX {
                        dist[w] = dist[v] + 1;
                        queue.push_back(w);
                    }
                }
            }
            total += dist.iter().sum::<u64>();
        }
        total as f64 / (n * (n - 1)) as f64
    }

    #[test]
    fn star_of_n_nodes_has_virality_two_times_n_minus_one_over_n() {
        for n in [2u64, 3, 5, 10, 1000] {
            let s = tree_stats(star(n), n);
            let expected = 2.0 * (n - 1) as f64 / n as f64;
            let got = s.virality.expect("a star of two or more has pairs");
            assert!(
                (got - expected).abs() < 1e-12,
                "n = {n}: {got} vs {expected}"
            );
            assert_eq!((s.trees, s.largest, s.deepest), (1, n, 1), "n = {n}");
        }
    }

    #[test]
    fn chain_of_n_nodes_has_virality_n_plus_one_over_three() {
        for n in [2u64, 3, 4, 7, 1000] {
            let s = tree_stats(chain(n), n);
            let expected = (n + 1) as f64 / 3.0;
            let got = s.virality.expect("a chain of two or more has pairs");
            assert!(
                (got - expected).abs() < 1e-9,
                "n = {n}: {got} vs {expected}"
            );
            assert_eq!(s.deepest as u64, n - 1, "n = {n}");
        }
    }

    #[test]
    fn formula_matches_all_pairs_search_on_an_irregular_tree() {
        // 0 invites 1, 2, 3; 1 invites 4, 5; 5 invites 6; 3 invites 7.
        let pairs = [(0, 1), (0, 2), (0, 3), (1, 4), (1, 5), (5, 6), (3, 7)];
        let s = tree_stats(pairs, 8);
        let expected = brute_force_virality(&pairs);
        assert!((s.virality.unwrap() - expected).abs() < 1e-12);
        assert_eq!((s.largest, s.deepest), (8, 3));
    }

    #[test]
    fn trees_count_roots_without_invitees_and_largest_is_chosen() {
        // 10 people joined: 3 by invitation into two trees (sizes 3 and 2),
        // so 7 trees, five of them single people.
        let pairs = [(100, 101), (200, 201), (100, 102)];
        let s = tree_stats(pairs, 10);
        assert_eq!(s.trees, 7);
        assert_eq!(s.largest, 3);
        // The star of three: 2 · 2 / 3.
        assert!((s.virality.unwrap() - 4.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn ties_go_to_the_tree_whose_first_invitation_came_first() {
        // Two trees of three: a chain (first) and a star (second).
        let pairs = [(1, 2), (10, 11), (2, 3), (10, 12)];
        let s = tree_stats(pairs, 6);
        assert_eq!(s.largest, 3);
        assert!(
            (s.virality.unwrap() - 4.0 / 3.0).abs() < 1e-12,
            "the chain of 3"
        );
    }

    #[test]
    fn no_referrals_gives_single_person_trees_without_virality() {
        let s = tree_stats([], 5);
        assert_eq!(
            s,
            TreeStats {
                trees: 5,
                largest: 1,
                deepest: 0,
                virality: None
            }
        );
        assert_eq!(tree_stats([], 0), TreeStats::default());
    }

    #[test]
    fn repeated_invitee_still_gives_a_forest() {
        // Person 2 appears twice as invitee (a rejoin): two nodes.
        let forest = Forest::from_pairs([(1, 2), (3, 2), (2, 4)]);
        assert_eq!(forest.len(), 5);
        assert_eq!(forest.roots(), vec![0, 2]);
        // 4 hangs below the newest node of 2, in 3's tree.
        assert_eq!(forest.root[4], 2);
        assert_eq!(forest.depth[4], 2);
    }

    #[test]
    fn children_lists_every_child_once_in_joining_order() {
        let forest = Forest::from_pairs([(0, 1), (0, 2), (1, 3), (0, 4)]);
        let (offsets, list) = forest.children();
        let of = |v: usize| &list[offsets[v]..offsets[v + 1]];
        assert_eq!(of(0), &[1, 2, 4]);
        assert_eq!(of(1), &[3]);
        assert!(of(2).is_empty());
    }

    #[test]
    fn chain_of_a_hundred_thousand_takes_linear_time() {
        // A quadratic all-pairs pass would take minutes here; the
        // subtree-size pass takes milliseconds.
        let n = 100_000u64;
        let start = std::time::Instant::now();
        let s = tree_stats(chain(n), n);
        let expected = (n + 1) as f64 / 3.0;
        assert!((s.virality.unwrap() - expected).abs() < 1e-6);
        assert!(
            start.elapsed() < std::time::Duration::from_secs(2),
            "took {:?}",
            start.elapsed()
        );
    }
}
