//! A `Plan` (with its `Comparison` when it has one) in, `report.md` and a self-contained `report.html` out: both
//! rendered by the embedded minijinja templates of `templates/report/` from one view of the plan in which every
//! shown value is a [`Cell`] holding the JSON pointer (RFC 6901) of that value in plan.json, its exact text there and
//! the text shown. Nothing is computed here: a number the plan does not hold is not shown.
//!
//! The HTML has no resource loads (inline CSS, inline SVG charts from [`super::svg`], a few lines of inline
//! script to sort the server table); every number in it is a `data-p` element (checked against plan.json by the
//! tests) or a `data-const` scale label.

use std::collections::BTreeMap;

use include_dir::{include_dir, Dir};
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use super::svg::{self, CumLabels, CumPoint, HBar, Layout, Segment, StackBar};
use crate::error::Result;
use crate::matching::MatchOutcome;
use crate::money::{display_rate, display_usd_grouped};
use crate::plan::Plan;
use crate::purchase::PurchaseKind;
use crate::tco::{Comparison, LeverKind, Outcome};

static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates/report");

/// Server rows in the report's table: the most expensive ones when there are more.
pub const MAX_ROWS: usize = 500;
/// Bars in the "most expensive servers" chart.
pub const TOP_SERVERS: usize = 10;
/// Characters of a server name shown in a chart before it is cut (`trunc` format).
pub const CHART_NAME_CHARS: usize = 24;

/// One shown value: the JSON pointer of its value in plan.json, the value's text there, how it is shown (`usd`,
/// `int`, `num`, `dec1`, `rate`, `text`, `key`, `kind`, `trunc`) and the text shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cell {
    pub p: String,
    pub v: String,
    pub f: &'static str,
    pub t: String,
}

/// Dollars as shown: `$1,234.57`, `-$5.00`.
pub fn show_usd(v: Decimal) -> String {
    if v.is_sign_negative() && !v.is_zero() {
        format!("-${}", display_usd_grouped(-v))
    } else {
        format!("${}", display_usd_grouped(v))
    }
}

/// One decimal place, half away from zero, without trailing zeros: `217.5`, `730`, `7.2`.
pub fn show_dec1(v: Decimal) -> String {
    v.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero).normalize().to_string()
}

/// A purchase option as shown.
pub fn show_kind(kind: &str) -> String {
    match kind {
        "on-demand" => "on-demand",
        "reserved1y" => "RI 1yr",
        "reserved3y" => "RI 3yr",
        "spot" => "spot",
        other => other,
    }
    .to_owned()
}

/// A name cut to `CHART_NAME_CHARS` characters (with `…`) for a chart label.
pub fn show_trunc(s: &str) -> String {
    if s.chars().count() > CHART_NAME_CHARS {
        let mut t: String = s.chars().take(CHART_NAME_CHARS - 1).collect();
        t.push('…');
        t
    } else {
        s.to_owned()
    }
}

