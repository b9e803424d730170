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
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const out = path.join(root, 'build', 'export-test');
const notebook = path.join(root, 'tests', 'export', 'export_check.ipynb');
const name = 'export_check';
// Every process the test starts inherits this variable, so the ones left
// behind can be found by it at the end.
const marker = 'WORKBOOK_EXPORT_TEST=' + randomBytes(8).toString('hex');
const env = { ...process.env, [marker.split('=')[0]]: marker.split('=')[1] };
const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

let browser;
before(async () => {
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  const job = await run(path.join(root, 'scripts', 'run-notebooks.sh'), [notebook], { ...env, NOTEBOOKS_OUT: out });
  assert.equal(job.code, 0, `the main job failed:\n${job.output}`);
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: chromiumArgs, env });
});

after(async () => {
  await browser?.close();
  const left = await leftBehind();
  const described = left.map(describe);
  for (const pid of left) try { process.kill(pid, 'SIGKILL'); } catch {}
  assert.deepEqual(described, [], 'processes left behind');
});

test("the main job's HTML export stands alone", { timeout: 120_000 }, async () => {
  const file = path.join(out, 'html', name + '.html');
  await checkExport(file);
});

test("JupyterLab's HTML export stands alone", { timeout: 180_000 }, async (t) => {
  const lab = await startLab(path.join(out, 'executed'));
  t.after(() => stopLab(lab));
  // What File > Save and Export Notebook As > HTML asks the server for, with
  // "Sanitize HTML output" unticked as the README says.
  const res = await fetch(`${lab.url}/nbconvert/html/${name}.ipynb?download=true&sanitize_html=false`,
    { headers: { Authorization: `token ${lab.token}` } });
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

// startLab runs scripts/lab.sh on a free port of 127.0.0.1 showing dir, and
// reads the token from the URL JupyterLab prints.
async function startLab(dir) {
  const args = ['--ServerApp.port_retries=0'];
  if (process.getuid() === 0) args.push('--allow-root'); // CI runs the tests as root
  const port = await freePort();
  const lab = spawn(path.join(root, 'scripts', 'lab.sh'), args,
    { env: { ...env, LAB_PORT: String(port), LAB_ROOT: dir }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = fs.createWriteStream(path.join(out, 'lab.log'));
  lab.stdout.pipe(log);
  let printed = '';
  const url = new Promise((resolve, reject) => {
    lab.stderr.on('data', (b) => {
      log.write(b);
      printed += b;
      const m = printed.match(/http:\/\/127\.0\.0\.1:(\d+)\/lab\?token=([0-9a-f]+)/);
      if (m) resolve({ url: `http://127.0.0.1:${m[1]}`, token: m[2] });
    });
    lab.on('exit', (code) => reject(new Error(`lab exited with ${code}; see ${path.join(out, 'lab.log')}`)));
  });
  try {
    return { process: lab, ...await withTimeout(url, 180_000, 'JupyterLab did not print its URL') };
  } catch (e) {
    await stopLab({ process: lab });
    throw e;
  }
}

async function stopLab({ process: lab, url, token }) {
  if (url) await fetch(`${url}/api/shutdown`, { method: 'POST', headers: { Authorization: `token ${token}` } }).catch(() => {});
  if (lab.exitCode === null) {
    await Promise.race([new Promise((r) => lab.on('exit', r)), new Promise((r) => setTimeout(r, 30_000))]);
  }
  try { process.kill(-lab.pid, 'SIGKILL'); } catch {} // what is left of its process group
}

async function leftBehind() {
  const pids = [];
  for (let i = 0; i < 20; i++) { // a process may take a moment to go
    pids.length = 0;
    for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        if (Number(pid) !== process.pid && fs.readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(marker)) pids.push(Number(pid));
      } catch {} // gone already, or not ours
    }
    if (pids.length === 0) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return pids;
}

function describe(pid) {
  try { return `${pid}: ${fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ')}`; } catch { return String(pid); }
}

function withTimeout(promise, ms, message) {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(message)), ms); })])
    .finally(() => clearTimeout(timer));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on('error', reject);
  });
}
