// Open a report.html in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) with every network
// request refused, and fail on any console error, page error, failed or external request, a missing or empty chart,
// a page wider than the phone screen, a server table that does not sort (plan report), a histogram without its
// paired bars or a timeline without its steps (burst report: <body data-report="burst">), or a page that does not
// print. Saves desktop.png (1280x900), phone.png (390x844) and print.pdf into OUTDIR.
//
// Usage: node check.mjs REPORT.html OUTDIR [chart,chart,...]   (default: the charts of the report's kind)
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const [reportArg, outArg, chartsArg] = process.argv.slice(2);
if (!reportArg || !outArg) {
  console.error("usage: node check.mjs REPORT.html OUTDIR [chart,chart,...]");
  process.exit(2);
}
const report = path.resolve(reportArg);
const outDir = path.resolve(outArg);
const defaults = { plan: "cumulative,category,levers,top-servers", burst: "wait-histogram,cloud-nodes" };
let charts = (chartsArg || "").split(",").filter(Boolean);
let kind = "plan";
fs.mkdirSync(outDir, { recursive: true });
const url = pathToFileURL(report).href;

const problems = [];
let passed = 0;
const check = (ok, what) => {
  if (ok) {
    passed += 1;
    console.log(`ok    ${what}`);
  } else {
    problems.push(what);
    console.log(`FAIL  ${what}`);
  }
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});

async function open(viewport, extra) {
  const context = await browser.newContext({ viewport, ...extra });
  const page = await context.newPage();
  const log = { console: [], pageErrors: [], failed: [], external: [] };
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") log.console.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => log.pageErrors.push(String(e)));
  page.on("requestfailed", (r) => {
    if (!log.external.includes(r.url())) log.failed.push(`${r.url()}: ${r.failure()?.errorText}`);
  });
  // Nothing but the report itself may load: any other request is refused and reported.
  await context.route("**/*", (route) => {
    const u = route.request().url();
    if (u === url) return route.continue();
    log.external.push(u);
    return route.abort();
  });
  await page.goto(url, { waitUntil: "load" });
  return { context, page, log };
}

function report_log(name, log) {
  check(log.console.length === 0, `${name}: no console errors or warnings ${log.console.join(" | ")}`);
  check(log.pageErrors.length === 0, `${name}: no page errors ${log.pageErrors.join(" | ")}`);
  check(log.failed.length === 0, `${name}: no failed requests ${log.failed.join(" | ")}`);
  check(log.external.length === 0, `${name}: no external requests ${log.external.join(" | ")}`);
}

// Desktop.
{
  const { context, page, log } = await open({ width: 1280, height: 900 });
  kind = await page.evaluate(() => document.body.dataset.report || "plan");
  check(kind in defaults, `report kind known (${kind})`);
  if (charts.length === 0) charts = (defaults[kind] || defaults.plan).split(",");
  for (const id of charts) {
    const chart = page.locator(`svg[data-chart="${id}"]:visible`);
    const count = await chart.count();
    const box = count === 1 ? await chart.boundingBox() : null;
    const marks = count === 1 ? await chart.locator("rect, polyline, polygon").count() : 0;
    check(count === 1 && box && box.width > 200 && box.height > 40 && marks > 0,
      `chart ${id}: present, drawn (${box ? Math.round(box.width) + "x" + Math.round(box.height) : "missing"}, ${marks} marks)`);
  }
  const all = await page.locator("svg[data-chart]:visible").count();
  check(all === charts.length, `exactly the expected charts shown (${all} of ${charts.length})`);
  if (charts.includes("cumulative")) {
    const be = await page.locator('svg[data-chart="cumulative"]:visible [data-break-even]').count();
    const verdict = await page.locator("#decision .verdict").innerText();
    // The chart marks the break-even exactly when the verdict names its month ("pays off in month N", "the
    // amortised lines cross in month N"); a verdict without one ("Keeping them is cheaper") has no mark.
    const names = /month \d+/.test(verdict);
    check(names ? be === 1 : be === 0, `break-even marked (${be}) exactly when the verdict names its month (${names})`);
  }
  if (kind === "burst") {
    // The histogram: a bar before and after bursting for every bucket row; the timeline: its area and step line.
    const hist = page.locator('svg[data-chart="wait-histogram"]:visible');
    const before = await hist.locator("rect.bar.before").count();
    const after = await hist.locator("rect.bar.after").count();
    const rows = await page.locator("#waits table tbody tr").count();
    check(before === rows && after === rows && rows > 0, `histogram: paired bars for each of ${rows} wait buckets (${before}/${after})`);
    const nodes = page.locator('svg[data-chart="cloud-nodes"]:visible');
    const area = await nodes.locator("polygon.area").count();
    const line = await nodes.locator("polyline.line.cloud").count();
    check(area === 1 && line === 1, `cloud nodes: area and step line drawn (${area}/${line})`);
  }
  // Sorting (plan report): $/month ascending puts the cheapest row first, descending the most expensive.
  if (kind === "plan") {
    const table = page.locator("#server-table");
    const col = await table.locator("thead th").evaluateAll((ths) => ths.findIndex((t) => t.textContent.trim() === "$/month"));
    const values = async () =>
      table.locator(`tbody tr td:nth-child(${col + 1})`).evaluateAll((tds) => tds.map((td) => parseFloat(td.dataset.v)));
    const before = await values();
    await table.locator("thead th").nth(col).click();
    const asc = await values();
    await table.locator("thead th").nth(col).click();
    const desc = await values();
    const sorted = [...before].sort((a, b) => a - b);
    check(before.length > 0 && JSON.stringify(asc) === JSON.stringify(sorted) &&
      JSON.stringify(desc) === JSON.stringify([...sorted].reverse()), `server table sorts by $/month (${before.length} rows)`);
  }
  await page.screenshot({ path: path.join(outDir, "desktop.png"), fullPage: true });
  await page.emulateMedia({ media: "print" });
  const pdf = await page.pdf({ path: path.join(outDir, "print.pdf"), format: "A4", printBackground: true });
  check(pdf.length > 10000, `prints (print.pdf, ${pdf.length} bytes)`);
  report_log("desktop", log);
  await context.close();
}

// Phone.
{
  const { context, page, log } = await open({ width: 390, height: 844 }, { deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 390, `phone: the page fits the screen width (${width} px of 390); wide tables scroll inside their box`);
  for (const id of charts) {
    const chart = page.locator(`svg[data-chart="${id}"]:visible`);
    const count = await chart.count();
    const box = count === 1 ? await chart.boundingBox() : null;
    const layout = count === 1 ? await chart.getAttribute("data-layout") : null;
    check(box && box.width <= 390 && box.width > 300 && layout === "narrow",
      `phone: chart ${id} shown in its narrow layout and fits (${box ? Math.round(box.width) : "missing"} px)`);
  }
  await page.screenshot({ path: path.join(outDir, "phone.png"), fullPage: true });
  report_log("phone", log);
  await context.close();
}

await browser.close();
console.log(`screenshots: ${path.join(outDir, "desktop.png")} ${path.join(outDir, "phone.png")}`);
console.log(`report-check: ${passed} passed, ${problems.length} failed`);
process.exit(problems.length === 0 ? 0 : 1);