/// A JSON pointer segment (`~` → `~0`, `/` → `~1`).
pub fn seg(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

impl Cell {
    pub(crate) fn usd(p: String, v: Decimal) -> Cell {
        Cell { p, v: v.to_string(), f: "usd", t: show_usd(v) }
    }
    pub(crate) fn int(p: String, v: impl ToString) -> Cell {
        let s = v.to_string();
        Cell { p, v: s.clone(), f: "int", t: s }
    }
    fn num(p: String, v: Decimal) -> Cell {
        Cell { p, v: v.to_string(), f: "num", t: v.normalize().to_string() }
    }
    pub(crate) fn dec1(p: String, v: Decimal) -> Cell {
        Cell { p, v: v.to_string(), f: "dec1", t: show_dec1(v) }
    }
    fn rate(p: String, v: Decimal) -> Cell {
        Cell { p, v: v.to_string(), f: "rate", t: format!("${}", display_rate(v)) }
    }
    pub(crate) fn text(p: String, s: &str) -> Cell {
        Cell { p, v: s.to_owned(), f: "text", t: s.to_owned() }
    }
    /// A map key: shown as the last segment of its pointer.
    pub(crate) fn key(p: String, key: &str) -> Cell {
        Cell { p, v: String::new(), f: "key", t: key.to_owned() }
    }
    fn kind(p: String, kind: PurchaseKind) -> Cell {
        let v = match kind {
            PurchaseKind::OnDemand => "on-demand",
            PurchaseKind::Reserved1y => "reserved1y",
            PurchaseKind::Reserved3y => "reserved3y",
            PurchaseKind::Spot => "spot",
        };
        Cell { p, v: v.to_owned(), f: "kind", t: show_kind(v) }
    }
    fn trunc(p: String, s: &str) -> Cell {
        Cell { p, v: s.to_owned(), f: "trunc", t: show_trunc(s) }
    }
}

#[derive(Debug, Serialize)]
struct KeyValue {
    key: Cell,
    value: Cell,
}

/// One note on the OS on AWS (an upgrade, a rebuild, a switch to Rocky) and the servers it is about.
#[derive(Debug, Serialize)]
struct OsChange {
    servers: Vec<Cell>,
    /// Servers beyond the ones named.
    more: usize,
    note: Cell,
}

/// Server names listed per OS note.
const OS_NOTE_NAMES: usize = 10;

/// The plan's OS notes (`os.note`: why the OS or its version changes), each once with its servers, in inventory order.
fn os_changes(plan: &Plan) -> Vec<OsChange> {
    let mut out: Vec<(usize, OsChange)> = Vec::new();
    for (i, s) in plan.servers.iter().enumerate() {
        let Some(note) = &s.os.note else { continue };
        let name = Cell::text(format!("/servers/{i}/name"), &s.name);
        match out.iter_mut().find(|(first, _)| plan.servers[*first].os.note.as_ref() == Some(note)) {
            Some((_, c)) if c.servers.len() < OS_NOTE_NAMES => c.servers.push(name),
            Some((_, c)) => c.more += 1,
            None => out.push((
                i,
                OsChange { servers: vec![name], more: 0, note: Cell::text(format!("/servers/{i}/os/note"), note) },
            )),
        }
    }
    out.into_iter().map(|(_, c)| c).collect()
}

#[derive(Debug, Serialize)]
struct ServerRow {
    name: Cell,
    count: Cell,
    role: Cell,
    os: Cell,
    target: Cell,
    vcpus: Cell,
    memory_gib: Cell,
    instance_type: Option<Cell>,
    hourly: Option<Cell>,
    hours: Cell,
    monthly: Cell,
    buy: Option<Cell>,
}

#[derive(Debug, Serialize)]
struct NetRow {
    item: Cell,
    quantity: Cell,
    unit: Cell,
    usd: Option<Cell>,
    detail: Cell,
}

#[derive(Debug, Serialize)]
struct MigrationView {
    data_gib: Cell,
    link_mbps: Cell,
    days: Cell,
    transfer: Option<Cell>,
    advice: Option<Cell>,
}

#[derive(Debug, Serialize)]
struct Discount {
    pct: Cell,
    monthly: Cell,
    recommended: Cell,
    upfront: Cell,
}

#[derive(Debug, Serialize)]
struct AwsView {
    on_demand: Cell,
    recommended: Cell,
    upfront: Cell,
    licence_saving: Option<Cell>,
    discount: Option<Discount>,
    by_category: Vec<KeyValue>,
    by_role: Vec<KeyValue>,
    placed: Cell,
    unplaced: Cell,
    incomplete: bool,
}

#[derive(Debug, Serialize)]
struct LeftOutRow {
    item: Cell,
    quantity: Option<Cell>,
    unit: Option<Cell>,
    why: Cell,
}

#[derive(Debug, Serialize)]
struct LineRow {
    category: Cell,
    item: Cell,
    usd: Cell,
    how: Cell,
    source: Cell,
}

#[derive(Debug, Serialize)]
struct HorizonRow {
    years: Cell,
    onprem: Cell,
    cloud: Cell,
    saving: Cell,
    moving_saves: bool,
}

#[derive(Debug, Serialize)]
struct YearRow {
    month: Cell,
    onprem: Cell,
    cloud: Cell,
}

#[derive(Debug, Serialize)]
struct UpfrontRow {
    month: Cell,
    usd: Cell,
    what: Cell,
}

#[derive(Debug, Serialize)]
struct LeverRow {
    name: Cell,
    usd: Option<Cell>,
    cost: bool,
    /// Already in the AWS figure (`true`) or on top of it.
    inside: bool,
    detail: Cell,
}

#[derive(Debug, Serialize)]
struct VerdictView {
    text: Cell,
    /// `moving_saves`, `about_the_same` or `keeping_saves` (the card's colour).
    outcome: &'static str,
    view: Cell,
    margin: Cell,
    break_even: Option<Cell>,
    aws_incomplete: bool,
}

#[derive(Debug, Serialize)]
struct CashRow {
    year: Cell,
    onprem: Cell,
    cloud: Cell,
    saving: Cell,
    cumulative: Cell,
    events: Vec<Cell>,
}

#[derive(Debug, Serialize)]
struct CashTotals {
    onprem_paid: Cell,
    cloud_paid: Cell,
    onprem_residual: Cell,
    cloud_residual: Cell,
    onprem_net: Cell,
    cloud_net: Cell,
    notes: Vec<Cell>,
}

#[derive(Debug, Serialize)]
struct AssumptionRow {
    key: Cell,
    value: Cell,
    source: Cell,
}

#[derive(Debug, Serialize)]
struct CompareView {
    years: Cell,
    onprem_monthly: Cell,
    cloud_effective: Cell,
    cloud_monthly: Cell,
    first_upfront: Option<UpfrontRow>,
    one_time: Cell,
    break_even: Option<Cell>,
    verdict: VerdictView,
    horizons: Vec<HorizonRow>,
    cash: Vec<CashRow>,
    cash_totals: CashTotals,
    estate_basis: Cell,
    machines: Cell,
    servers: Cell,
    onprem_lines: Vec<LineRow>,
    onprem_by_category: Vec<KeyValue>,
    one_time_lines: Vec<LineRow>,
    upfronts: Vec<UpfrontRow>,
    yearly: Vec<YearRow>,
    levers: Vec<LeverRow>,
    assumptions: Vec<AssumptionRow>,
    notes: Vec<Cell>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Source {
    id: Cell,
    data_date: Cell,
    origin: Cell,
}

/// Every report's footer: the pricing snapshot and its data date and sources, rocklift's version, the schema.
#[derive(Debug, Serialize)]
pub(crate) struct Footer {
    snapshot: Cell,
    data_date: Cell,
    data_date_note: Cell,
    sources: Vec<Source>,
    version: Cell,
    schema: Cell,
}

#[derive(Debug, Serialize)]
struct Charts {
    category: String,
    cumulative: String,
    top: String,
    levers: String,
}

#[derive(Debug, Serialize)]
struct Shown {
    shown: usize,
    rows: Cell,
}

#[derive(Debug, Serialize)]
struct View {
    /// What the totals leave out (plan.json `totals.left_out`), shown first.
    left_out: Vec<LeftOutRow>,
    /// The region to fill missing prices for, when some are missing.
    fill_region: Option<Cell>,
    file: Cell,
    region: Cell,
    sizing: Cell,
    rows: Cell,
    servers: Cell,
    compare: Option<CompareView>,
    aws: AwsView,
    charts: Charts,
    server_rows: Vec<ServerRow>,
    shown: Option<Shown>,
    os_changes: Vec<OsChange>,
    network: Vec<NetRow>,
    migration: Option<MigrationView>,
    notes: Vec<Cell>,
    warnings: Vec<Cell>,
    footer: Footer,
}

/// The footer of a document with `pricing` at `/pricing`, `rocklift_version` and `schema` at the top.
pub(crate) fn footer(pr: &crate::plan::PricingRef, version: &str, schema: &str) -> Footer {
    Footer {
        snapshot: Cell::text("/pricing/snapshot".into(), &pr.snapshot),
        data_date: Cell::text("/pricing/data_date".into(), &pr.data_date),
        data_date_note: Cell::text("/pricing/data_date_note".into(), &pr.data_date_note),
        sources: pr
            .sources
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let p = |f: &str| format!("/pricing/sources/{i}/{f}");
                Source {
                    id: Cell::text(p("id"), &s.id),
                    data_date: Cell::text(p("data_date"), &s.data_date),
                    origin: Cell::text(p("origin"), &s.origin),
                }
            })
            .collect(),
        version: Cell::text("/rocklift_version".into(), version),
        schema: Cell::text("/schema".into(), schema),
    }
}

