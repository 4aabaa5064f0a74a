//! Charts of a results folder, as PNG and SVG.
//!
//! Every chart is drawn from the CSV files of a results folder ([`data`]),
//! never from the engine's memory: `commsim run` writes its CSVs and then
//! calls [`render_all`] on the staging folder, and `commsim plot` calls it on
//! a finished folder, so both draw the same charts from the same files.
//!
//! Text is drawn with ab_glyph from the Noto Sans font compiled into the
//! binary (the `notosans` crate), registered by [`register_fonts`]. plotters'
//! `ttf` feature, which reads the system's fonts, stays off: a fresh machine
//! without fonts must draw the same charts. Colours come from the Okabe–Ito
//! palette, which stays distinguishable with the common colour-vision
//! deficiencies.
//!
//! One file per chart: [`lifecycle`], [`churn`], [`referrals`], [`tree`],
//! [`economics`] and [`survival`]. Each exposes `draw`, generic over the
//! plotters backend, so the PNG and the SVG come from the same code. The
//! survival chart is drawn from members.csv ([`members`]) and only when the
//! folder has one.

pub mod churn;
pub mod data;
pub mod economics;
pub mod glyphs;
pub mod handout;
pub mod lifecycle;
pub mod marks;
pub mod members;
pub mod referrals;
pub mod reports;
pub mod survival;
pub mod tree;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::register_font;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::{Error, Result};
pub use data::Results;
use glyphs::CrispText;

/// Chart files written into a results folder (the survival chart only
/// when it has members.csv).
pub const CHART_FILES: [&str; 12] = [
    "lifecycle.png",
    "lifecycle.svg",
    "churn.png",
    "churn.svg",
    "referrals.png",
    "referrals.svg",
    "tree.png",
    "tree.svg",
    "economics.png",
    "economics.svg",
    "survival.png",
    "survival.svg",
];

/// Size of every chart but the tree, in pixels.
pub const SIZE: (u32, u32) = (1200, 700);
/// Size of the tree chart, in pixels.
pub const TREE_SIZE: (u32, u32) = (1200, 800);

/// The font family every chart uses. SVG files name it as written here, so
/// a viewer that has Noto Sans (most Linux desktops, Android, ChromeOS)
/// draws the text with the metrics the layout was computed with, and other
/// viewers fall back to their sans-serif font. For PNG files it is the name
/// under which the bundled font is registered.
pub const FONT: &str = "Noto Sans, sans-serif";

/// The Okabe–Ito palette (Okabe & Ito 2008), safe for colour-blind readers.
pub mod palette {
    use plotters::style::RGBColor;

    pub const BLACK: RGBColor = RGBColor(0x00, 0x00, 0x00);
    pub const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
    pub const SKY_BLUE: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
    pub const GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
    pub const YELLOW: RGBColor = RGBColor(0xF0, 0xE4, 0x42);
    pub const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
    pub const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
    pub const PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
    /// A neutral grey for text and grid lines (not a data colour).
    pub const GREY: RGBColor = RGBColor(0x59, 0x59, 0x59);

    /// Data colours in the order series take them. Yellow comes last: it is
    /// the hardest to see on white.
    pub const SERIES: [RGBColor; 8] = [
        BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY_BLUE, BLACK, YELLOW,
    ];

    /// Colours of referral generations 0, 1, 2, …; the last one stands for
    /// every deeper generation. Generation 0 (joined without an invitation)
    /// is grey, so that invitation chains stand out in colour.
    pub const GENERATIONS: [RGBColor; 7] = [
        RGBColor(0x8C, 0x8C, 0x8C),
        BLUE,
        ORANGE,
        GREEN,
        VERMILLION,
        PURPLE,
        SKY_BLUE,
    ];

    /// The colour of generation `g`.
    pub fn generation(g: u32) -> RGBColor {
        GENERATIONS[(g as usize).min(GENERATIONS.len() - 1)]
    }
}

/// What drawing one chart returns.
pub type DrawResult<DB> =
    std::result::Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// Registers the bundled Noto Sans font under [`FONT`] and the generic
