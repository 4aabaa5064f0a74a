//! The referral-tree chart (PNG and SVG): who invited whom in the first run, drawn
//! as trees for a classroom.
//!
//! Roots are the people who joined without an invitation (launch members and
//! channel joiners) and invited someone; colour shows the generation. Each
//! tree gets a tidy layout (leaves evenly spaced, every parent centred over
//! its children), and the trees, largest first, are packed into rows so that
//! the spacing is as generous as the page allows. At most [`BUDGET`] people
//! are drawn; the subtitle says how many trees and people are shown.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::data::Results;
use super::{note, palette, tick, titled, DrawResult, FONT, LEGEND_PX};
use crate::referral::Forest;

/// Most people drawn; larger forests show their largest trees up to this.
/// Chosen so that dots and lines stay apart on a 1200 × 800 PNG (at 1,500,
/// a large run's chart was a grey comb).
pub const BUDGET: u64 = 600;

/// One tree laid out in slots (x, one per leaf) and levels (y, one per
/// generation).
#[derive(Debug, Clone, PartialEq)]
pub struct TreeLayout {
    /// (node, x in slots from the tree's left edge, generation).
    pub nodes: Vec<(u32, f64, u32)>,
    /// Width in slots: the number of leaves drawn.
    pub width: usize,
    /// Height in levels: the deepest generation drawn + 1.
    pub height: u32,
}

/// Lays out the tree of `root`, down to generation `cut` (children of nodes
/// at `cut` are left out). Leaves take consecutive slots in depth-first
/// order and each parent sits midway between its first and last child, so
/// no two subtrees overlap. Iterative, so deep chains cannot overflow the
/// stack.
pub fn layout(
    forest: &Forest,
    children: &(Vec<usize>, Vec<u32>),
    root: u32,
    cut: u32,
) -> TreeLayout {
    let (offsets, list) = children;
    let kids = |v: u32| -> &[u32] {
        if forest.depth[v as usize] >= cut {
            &[]
        } else {
            &list[offsets[v as usize]..offsets[v as usize + 1]]
        }
    };
    let mut x = std::collections::HashMap::new();
    let mut nodes = Vec::new();
    let mut next_leaf = 0usize;
    let mut height = 0;
    let mut stack: Vec<(u32, usize)> = vec![(root, 0)];
    while let Some(top) = stack.last_mut() {
        let (v, i) = *top;
        let k = kids(v);
        if i < k.len() {
            top.1 += 1;
            stack.push((k[i], 0));
            continue;
        }
        stack.pop();
        let xv = if k.is_empty() {
            next_leaf += 1;
            (next_leaf - 1) as f64
        } else {
            (x[&k[0]] + x[&k[k.len() - 1]]) / 2.0
        };
        x.insert(v, xv);
        let g = forest.depth[v as usize] - forest.depth[root as usize];
        height = height.max(g + 1);
        nodes.push((v, xv, g));
    }
    TreeLayout {
        nodes,
        width: next_leaf,
        height,
    }
}

/// Rows of trees: for each row, the indices of its trees.
pub type Rows = Vec<Vec<usize>>;

/// Packs trees (in order) into rows of at most `capacity` slots, one empty
/// slot between neighbours; a tree wider than `capacity` gets a row alone.
pub fn pack(trees: &[TreeLayout], capacity: usize) -> Rows {
    let mut rows: Rows = Vec::new();
    let mut used = 0;
    for (i, t) in trees.iter().enumerate() {
        match rows.last_mut() {
            Some(row) if used + 1 + t.width <= capacity => {
                row.push(i);
                used += 1 + t.width;
            }
            _ => {
                rows.push(vec![i]);
                used = t.width;
            }
        }
    }
    rows
}

/// Levels taken by `rows`, with one empty level between rows.
fn levels(trees: &[TreeLayout], rows: &Rows) -> u32 {
    let tall: u32 = rows
        .iter()
        .map(|row| row.iter().map(|&i| trees[i].height).max().unwrap_or(0))
        .sum();
    tall + rows.len().saturating_sub(1) as u32
}

