//! Chart data in, SVG text out: stacked bars (cost by category), horizontal bars (most expensive servers, levers) and
//! a cumulative line chart (on-prem against AWS, break-even marked). Each chart is one inline `<svg>` with a
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