/// Indexes of the rows shown in the table: all, or the `MAX_ROWS` most expensive, in inventory order.
fn shown_rows(plan: &Plan) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..plan.servers.len()).collect();
    if idx.len() > MAX_ROWS {
        idx.sort_by(|&a, &b| plan.servers[b].monthly_usd.cmp(&plan.servers[a].monthly_usd).then(a.cmp(&b)));
        idx.truncate(MAX_ROWS);
        idx.sort_unstable();
    }
    idx
}

/// The `TOP_SERVERS` rows with the highest monthly cost, highest first (ties in inventory order).
fn top_rows(plan: &Plan) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..plan.servers.len()).collect();
    idx.sort_by(|&a, &b| plan.servers[b].monthly_usd.cmp(&plan.servers[a].monthly_usd).then(a.cmp(&b)));
    idx.truncate(TOP_SERVERS);
    idx
}

fn server_row(plan: &Plan, i: usize) -> ServerRow {
    let s = &plan.servers[i];
    let p = |field: &str| format!("/servers/{i}/{field}");
    let (instance_type, hourly) = match &s.placement {
        MatchOutcome::Placed(pl) => (
            Some(Cell::text(p("placement/instance_type"), &pl.instance_type)),
            Some(Cell::rate(p("placement/hourly_usd"), pl.hourly_usd)),
        ),
        MatchOutcome::Unplaced { .. } => (None, None),
    };
    ServerRow {
        name: Cell::text(p("name"), &s.name),
        count: Cell::int(p("count"), s.count),
        role: Cell::text(p("role"), &s.role),
        os: Cell::text(p("os/text"), &s.os.text),
        target: Cell::text(p("os/target"), &s.os.target),
        vcpus: Cell::int(p("requirement/vcpus"), s.requirement.vcpus),
        memory_gib: Cell::num(p("requirement/memory_gib"), s.requirement.memory_gib),
        instance_type,
        hourly,
        hours: Cell::dec1(p("hours_per_month"), s.hours_per_month),
        monthly: Cell::usd(p("monthly_usd"), s.monthly_usd),
        buy: s.purchase.as_ref().map(|a| Cell::kind(p("purchase/recommended"), a.recommended)),
    }
}