/// The row capacity (in slots) that gives the most generous spacing on a
/// page of `w` × `h` pixels, where a level should be about twice as tall
/// as a slot is wide (so that parent–child links are readable).
pub fn best_capacity(trees: &[TreeLayout], w: f64, h: f64) -> usize {
    let widest = trees.iter().map(|t| t.width).max().unwrap_or(1).max(1);
    let total: usize = trees.iter().map(|t| t.width + 1).sum();
    let step = (total.saturating_sub(widest) / 400).max(1);
    let mut best = (f64::MIN, widest);
    let mut c = widest;
    loop {
        let rows = pack(trees, c);
        let slot = w / c as f64;
        let level = h / levels(trees, &rows).max(1) as f64;
        let score = slot.min(level / 2.0);
        if score > best.0 {
            best = (score, c);
        }
        if c >= total {
            return best.1;
        }
        c = (c + step).min(total);
    }
}

/// Which trees of a forest are drawn.
struct Selection {
    /// Roots drawn, largest tree first.
    roots: Vec<u32>,
    /// Deepest generation drawn (`u32::MAX`: all).
    cut: u32,
    /// People drawn.
    people: u64,
}

/// The largest trees that fit in [`BUDGET`] people; if even the largest
/// does not, its generations up to the deepest that fits.
fn select(forest: &Forest, sizes: &[u64]) -> Selection {
    let mut roots = forest.roots();
    // Largest first; among equal sizes, the tree that started first.
    roots.sort_by_key(|&r| (std::cmp::Reverse(sizes[r as usize]), r));
    let mut chosen = Vec::new();
    let mut people = 0;
    for &r in &roots {
        if people + sizes[r as usize] > BUDGET {
            break;
        }
        people += sizes[r as usize];
        chosen.push(r);
    }
    if !chosen.is_empty() || roots.is_empty() {
        return Selection {
            roots: chosen,
            cut: u32::MAX,
            people,
        };
    }
    // The largest tree alone is over the budget: count its people by
    // generation and keep the generations that fit.
    let r = roots[0];
    let mut per_generation: Vec<u64> = Vec::new();
    for v in (r as usize)..forest.len() {
        if forest.root[v] == r {
            let g = forest.depth[v] as usize;
            if per_generation.len() <= g {
                per_generation.resize(g + 1, 0);
            }
            per_generation[g] += 1;
        }
    }
    let (mut cut, mut people) = (0u32, 0u64);
    for (g, &n) in per_generation.iter().enumerate() {
        if people + n > BUDGET && g > 0 {
            break;
        }
        people += n;
        cut = g as u32;
    }
    Selection {
        roots: vec![r],
        cut,
        people,
    }
}

