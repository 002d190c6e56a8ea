//! Chart data in, SVG text out: stacked bars (cost by category), horizontal bars (most expensive servers, levers),
//! a cumulative line chart (on-prem against AWS, break-even marked), paired horizontal bars (a histogram before and
//! after) and a step chart of counts over time (cloud nodes). Each chart is one inline `<svg>` with a
//! `data-chart` name, sized by its `viewBox` so it scales to any width.
//!
//! Pure and deterministic. Every text is escaped. Every value label carries the JSON pointer of its value in
//! plan.json (a [`Cell`]); scale labels (axis ticks) are marked `data-const`. `f64` is used for coordinates only.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::report::Cell;

/// Width of a chart's coordinate system for wide screens and print; the page scales it.
pub const WIDE: f64 = 720.0;
/// Width of the same chart laid out for phones (shown instead of the wide one on narrow screens).
pub const NARROW: f64 = 400.0;

/// Which layout a chart is drawn for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Wide,
    Narrow,
}

impl Layout {
    pub fn width(self) -> f64 {
        match self {
            Layout::Wide => WIDE,
            Layout::Narrow => NARROW,
        }
    }
    fn name(self) -> &'static str {
        match self {
            Layout::Wide => "wide",
            Layout::Narrow => "narrow",
        }
    }
}