fn key_values(base: &str, map: &BTreeMap<String, Decimal>) -> Vec<KeyValue> {
    map.iter()
        .map(|(k, v)| {
            let p = format!("{base}/{}", seg(k));
            KeyValue { key: Cell::key(p.clone(), k), value: Cell::usd(p, *v) }
        })
        .collect()
}

fn aws_view(plan: &Plan) -> AwsView {
    let t = &plan.totals;
    AwsView {
        on_demand: Cell::usd("/totals/monthly_usd".into(), t.monthly_usd),
        recommended: Cell::usd("/totals/recommended_monthly_usd".into(), t.recommended_monthly_usd),
        upfront: Cell::usd("/totals/recommended_upfront_usd".into(), t.recommended_upfront_usd),
        licence_saving: (!t.licence_saving_monthly_usd.is_zero())
            .then(|| Cell::usd("/totals/licence_saving_monthly_usd".into(), t.licence_saving_monthly_usd)),
        discount: (!t.discount_pct.is_zero()).then(|| Discount {
            pct: Cell::num("/totals/discount_pct".into(), t.discount_pct),
            monthly: Cell::usd("/totals/discounted_monthly_usd".into(), t.discounted_monthly_usd),
            recommended: Cell::usd(
                "/totals/discounted_recommended_monthly_usd".into(),
                t.discounted_recommended_monthly_usd,
            ),
            upfront: Cell::usd(
                "/totals/discounted_recommended_upfront_usd".into(),
                t.discounted_recommended_upfront_usd,
            ),
        }),
        by_category: key_values("/totals/by_category", &t.by_category),
        by_role: key_values("/totals/by_role", &t.by_role),
        placed: Cell::int("/totals/placed_servers".into(), t.placed_servers),
        unplaced: Cell::int("/totals/unplaced_servers".into(), t.unplaced_servers),
        incomplete: t.incomplete,
    }
}