/// Draws the referral trees of the first run of `r` on `root`.
pub fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Results) -> DrawResult<DB> {
    let run_id = r.run_ids.first().copied().unwrap_or(0);
    let title = format!("{}: who invited whom in run {run_id}", r.name);
    let joined = if r.runs() > 0 { r.total_joined(0) } else { 0 };
    let Some(forest) = r.forest(0) else {
        let area = titled(root, &title, "referrals.csv is not in the folder")?;
        return note(
            &area,
            "no referral trees: the scenario has output.referrals = false",
        );
    };
    let sizes = forest.subtree_sizes();
    let roots_with_invitees = forest.roots().len() as u64;
    let invited = forest.len() as u64 - roots_with_invitees;
    let trees = joined.saturating_sub(invited).max(roots_with_invitees);
    let people = joined.max(forest.len() as u64);
    let pick = select(&forest, &sizes);
    let mut subtitle = format!(
        "showing {} of {} trees ({} of {} people who joined)",
        tick(pick.roots.len() as f64),
        tick(trees as f64),
        tick(pick.people as f64),
        tick(people as f64),
    );
    if joined == 0 {
        subtitle = "nobody joined".to_string();
    } else if forest.is_empty() {
        subtitle = format!(
            "{} trees, each a single person who invited nobody",
            tick(trees as f64)
        );
    } else if pick.cut != u32::MAX {
        subtitle += &format!("; only generations 0 to {} of the largest tree", pick.cut);
        if roots_with_invitees > 1 {
            subtitle += &format!(
                ", {} smaller trees left out",
                tick((roots_with_invitees - 1) as f64)
            );
        }
    } else if (pick.roots.len() as u64) < roots_with_invitees {
        subtitle += &format!(
            "; the largest, up to {} people: {} smaller trees left out",
            tick(BUDGET as f64),
            tick((roots_with_invitees - pick.roots.len() as u64) as f64)
        );
    } else if trees > pick.roots.len() as u64 {
        subtitle += "; the other trees are single people who invited nobody";
    }
    let area = titled(root, &title, &subtitle)?;
    if joined == 0 {
        return note(&area, &format!("nobody joined in run {run_id}"));
    }
    if forest.is_empty() {
        return note(
            &area,
            &format!("no referrals in run {run_id}: nobody joined by invitation"),
        );
    }
    let children = forest.children();
    let layouts: Vec<TreeLayout> = pick
        .roots
        .iter()
        .map(|&t| layout(&forest, &children, t, pick.cut))
        .collect();
    let deepest = layouts.iter().map(|t| t.height).max().unwrap_or(1) - 1;
    let (legend_area, page) = area.split_vertically(40);
    draw_legend(&legend_area, deepest)?;
    let (w, h) = page.dim_in_pixel();
    let (margin_x, margin_y) = (30.0, 16.0);
    let (inner_w, inner_h) = (w as f64 - 2.0 * margin_x, h as f64 - 2.0 * margin_y);
    let capacity = best_capacity(&layouts, inner_w, inner_h);
    let rows = pack(&layouts, capacity);
    let slot = (inner_w / capacity as f64).min(40.0);
    let level = (inner_h / levels(&layouts, &rows).max(1) as f64).min(80.0);
    let radius = (slot.min(level) * 0.35).clamp(2.0, 8.0);
    let mut y0 = margin_y;
    let mut edges: Vec<PathElement<(i32, i32)>> = Vec::new();
    let mut dots: Vec<(i32, i32, u32)> = Vec::new();
    for row in &rows {
        let used: usize = row.iter().map(|&i| layouts[i].width + 1).sum::<usize>() - 1;
        let mut x0 = margin_x + (inner_w - used as f64 * slot) / 2.0;
        for &i in row {
            let t = &layouts[i];
            let pos: std::collections::HashMap<u32, (i32, i32)> = t
                .nodes
                .iter()
                .map(|&(v, x, g)| {
                    let px = x0 + (x + 0.5) * slot;
                    let py = y0 + (g as f64 + 0.5) * level;
                    (v, (px.round() as i32, py.round() as i32))
                })
                .collect();
            for &(v, _, g) in &t.nodes {
                if g > 0 {
                    let parent = forest.parent[v as usize];
                    edges.push(PathElement::new(
                        vec![pos[&parent], pos[&v]],
                        palette::GREY.mix(0.6).stroke_width(1),
                    ));
                }
                let (px, py) = pos[&v];
                dots.push((px, py, forest.depth[v as usize]));
            }
            x0 += (t.width + 1) as f64 * slot;
        }
        y0 += (row.iter().map(|&i| layouts[i].height).max().unwrap_or(0) + 1) as f64 * level;
    }
    for e in edges {
        page.draw(&e)?;
    }
    for (x, y, g) in dots {
        page.draw(&Circle::new(
            (x, y),
            radius as i32,
            palette::generation(g).filled(),
        ))?;
        page.draw(&Circle::new((x, y), radius as i32, WHITE.stroke_width(1)))?;
    }
    Ok(())
}