/// Escape text for HTML and SVG (text and attribute values).
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The data attributes of a value label.
pub fn cell_attrs(c: &Cell) -> String {
    format!(r#"data-p="{}" data-v="{}" data-f="{}""#, esc(&c.p), esc(&c.v), c.f)
}

fn value_text(x: f64, y: f64, anchor: &str, class: &str, c: &Cell) -> String {
    format!(
        r#"<text x="{x:.1}" y="{y:.1}" text-anchor="{anchor}" class="{class}" {}>{}</text>"#,
        cell_attrs(c),
        esc(&c.t)
    )
}

fn tspan(c: &Cell) -> String {
    format!(r#"<tspan {}>{}</tspan>"#, cell_attrs(c), esc(&c.t))
}

fn f(v: Decimal) -> f64 {
    v.to_f64().unwrap_or(0.0)
}

/// Fixed colours for the known categories, in order; anything else takes the next of the palette by position.
const CATEGORY_ORDER: [&str; 10] =
    ["compute", "storage", "network", "hardware", "support", "power", "space", "licences", "backup", "labour"];
const PALETTE: [&str; 12] = [
    "#1f6fb2", "#5aa9e6", "#7fc8a9", "#8a5a44", "#c08552", "#e0a458", "#b5b682", "#9c6ade", "#d96c75", "#6c757d",
    "#2a9d8f", "#e76f51",
];

fn colour(name: &str, position: usize) -> &'static str {
    let i = CATEGORY_ORDER.iter().position(|c| *c == name).unwrap_or(CATEGORY_ORDER.len() + position);
    PALETTE[i % PALETTE.len()]
}

fn open(id: &str, title: &str, layout: Layout, height: f64) -> String {
    format!(
        r#"<svg data-chart="{}" data-layout="{}" viewBox="0 0 {:.0} {height:.0}" role="img" aria-label="{}" class="chart {}"><title>{}</title>"#,
        esc(id),
        layout.name(),
        layout.width(),
        esc(title),
        layout.name(),
        esc(title)
    )
}

/// One part of a stacked bar.
#[derive(Debug, Clone)]
pub struct Segment {
    pub name: String,
    pub value: Decimal,
    pub cell: Cell,
}

/// One stacked bar: a label, its total and its parts.
#[derive(Debug, Clone)]
pub struct StackBar {
    pub label: String,
    pub total: Cell,
    pub total_value: Decimal,
    pub segments: Vec<Segment>,
}

/// Stacked horizontal bars on one scale, each with a legend of its non-zero parts.
pub fn stacked_bars(id: &str, title: &str, layout: Layout, bars: &[StackBar]) -> String {
    let width = layout.width();
    let cols = if layout == Layout::Wide { 2 } else { 1 };
    let pad = 10.0;
    let bar_w = width - 2.0 * pad;
    let max = bars.iter().map(|b| f(b.total_value)).fold(0.0_f64, f64::max);
    let mut body = String::new();
    let mut y = 8.0;
    for bar in bars {
        body.push_str(&format!(
            r#"<text x="{pad:.1}" y="{:.1}" class="lbl">{} {}</text>"#,
            y + 14.0,
            esc(&bar.label),
            tspan(&bar.total)
        ));
        y += 22.0;
        let mut x = pad;
        let parts: Vec<&Segment> = bar.segments.iter().filter(|s| s.value > Decimal::ZERO).collect();
        for (i, s) in parts.iter().enumerate() {
            let w = if max > 0.0 { f(s.value) / max * bar_w } else { 0.0 };
            body.push_str(&format!(
                r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="26" fill="{}"><title>{}</title></rect>"#,
                colour(&s.name, i),
                esc(&s.name)
            ));
            x += w;
        }
        y += 34.0;
        for (i, s) in parts.iter().enumerate() {
            let col = (i % cols) as f64;
            let lx = pad + col * (width / 2.0);
            let ly = y + (i / cols) as f64 * 20.0;
            body.push_str(&format!(
                r#"<rect x="{lx:.1}" y="{:.1}" width="12" height="12" fill="{}"/><text x="{:.1}" y="{:.1}" class="leg">{} {}</text>"#,
                ly,
                colour(&s.name, i),
                lx + 18.0,
                ly + 11.0,
                esc(&s.name),
                tspan(&s.cell)
            ));
        }
        y += parts.len().div_ceil(cols) as f64 * 20.0 + 14.0;
    }
    format!("{}{body}</svg>", open(id, title, layout, y))
}

/// One horizontal bar: its label, value and style (`saving`, `cost` or `plain`).
#[derive(Debug, Clone)]
pub struct HBar {
    pub label: Cell,
    pub value: Decimal,
    pub cell: Cell,
    pub class: &'static str,
}

/// Horizontal bars from a common zero, the longest at full width; a negative value draws its length in the `neg`
/// style. Wide: the label left of its bar; narrow: the label above it.
pub fn hbars(id: &str, title: &str, layout: Layout, rows: &[HBar]) -> String {
    let width = layout.width();
    let (label_w, value_w, pad) = match layout {
        Layout::Wide => (200.0, 110.0, 10.0),
        Layout::Narrow => (0.0, 100.0, 0.0),
    };
    let bar_w = width - label_w - value_w - 2.0 * pad;
    let max = rows.iter().map(|r| f(r.value).abs()).fold(0.0_f64, f64::max);
    let row_h = if layout == Layout::Wide { 30.0 } else { 46.0 };
    let mut body = String::new();
    for (i, r) in rows.iter().enumerate() {
        let mut y = 8.0 + i as f64 * row_h;
        let w = if max > 0.0 { f(r.value).abs() / max * bar_w } else { 0.0 };
        let class = if r.value < Decimal::ZERO { "neg" } else { r.class };
        if layout == Layout::Wide {
            body.push_str(&value_text(label_w, y + 16.0, "end", "lbl", &r.label));
        } else {
            body.push_str(&value_text(2.0, y + 12.0, "start", "lbl", &r.label));
            y += 18.0;
        }
        body.push_str(&format!(
            r#"<rect x="{:.1}" y="{:.1}" width="{w:.1}" height="20" class="bar {class}"/>"#,
            label_w + pad,
            y + 2.0
        ));
        body.push_str(&value_text(label_w + 2.0 * pad + w + 6.0, y + 16.0, "start", "val", &r.cell));
    }
    let height = 16.0 + rows.len() as f64 * row_h;
    format!("{}{body}</svg>", open(id, title, layout, height))
}

/// One month of both cumulative series.
#[derive(Debug, Clone, Copy)]
pub struct CumPoint {
    pub month: u32,
    pub onprem: Decimal,
    pub cloud: Decimal,
}

/// The cumulative chart's labels.
#[derive(Debug, Clone)]
pub struct CumLabels {
    pub onprem_end: Cell,
    pub cloud_end: Cell,
    /// The break-even month, when there is one.
    pub break_even: Option<(u32, Cell)>,
}

/// A round step near `raw` dollars: 1, 2, 2.5 or 5 times a power of ten (exact, as money is).
fn nice_step(raw: Decimal) -> Decimal {
    if raw <= Decimal::ZERO {
        return Decimal::ONE;
    }
    let ten = Decimal::TEN;
    let mut mag = Decimal::ONE;
    while mag * ten <= raw {
        mag *= ten;
    }
    while mag > raw && mag.scale() < 20 {
        mag /= ten;
    }
    for m in [Decimal::ONE, Decimal::TWO, Decimal::new(25, 1), Decimal::new(5, 0), ten] {
        if raw <= m * mag {
            return (m * mag).normalize();
        }
    }
    (ten * mag).normalize()
}

/// A tick label: `$0`, `$500`, `$20k`, `$1.5M`.
pub fn short_usd(v: Decimal) -> String {
    let trim = |x: Decimal| x.round_dp(1).normalize().to_string();
    let (k, m) = (Decimal::from(1000), Decimal::from(1_000_000));
    if v >= m {
        format!("${}M", trim(v / m))
    } else if v >= k {
        format!("${}k", trim(v / k))
    } else {
        format!("${}", trim(v))
    }
}

/// Cumulative on-prem and AWS cost from month 0 (nothing spent) to the last point, years on the x axis, the
/// break-even month marked.
pub fn cumulative(id: &str, title: &str, layout: Layout, points: &[CumPoint], labels: &CumLabels) -> String {
    let (left, right, top, bottom, height) = match layout {
        Layout::Wide => (78.0, 30.0, 56.0, 40.0, 380.0),
        Layout::Narrow => (58.0, 26.0, 56.0, 40.0, 330.0),
    };
    let plot_w = layout.width() - left - right;
    let plot_h = height - top - bottom;
    let months = points.last().map_or(12, |p| p.month).max(1);
    let max = points.iter().map(|p| p.onprem.max(p.cloud)).fold(Decimal::ZERO, Decimal::max);
    let step = nice_step(max / Decimal::from(5));
    let y_max = ((max / step).ceil().max(Decimal::ONE) * step).normalize();
    let y_max_f = f(y_max);
    let x = |m: u32| left + f64::from(m) / f64::from(months) * plot_w;
    let y = |v: f64| top + plot_h - v / y_max_f * plot_h;
    let mut body = String::new();
    let mut tick = Decimal::ZERO;
    while tick <= y_max {
        body.push_str(&format!(
            r#"<line x1="{left:.1}" x2="{:.1}" y1="{yy:.1}" y2="{yy:.1}" class="grid"/><text x="{:.1}" y="{:.1}" text-anchor="end" class="tick" data-const="tick">{}</text>"#,
            left + plot_w,
            left - 6.0,
            y(f(tick)) + 4.0,
            esc(&short_usd(tick)),
            yy = y(f(tick))
        ));
        tick += step;
    }
    for year in 1..=months / 12 {
        let xx = x(year * 12);
        body.push_str(&format!(
            r#"<line x1="{xx:.1}" x2="{xx:.1}" y1="{top:.1}" y2="{:.1}" class="grid"/><text x="{xx:.1}" y="{:.1}" text-anchor="middle" class="tick">year <tspan data-const="tick">{year}</tspan></text>"#,
            top + plot_h,
            top + plot_h + 18.0
        ));
    }
    let line = |pick: fn(&CumPoint) -> Decimal| {
        let mut pts = format!("{:.1},{:.1}", x(0), y(0.0));
        for p in points {
            pts.push_str(&format!(" {:.1},{:.1}", x(p.month), y(f(pick(p)))));
        }
        pts
    };
    body.push_str(&format!(r#"<polyline points="{}" class="line onprem"/>"#, line(|p| p.onprem)));
    body.push_str(&format!(r#"<polyline points="{}" class="line cloud"/>"#, line(|p| p.cloud)));
    if let Some((m, cell)) = &labels.break_even {
        let xx = x(*m);
        body.push_str(&format!(
            r#"<line x1="{xx:.1}" x2="{xx:.1}" y1="{top:.1}" y2="{:.1}" class="be" data-break-even="1"/><text x="{:.1}" y="{:.1}" text-anchor="{}" class="be-lbl">break-even: month {}</text>"#,
            top + plot_h,
            if *m > months / 2 { xx - 6.0 } else { xx + 6.0 },
            // Late break-even: the lines are high at the right, the bottom right is free; early: the top left is.
            if *m > months / 2 { top + plot_h - 10.0 } else { top + 14.0 },
            if *m > months / 2 { "end" } else { "start" },
            tspan(cell)
        ));
    }
    body.push_str(&format!(
        r#"<rect x="{left:.1}" y="8" width="12" height="12" class="sw onprem"/><text x="{:.1}" y="19" class="leg">on-prem {}</text>"#,
        left + 18.0,
        tspan(&labels.onprem_end)
    ));
    body.push_str(&format!(
        r#"<rect x="{left:.1}" y="28" width="12" height="12" class="sw cloud"/><text x="{:.1}" y="39" class="leg">AWS {}</text>"#,
        left + 18.0,
        tspan(&labels.cloud_end)
    ));
    format!("{}{body}</svg>", open(id, title, layout, height))
}

/// One row of paired bars: its label and the two values, drawn in the first and the second series' style.
#[derive(Debug, Clone)]
pub struct PairRow {
    pub label: Cell,
    pub values: [(Decimal, Cell); 2],
}

/// Legend swatches with names, in a row from `x`; each entry is a class (`sw CLASS`) or an inline colour.
fn legend(x: f64, y: f64, layout: Layout, entries: &[(Swatch<'_>, String)]) -> (String, f64) {
    let cols = if layout == Layout::Wide { 3 } else { 1 };
    let col_w = (layout.width() - x) / cols as f64;
    let mut body = String::new();
    for (i, (sw, text)) in entries.iter().enumerate() {
        let lx = x + (i % cols) as f64 * col_w;
        let ly = y + (i / cols) as f64 * 20.0;
        let paint = match sw {
            Swatch::Class(c) => format!(r#"class="sw {c}""#),
            Swatch::Colour(c) => format!(r#"fill="{c}""#),
        };
        body.push_str(&format!(
            r#"<rect x="{lx:.1}" y="{ly:.1}" width="12" height="12" {paint}/><text x="{:.1}" y="{:.1}" class="leg">{text}</text>"#,
            lx + 18.0,
            ly + 11.0
        ));
    }
    (body, entries.len().div_ceil(cols) as f64 * 20.0)
}

/// How a legend swatch is painted.
#[derive(Debug, Clone, Copy)]
enum Swatch<'a> {
    Class(&'a str),
    Colour(&'a str),
}

/// Paired horizontal bars on one scale from a common zero, a row per label (a histogram's buckets): the first value
/// in the `classes[0]` style above the second in `classes[1]`, each with its value; a legend names the two series.
pub fn paired_hbars(
    id: &str,
    title: &str,
    layout: Layout,
    names: [&str; 2],
    classes: [&str; 2],
    rows: &[PairRow],
) -> String {
    let width = layout.width();
    let (label_w, value_w, pad) = match layout {
        Layout::Wide => (120.0, 90.0, 10.0),
        Layout::Narrow => (76.0, 70.0, 6.0),
    };
    let bar_w = width - label_w - value_w - 2.0 * pad;
    let max = rows.iter().flat_map(|r| r.values.iter().map(|(v, _)| f(*v).abs())).fold(0.0_f64, f64::max);
    let entries: Vec<(Swatch<'_>, String)> =
        names.iter().zip(classes).map(|(n, c)| (Swatch::Class(c), esc(n))).collect();
    let (mut body, legend_h) = legend(pad, 8.0, layout, &entries);
    let top = 16.0 + legend_h;
    let row_h = 42.0;
    for (i, r) in rows.iter().enumerate() {
        let y = top + i as f64 * row_h;
        body.push_str(&value_text(label_w, y + 20.0, "end", "lbl", &r.label));
        for (k, (v, cell)) in r.values.iter().enumerate() {
            let by = y + 2.0 + k as f64 * 17.0;
            let w = if max > 0.0 { f(*v).abs() / max * bar_w } else { 0.0 };
            body.push_str(&format!(
                r#"<rect x="{:.1}" y="{by:.1}" width="{w:.1}" height="15" class="bar {}"/>"#,
                label_w + pad,
                classes[k]
            ));
            body.push_str(&value_text(label_w + 2.0 * pad + w + 4.0, by + 12.0, "start", "val", cell));
        }
    }
    let height = top + rows.len() as f64 * row_h + 6.0;
    format!("{}{body}</svg>", open(id, title, layout, height))
}

/// One series of a step chart: a count per bucket and its legend: its name (as a value cell when it comes from the
/// data, else plain text) and its peak.
#[derive(Debug, Clone)]
pub struct StepSeries {
    pub name: String,
    pub name_cell: Option<Cell>,
    pub values: Vec<u64>,
    /// The value shown after the name in the legend (its peak).
    pub peak: Cell,
}

/// A round step for a count axis near `raw`: 1, 2 or 5 times a power of ten, at least 1.
fn count_step(raw: u64) -> u64 {
    let mut mag = 1;
    loop {
        for m in [1, 2, 5] {
            if raw <= m * mag {
                return m * mag;
            }
        }
        mag = mag.saturating_mul(10);
    }
}

/// Counts over time as steps, one bucket per step from the left edge: `total` as a filled area, each of `parts`
/// (when there is more than one) as a line in its own colour; the count axis from 0 and the buckets' `x_ticks`
/// (bucket index, label) below.
pub fn step_chart(
    id: &str,
    title: &str,
    layout: Layout,
    total: &StepSeries,
    parts: &[StepSeries],
    x_ticks: &[(usize, String)],
) -> String {
    let legend_text = |s: &StepSeries| {
        let name = s.name_cell.as_ref().map_or_else(|| esc(&s.name), tspan);
        format!("{name} {}", tspan(&s.peak))
    };
    let mut entries = vec![(Swatch::Class("cloud"), legend_text(total))];
    let parts = if parts.len() > 1 { parts } else { &[] };
    for (i, p) in parts.iter().enumerate() {
        entries.push((Swatch::Colour(PALETTE[(i + 2) % PALETTE.len()]), legend_text(p)));
    }
    let (left, right, bottom) = match layout {
        Layout::Wide => (52.0, 24.0, 40.0),
        Layout::Narrow => (40.0, 16.0, 40.0),
    };
    let (mut body, legend_h) = legend(left, 8.0, layout, &entries);
    let top = 24.0 + legend_h;
    let plot_h = 220.0;
    let height = top + plot_h + bottom;
    let plot_w = layout.width() - left - right;
    let n = total.values.len().max(1);
    let peak = total.values.iter().chain(parts.iter().flat_map(|p| p.values.iter())).copied().max().unwrap_or(0);
    let step = count_step(peak.div_ceil(4).max(1));
    let y_max = (peak.div_ceil(step).max(1) * step) as f64;
    let x = |i: usize| left + i as f64 / n as f64 * plot_w;
    let y = |v: u64| top + plot_h - v as f64 / y_max * plot_h;
    let mut tick = 0;
    while tick as f64 <= y_max {
        let yy = y(tick);
        body.push_str(&format!(
            r#"<line x1="{left:.1}" x2="{:.1}" y1="{yy:.1}" y2="{yy:.1}" class="grid"/><text x="{:.1}" y="{:.1}" text-anchor="end" class="tick" data-const="tick">{tick}</text>"#,
            left + plot_w,
            left - 6.0,
            yy + 4.0
        ));
        tick += step;
    }
    for (i, label) in x_ticks {
        let xx = x(*i);
        let anchor = if *i == 0 {
            "start"
        } else if *i >= n {
            "end"
        } else {
            "middle"
        };
        body.push_str(&format!(
            r#"<line x1="{xx:.1}" x2="{xx:.1}" y1="{top:.1}" y2="{:.1}" class="grid"/><text x="{xx:.1}" y="{:.1}" text-anchor="{anchor}" class="tick" data-const="tick">{}</text>"#,
            top + plot_h,
            top + plot_h + 18.0,
            esc(label)
        ));
    }
    let steps = |values: &[u64]| {
        let mut pts = format!("{:.1},{:.1}", x(0), y(0));
        for (i, &v) in values.iter().enumerate() {
            pts.push_str(&format!(" {:.1},{:.1} {:.1},{:.1}", x(i), y(v), x(i + 1), y(v)));
        }
        pts.push_str(&format!(" {:.1},{:.1}", x(values.len()), y(0)));
        pts
    };
    let area = steps(&total.values);
    body.push_str(&format!(
        r#"<polygon points="{area}" class="area cloud"/><polyline points="{area}" class="line cloud"/>"#
    ));
    for (i, p) in parts.iter().enumerate() {
        body.push_str(&format!(
            r#"<polyline points="{}" class="line part" stroke="{}"><title>{}</title></polyline>"#,
            steps(&p.values),
            PALETTE[(i + 2) % PALETTE.len()],
            esc(&p.name)
        ));
    }
    format!("{}{body}</svg>", open(id, title, layout, height))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(t: &str) -> Cell {
        Cell { p: "/x".into(), v: t.into(), f: "text", t: t.into() }
    }

    #[test]
    fn text_is_escaped_and_charts_are_named() {
        let rows = [HBar { label: cell("<b>&\"x\""), value: Decimal::from(5), cell: cell("$5.00"), class: "plain" }];
        let svg = hbars("top", "Top <servers>", Layout::Wide, &rows);
        assert!(svg.starts_with(r#"<svg data-chart="top" data-layout="wide""#), "{svg}");
        assert!(svg.contains("&lt;b&gt;&amp;&quot;x&quot;"), "{svg}");
        assert!(!svg.contains("<b>"), "{svg}");
        assert!(svg.contains("<title>Top &lt;servers&gt;</title>"), "{svg}");
    }

    #[test]
    fn steps_and_ticks_are_round() {
        let d = |s: &str| s.parse::<Decimal>().expect("decimal");
        assert_eq!(nice_step(d("17")), d("20"));
        assert_eq!(nice_step(d("2300")), d("2500"));
        assert_eq!(nice_step(d("0")), d("1"));
        assert_eq!(short_usd(d("0")), "$0");
        assert_eq!(short_usd(d("25000")), "$25k");
        assert_eq!(short_usd(d("1500000")), "$1.5M");
        assert_eq!(short_usd(d("750")), "$750");
    }

    #[test]
    fn count_steps_are_round() {
        assert_eq!([0, 1, 3, 7, 11, 40, 260].map(count_step), [1, 1, 5, 10, 20, 50, 500]);
    }

    #[test]
    fn steps_start_and_end_at_zero_and_pairs_share_a_scale() {
        let s = StepSeries { name: "all".into(), name_cell: None, values: vec![2, 0, 4], peak: cell("4") };
        let svg = step_chart("nodes", "t", Layout::Wide, &s, &[], &[(0, "a".into())]);
        // Bottom 24 + 220 of plot; y axis to 4 in steps of 1; three buckets over 720 - 52 - 24 px.
        let pts = svg.split(r#"<polyline points=""#).nth(1).and_then(|p| p.split('"').next()).expect("line");
        let first = pts.split(' ').next().expect("first");
        let last = pts.split(' ').next_back().expect("last");
        assert_eq!(first.split(',').nth(1), last.split(',').nth(1), "{pts}");
        assert_eq!(pts.split(' ').count(), 8, "{pts}");
        assert_eq!(svg.matches(r#"data-const="tick">"#).count(), 6, "{svg}");
        let rows =
            [PairRow { label: cell("x"), values: [(Decimal::from(10), cell("10")), (Decimal::from(5), cell("5"))] }];
        let bars = paired_hbars("h", "t", Layout::Narrow, ["a", "b"], ["before", "after"], &rows);
        let widths: Vec<f64> = bars
            .split(r#"width=""#)
            .skip(1)
            .filter_map(|w| w.split('"').next()?.parse().ok())
            .filter(|&w: &f64| w > 12.0)
            .collect();
        assert_eq!(widths.len(), 2, "{bars}");
        assert!((widths[0] - 2.0 * widths[1]).abs() < 0.2, "{widths:?}");
    }

    #[test]
    fn same_input_same_svg() {
        let pts: Vec<CumPoint> = (1..=24)
            .map(|m| CumPoint { month: m, onprem: Decimal::from(100 * m), cloud: Decimal::from(500 + 70 * m) })
            .collect();
        let labels = CumLabels { onprem_end: cell("a"), cloud_end: cell("b"), break_even: Some((17, cell("17"))) };
        let a = cumulative("cumulative", "t", Layout::Wide, &pts, &labels);
        assert_eq!(a, cumulative("cumulative", "t", Layout::Wide, &pts, &labels));
        assert!(a.contains(r#"data-break-even="1""#), "{a}");
        // 24 months: two year ticks; the last point of the cloud line is at the right edge.
        assert_eq!(a.matches("year <tspan").count(), 2);
        assert!(a.contains(&format!("{:.1},", WIDE - 30.0)), "{a}");
    }
}