/// family names. Called by [`render_all`]; harmless to call again.
pub fn register_fonts() -> Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        // plotters' own defaults use the generic names; register those too.
        [FONT, "sans-serif", "serif", "monospace"]
            .iter()
            .all(|family| {
                register_font(family, FontStyle::Normal, notosans::REGULAR_TTF).is_ok()
                    && register_font(family, FontStyle::Bold, notosans::BOLD_TTF).is_ok()
            })
    });
    if ok {
        Ok(())
    } else {
        Err(Error::io(
            "bundled font",
            std::io::Error::other("the bundled Noto Sans font could not be read"),
        ))
    }
}

/// Draws every chart of the results folder `dir` into it and returns the
/// paths written. Each file is written under a temporary name and renamed,
/// so a failure leaves the previous charts in place. The survival chart is
/// drawn only when the folder has members.csv; without it, survival charts
/// left from an earlier drawing are removed, since no file backs them.
pub fn render_all(dir: &Path) -> Result<Vec<PathBuf>> {
    register_fonts()?;
    let r = data::load(dir)?;
    let mut written = Vec::with_capacity(CHART_FILES.len());
    written.push(png(dir, "lifecycle", |a| lifecycle::draw(a, &r))?);
    written.push(svg(dir, "lifecycle", SIZE, |a| lifecycle::draw(a, &r))?);
    written.push(png(dir, "churn", |a| churn::draw(a, &r))?);
    written.push(svg(dir, "churn", SIZE, |a| churn::draw(a, &r))?);
    written.push(png(dir, "referrals", |a| referrals::draw(a, &r))?);
    written.push(svg(dir, "referrals", SIZE, |a| referrals::draw(a, &r))?);
    written.push(png_sized(dir, "tree", TREE_SIZE, |a| tree::draw(a, &r))?);
    written.push(svg(dir, "tree", TREE_SIZE, |a| tree::draw(a, &r))?);
    written.push(png(dir, "economics", |a| economics::draw(a, &r))?);
    written.push(svg(dir, "economics", SIZE, |a| economics::draw(a, &r))?);
    if let Some(m) = members::load(dir, &r)? {
        written.push(png(dir, "survival", |a| survival::draw(a, &r, &m))?);
        written.push(svg(dir, "survival", SIZE, |a| survival::draw(a, &r, &m))?);
    } else {
        for name in ["survival.png", "survival.svg"] {
            let path = dir.join(name);
            if path.is_file() {
                std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
            }
        }
    }
    Ok(written)
}

fn draw_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::io(
        path,
        std::io::Error::other(format!("cannot draw the chart: {e}")),
    )
}

/// Draws `stem`.png of [`SIZE`] into `dir`.
pub(crate) fn png(
    dir: &Path,
    stem: &str,
    draw: impl for<'b> FnOnce(
        &DrawingArea<CrispText<BitMapBackend<'b>>, Shift>,
    ) -> DrawResult<CrispText<BitMapBackend<'b>>>,
) -> Result<PathBuf> {
    png_sized(dir, stem, SIZE, draw)
}

/// Draws `stem`.png of `size` into `dir`.
pub(crate) fn png_sized(
    dir: &Path,
    stem: &str,
    size: (u32, u32),
    draw: impl for<'b> FnOnce(
        &DrawingArea<CrispText<BitMapBackend<'b>>, Shift>,
    ) -> DrawResult<CrispText<BitMapBackend<'b>>>,
) -> Result<PathBuf> {
    let path = dir.join(format!("{stem}.png"));
    let tmp = dir.join(format!(".{stem}.partial.png"));
    let (w, h) = size;
    let mut rgb = vec![0u8; w as usize * h as usize * 3];
    let drawn = (|| {
        {
            let area = CrispText(BitMapBackend::with_buffer(&mut rgb, size)).into_drawing_area();
            draw(&area).map_err(|e| draw_error(&path, e))?;
            area.present().map_err(|e| draw_error(&path, e))?;
        }
        let file = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        encode_png(std::io::BufWriter::new(file), w, h, &rgb).map_err(|e| Error::io(&tmp, e))
    })();
    finish(drawn, &tmp, &path)
}

