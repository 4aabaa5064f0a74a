//! Social graph: random generators and an edge-list loader, stored as a
//! read-only compressed adjacency (CSR).
//!
//! Every graph is undirected. Each edge is stored in both directions so that
//! a node's neighbours are one contiguous, sorted slice, which is what the
//! simulation reads millions of times per step. The graph never changes after
//! it is built, so the compact CSR layout costs nothing in flexibility.
//!
//! All generators draw only from the `rng` they are given, in a fixed order,
//! so a graph is a pure function of its parameters and the generator state.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;

use rand::Rng;

use crate::error::{Error, Result};

/// The message for a line that is not an edge; it says what is allowed.
const EXPECTED_LINE: &str = "expected two non-negative integer ids separated by whitespace";

/// Hints the processor to load the cache line holding `x`; never waits
/// for it and has no other effect.
#[inline]
pub fn prefetch<T>(x: &T) {
    prefetch_ptr(x as *const T);
}

/// [`prefetch`] of the line at `p`, which need not hold a value yet (the
/// free room at the end of a vector); `p` is never read.
#[inline]
pub fn prefetch_ptr<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch has no effect on memory and cannot fault, whatever
    // the address.
    unsafe {
        std::arch::x86_64::_mm_prefetch(p as *const i8, std::arch::x86_64::_MM_HINT_T0);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// [`prefetch`] of `v[i]`, if there is one (per-person arrays are empty
/// when their mechanism is off).
#[inline]
pub fn prefetch_at<T>(v: &[T], i: usize) {
    if let Some(x) = v.get(i) {
        prefetch(x);
    }
}

/// An undirected graph in compressed sparse row form.
///
/// Nodes are `0..node_count()`. Graphs loaded from a file remember each
/// node's original id as its label; generated graphs use the index itself.
#[derive(Debug, Clone)]
pub struct Graph {
    /// Where each node's neighbours start in `targets`: node `v`'s are
    /// `targets[offsets[v]..offsets[v + 1]]` (`n + 1` entries). Kept here,
    /// not behind a library's accessors, so that the day loop can prefetch
    /// a member's offsets before it needs them (issue 11).
    offsets: Vec<u64>,
    /// Every node's neighbours, sorted within each node, each undirected
    /// edge stored in both directions.
    targets: Vec<u32>,
    /// Original ids in increasing order (so index `i` has the `i`-th smallest
    /// id); `None` means the label of a node is its index.
    labels: Option<Vec<u64>>,
}

impl Graph {
    /// `n` nodes, no edges (used for the well-mixed population).
    pub fn empty(n: usize) -> Graph {
        Graph {
            offsets: vec![0; n + 1],
            targets: Vec::new(),
            labels: None,
        }
    }

    /// Builds a graph on nodes `0..n` from undirected edges.
    ///
    /// Self-loops are dropped, each edge is stored in both directions,
    /// duplicates (including the same pair given in both orders) are merged,
    /// and the node count is exactly `n` even when the last nodes have no
    /// edges.
    ///
    /// The list is symmetrised and sorted in place, so the peak memory is
    /// about 8 bytes per stored direction plus the finished CSR; callers that
    /// know the edge count should give `edges` a capacity of twice its
    /// length to spare one reallocation.
    ///
    /// # Panics
    /// If an endpoint is not below `n`, or `n` does not fit in a `u32`.
    pub fn from_edges(n: usize, mut edges: Vec<(u32, u32)>) -> Graph {
        assert!(
            n <= u32::MAX as usize,
            "a graph can hold at most {} nodes",
            u32::MAX
        );
        // Checking the bound here keeps a caller's bug from silently growing
        // the graph past `n` nodes.
        edges.retain(|&(u, v)| {
            assert!(
                (u as usize) < n && (v as usize) < n,
                "edge ({u}, {v}) has an endpoint outside 0..{n}"
            );
            u != v
        });

        let one_way = edges.len();
        edges.reserve_exact(one_way);
        for i in 0..one_way {
            let (u, v) = edges[i];
            edges.push((v, u));
        }
        // Sorting by one packed 64-bit key is the same order as the tuple
        // order but compares in a single instruction.
        edges.sort_unstable_by_key(|&(u, v)| (u64::from(u) << 32) | u64::from(v));
        edges.dedup();

        // Count each node's neighbours, then take the targets in order.
        let mut offsets = vec![0u64; n + 1];
        for &(u, _) in &edges {
            offsets[u as usize + 1] += 1;
        }
        for v in 0..n {
            offsets[v + 1] += offsets[v];
        }
        let targets: Vec<u32> = edges.iter().map(|&(_, v)| v).collect();
        // Free the edge list before anything else so it never coexists with
        // further allocations.
        drop(edges);
        Graph {
            offsets,
            targets,
            labels: None,
        }
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Number of undirected edges (each stored twice).
    pub fn edge_count(&self) -> usize {
        self.targets.len() / 2
    }

    /// The neighbours of `v`, sorted by index, without duplicates.
    #[inline]
    pub fn neighbors(&self, v: u32) -> &[u32] {
        let v = v as usize;
        &self.targets[self.offsets[v] as usize..self.offsets[v + 1] as usize]
    }

    /// Hints the processor to load `v`'s entry in the offsets into cache,
    /// without waiting for it: the first of the day loop's two prefetches
    /// (issue 11: the loop is bound by memory latency).
    #[inline]
    pub fn prefetch_offsets(&self, v: u32) {
        prefetch_at(&self.offsets, v as usize);
    }

    /// Hints the processor to load `v`'s neighbour list into cache: the day
    /// loop calls it a few members ahead, after [`Graph::prefetch_offsets`]
    /// further ahead, so that reading the offsets here does not stall.
    #[inline]
    pub fn prefetch(&self, v: u32) {
        if let Some(first) = self.neighbors(v).first() {
            prefetch(first);
        }
    }

    /// The number of neighbours of `v`.
    #[inline]
    pub fn degree(&self, v: u32) -> usize {
        let v = v as usize;
        (self.offsets[v + 1] - self.offsets[v]) as usize
    }

    /// Original id of node `v` (the id in the edge-list file), or `v` itself
    /// for generated graphs.
    pub fn label(&self, v: u32) -> u64 {
        match &self.labels {
            Some(labels) => labels[v as usize],
            None => u64::from(v),
        }
    }

    /// Node index of an original id; for generated graphs `Some(id)` if
    /// `id < n`.
    pub fn index_of_label(&self, label: u64) -> Option<u32> {
        match &self.labels {
            // Labels are sorted, so a binary search finds the index.
            Some(labels) => labels.binary_search(&label).ok().map(|i| i as u32),
            None => (label < self.node_count() as u64).then_some(label as u32),
        }
    }

    /// Approximate heap bytes held (for memory estimates and the memory
    /// benchmark).
    ///
    /// Counts the offsets, the targets and the labels at their lengths.
    pub fn heap_bytes(&self) -> usize {
        let rows = self.offsets.len() * std::mem::size_of::<u64>();
        let columns = self.targets.len() * std::mem::size_of::<u32>();
        let labels = self
            .labels
            .as_ref()
            .map_or(0, |l| l.len() * std::mem::size_of::<u64>());
        rows + columns + labels
    }

    /// Writes `u v` lines (original labels, each undirected edge once with
    /// `u < v` by index), preceded by a `#` comment line with node and edge
    /// counts.
    ///
    /// The format has no way to list isolated nodes, so reading the file
    /// back with [`load_edge_list`] gives only the nodes that have edges.
    /// Output is buffered here, so `w` need not be.
    pub fn write_edge_list(&self, w: &mut impl Write) -> std::io::Result<()> {
        let mut out = std::io::BufWriter::new(w);
        writeln!(
            out,
            "# undirected graph: {} nodes, {} edges",
            self.node_count(),
            self.edge_count()
        )?;
        for u in 0..self.node_count() as u32 {
            let lu = self.label(u);
            // Neighbours are sorted, so those above `u` form the tail.
            let nbrs = self.neighbors(u);
            let start = nbrs.partition_point(|&v| v <= u);
            for &v in &nbrs[start..] {
                writeln!(out, "{lu} {}", self.label(v))?;
            }
        }
        out.flush()
    }
}

/// Number of failed Bernoulli trials before the next success, for a success
/// probability `p` given as `log_q = ln(1 - p)`.
///
/// This is the inverse-CDF draw of the geometric distribution. The result
/// saturates at `u64::MAX` for astronomically small `p`, and is always 0 when
/// `p == 1` (`log_q` is minus infinity).
#[inline]
fn geometric_skip<R: Rng>(rng: &mut R, log_q: f64) -> u64 {
    let r = crate::sample::unit(rng);
    // `ln_1p(-r)` is ln(1 - r) without cancellation for small r; r < 1, so
    // it is finite. A float-to-int `as` cast floors and saturates.
    ((-r).ln_1p() / log_q) as u64
}

/// Adds each candidate pair independently with probability `p`, in
/// O(rows + edges) time by jumping over the failures (Batagelj & Brandes
/// 2005).
///
/// The candidate pairs are given row by row: a row `(v, len, base)` stands
/// for the pairs `(v, base)`, `(v, base + 1)`, …, `(v, base + len - 1)`.
/// Treating all rows as one stream means empty or short rows cost O(1) each,
/// however many there are.
fn sample_pairs<R: Rng>(
    rng: &mut R,
    p: f64,
    rows: impl IntoIterator<Item = (u32, u64, u32)>,
    edges: &mut Vec<(u32, u32)>,
) {
    if p.is_nan() || p <= 0.0 {
        return;
    }
    let log_q = (-p.min(1.0)).ln_1p();
    let mut rows = rows.into_iter();
    let Some(mut row) = rows.next() else {
        return;
    };
    // Position of the next candidate within the current row.
    let mut w: u64 = 0;
    loop {
        w = w.saturating_add(geometric_skip(rng, log_q));
        while w >= row.1 {
            w -= row.1;
            match rows.next() {
                Some(next) => row = next,
                None => return,
            }
        }
        edges.push((row.0, row.2 + w as u32));
        w += 1;
    }
}

/// A capacity for the edge list of a random graph with `expected` edges:
/// both directions (see [`Graph::from_edges`]) with a margin of several
/// standard deviations, so that the list is almost never reallocated.
fn edge_capacity(expected: f64) -> usize {
    let with_margin = expected + 5.0 * expected.sqrt() + 64.0;
    // Guard against absurd requests; the vector grows if ever needed.
    (2.0 * with_margin).min(1e10) as usize
}

/// G(n, p) with p = `mean_degree / (n - 1)`, generated in O(n + m) with
/// geometric skipping (Batagelj & Brandes 2005), not by testing all n² pairs.
pub fn erdos_renyi<R: Rng>(n: usize, mean_degree: f64, rng: &mut R) -> Graph {
    if n < 2 {
        return Graph::empty(n);
    }
    let p = (mean_degree / (n - 1) as f64).clamp(0.0, 1.0);
    let pairs = n as f64 * (n - 1) as f64 / 2.0;
    let mut edges = Vec::with_capacity(edge_capacity(p * pairs));
    // Row v holds the pairs (v, 0..v): the lower triangle, each pair once.
    let rows = (0..n as u32).map(|v| (v, u64::from(v), 0));
    sample_pairs(rng, p, rows, &mut edges);
    Graph::from_edges(n, edges)
}

/// Barabási–Albert preferential attachment.
///
/// Starts from a clique of `m + 1` nodes (or all `n` if fewer); each new
/// node attaches to `m` distinct existing nodes chosen with probability
/// proportional to degree. Mean degree ≈ 2m, minimum degree m, power-law
/// tail with exponent 3. O(n m).
///
/// The "repeated nodes" list of the classic method, where each node appears
/// once per unit of degree, is exactly the list of edge endpoints, so the
/// edge list itself is sampled: a uniform endpoint of a uniform edge is a
/// node drawn proportionally to its degree. This saves a second list as
/// long as the edge list.
pub fn barabasi_albert<R: Rng>(n: usize, m: usize, rng: &mut R) -> Graph {
    if m == 0 || n < 2 {
        return Graph::empty(n);
    }
    let seed = (m + 1).min(n);
    let total = seed * (seed - 1) / 2 + (n - seed) * m;
    let mut edges: Vec<(u32, u32)> = Vec::with_capacity(2 * total);
    for v in 1..seed as u32 {
        for u in 0..v {
            edges.push((v, u));
        }
    }
    let mut targets: Vec<u32> = Vec::with_capacity(m);
    for v in seed as u32..n as u32 {
        targets.clear();
        // Only the edges present before `v` count; they are the prefix of
        // the list, and `v`'s own edges are appended after all its choices.
        let endpoints = 2 * edges.len();
        while targets.len() < m {
            let j = crate::sample::below(rng, endpoints as u64) as usize;
            let (a, b) = edges[j / 2];
            let t = if j.is_multiple_of(2) { a } else { b };
            // `m` is small, so a linear scan beats a set. Every existing node
            // has degree at least m and there are at least m + 1 of them, so
            // rejection always terminates.
            if !targets.contains(&t) {
                targets.push(t);
            }
        }
        edges.extend(targets.iter().map(|&t| (v, t)));
    }
    Graph::from_edges(n, edges)
}

/// Watts–Strogatz small world.
///
/// A ring lattice where each node links to `k / 2` neighbours on each side
/// (`k` even), then each edge's far end is rewired with probability `rewire`
/// to a uniformly random other node (never a self-loop). Mean degree ≈ k.
///
/// Rewiring may land on a pair that is already linked; such duplicates are
/// merged by [`Graph::from_edges`] rather than redrawn. The expected loss is
/// about `rewire * k * k / 2` edges in the whole graph (each rewired edge hits
/// one of a node's k links with probability about k/n), which is negligible.
/// When `k >= n` the lattice already covers every pair and the result is the
/// complete graph.
pub fn watts_strogatz<R: Rng>(n: usize, k: usize, rewire: f64, rng: &mut R) -> Graph {
    if n < 2 {
        return Graph::empty(n);
    }
    // Beyond n/2 on each side the lattice only repeats pairs.
    let half = (k / 2).min(n / 2);
    let mut edges: Vec<(u32, u32)> = Vec::with_capacity(2 * n * half);
    for j in 1..=half {
        for i in 0..n {
            let near = i as u32;
            let mut far = ((i + j) % n) as u32;
            if rewire > 0.0 && crate::sample::unit(rng) < rewire {
                // Uniform over the n - 1 nodes other than `near`.
                let r = crate::sample::below(rng, n as u64 - 1) as u32;
                far = if r >= near { r + 1 } else { r };
            }
            edges.push((near, far));
        }
    }
    Graph::from_edges(n, edges)
}

/// Index ranges of `blocks` groups of nearly equal size over `0..n`: sizes
/// differ by at most one, larger groups first.
fn block_ranges(n: usize, blocks: usize) -> impl Iterator<Item = (usize, usize)> + Clone {
    let size = n / blocks;
    let larger = n % blocks;
    (0..blocks).map(move |b| {
        let start = b * size + b.min(larger);
        let len = size + usize::from(b < larger);
        (start, len)
    })
}

/// Stochastic block model for friend circles.
///
/// `blocks` groups of nearly equal size (sizes differ by at most one,
/// contiguous index ranges, larger groups first). Each within-block pair is
/// linked with the probability that gives mean within-block degree
/// `degree_in`, each between-block pair with the probability that gives mean
/// between-block degree `degree_out`.
///
/// Both parts are drawn by geometric skipping over streams of candidate
/// pairs, so the cost is O(n + m + blocks) whatever the number of blocks.
/// `blocks` is clamped to `1..=n`.
pub fn stochastic_block<R: Rng>(
    n: usize,
    blocks: usize,
    degree_in: f64,
    degree_out: f64,
    rng: &mut R,
) -> Graph {
    if n < 2 {
        return Graph::empty(n);
    }
    let blocks = blocks.clamp(1, n);
    let small = n / blocks;
    let larger = n % blocks;
    let mut within_pairs = 0.0;
    let mut sum_sq = 0.0;
    for (_, len) in block_ranges(n, blocks) {
        within_pairs += len as f64 * (len as f64 - 1.0) / 2.0;
        sum_sq += len as f64 * len as f64;
    }
    let p_in = |len: usize| {
        if len < 2 {
            0.0
        } else {
            (degree_in / (len - 1) as f64).clamp(0.0, 1.0)
        }
    };
    // A node in a block of size s has n - s possible outside partners; the
    // mean over nodes of n - s is n - Σs²/n.
    let outside = n as f64 - sum_sq / n as f64;
    let p_out = if outside > 0.0 {
        (degree_out / outside).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let between_pairs = n as f64 * outside / 2.0;
    let expected = within_pairs * p_in(small).max(p_in(small + 1)) + between_pairs * p_out;
    let mut edges = Vec::with_capacity(edge_capacity(expected));

    // Within blocks. Only two block sizes exist, hence two probabilities;
    // the blocks of each size are adjacent, and each forms one stream whose
    // row v holds the pairs from v to the earlier nodes of its own block.
    let within_rows = |range: std::ops::Range<usize>| {
        block_ranges(n, blocks)
            .skip(range.start)
            .take(range.len())
            .flat_map(|(start, len)| {
                (start..start + len).map(move |v| (v as u32, (v - start) as u64, start as u32))
            })
    };
    sample_pairs(rng, p_in(small + 1), within_rows(0..larger), &mut edges);
    sample_pairs(rng, p_in(small), within_rows(larger..blocks), &mut edges);

    // Between blocks: row v holds the pairs from v to every node of the
    // earlier blocks, i.e. to 0..start of v's block. Rows of the first block
    // are empty and cost O(1) each.
    let between_rows = block_ranges(n, blocks)
        .flat_map(|(start, len)| (start..start + len).map(move |v| (v as u32, start as u64, 0)));
    sample_pairs(rng, p_out, between_rows, &mut edges);

    Graph::from_edges(n, edges)
}

/// A fast hash for the id map of [`load_edge_list`]: ids come from a file
/// the user chose, so resistance to hash flooding is not needed, and a
/// multiplicative hash is several times quicker than SipHash.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, x: u64) {
        // Fibonacci hashing; the rotation moves the well-mixed high bits to
        // the low bits, which hashbrown uses to pick the bucket.
        self.0 = (self.0 ^ x)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(26);
    }
}

/// Provisional indices of the ids met so far in an edge-list file.
///
/// Most files number their nodes densely from 0 or 1, so small ids go into a
/// plain table (one cache miss per lookup, 4 bytes per slot); ids too large
/// for the table fall back to a hash map (two misses, about 20 bytes each).
/// The table may have at most `4 × ids + 2²⁰` slots, so even a sparse file
/// costs at most about 16 bytes per node there.
#[derive(Default)]
struct IdMap {
    dense: Vec<u32>,
    sparse: HashMap<u64, u32, BuildHasherDefault<IdHasher>>,
}

impl IdMap {
    /// Marks an empty slot of the dense table; real indices stay below it.
    const NONE: u32 = u32::MAX;

    /// The index of `id`, or `None` if it has not been seen.
    #[inline]
    fn get(&self, id: u64) -> Option<u32> {
        // `try_from` keeps a huge id from wrapping onto a table slot on
        // 32-bit targets.
        match usize::try_from(id)
            .ok()
            .and_then(|slot| self.dense.get(slot))
        {
            Some(&i) if i != Self::NONE => Some(i),
            // A miss in the table may still be in the map: an id inserted
            // when the table was smaller lives there.
            _ => self.sparse.get(&id).copied(),
        }
    }

    /// Records `id` (not yet present) as index `i`, where `i` is the number
    /// of ids seen before it.
    fn insert(&mut self, id: u64, i: u32) {
        // The limit only grows, so every slot already in the table is below it.
        let limit = (i as usize + 1).saturating_mul(4).saturating_add(1 << 20);
        if id < limit as u64 {
            let slot = id as usize;
            if slot >= self.dense.len() {
                // Grow geometrically so that ids arriving in increasing order
                // cost O(1) amortised.
                let len = (slot + 1).max(2 * self.dense.len()).min(limit);
                self.dense.resize(len, Self::NONE);
            }
            self.dense[slot] = i;
        } else {
            self.sparse.insert(id, i);
        }
    }
}

/// Longest edge-list line accepted, in bytes (without its newline).
pub const MAX_LINE: usize = 4096;

/// Parses the first two whitespace-separated fields of an edge line.
fn parse_edge(line: &str) -> Option<(u64, u64)> {
    let mut fields = line.split_ascii_whitespace();
    let u = fields.next()?.parse().ok()?;
    let v = fields.next()?.parse().ok()?;
    Some((u, v))
}

/// Loads a SNAP-style edge list.
///
/// One `u v` pair per line, separated by spaces or tabs; extra columns after
/// the first two are ignored (weights, timestamps); blank lines and lines
/// starting with `#` or `%` are skipped; ids are non-negative integers up to
/// `u64::MAX`. Edges are undirected; self-loops are dropped (their node is
/// kept, without edges) and duplicates merged. Ids are remapped to `0..n` in
/// increasing order of original id, so the result does not depend on line
/// order, and the original ids are kept as labels.
///
/// # Errors
/// [`Error::Io`] if the file cannot be opened or read; [`Error::GraphFile`]
/// for a bad line (with its 1-based number), a file without edges, or more
/// than `u32::MAX - 1` distinct ids.
pub fn load_edge_list(path: &Path) -> Result<Graph> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    read_edge_list(BufReader::with_capacity(1 << 16, file), path)
}

