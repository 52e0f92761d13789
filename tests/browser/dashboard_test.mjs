// The dashboard in a real browser: Debian's chromium, headless, driven by
// playwright-core. Loads the dashboard, enters the token, selects the
// month, shows the report, waits until every chart canvas has been drawn,
// saves a full-page screenshot and checks the screenshot is not blank.
// Prints a JSON summary; exits 0 only when every check passed.
//
//   node tests/browser/dashboard_test.mjs --url http://127.0.0.1:8080/ \
//     --token TOKEN --month 2024-05 --out /tmp/dashboard.png \
//     [--min-charts 3] [--require-charts insight-funnel,...] \
//     [--chromium /usr/bin/chromium]
//
// --require-charts: chart ids (data-chart-id) that must each be in the
// report and drawn, e.g. the practice-insight section's charts.
import { chromium } from "playwright-core";
import { readFileSync, statSync } from "node:fs";

function parseArgs(argv) {
  const args = { minCharts: 1, chromium: "/usr/bin/chromium",
                 requireCharts: [] };
  for (let i = 2; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, "");
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`--${key} needs a value`);
    if (key === "url") args.url = value;
    else if (key === "token") args.token = value;
    else if (key === "month") args.month = value;
    else if (key === "out") args.out = value;
    else if (key === "min-charts") args.minCharts = Number(value);
    else if (key === "require-charts") {
      args.requireCharts = value.split(",").filter((id) => id !== "");
    }
    else if (key === "chromium") args.chromium = value;
    else throw new Error(`unknown flag --${key}`);
  }
  for (const key of ["url", "token", "month", "out"]) {
    if (!args[key]) throw new Error(`--${key} is required`);
  }
  return args;
}

// In the page: for every chart canvas in the report, how many pixels are
// not fully transparent.
function canvasInk() {
  const canvases = Array.from(
      document.querySelectorAll("#sgm-report section.sgm-report canvas"));
  return canvases.map((canvas) => {
    const context = canvas.getContext("2d");
    if (!context || canvas.width === 0 || canvas.height === 0) return 0;
    const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let ink = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) ink++;
    return ink;
  });
}