fn line_rows(base: &str, lines: &[crate::tco::TcoLine]) -> Vec<LineRow> {
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let p = |f: &str| format!("{base}/{i}/{f}");
            LineRow {
                category: Cell::text(p("category"), &l.category),
                item: Cell::text(p("item"), &l.item),
                usd: Cell::usd(p("usd"), l.usd),
                how: Cell::text(p("how"), &l.how),
                source: Cell::text(p("source"), &l.source),
            }
        })
        .collect()
}

fn upfront_row(c: &Comparison, i: usize) -> Option<UpfrontRow> {
    let u = c.cloud.upfronts.get(i)?;
    let p = |f: &str| format!("/comparison/cloud/upfronts/{i}/{f}");
    Some(UpfrontRow {
        month: Cell::int(p("month"), u.month),
        usd: Cell::usd(p("usd"), u.usd),
        what: Cell::text(p("what"), &u.what),
    })
}

fn compare_view(c: &Comparison) -> CompareView {
    let horizons = c
        .horizons
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let p = |f: &str| format!("/comparison/horizons/{i}/{f}");
            HorizonRow {
                years: Cell::int(p("years"), h.years),
                onprem: Cell::usd(p("onprem_usd"), h.onprem_usd),
                cloud: Cell::usd(p("cloud_usd"), h.cloud_usd),
                saving: Cell::usd(p("saving_usd"), h.saving_usd),
                moving_saves: h.saving_usd > Decimal::ZERO,
            }
        })
        .collect();
    let yearly = c
        .months
        .iter()
        .enumerate()
        .filter(|(_, m)| m.month % 12 == 0)
        .map(|(i, m)| {
            let p = |f: &str| format!("/comparison/months/{i}/{f}");
            YearRow {
                month: Cell::int(p("month"), m.month),
                onprem: Cell::usd(p("onprem_cumulative_usd"), m.onprem_cumulative_usd),
                cloud: Cell::usd(p("cloud_cumulative_usd"), m.cloud_cumulative_usd),
            }
        })
        .collect();
    let levers = c
        .levers
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let p = |f: &str| format!("/comparison/levers/{i}/{f}");
            LeverRow {
                name: Cell::text(p("name"), &l.name),
                usd: l.usd_year.map(|v| Cell::usd(p("usd_year"), v)),
                cost: l.kind == LeverKind::Cost,
                inside: l.in_aws_figure,
                detail: Cell::text(p("detail"), &l.detail),
            }
        })
        .collect();
    let assumptions = c
        .assumption_sources
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let p = |f: &str| format!("/comparison/assumption_sources/{i}/{f}");
            AssumptionRow {
                key: Cell::text(p("key"), &a.key),
                value: Cell::text(p("value"), &a.value),
                source: Cell::text(p("source"), &a.source),
            }
        })
        .collect();
    let cash = c
        .cash
        .years
        .iter()
        .enumerate()
        .map(|(i, y)| {
            let p = |f: &str| format!("/comparison/cash/years/{i}/{f}");
            CashRow {
                year: Cell::int(p("year"), y.year),
                onprem: Cell::usd(p("onprem_usd"), y.onprem_usd),
                cloud: Cell::usd(p("cloud_usd"), y.cloud_usd),
                saving: Cell::usd(p("saving_usd"), y.saving_usd),
                cumulative: Cell::usd(p("cumulative_saving_usd"), y.cumulative_saving_usd),
                events: y.events.iter().enumerate().map(|(j, ev)| Cell::text(p(&format!("events/{j}")), ev)).collect(),
            }
        })
        .collect();
    let cp = |f: &str| format!("/comparison/cash/{f}");
    let cash_totals = CashTotals {
        onprem_paid: Cell::usd(cp("onprem_paid_usd"), c.cash.onprem_paid_usd),
        cloud_paid: Cell::usd(cp("cloud_paid_usd"), c.cash.cloud_paid_usd),
        onprem_residual: Cell::usd(cp("onprem_residual_usd"), c.cash.onprem_residual_usd),
        cloud_residual: Cell::usd(cp("cloud_residual_usd"), c.cash.cloud_residual_usd),
        onprem_net: Cell::usd(cp("onprem_net_usd"), c.cash.onprem_net_usd),
        cloud_net: Cell::usd(cp("cloud_net_usd"), c.cash.cloud_net_usd),
        notes: c
            .cash
            .residual_notes
            .iter()
            .enumerate()
            .map(|(i, n)| Cell::text(cp(&format!("residual_notes/{i}")), n))
            .collect(),
    };
    let v = &c.verdict;
    let verdict = VerdictView {
        text: Cell::text("/comparison/verdict/text".into(), &v.text),
        outcome: match v.outcome {
            Outcome::MovingSaves => "moving_saves",
            Outcome::AboutTheSame => "about_the_same",
            Outcome::KeepingSaves => "keeping_saves",
        },
        view: Cell::text("/comparison/verdict/view".into(), &v.view),
        margin: Cell::num("/comparison/verdict/margin_pct".into(), v.margin_pct),
        break_even: v.break_even_month.map(|m| Cell::int("/comparison/verdict/break_even_month".into(), m)),
        aws_incomplete: v.aws_incomplete,
    };
    let e = &c.onprem.estate;
    CompareView {
        years: Cell::int("/comparison/years".into(), c.years),
        onprem_monthly: Cell::usd("/comparison/onprem/monthly_usd".into(), c.onprem.monthly_usd),
        cloud_effective: Cell::usd("/comparison/cloud/effective_monthly_usd".into(), c.cloud.effective_monthly_usd),
        cloud_monthly: Cell::usd("/comparison/cloud/monthly_usd".into(), c.cloud.monthly_usd),
        first_upfront: upfront_row(c, 0),
        one_time: Cell::usd("/comparison/one_time_usd".into(), c.one_time_usd),
        break_even: c.break_even_month.map(|m| Cell::int("/comparison/break_even_month".into(), m)),
        verdict,
        horizons,
        cash,
        cash_totals,
        estate_basis: Cell::text("/comparison/onprem/estate/basis".into(), &e.basis),
        machines: Cell::int("/comparison/onprem/estate/machines".into(), e.machines),
        servers: Cell::int("/comparison/onprem/estate/servers".into(), e.servers),
        onprem_lines: line_rows("/comparison/onprem/lines", &c.onprem.lines),
        onprem_by_category: key_values("/comparison/onprem/by_category", &c.onprem.by_category),
        one_time_lines: line_rows("/comparison/one_time", &c.one_time),
        upfronts: (0..c.cloud.upfronts.len()).filter_map(|i| upfront_row(c, i)).collect(),
        yearly,
        levers,
        assumptions,
        notes: c.notes.iter().enumerate().map(|(i, n)| Cell::text(format!("/comparison/notes/{i}"), n)).collect(),
    }
}