/// Writes an 8-bit RGB image as PNG. Adaptive filters (a filter chosen per
/// row) make these mostly flat-coloured charts about a third smaller than
/// plotters' own encoder does, small enough to commit; `Best` compression
/// was measured slower and no smaller.
fn encode_png(out: impl std::io::Write, w: u32, h: u32, rgb: &[u8]) -> std::io::Result<()> {
    let mut encoder = ::png::Encoder::new(out, w, h);
    encoder.set_color(::png::ColorType::Rgb);
    encoder.set_depth(::png::BitDepth::Eight);
    encoder.set_compression(::png::Compression::Default);
    encoder.set_adaptive_filter(::png::AdaptiveFilterType::Adaptive);
    let mut writer = encoder.write_header().map_err(std::io::Error::other)?;
    writer
        .write_image_data(rgb)
        .map_err(std::io::Error::other)?;
    writer.finish().map_err(std::io::Error::other)
}

/// Draws `stem`.svg of `size` into `dir`.
pub(crate) fn svg(
    dir: &Path,
    stem: &str,
    size: (u32, u32),
    draw: impl for<'b> FnOnce(&DrawingArea<SVGBackend<'b>, Shift>) -> DrawResult<SVGBackend<'b>>,
) -> Result<PathBuf> {
    let path = dir.join(format!("{stem}.svg"));
    let tmp = dir.join(format!(".{stem}.partial.svg"));
    let mut text = String::new();
    let drawn = (|| {
        {
            let area = SVGBackend::with_string(&mut text, size).into_drawing_area();
            draw(&area).map_err(|e| draw_error(&path, e))?;
            area.present().map_err(|e| draw_error(&path, e))?;
        }
        std::fs::write(&tmp, text.as_bytes()).map_err(|e| Error::io(&tmp, e))
    })();
    finish(drawn, &tmp, &path)
}

/// Moves a drawn temporary file into place, or removes it on failure.
fn finish(drawn: Result<()>, tmp: &Path, path: &Path) -> Result<PathBuf> {
    if let Err(e) = drawn.and_then(|()| std::fs::rename(tmp, path).map_err(|e| Error::io(path, e)))
    {
        let _ = std::fs::remove_file(tmp);
        return Err(e);
    }
    Ok(path.to_path_buf())
}

// ---------------------------------------------------------------------------
// Shared pieces of every chart
// ---------------------------------------------------------------------------

/// Font sizes in pixels (plotters' unit; SVG font sizes are these ÷ 1.24).
pub const TITLE_PX: f64 = 32.0;
pub const SUBTITLE_PX: f64 = 20.0;
pub const AXIS_PX: f64 = 21.0;
pub const TICK_PX: f64 = 18.0;
pub const LEGEND_PX: f64 = 18.0;
pub const NOTE_PX: f64 = 26.0;

/// Height of the title block drawn by [`titled`].
const HEADER_PX: u32 = 84;

/// Draws the title and a grey subtitle at the top of `area`, on a white
/// background, and returns the area below them.
pub fn titled<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
) -> std::result::Result<DrawingArea<DB, Shift>, DrawingAreaErrorKind<DB::ErrorType>> {
    area.fill(&WHITE)?;
    let (w, _) = area.dim_in_pixel();
    let centre = Pos::new(HPos::Center, VPos::Top);
    area.draw(&Text::new(
        title.to_string(),
        (w as i32 / 2, 10),
        (FONT, TITLE_PX, FontStyle::Bold)
            .into_font()
            .color(&BLACK)
            .pos(centre),
    ))?;
    area.draw(&Text::new(
        subtitle.to_string(),
        (w as i32 / 2, 52),
        (FONT, SUBTITLE_PX)
            .into_font()
            .color(&palette::GREY)
            .pos(centre),
    ))?;
    Ok(area.split_vertically(HEADER_PX).1)
}

/// A sub-chart's heading, drawn at the top of `area`; returns the rest.
pub fn heading<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
) -> std::result::Result<DrawingArea<DB, Shift>, DrawingAreaErrorKind<DB::ErrorType>> {
    let (w, _) = area.dim_in_pixel();
    area.draw(&Text::new(
        text.to_string(),
        (w as i32 / 2, 4),
        (FONT, AXIS_PX, FontStyle::Bold)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Top)),
    ))?;
    Ok(area.split_vertically(32).1)
}

/// Writes `text` in the middle of `area`: the note a chart shows instead of
/// data it does not have ("nobody joined in any run").
pub fn note<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, text: &str) -> DrawResult<DB> {
    let (w, h) = area.dim_in_pixel();
    area.draw(&Text::new(
        text.to_string(),
        (w as i32 / 2, h as i32 / 2),
        (FONT, NOTE_PX)
            .into_font()
            .color(&palette::GREY)
            .pos(Pos::new(HPos::Center, VPos::Center)),
    ))
}

