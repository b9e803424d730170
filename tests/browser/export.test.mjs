// HTML exports that stand alone: the main job (scripts/run-notebooks.sh, what
// `make notebooks` runs) executes a small notebook (tests/export/export_check.ipynb),
// and its export is opened in Debian's Chromium with every request that is not
// the file itself refused and recorded. Nothing may leave the page, and the
// headings, the printed text, the digit (PNG) and the chart (SVG) must be there.
// The same for JupyterLab's own export (File > Save and Export Notebook As >
// HTML calls the server's /nbconvert/html handler, fetched here directly), and
// a check that the harness notices the CDN scripts of nbconvert's stock template.
//
//   source scripts/env.sh && node --test tests/browser/export.test.mjs   (about a minute)
//
// Needs `scripts/setup.sh --browser`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchChromium, leftBehind, newMarker, root, startLab, stopLab } from './harness.mjs';

const out = path.join(root, 'build', 'export-test');
const notebook = path.join(root, 'tests', 'export', 'export_check.ipynb');
const name = 'export_check';
const { marker, env } = newMarker('WORKBOOK_EXPORT_TEST');

let browser;
before(async () => {
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  const job = await run(path.join(root, 'scripts', 'run-notebooks.sh'), [notebook], { ...env, NOTEBOOKS_OUT: out });
  assert.equal(job.code, 0, `the main job failed:\n${job.output}`);
  browser = await launchChromium(env);
});

after(async () => {
  await browser?.close();
  assert.deepEqual(await leftBehind(marker), [], 'processes left behind');
});

test("the main job's HTML export stands alone", { timeout: 120_000 }, async () => {
  const file = path.join(out, 'html', name + '.html');
  await checkExport(file);
});

test("JupyterLab's HTML export stands alone", { timeout: 180_000 }, async (t) => {
  const lab = await startLab({ dir: path.join(out, 'executed'), env, out });
  t.after(() => stopLab(lab));
  // What File > Save and Export Notebook As > HTML asks the server for, with
  // "Sanitize HTML output" unticked as the README says.
  const url = `${lab.url}/nbconvert/html/${name}.ipynb?download=true&sanitize_html=false`;
  const options = { headers: { Authorization: `token ${lab.token}` } };
  let res;
  try {
    res = await fetch(url, options);
  } catch (e) {
    // Twice in CI, on a loaded machine, the connection failed before any
    // answer ("fetch failed"); the same request alone then passed. Say why,
    // and ask once more: a second failure is a failure.
    t.diagnostic(`the lab's export: ${e.message} (${e.cause?.code ?? e.cause}); asking once more`);
    await new Promise((r) => setTimeout(r, 3000));
    res = await fetch(url, options);
  }
  assert.equal(res.status, 200, `the lab's export answered ${res.status}: ${await res.clone().text()}`);
  const file = path.join(out, 'lab-export.html');
  fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
  await checkExport(file);
});

test("the check notices nbconvert's stock template, which loads scripts from a CDN", { timeout: 120_000 }, async () => {
  const job = await run('jupyter', ['nbconvert', '--to', 'html', '--HTMLExporter.template_name=lab',
    '--output-dir', out, '--output', 'stock-template', path.join(out, 'executed', name + '.ipynb')], env);
  assert.equal(job.code, 0, job.output);
  const { refused } = await open(path.join(out, 'stock-template.html'));
  assert.ok(refused.some((u) => u.includes('cdnjs.cloudflare.com')), `requests to the CDN were refused: ${refused}`);
});

// checkExport opens an export with the network refused and checks what the reader sees.
async function checkExport(file) {
  const html = fs.readFileSync(file, 'utf8');
  // In the file: nothing that loads from elsewhere (links to read are fine).
  assert.doesNotMatch(html, /<script\b[^>]*\bsrc=/i, 'no <script src=…>');
  assert.doesNotMatch(html, /<link\b[^>]*\bhref=/i, 'no <link href=…> (style sheets are inline)');
  assert.doesNotMatch(html, /\bsrc=["']?(https?:|\/\/)/i, 'no src= pointing at another host');
  assert.doesNotMatch(html, /(@import|url\()\s*["']?(https?:|\/\/)/i, 'no style loaded from another host');

  const { page, refused, others, errors } = await open(file);
  try {
    assert.deepEqual(refused, [], 'no request left the page');
    assert.deepEqual(others, [], 'the page loaded nothing but itself (and data: URLs)');
    assert.deepEqual(errors, [], 'no JavaScript errors');

    assert.equal((await page.locator('h1').first().innerText()).replace(/¶$/, '').trim(), 'Export check · 导出检查');
    assert.deepEqual((await page.locator('h2').allInnerTexts()).map((h) => h.replace(/¶$/, '').trim()),
      ['Printed text', 'A digit', 'A chart · 训练历史']);
    assert.match(await page.locator('body').innerText(), /printed by the cell/);

    // The digit: a PNG inside the file, decoded by the browser.
    const digit = page.locator('.jp-OutputArea-output img[src^="data:image/png;base64,"]');
    assert.equal(await digit.count(), 1, 'one digit image');
    assert.deepEqual(await digit.evaluate((img) => [img.complete, img.naturalWidth, img.naturalHeight]), [true, 28, 28],
      'the digit image decoded');
    // The chart: SVG inside the file, drawn at its size, with its Chinese title.
    const chart = page.locator('.jp-OutputArea-output img[src^="data:image/svg+xml;base64,"]');
    assert.equal(await chart.count(), 1, 'one chart');
    const svg = Buffer.from((await chart.getAttribute('src')).split(',')[1], 'base64').toString('utf8');
    assert.match(svg, /训练历史 accuracy/, "the chart's title is in its SVG");
    const [complete, width] = await chart.evaluate((img) => [img.complete, img.naturalWidth]);
    assert.ok(complete && width >= 600, `the chart decoded (${width} px wide)`);
    const box = await chart.boundingBox();
    assert.ok(box && box.width > 300 && box.height > 150, `the chart is drawn at a readable size (${JSON.stringify(box)})`);
  } finally {
    await page.context().close();
  }
}

// open loads an HTML file in a fresh context that refuses every request not
// to the file itself or a data: URL, and records what the page asked for.
async function open(file) {
  const url = pathToFileURL(file).href;
  const context = await browser.newContext({ viewport: { width: 1200, height: 1600 } });
  const page = await context.newPage();
  const refused = [], others = [], errors = [];
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (u === url || u.startsWith('data:')) return route.continue();
    refused.push(u);
    return route.abort('blockedbyclient');
  });
  page.on('request', (r) => { if (r.url() !== url && !r.url().startsWith('data:')) others.push(r.url()); });
  page.on('websocket', (ws) => refused.push(ws.url()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url, { waitUntil: 'load' });
  // Scripts that fetch after load (a module importing mermaid, say) get a moment.
  await page.waitForLoadState('networkidle');
  others.splice(0, others.length, ...others.filter((u) => !refused.includes(u)));
  return { page, refused, others, errors };
}

function run(command, args, runEnv) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env: runEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b) => { output += b; });
    child.stderr.on('data', (b) => { output += b; });
    child.on('exit', (code) => resolve({ code, output }));
  });
}