/// The wide and the narrow layout of a chart; the page's CSS shows one of them.
fn both(draw: impl Fn(Layout) -> String) -> String {
    draw(Layout::Wide) + &draw(Layout::Narrow)
}

fn category_chart(plan: &Plan) -> String {
    let segments = |base: &str, map: &BTreeMap<String, Decimal>| -> Vec<Segment> {
        map.iter()
            .map(|(k, v)| Segment { name: k.clone(), value: *v, cell: Cell::usd(format!("{base}/{}", seg(k)), *v) })
            .collect()
    };
    let bars = match &plan.comparison {
        Some(c) => vec![
            StackBar {
                label: "On-prem, a month:".into(),
                total: Cell::usd("/comparison/onprem/monthly_usd".into(), c.onprem.monthly_usd),
                total_value: c.onprem.monthly_usd,
                segments: segments("/comparison/onprem/by_category", &c.onprem.by_category),
            },
            StackBar {
                label: "AWS with the recommended options, a month:".into(),
                total: Cell::usd("/comparison/cloud/effective_monthly_usd".into(), c.cloud.effective_monthly_usd),
                total_value: c.cloud.effective_monthly_usd,
                segments: segments("/comparison/cloud/by_category", &c.cloud.by_category),
            },
        ],
        None => vec![StackBar {
            label: "AWS on-demand, a month:".into(),
            total: Cell::usd("/totals/monthly_usd".into(), plan.totals.monthly_usd),
            total_value: plan.totals.monthly_usd,
            segments: segments("/totals/by_category", &plan.totals.by_category),
        }],
    };
    both(|l| svg::stacked_bars("category", "Cost by category", l, &bars))
}