/// Upper end of a count axis: a little above the largest value, and at
/// least 5, so that an all-zero series still gets a valid axis with whole
/// numbers as ticks.
pub fn count_axis(max: f64) -> f64 {
    if max.is_finite() && max > 0.0 {
        (max * 1.08).max(5.0)
    } else {
        5.0
    }
}

/// How many ticks a count axis from 0 to `top` (from [`count_axis`]) may
/// have so that plotters never picks a step below 1: a count axis with
/// "4.5 people" on it would confuse.
pub fn count_labels(top: f64) -> usize {
    (top.floor() as usize + 1).clamp(2, 11)
}

/// Upper end of a real-valued axis: a little above the largest value, or 1
/// when there is nothing positive to show (plotters needs a non-empty range).
pub fn real_axis(max: f64) -> f64 {
    if max.is_finite() && max > 0.0 {
        max * 1.08
    } else {
        1.0
    }
}

/// Formats a tick value: whole numbers with thousands separators, others
/// with up to three significant decimals and no trailing zeros.
pub fn tick(x: f64) -> String {
    if !x.is_finite() {
        return String::new();
    }
    let rounded = x.round();
    if (x - rounded).abs() < 1e-9 * x.abs().max(1.0) {
        let digits = format!("{}", rounded.abs() as u64);
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        return if rounded < 0.0 {
            format!("−{out}")
        } else {
            out
        };
    }
    let text = format!("{x:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.replacen('-', "−", 1)
}

/// "1 run" or "12 runs".
pub fn runs_text(runs: usize) -> String {
    format!(
        "{} run{}",
        tick(runs as f64),
        if runs == 1 { "" } else { "s" }
    )
}

/// A legend mark for a line series.
pub fn line_mark(colour: RGBColor) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], colour.stroke_width(3))
}

/// A legend mark for a bar or area series.
pub fn box_mark(colour: RGBColor) -> impl Fn((i32, i32)) -> Rectangle<(i32, i32)> {
    move |(x, y)| Rectangle::new([(x, y - 7), (x + 18, y + 7)], colour.filled())
}

/// Draws the legend of `chart` in `position` on a white box.
pub fn legend<'a, DB: DrawingBackend + 'a, CT: plotters::coord::CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> DrawResult<DB> {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.9))
        .border_style(palette::GREY.mix(0.5))
        .label_font((FONT, LEGEND_PX))
        .margin(14)
        .draw()
}

/// Adds legend entries for stacked bars, topmost layer first, so that the
/// legend reads in the same order as the stack. The bars themselves are
/// drawn without labels; these entries draw nothing.
pub fn stack_legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<
        'a,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    layers: &[(String, RGBColor)],
) -> DrawResult<DB> {
    for (label, colour) in layers.iter().rev() {
        chart
            .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())?
            .label(label.clone())
            .legend(box_mark(*colour));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_font_registers() {
        register_fonts().expect("Noto Sans is a valid font");
        register_fonts().expect("registering twice is harmless");
    }

    #[test]
    fn ticks_are_whole_numbers_with_separators_or_short_decimals() {
        assert_eq!(tick(0.0), "0");
        assert_eq!(tick(5.0), "5");
        assert_eq!(tick(12_500.0), "12,500");
        assert_eq!(tick(1_000_000.0), "1,000,000");
        assert_eq!(tick(0.25), "0.25");
        assert_eq!(tick(0.1 + 0.2), "0.3");
        assert_eq!(tick(-2.0), "−2");
        assert_eq!(tick(-0.5), "−0.5");
    }

    #[test]
    fn axes_are_never_empty() {
        assert_eq!(count_axis(0.0), 5.0);
        assert_eq!(count_axis(f64::NAN), 5.0);
        assert!(count_axis(100.0) > 100.0);
        assert_eq!(count_labels(count_axis(0.0)), 6, "0 to 5 in steps of 1");
        assert_eq!(count_labels(1000.0), 11);
        assert_eq!(real_axis(0.0), 1.0);
        assert_eq!(real_axis(f64::NEG_INFINITY), 1.0);
    }
}