/// [`load_edge_list`] from any reader; `path` names it in messages.
pub fn read_edge_list(mut reader: impl BufRead, path: &Path) -> Result<Graph> {
    let bad = |line: usize, message: String| Error::GraphFile {
        path: path.to_path_buf(),
        line,
        message,
    };

    // Ids get provisional indices in order of first appearance; sorting the
    // (few) distinct ids afterwards is much cheaper than keeping 64-bit ids
    // for every edge until the end.
    let mut index = IdMap::default();
    let mut ids: Vec<u64> = Vec::new();
    let mut edges: Vec<(u32, u32)> = Vec::new();
    let mut buf: Vec<u8> = Vec::new();
    let mut line_no = 0usize;
    let max_nodes = u32::MAX as usize - 1;
    loop {
        buf.clear();
        // Bytes rather than a String so that a stray non-UTF-8 byte gives a
        // line-numbered error rather than a bare I/O error.
        // At most MAX_LINE + 1 bytes, so that a line with no end (a graph
        // path of /dev/zero) is refused instead of filling the memory.
        let read = (&mut reader)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut buf)
            .map_err(|e| Error::io(path, e))?;
        if read == 0 {
            break;
        }
        line_no += 1;
        if buf.len() > MAX_LINE && buf.last() != Some(&b'\n') {
            return Err(bad(
                line_no,
                format!(
                    "the line is longer than {MAX_LINE} bytes: {EXPECTED_LINE} on each line (is this an edge-list file?)"
                ),
            ));
        }
        let text = String::from_utf8_lossy(&buf);
        let line = text.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with('%') {
            continue;
        }
        let Some((u, v)) = parse_edge(line) else {
            // Keep the message readable even for a runaway line.
            let shown: String = if line.chars().count() > 80 {
                line.chars().take(80).chain("…".chars()).collect()
            } else {
                line.to_string()
            };
            return Err(bad(line_no, format!("{EXPECTED_LINE}, got `{shown}`")));
        };
        let mut lookup = |id: u64| -> Result<u32> {
            if let Some(i) = index.get(id) {
                return Ok(i);
            }
            if ids.len() >= max_nodes {
                return Err(bad(
                    line_no,
                    format!("too many distinct node ids: at most {max_nodes} are supported"),
                ));
            }
            let i = ids.len() as u32;
            index.insert(id, i);
            ids.push(id);
            Ok(i)
        };
        let a = lookup(u)?;
        let b = lookup(v)?;
        if a != b {
            edges.push((a, b));
        }
    }
    drop(index);

    if edges.is_empty() {
        return Err(bad(
            line_no,
            format!(
                "no edges found: the file has only blank lines, comments or self-loops; {EXPECTED_LINE} on each line"
            ),
        ));
    }

    // Renumber so that index order is id order.
    let n = ids.len();
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_unstable_by_key(|&i| ids[i as usize]);
    let mut rank = vec![0u32; n];
    for (new, &old) in order.iter().enumerate() {
        rank[old as usize] = new as u32;
    }
    drop(order);
    ids.sort_unstable();
    for e in &mut edges {
        *e = (rank[e.0 as usize], rank[e.1 as usize]);
    }
    drop(rank);

    let mut graph = Graph::from_edges(n, edges);
    graph.labels = Some(ids);
    Ok(graph)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_pcg::Pcg64Mcg;

    fn rng(seed: u64) -> Pcg64Mcg {
        Pcg64Mcg::seed_from_u64(seed)
    }

    #[test]
    fn csr_matches_petgraph_on_random_graphs() {
        // The graph keeps its own offsets and targets (so that the day loop
        // can prefetch them); petgraph's CSR, built from the same sorted,
        // symmetrised edges, is the reference. Duplicates, both orders,
        // self-loops and isolated trailing nodes included.
        use petgraph::csr::Csr;
        for seed in 0..20 {
            let mut r = rng(seed);
            let n = 1 + crate::sample::below(&mut r, 300) as usize;
            let m = crate::sample::below(&mut r, 4 * n as u64) as usize;
            let edges: Vec<(u32, u32)> = (0..m)
                .map(|_| {
                    let u = crate::sample::below(&mut r, n as u64) as u32;
                    let v = crate::sample::below(&mut r, n as u64) as u32;
                    (u, v)
                })
                .collect();
            let g = Graph::from_edges(n, edges.clone());
            let mut both: Vec<(u32, u32)> = edges
                .iter()
                .filter(|(u, v)| u != v)
                .flat_map(|&(u, v)| [(u, v), (v, u)])
                .collect();
            both.sort_unstable();
            both.dedup();
            let mut reference: Csr<(), (), petgraph::Directed, u32> =
                Csr::from_sorted_edges(&both).unwrap();
            while reference.node_count() < n {
                reference.add_node(());
            }
            assert_eq!(g.node_count(), n);
            assert_eq!(g.edge_count() * 2, reference.edge_count());
            for v in 0..n as u32 {
                assert_eq!(
                    g.neighbors(v),
                    reference.neighbors_slice(v),
                    "seed {seed}, node {v}"
                );
                assert_eq!(g.degree(v), reference.out_degree(v));
            }
        }
    }

    fn degrees(g: &Graph) -> Vec<usize> {
        (0..g.node_count() as u32).map(|v| g.degree(v)).collect()
    }

    fn mean(xs: &[usize]) -> f64 {
        xs.iter().sum::<usize>() as f64 / xs.len() as f64
    }

    fn variance(xs: &[usize]) -> f64 {
        let m = mean(xs);
        xs.iter().map(|&x| (x as f64 - m).powi(2)).sum::<f64>() / (xs.len() - 1) as f64
    }

    /// Checks the CSR invariants every graph must satisfy: sorted neighbour
    /// lists without duplicates or self-loops, and symmetry.
    fn assert_well_formed(g: &Graph) {
        let mut stored = 0;
        for v in 0..g.node_count() as u32 {
            let nbrs = g.neighbors(v);
            assert!(nbrs.windows(2).all(|w| w[0] < w[1]), "node {v} unsorted");
            assert!(!nbrs.contains(&v), "self-loop at {v}");
            for &u in nbrs {
                assert!(g.neighbors(u).binary_search(&v).is_ok(), "{v}->{u} one-way");
            }
            stored += nbrs.len();
        }
        assert_eq!(stored, 2 * g.edge_count());
    }

    /// A unique path in the temporary folder for one test's file.
    fn temp_path(name: &str) -> std::path::PathBuf {
        std::env::temp_dir().join(format!("commsim-graph-{}-{name}", std::process::id()))
    }

    fn load_str(name: &str, text: &str) -> Result<Graph> {
        let path = temp_path(name);
        std::fs::write(&path, text).unwrap();
        let result = load_edge_list(&path);
        std::fs::remove_file(&path).unwrap();
        result
    }

    #[test]
    fn empty_graph_has_isolated_nodes() {
        let g = Graph::empty(5);
        assert_eq!(g.node_count(), 5);
        assert_eq!(g.edge_count(), 0);
        assert!(g.neighbors(4).is_empty());
        assert_eq!(Graph::empty(0).node_count(), 0);
    }

    #[test]
    fn from_edges_cleans_and_symmetrises() {
        let edges = vec![(0, 1), (1, 0), (2, 2), (1, 2), (0, 1), (3, 1)];
        let g = Graph::from_edges(7, edges);
        assert_eq!(g.node_count(), 7, "isolated trailing nodes are counted");
        assert_eq!(g.edge_count(), 3);
        assert_eq!(g.neighbors(0), &[1]);
        assert_eq!(g.neighbors(1), &[0, 2, 3]);
        assert_eq!(g.neighbors(2), &[1]);
        assert_eq!(g.neighbors(3), &[1]);
        assert_eq!(g.degree(6), 0);
        assert_well_formed(&g);
        assert_eq!(g.label(3), 3);
        assert_eq!(g.index_of_label(6), Some(6));
        assert_eq!(g.index_of_label(7), None);
        assert_eq!(g.heap_bytes(), 8 * 8 + 6 * 4);

        let only_loops = Graph::from_edges(3, vec![(1, 1)]);
        assert_eq!(only_loops.node_count(), 3);
        assert_eq!(only_loops.edge_count(), 0);
    }

    #[test]
    fn erdos_renyi_degrees_are_poisson() {
        let n = 20_000;
        let g = erdos_renyi(n, 8.0, &mut rng(1));
        assert_well_formed(&g);
        assert_eq!(g.node_count(), n);
        let d = degrees(&g);
        // The edge count is Binomial with mean 80 000 and sd ≈ 283, so the
        // mean degree has sd ≈ 0.028: 0.2 is about 7 sd.
        assert!((mean(&d) - 8.0).abs() < 0.2, "mean {}", mean(&d));
        // Degrees are Poisson(8) up to 1/n corrections; the sample variance
        // over 20 000 nodes has sd ≈ sqrt((μ4 − σ⁴)/n) ≈ 0.08, so 1 is over
        // 10 sd while still catching, say, a regular or a doubled graph.
        assert!(
            (variance(&d) - 8.0).abs() < 1.0,
            "variance {}",
            variance(&d)
        );
    }

    #[test]
    fn erdos_renyi_edge_cases() {
        assert_eq!(erdos_renyi(0, 5.0, &mut rng(1)).node_count(), 0);
        assert_eq!(erdos_renyi(1, 5.0, &mut rng(1)).edge_count(), 0);
        assert_eq!(erdos_renyi(100, 0.0, &mut rng(1)).edge_count(), 0);
        // p ≥ 1 gives the complete graph.
        let full = erdos_renyi(30, 1000.0, &mut rng(1));
        assert_eq!(full.edge_count(), 30 * 29 / 2);
        assert_well_formed(&full);
    }

    #[test]
    fn barabasi_albert_has_hubs_and_power_tail() {
        let n = 20_000;
        let m = 3;
        let g = barabasi_albert(n, m, &mut rng(2));
        assert_well_formed(&g);
        let d = degrees(&g);
        // The edge count is exact: 6 in the seed clique plus 3 per new node,
        // so the mean is 2m − m(m+1)/n = 5.9994.
        assert!((mean(&d) - 6.0).abs() < 0.05, "mean {}", mean(&d));
        assert!(d.iter().all(|&k| k >= m), "minimum degree below m");
        // The largest degree grows like m√n ≈ 420; a graph without
        // preferential attachment would stay near 20.
        let max = *d.iter().max().unwrap();
        assert!(max > 100, "max degree {max}");
        // For BA, P(k ≥ K) = m(m+1)/(K(K+1)) ≈ 1.3 % at K = 30, about 260
        // nodes with a Poisson-like sd of 16; the band 0.3 %–3 % is wide
        // but rules out exponential tails (far below) and wrong exponents.
        let tail = d.iter().filter(|&&k| k >= 30).count() as f64 / n as f64;
        assert!((0.003..0.03).contains(&tail), "tail fraction {tail}");
    }

    #[test]
    fn barabasi_albert_edge_cases() {
        assert_eq!(barabasi_albert(0, 3, &mut rng(1)).node_count(), 0);
        assert_eq!(barabasi_albert(1, 3, &mut rng(1)).edge_count(), 0);
        assert_eq!(barabasi_albert(10, 0, &mut rng(1)).edge_count(), 0);
        // m ≥ n: the seed clique is the whole graph.
        let small = barabasi_albert(4, 10, &mut rng(1));
        assert_eq!(small.edge_count(), 6);
        let g = barabasi_albert(50, 1, &mut rng(1));
        assert_eq!(g.edge_count(), 49, "m = 1 gives a tree");
        assert_well_formed(&g);
    }

    #[test]
    fn watts_strogatz_lattice_and_rewiring() {
        let n = 20_000;
        let k = 6;
        let lattice = watts_strogatz(n, k, 0.0, &mut rng(3));
        assert!(degrees(&lattice).iter().all(|&d| d == k));
        assert_eq!(lattice.neighbors(0), &[1, 2, 3, 19_997, 19_998, 19_999]);

        let g = watts_strogatz(n, k, 0.1, &mut rng(3));
        assert_well_formed(&g);
        // Rewiring keeps the edge count except for merged duplicates:
        // about rewire·k²/2 ≈ 2 edges here, i.e. a mean change of 0.0002.
        let d = degrees(&g);
        assert!((mean(&d) - k as f64).abs() < 0.05, "mean {}", mean(&d));
        assert!(d.iter().any(|&x| x != k), "nothing was rewired");
    }

    #[test]
    fn watts_strogatz_edge_cases() {
        assert_eq!(watts_strogatz(0, 4, 0.1, &mut rng(1)).node_count(), 0);
        assert_eq!(watts_strogatz(1, 4, 0.1, &mut rng(1)).edge_count(), 0);
        let full = watts_strogatz(5, 10, 0.0, &mut rng(1));
        assert_eq!(full.edge_count(), 10, "k ≥ n gives the complete graph");
        let g = watts_strogatz(6, 10, 1.0, &mut rng(1));
        assert_well_formed(&g);
    }

    #[test]
    fn stochastic_block_within_and_between_degrees() {
        let n = 20_000;
        let blocks = 100;
        let g = stochastic_block(n, blocks, 8.0, 2.0, &mut rng(4));
        assert_well_formed(&g);
        let block_of = |v: u32| v as usize / (n / blocks);
        let (mut inside, mut outside) = (0usize, 0usize);
        for v in 0..n as u32 {
            for &u in g.neighbors(v) {
                if block_of(u) == block_of(v) {
                    inside += 1;
                } else {
                    outside += 1;
                }
            }
        }
        let d_in = inside as f64 / n as f64;
        let d_out = outside as f64 / n as f64;
        // Within-block edges are Binomial with mean 80 000 (sd ≈ 283, so the
        // mean degree has sd ≈ 0.028) and between-block edges have mean
        // 20 000 (sd ≈ 141, mean degree sd ≈ 0.014): both tolerances are
        // about 7 sd.
        assert!((d_in - 8.0).abs() < 0.2, "within {d_in}");
        assert!((d_out - 2.0).abs() < 0.1, "between {d_out}");
    }

    #[test]
    fn stochastic_block_uneven_and_many_blocks() {
        // Sizes 4, 4, 3: a complete within-block graph shows the ranges.
        let g = stochastic_block(11, 3, 100.0, 0.0, &mut rng(5));
        assert_eq!(g.neighbors(0), &[1, 2, 3]);
        assert_eq!(g.neighbors(4), &[5, 6, 7]);
        assert_eq!(g.neighbors(8), &[9, 10]);
        assert_eq!(g.edge_count(), 6 + 6 + 3);
        // Blocks of two nodes: the stream handles n/2 blocks in linear time.
        let n = 200_000;
        let pairs = stochastic_block(n, n / 2, 1.0, 3.0, &mut rng(5));
        assert_well_formed(&pairs);
        let mean_degree = 2.0 * pairs.edge_count() as f64 / n as f64;
        assert!((mean_degree - 4.0).abs() < 0.05, "mean {mean_degree}");
        assert_eq!(
            stochastic_block(1, 5, 2.0, 2.0, &mut rng(5)).node_count(),
            1
        );
        assert_eq!(
            stochastic_block(10, 0, 0.0, 0.0, &mut rng(5)).edge_count(),
            0
        );
    }

    #[test]
    fn generators_are_deterministic() {
        let same = |a: &Graph, b: &Graph| {
            a.node_count() == b.node_count()
                && (0..a.node_count() as u32).all(|v| a.neighbors(v) == b.neighbors(v))
        };
        let er = |s| erdos_renyi(2000, 6.0, &mut rng(s));
        let ba = |s| barabasi_albert(2000, 3, &mut rng(s));
        let ws = |s| watts_strogatz(2000, 6, 0.2, &mut rng(s));
        let sbm = |s| stochastic_block(2000, 20, 5.0, 1.0, &mut rng(s));
        assert!(same(&er(7), &er(7)) && !same(&er(7), &er(8)));
        assert!(same(&ba(7), &ba(7)) && !same(&ba(7), &ba(8)));
        assert!(same(&ws(7), &ws(7)) && !same(&ws(7), &ws(8)));
        assert!(same(&sbm(7), &sbm(7)) && !same(&sbm(7), &sbm(8)));
    }

    #[test]
    fn load_handles_comments_tabs_and_extra_columns() {
        let text =
            "# a comment\n% another\n\n900\t7\t1.5\n7 42 extra cols\r\n  42   900  \n7 7\n900 7\n";
        let g = load_str("ok", text).unwrap();
        // Ids 7, 42, 900 become 0, 1, 2 whatever the line order.
        assert_eq!(g.node_count(), 3);
        assert_eq!(g.edge_count(), 3);
        assert_well_formed(&g);
        assert_eq!((g.label(0), g.label(1), g.label(2)), (7, 42, 900));
        assert_eq!(g.index_of_label(900), Some(2));
        assert_eq!(g.index_of_label(8), None);
        assert_eq!(g.neighbors(0), &[1, 2]);
        assert_eq!(g.heap_bytes(), 4 * 8 + 6 * 4 + 3 * 8);

        let big = load_str("big", &format!("0 {}\n", u64::MAX)).unwrap();
        assert_eq!(big.label(1), u64::MAX);
        // A node whose only line is a self-loop is kept, without edges.
        let looped = load_str("loop", "5 5\n1 2\n").unwrap();
        assert_eq!(looped.node_count(), 3);
        assert_eq!(looped.degree(looped.index_of_label(5).unwrap()), 0);
    }

    #[test]
    fn load_mixes_small_and_large_ids() {
        // 1 100 000 is first too large for the dense table and goes to the
        // hash map; 1 120 000 later grows the table over it, and the next
        // line must still find it rather than create a second node.
        let mut text = String::from("1100000 1\n");
        for k in 2..=20_001 {
            text.push_str(&format!("{k} {}\n", k + 1));
        }
        text.push_str("1120000 1100000\n1100000 5\n");
        let g = load_str("mixed", &text).unwrap();
        assert_eq!(g.node_count(), 20_004);
        let hub = g.index_of_label(1_100_000).unwrap();
        assert_eq!(g.degree(hub), 3);
        assert_eq!(g.index_of_label(1_120_000), Some(20_003));
        assert_well_formed(&g);
    }

    #[test]
    fn load_reports_bad_lines_with_their_number() {
        for (name, text, line) in [
            ("one", "# header\n1 2\n\n3 x\n", 4),
            ("neg", "1 2\n-1 2\n", 2),
            ("single", "1\n", 1),
            ("huge", "1 18446744073709551616\n", 1),
        ] {
            match load_str(name, text) {
                Err(Error::GraphFile {
                    line: l, message, ..
                }) => {
                    assert_eq!(l, line, "{name}");
                    assert!(message.contains(EXPECTED_LINE), "{message}");
                    assert!(message.contains(text.lines().nth(line - 1).unwrap()));
                }
                other => panic!("{name}: expected a GraphFile error, got {other:?}"),
            }
        }
    }

    #[test]
    fn load_rejects_missing_and_empty_files() {
        let missing = temp_path("does-not-exist");
        assert!(matches!(load_edge_list(&missing), Err(Error::Io { .. })));
        for (name, text) in [
            ("empty", ""),
            ("comments", "# nothing\n\n"),
            ("loops", "3 3\n"),
        ] {
            match load_str(name, text) {
                Err(Error::GraphFile { message, .. }) => {
                    assert!(message.contains("no edges found"), "{message}")
                }
                other => panic!("{name}: expected a GraphFile error, got {other:?}"),
            }
        }
    }

    #[test]
    fn write_then_load_round_trips() {
        let g = barabasi_albert(3000, 2, &mut rng(9));
        let path = temp_path("roundtrip");
        let mut file = std::fs::File::create(&path).unwrap();
        g.write_edge_list(&mut file).unwrap();
        drop(file);
        let back = load_edge_list(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        // BA graphs have no isolated nodes and labels 0..n, so the loaded
        // graph is the same one, label for label.
        assert_eq!(back.node_count(), g.node_count());
        assert_eq!(back.edge_count(), g.edge_count());
        for v in 0..g.node_count() as u32 {
            assert_eq!(back.label(v), u64::from(v));
            assert_eq!(back.neighbors(v), g.neighbors(v));
        }

        // A loaded graph writes its original labels.
        let loaded = load_str("labels", "10 30\n30 20\n").unwrap();
        let mut out = Vec::new();
        loaded.write_edge_list(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().skip(1).collect::<Vec<_>>(), ["10 30", "20 30"]);
        assert!(text.starts_with('#'));
    }
}
