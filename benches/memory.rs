//! Peak memory of a 10-million-person population with 50 million edges.
//!
//! Run with `cargo bench --bench memory`. A counting global allocator records
//! the peak of live heap bytes while the graph is generated (Barabási–Albert,
//! m = 5: 50 million undirected edges) and a run of the full model executes
//! on it. The target (issue 2) is under 4 GiB. Takes about half a minute.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use commsim::batch;
use commsim::model::{self, Params};
use commsim::scenario::Scenario;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size > layout.size() {
                let now = LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed)
                    + (new_size - layout.size());
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

const SCENARIO: &str = r#"
name = "memory-bench"
days = 3
runs = 1
[population]
size = 10000000
graph = { model = "barabasi-albert", m = 5 }
[start]
members = 1000
[[channel]]
name = "mass"
rate = 0.5
need_match = 0.0
[groups]
capacity = 0
"#;

fn gib(b: usize) -> f64 {
    b as f64 / (1u64 << 30) as f64
}

fn main() {
    // `cargo test --benches` runs bench binaries with --bench absent; skip
    // the heavy work there.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let t = Instant::now();
    let s = Scenario::from_toml(SCENARIO, Path::new("memory.toml"), Path::new("."), "m").unwrap();
    let (s, g) = batch::prepare(s, 1).unwrap();
    let g = g.unwrap();
    let after_graph = PEAK.load(Ordering::Relaxed);
    println!(
        "graph: {} nodes, {} edges, {:.2} GiB held, build peak {:.2} GiB, {:.1} s",
        g.node_count(),
        g.edge_count(),
        gib(g.heap_bytes()),
        gib(after_graph),
        t.elapsed().as_secs_f64()
    );
    let p = Params::new(&s, g.node_count());
    let t = Instant::now();
    let out = model::simulate(&s, &p, &g, 0);
    println!(
        "run: {} days, {} members at the end, {:.1} s",
        out.days.len() - 1,
        out.summary.final_members,
        t.elapsed().as_secs_f64()
    );
    println!(
        "peak heap: {:.2} GiB (target: under 4 GiB)",
        gib(PEAK.load(Ordering::Relaxed))
    );
}