fn top_chart(plan: &Plan) -> String {
    let rows: Vec<HBar> = top_rows(plan)
        .into_iter()
        .map(|i| {
            let s = &plan.servers[i];
            HBar {
                label: Cell::trunc(format!("/servers/{i}/name"), &s.name),
                value: s.monthly_usd,
                cell: Cell::usd(format!("/servers/{i}/monthly_usd"), s.monthly_usd),
                class: "plain",
            }
        })
        .collect();
    both(|l| svg::hbars("top-servers", "Most expensive servers on AWS, on-demand a month", l, &rows))
}

fn lever_chart(c: &Comparison) -> String {
    let rows: Vec<HBar> = c
        .levers
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            let v = l.usd_year?;
            Some(HBar {
                label: Cell::trunc(format!("/comparison/levers/{i}/name"), &l.name),
                value: v,
                cell: Cell::usd(format!("/comparison/levers/{i}/usd_year"), v),
                class: if l.kind == LeverKind::Cost { "cost" } else { "saving" },
            })
        })
        .collect();
    both(|l| svg::hbars("levers", "Levers on the AWS bill, dollars a year", l, &rows))
}

fn cumulative_chart(c: &Comparison) -> String {
    let points: Vec<CumPoint> = c
        .months
        .iter()
        .map(|m| CumPoint { month: m.month, onprem: m.onprem_cumulative_usd, cloud: m.cloud_cumulative_usd })
        .collect();
    let last = c.months.len().saturating_sub(1);
    let (on_end, cl_end) = c
        .months
        .last()
        .map(|m| (m.onprem_cumulative_usd, m.cloud_cumulative_usd))
        .unwrap_or((Decimal::ZERO, Decimal::ZERO));
    let labels = CumLabels {
        onprem_end: Cell::usd(format!("/comparison/months/{last}/onprem_cumulative_usd"), on_end),
        cloud_end: Cell::usd(format!("/comparison/months/{last}/cloud_cumulative_usd"), cl_end),
        break_even: c.break_even_month.map(|m| (m, Cell::int("/comparison/break_even_month".into(), m))),
    };
    both(|l| svg::cumulative("cumulative", "Cumulative cost, on-prem against AWS", l, &points, &labels))
}

fn view(plan: &Plan) -> View {
    let shown_idx = shown_rows(plan);
    let shown = (shown_idx.len() < plan.servers.len())
        .then(|| Shown { shown: shown_idx.len(), rows: Cell::int("/inventory/rows".into(), plan.inventory.rows) });
    let network = plan
        .network
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let p = |f: &str| format!("/network/lines/{i}/{f}");
            NetRow {
                item: Cell::text(p("item"), &l.item),
                quantity: Cell::num(p("quantity"), l.quantity),
                unit: Cell::text(p("unit"), &l.unit),
                usd: l.usd_month.map(|v| Cell::usd(p("usd_month"), v)),
                detail: Cell::text(p("detail"), &l.detail),
            }
        })
        .collect();
    let migration = plan.migration.as_ref().map(|m| MigrationView {
        data_gib: Cell::dec1("/migration/inputs/data_gib".into(), m.inputs.data_gib),
        link_mbps: Cell::num("/migration/inputs/link_mbps".into(), m.inputs.link_mbps),
        days: Cell::dec1("/migration/days".into(), m.days),
        transfer: m.transfer_in_cost_usd.map(|v| Cell::usd("/migration/transfer_in_cost_usd".into(), v)),
        advice: m.advice.as_ref().map(|a| Cell::text("/migration/advice".into(), a)),
    });
    let pr = &plan.pricing;
    let left_out = plan
        .totals
        .left_out
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let p = |f: &str| format!("/totals/left_out/{i}/{f}");
            LeftOutRow {
                item: Cell::text(p("item"), &l.item),
                quantity: l.quantity.map(|q| Cell::num(p("quantity"), q)),
                unit: l.unit.as_ref().map(|u| Cell::text(p("unit"), u)),
                why: Cell::text(p("why"), &l.why),
            }
        })
        .collect();
    let fill_region =
        super::incomplete::fill_hint(plan).map(|_| Cell::text("/settings/region".into(), &plan.settings.region));
    View {
        left_out,
        fill_region,
        file: Cell::text("/inventory/file".into(), &plan.inventory.file),
        region: Cell::text("/settings/region".into(), &plan.settings.region),
        sizing: Cell::text("/settings/sizing".into(), &plan.settings.sizing),
        rows: Cell::int("/inventory/rows".into(), plan.inventory.rows),
        servers: Cell::int("/inventory/servers".into(), plan.inventory.servers),
        compare: plan.comparison.as_ref().map(compare_view),
        aws: aws_view(plan),
        charts: Charts {
            category: category_chart(plan),
            cumulative: plan.comparison.as_ref().map(cumulative_chart).unwrap_or_default(),
            top: top_chart(plan),
            levers: plan.comparison.as_ref().map(lever_chart).unwrap_or_default(),
        },
        server_rows: shown_idx.into_iter().map(|i| server_row(plan, i)).collect(),
        shown,
        os_changes: os_changes(plan),
        network,
        migration,
        notes: plan.notes.iter().enumerate().map(|(i, n)| Cell::text(format!("/notes/{i}"), n)).collect(),
        warnings: plan.warnings.iter().enumerate().map(|(i, n)| Cell::text(format!("/warnings/{i}"), n)).collect(),
        footer: footer(pr, &plan.rocklift_version, &plan.schema),
    }
}

