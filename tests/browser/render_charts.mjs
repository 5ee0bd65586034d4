// Renders bi's Chart.js configs with the real Chart.js in headless Chromium: every dump's
// chart_config, a filtered answer's chart, and a `bi-ask --format html` page. Each must draw
// without a console or page error, paint a canvas that is not blank, and format its value
// axis as the config asks ($, %). A PNG of each goes to the artifacts directory.
// Usage: node render_charts.mjs DUMPS_DIR ANSWER_JSON HTML_PAGE OUT_DIR
// Prints "ok   name" / "FAIL name" lines (tests/cli/lib.sh style); exits 1 when any failed.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [dumpsDir, answerFile, htmlFile, outDir] = process.argv.slice(2);
if (!outDir) {
  console.error('usage: node render_charts.mjs DUMPS_DIR ANSWER_JSON HTML_PAGE OUT_DIR');
  process.exit(2);
}
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const chartjs = process.env.BI_CHARTJS || path.join(repo, 'node_modules/chart.js/dist/chart.umd.js');
fs.mkdirSync(outDir, { recursive: true });

let failures = 0;
const pass = (name) => console.log(`ok   ${name}`);
const fail = (name, why) => {
  failures += 1;
  console.log(`FAIL ${name}`);
  console.log(`     ${why}`);
};

// The charts: one per dump, then the filtered answer's.
const cases = [];
for (const category of fs.readdirSync(dumpsDir).sort()) {
  const dir = path.join(dumpsDir, category);
  if (!fs.statSync(dir).isDirectory()) continue;
  for (const file of fs.readdirSync(dir).sort()) {
    if (!file.endsWith('.json')) continue;
    const dump = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    cases.push({ name: `${category}.${file.replace(/\.json$/, '')}`, config: dump.chart_config });
  }
}
const answer = JSON.parse(fs.readFileSync(answerFile, 'utf8'));
cases.push({ name: 'answer.top_5_models_northeast', config: answer.chart_config });

const browser = await chromium.launch({
  executablePath: process.env.BI_CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 760 } });
  let errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));

  for (const { name, config } of cases) {
    errors = [];
    const label = `chart ${name}`;
    if (!config || typeof config !== 'object') {
      fail(label, 'no chart_config');
      continue;
    }
    await page.setContent('<!DOCTYPE html><html><head><meta charset="utf-8"></head>' +
      '<body style="margin:0;background:#fff"><div id="box" style="position:relative;width:960px;height:560px">' +
      '<canvas id="c"></canvas></div></body></html>');
    await page.addScriptTag({ path: chartjs });
    let result;
    try {
      result = await page.evaluate((config) => {
        // The config as bi wrote it; only the animation is off so the picture is final.
        Chart.defaults.animation = false;
        config.options = Object.assign({}, config.options, { maintainAspectRatio: false });
        const chart = new Chart(document.getElementById('c'), config);
        const canvas = chart.canvas;
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted += 1;
        const elements = chart.data.datasets.reduce((n, _, i) => n + chart.getDatasetMeta(i).data.length, 0);
        const ticks = {};
        for (const [id, scale] of Object.entries(chart.scales)) ticks[id] = scale.ticks.map((t) => t.label);
        return { painted, total: canvas.width * canvas.height, elements, ticks, type: chart.config.type };
      }, config);
    } catch (e) {
      fail(label, `Chart.js threw: ${e.message}`);
      continue;
    }
    await page.locator('#box').screenshot({ path: path.join(outDir, `${name}.png`) });
    const problems = [...errors];
    if (result.painted < result.total * 0.01) problems.push(`canvas nearly blank: ${result.painted} of ${result.total} pixels painted`);
    if (result.elements === 0) problems.push('no bar, point or slice drawn');
    // The value axis's number format made it through Chart.js: $ for money, % for percent.
    for (const [id, axis] of Object.entries(config.options?.scales ?? {})) {
      const format = axis.ticks?.format;
      const labels = (result.ticks[id] ?? []).filter((l) => l !== '0');
      if (!format || labels.length === 0) continue;
      if (format.style === 'currency' && !labels.some((l) => String(l).includes('$'))) problems.push(`axis ${id} ticks lack $: ${labels}`);
      if (format.unit === 'percent' && !labels.some((l) => String(l).includes('%'))) problems.push(`axis ${id} ticks lack %: ${labels}`);
    }
    if (problems.length) fail(label, problems.join('; '));
    else pass(`${label} (${result.type}, ${result.elements} elements)`);
  }

  // The --format html page, opened from disk as a person would.
  errors = [];
  await page.setViewportSize({ width: 1100, height: 900 });
  await page.goto(pathToFileURL(path.resolve(htmlFile)).href);
  const label = 'html page';
  try {
    await page.waitForFunction(() => typeof Chart !== 'undefined' && Chart.getChart('chart-0'), null, { timeout: 10000 });
    await page.waitForTimeout(1500);  // the page keeps Chart.js's entry animation
    const result = await page.evaluate(() => {
      const canvas = document.getElementById('chart-0');
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted += 1;
      return { painted, total: canvas.width * canvas.height, rows: document.querySelectorAll('tbody tr').length,
               title: document.querySelector('h1')?.textContent, scripts: document.querySelectorAll('script[src]').length };
    });
    await page.screenshot({ path: path.join(outDir, 'html_page.png'), fullPage: true });
    const problems = [...errors];
    if (result.painted < result.total * 0.01) problems.push(`canvas nearly blank: ${result.painted} of ${result.total}`);
    if (result.rows !== answer.data.length) problems.push(`table has ${result.rows} rows, the answer ${answer.data.length}`);
    if (result.title !== answer.title) problems.push(`title '${result.title}', wanted '${answer.title}'`);
    if (result.scripts !== 0) problems.push('the page loads external scripts');
    if (problems.length) fail(label, problems.join('; '));
    else pass(`${label} (${result.rows} rows)`);
  } catch (e) {
    fail(label, `${e.message}; ${errors.join('; ')}`);
  }
} finally {
  await browser.close();
}
process.exit(failures ? 1 : 0);