/// A row of coloured dots naming the generations 0 to `deepest`:
/// "generation: ● 0 (joined without invitation) ● 1 ● 2 …".
fn draw_legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, deepest: u32) -> DrawResult<DB> {
    let last = palette::GENERATIONS.len() - 1;
    let shown = (deepest as usize + 1).min(palette::GENERATIONS.len());
    let labels: Vec<String> = (0..shown)
        .map(|g| match g {
            0 => "0 (joined without invitation)".to_string(),
            g if g == last => format!("{g} and deeper"),
            g => g.to_string(),
        })
        .collect();
    let style = (FONT, LEGEND_PX)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(HPos::Left, VPos::Center));
    // Widths are measured with Noto Sans and padded by a fifth: an SVG
    // viewer without Noto Sans draws text up to that much wider.
    let width = |text: &str| {
        area.estimate_text_size(text, &style)
            .map_or(100, |(w, _)| (w as f64 * 1.2) as i32)
    };
    let (dot, gap) = (22, 24);
    let lead = "generation:";
    let total: i32 = width(lead) + labels.iter().map(|l| gap + dot + width(l)).sum::<i32>();
    let (w, h) = area.dim_in_pixel();
    let mut x = (w as i32 - total) / 2;
    let y = h as i32 / 2;
    area.draw(&Text::new(lead, (x, y), style.clone()))?;
    x += width(lead);
    for (g, label) in labels.iter().enumerate() {
        x += gap;
        area.draw(&Circle::new(
            (x + 8, y),
            8,
            palette::generation(g as u32).filled(),
        ))?;
        area.draw(&Text::new(label.clone(), (x + dot, y), style.clone()))?;
        x += dot + width(label);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forest(pairs: &[(u64, u64)]) -> Forest {
        Forest::from_pairs(pairs.iter().copied())
    }

    #[test]
    fn parents_sit_centred_over_their_children_and_leaves_are_evenly_spaced() {
        // 0 invites 1 and 2; 1 invites 3 and 4.
        let f = forest(&[(0, 1), (0, 2), (1, 3), (1, 4)]);
        let t = layout(&f, &f.children(), 0, u32::MAX);
        let x = |v: u32| t.nodes.iter().find(|n| n.0 == v).unwrap().1;
        assert_eq!(
            (x(3), x(4), x(2)),
            (0.0, 1.0, 2.0),
            "leaves in slots 0, 1, 2"
        );
        assert_eq!(x(1), 0.5);
        assert_eq!(x(0), (0.5 + 2.0) / 2.0);
        assert_eq!((t.width, t.height), (3, 3));
    }

    #[test]
    fn cut_drops_deeper_generations() {
        let f = forest(&[(0, 1), (1, 2), (2, 3)]);
        let t = layout(&f, &f.children(), 0, 1);
        assert_eq!(t.nodes.len(), 2);
        assert_eq!(t.height, 2);
    }

    #[test]
    fn deep_chain_lays_out_without_recursion() {
        let pairs: Vec<(u64, u64)> = (1..100_000).map(|v| (v - 1, v)).collect();
        let f = forest(&pairs);
        let t = layout(&f, &f.children(), 0, u32::MAX);
        assert_eq!((t.width, t.height as usize), (1, 100_000));
    }

    #[test]
    fn packing_fills_rows_up_to_capacity_with_gaps() {
        let tree = |width| TreeLayout {
            nodes: vec![],
            width,
            height: 2,
        };
        let trees = [tree(4), tree(3), tree(2), tree(9)];
        // 4 + 1 + 3 = 8 fits in 8; 2 starts a row; 9 is too wide and gets
        // a row alone.
        assert_eq!(pack(&trees, 8), vec![vec![0, 1], vec![2], vec![3]]);
        assert_eq!(levels(&trees, &pack(&trees, 8)), 2 * 3 + 2);
    }

    #[test]
    fn selection_keeps_the_largest_trees_within_the_budget() {
        // Two stars: 400 people and 240 people: only the first fits.
        let mut pairs: Vec<(u64, u64)> = (1..400).map(|v| (0, v)).collect();
        pairs.extend((1..240).map(|v| (10_000, 10_000 + v)));
        let f = forest(&pairs);
        let s = select(&f, &f.subtree_sizes());
        assert_eq!(s.roots.len(), 1);
        assert_eq!(s.people, 400);
        assert_eq!(s.cut, u32::MAX);
    }

    #[test]
    fn a_tree_over_the_budget_is_cut_by_generation() {
        // A root with 400 children, each with one child: 801 people.
        let mut pairs: Vec<(u64, u64)> = (1..=400).map(|v| (0, v)).collect();
        pairs.extend((1..=400).map(|v| (v, 5000 + v)));
        let f = forest(&pairs);
        let s = select(&f, &f.subtree_sizes());
        assert_eq!((s.cut, s.people), (1, 401));
    }
}