/// Escape text for a Markdown table cell or paragraph.
pub fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' | '|' | '*' | '_' | '`' | '[' | ']' | '<' | '>' => {
                out.push('\\');
                out.push(ch);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The embedded report templates: name (`report.html.j2`) → source.
pub fn embedded_templates() -> BTreeMap<String, String> {
    crate::templates::embedded(&EMBEDDED)
}

/// Render the report template `name` of `templates` for any view (the plan report's settings: strict undefined
/// values, HTML escaping in `*.html.j2`, the `md` filter escaping Markdown).
pub fn render_view<V: Serialize>(view: V, name: &str, templates: &BTreeMap<String, String>) -> Result<String> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_keep_trailing_newline(true);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_auto_escape_callback(|n| if n.ends_with(".html.j2") { AutoEscape::Html } else { AutoEscape::None });
    env.add_filter("md", |s: String| md_escape(&s));
    for (n, source) in templates {
        env.add_template_owned(n.clone(), source.clone()).map_err(|e| crate::templates::error(n, &e))?;
    }
    let t = env.get_template(name).map_err(|e| crate::templates::error(name, &e))?;
    t.render(minijinja::Value::from_serialize(view)).map_err(|e| crate::templates::error(name, &e))
}

/// Render the template `name` (`report.md.j2` or `report.html.j2`) of `templates` for `plan`.
pub fn render_with(plan: &Plan, name: &str, templates: &BTreeMap<String, String>) -> Result<String> {
    render_view(view(plan), name, templates)
}

/// `report.md` of `plan` with the embedded templates.
pub fn markdown(plan: &Plan) -> Result<String> {
    render_with(plan, "report.md.j2", &embedded_templates())
}

/// `report.html` of `plan` with the embedded templates.
pub fn html(plan: &Plan) -> Result<String> {
    render_with(plan, "report.html.j2", &embedded_templates())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_values() {
        let d = |s: &str| s.parse::<Decimal>().expect("decimal");
        assert_eq!(show_usd(d("1234.565")), "$1,234.57");
        assert_eq!(show_usd(d("-5")), "-$5.00");
        assert_eq!(show_usd(d("0")), "$0.00");
        assert_eq!(show_dec1(d("243.35")), "243.4");
        assert_eq!(show_dec1(d("730")), "730");
        assert_eq!(show_kind("reserved3y"), "RI 3yr");
        assert_eq!(show_trunc("a-very-long-server-name-indeed-01"), "a-very-long-server-name…");
        assert_eq!(seg("a/b~c"), "a~1b~0c");
        assert_eq!(md_escape("a|b_c\nd"), "a\\|b\\_c d");
    }
}