// In a blank page: the PNG (a data: URL) drawn on a canvas; the share of
// pixels that are not white and the number of distinct colours (4 bits a
// channel).
async function imageStats(dataUrl) {
  const image = new Image();
  image.src = dataUrl;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = image.naturalWidth;
  canvas.height = image.naturalHeight;
  const context = canvas.getContext("2d");
  context.drawImage(image, 0, 0);
  const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
  let nonWhite = 0;
  const colours = new Set();
  for (let i = 0; i < data.length; i += 4) {
    const r = data[i], g = data[i + 1], b = data[i + 2];
    if (r < 245 || g < 245 || b < 245) nonWhite++;
    colours.add(((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4));
  }
  return { width: canvas.width, height: canvas.height,
           nonWhiteShare: nonWhite / (canvas.width * canvas.height),
           colours: colours.size };
}

async function main() {
  const args = parseArgs(process.argv);
  const summary = { ok: false, url: args.url, month: args.month,
                    checks: {}, pageErrors: [] };
  const browser = await chromium.launch({
    executablePath: args.chromium,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("pageerror", (error) => summary.pageErrors.push(String(error)));
    page.on("response", (reply) => {
      if (reply.status() >= 400) {
        summary.pageErrors.push(`${reply.status()} ${reply.url()}`);
      }
    });
    page.on("console", (message) => {
      if (message.type() === "error") summary.pageErrors.push(message.text());
    });
    const response = await page.goto(args.url, { waitUntil: "load" });
    summary.checks.pageStatus = response ? response.status() : 0;
    summary.checks.csp =
        (response && response.headers()["content-security-policy"]) || "";
    await page.fill("#sgm-token", args.token);
    const options = await page.$$eval("#sgm-month option", (list) =>
        list.map((option) => option.value));
    summary.checks.monthOffered = options.includes(args.month);
    summary.checks.defaultMonth = await page.$eval("#sgm-month",
        (select) => select.value);
    await page.selectOption("#sgm-month", args.month);
    await page.click("#sgm-show");
    await page.waitForSelector("#sgm-report section.sgm-report",
                               { timeout: 30000 });
    let ink = [];
    try {
      // canvasInk inline (a page under CSP runs no eval'd code).
      await page.waitForFunction((min) => {
        const canvases = Array.from(document.querySelectorAll(
            "#sgm-report section.sgm-report canvas"));
        const count = canvases.map((canvas) => {
          const context = canvas.getContext("2d");
          if (!context || canvas.width === 0 || canvas.height === 0) return 0;
          const data = context.getImageData(0, 0, canvas.width,
                                            canvas.height).data;
          let n = 0;
          for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) n++;
          return n;
        });
        return count.length >= min && count.every((n) => n > 200);
      }, args.minCharts, { timeout: 20000, polling: 250 });
    } catch (error) {
      summary.checks.chartWait = String(error).split("\n")[0];
    }
    ink = await page.evaluate(canvasInk);
    summary.checks.canvases = ink.length;
    summary.checks.canvasInk = ink;
    summary.checks.chartsDrawn =
        ink.length >= args.minCharts && ink.every((n) => n > 200);
    // Each required chart: its canvas is in the report and has ink.
    summary.checks.requiredCharts = await page.evaluate((ids) => {
      const found = {};
      for (const id of ids) {
        const canvas = Array.from(document.querySelectorAll(
            "#sgm-report section.sgm-report canvas.sgm-chart")).find(
            (c) => c.getAttribute("data-chart-id") === id);
        if (!canvas || canvas.width === 0 || canvas.height === 0) {
          found[id] = 0;
          continue;
        }
        const data = canvas.getContext("2d").getImageData(
            0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) n++;
        found[id] = n;
      }
      return found;
    }, args.requireCharts);
    summary.checks.requiredChartsDrawn = args.requireCharts.every(
        (id) => summary.checks.requiredCharts[id] > 200);
    // The links to the report's sections.
    summary.checks.sectionLinks = await page.$$eval("#sgm-nav a",
        (links) => links.map((a) => a.textContent));
    await page.waitForFunction(() =>
        /Signed in as/.test(document.getElementById("sgm-who").textContent),
        null, { timeout: 10000 }).catch(() => {});
    summary.checks.who = await page.$eval("#sgm-who", (e) => e.textContent);
    summary.checks.status = await page.$eval("#sgm-status",
                                             (e) => e.textContent);
    await page.screenshot({ path: args.out, fullPage: true });
    summary.checks.screenshotBytes = statSync(args.out).size;

    const blank = await browser.newPage();
    const dataUrl = "data:image/png;base64," +
        readFileSync(args.out).toString("base64");
    const stats = await blank.evaluate(imageStats, dataUrl);
    summary.checks.screenshot = stats;
    summary.checks.screenshotNotBlank =
        stats.nonWhiteShare > 0.02 && stats.colours >= 16;

    summary.ok = summary.checks.pageStatus === 200 &&
        summary.checks.csp.includes("default-src 'self'") &&
        summary.checks.monthOffered && summary.checks.chartsDrawn &&
        summary.checks.requiredChartsDrawn &&
        summary.checks.sectionLinks.includes("Practice insight") &&
        summary.checks.sectionLinks.includes("What changed") &&
        /Signed in as/.test(summary.checks.who) &&
        summary.checks.screenshotNotBlank && summary.pageErrors.length === 0;
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(summary, null, 2));
  return summary.ok ? 0 : 1;
}

const watchdog = setTimeout(() => {
  console.log(JSON.stringify({ ok: false, error: "timed out after 120 s" }));
  process.exit(3);
}, 120000);
main().then((code) => {
  clearTimeout(watchdog);
  process.exit(code);
}, (error) => {
  clearTimeout(watchdog);
  console.log(JSON.stringify({ ok: false, error: String(error && error.stack || error) }));
  process.exit(2);
});
