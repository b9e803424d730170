// What the browser tests share: a marker that every process they start
// inherits (so the ones left behind can be found at the end), Debian's
// Chromium, JupyterLab started by the project's lab command, and JupyterLab's
// menus and cells as a person uses them.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// Chromium's own network traffic (updates, sync, Google's hosts) is refused on
// a closed machine; these flags keep it from trying.
const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

// newMarker makes the environment variable NAME=random that a test's processes
// carry; env is the process environment with it.
export function newMarker(name) {
  const value = randomBytes(8).toString('hex');
  return { marker: `${name}=${value}`, env: { ...process.env, [name]: value } };
}

export function launchChromium(env) {
  return chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: chromiumArgs, env });
}

// startLab runs scripts/lab.sh on a free port of 127.0.0.1 showing dir, with
// env (the marker's, plus whatever the test adds), logging to out/lab.log, and
// reads the token from the URL JupyterLab prints.
export async function startLab({ dir, env, out }) {
  // Its own workspace: JupyterLab reopens the tabs a workspace remembers, and
  // another test's open notebook would hide this one's.
  const args = ['--ServerApp.port_retries=0', `--LabApp.workspaces_dir=${path.join(out, 'workspaces')}`];
  if (process.getuid() === 0) args.push('--allow-root'); // JupyterLab refuses root unless told; CI runs as root
  const port = await freePort();
  const lab = spawn(path.join(root, 'scripts', 'lab.sh'), args,
    { env: { ...env, LAB_PORT: String(port), LAB_ROOT: dir }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  fs.mkdirSync(out, { recursive: true });
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

// stopLab asks the server to shut down (it stops its kernels first) and waits
// for it; it reports whether the lab exited by itself, then ends what is left
// of its process group.
export async function stopLab({ process: lab, url, token }) {
  if (url) await fetch(`${url}/api/shutdown`, { method: 'POST', headers: { Authorization: `token ${token}` } }).catch(() => {});
  const exited = lab.exitCode !== null || await withTimeout(new Promise((r) => lab.on('exit', () => r(true))), 30_000, '').catch(() => false);
  try { process.kill(-lab.pid, 'SIGKILL'); } catch {}
  return exited;
}

// processesWith returns the pids of the processes (other than this one) that carry the marker.
export function processesWith(marker) {
  return fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid).filter((pid) => {
    try { return fs.readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(marker); } catch { return false; }
  });
}

// cellPrograms lists the running cell programs that carry the marker: GoNB
// gives each the path of its pipe in $GONB_PIPE.
export function cellPrograms(marker) {
  return processesWith(marker).filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').some((v) => v.startsWith('GONB_PIPE='));
    } catch { return false; }
  });
}

// describe names a process by its command line.
export function describe(pid) {
  try { return `${pid}: ${fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ')}`; } catch { return String(pid); }
}

// leftBehind returns the processes (other than this one) that carry the
// marker, after giving them up to 10 s to go; it kills them and describes them.
export async function leftBehind(marker) {
  let pids = [];
  for (let i = 0; i < 20; i++) {
    pids = processesWith(marker);
    if (pids.length === 0) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const described = pids.map((pid) => {
    try { return `${pid}: ${fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ')}`; } catch { return pid; }
  });
  for (const pid of pids) try { process.kill(Number(pid), 'SIGKILL'); } catch {}
  return described;
}

// labOnCopyOfNotebooks starts JupyterLab on a fresh copy of the notebooks
// under out (running them in the browser saves outputs into the files), in
// quick mode with checkpoints of its own, and Debian's Chromium, every process
// carrying a new marker named markerName. When test t ends, the browser
// closes first (it holds the kernel's sockets), the lab must exit after
// /api/shutdown, and no process of the test may be left.
export async function labOnCopyOfNotebooks(t, out, markerName) {
  const { marker, env } = newMarker(markerName);
  const dir = path.join(out, 'notebooks');
  fs.rmSync(out, { recursive: true, force: true });
  fs.cpSync(path.join(root, 'notebooks'), dir, { recursive: true, filter: (f) => !f.endsWith('_test.go') });
  const lab = await startLab({ dir, out, env: { ...env, WORKBOOK_QUICK: '1', WORKBOOK_CHECKPOINTS: path.join(out, 'checkpoints') } });
  let browser;
  t.after(async () => {
    await browser?.close();
    assert.ok(await stopLab(lab), 'JupyterLab exited after /api/shutdown');
    assert.deepEqual(await leftBehind(marker), [], 'processes left behind');
  });
  browser = await launchChromium(env);
  return { lab, browser, marker };
}

// menu clicks through JupyterLab's menu bar: menu(page, 'Run', 'Run All Cells').
export async function menu(page, ...labels) {
  await page.locator('.lm-MenuBar-itemLabel', { hasText: new RegExp(`^${labels[0]}$`) }).click();
  for (const label of labels.slice(1)) {
    await page.locator('.lm-Menu:visible .lm-Menu-itemLabel', { hasText: new RegExp(`^${label}$`) }).last().click();
  }
}

// waitForAllCells waits until every code cell has an execution count: "[*]" while it runs, "[n]" when done.
export async function waitForAllCells(page, timeout) {
  await page.waitForFunction(() => {
    const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map((p) => p.textContent.trim());
    return prompts.length > 0 && prompts.every((p) => /^\[\d+\]:$/.test(p));
  }, null, { timeout, polling: 1000 });
}

export function withTimeout(promise, ms, message) {
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

// waitForKernelIdle waits, as a person does, for the status bar to say the Go
// kernel is idle. If it does not within 90 s, it prints what would tell why
// (the status bar, the server's view of its kernels, the end of lab.log) and
// reloads the page once, as a person would; a second wait that fails fails
// the test with the same report.
export async function waitForKernelIdle(page, lab, out) {
  const idle = () => page.locator('#jp-main-statusbar', { hasText: /Go \(gonb\) \| Idle/ }).waitFor({ timeout: 90_000 });
  for (let attempt = 1; ; attempt++) {
    try {
      return await idle();
    } catch (e) {
      await page.screenshot({ path: path.join(out, `kernel-not-idle-${attempt}.png`) }).catch(() => {});
      const report = await kernelReport(page, lab, out);
      if (attempt === 2) throw new Error(`the kernel was not idle after a reload: ${e.message}\n${report}`);
      console.error(`# the kernel was not idle after 90 s; reloading the page once\n${report.replace(/^/gm, '# ')}`);
      await page.reload();
      await page.locator('.jp-Notebook .jp-Cell').first().waitFor({ timeout: 120_000 });
    }
  }
}

// kernelReport describes the kernel as the page and the server see it.
async function kernelReport(page, lab, out) {
  const bar = await page.locator('#jp-main-statusbar').innerText({ timeout: 5_000 }).catch((e) => `(${e.message})`);
  const api = async (p) => fetch(`${lab.url}${p}`, { headers: { Authorization: `token ${lab.token}` } })
    .then((r) => r.text()).catch((e) => `(${e.message})`);
  let logTail = '';
  try { logTail = fs.readFileSync(path.join(out, 'lab.log'), 'utf8').split('\n').slice(-40).join('\n'); } catch {}
  return `status bar: ${bar.replace(/\s+/g, ' ')}\n/api/kernels: ${await api('/api/kernels')}\n` +
    `/api/sessions: ${await api('/api/sessions')}\nlab.log (last 40 lines):\n${logTail}`;
}

// openNotebook opens notebook in a new page of the lab, from its address as a
// person would, and waits until the status bar says its kernel is idle. It
// returns the page, the notebook's panel, the page's JavaScript errors as they
// come, and shot(name), which saves a screenshot under out. beforeOpen(page),
// if given, runs before the page loads (to watch its messages from the first).
export async function openNotebook(browser, lab, out, notebook, { viewport = { width: 1400, height: 1800 }, acceptDownloads = false, beforeOpen } = {}) {
  const page = await (await browser.newContext({ viewport, acceptDownloads })).newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  if (beforeOpen) beforeOpen(page);
  await page.goto(`${lab.url}/lab/tree/${notebook}?token=${lab.token}`);
  const nb = page.locator('.jp-NotebookPanel:visible');
  await nb.locator('.jp-Notebook .jp-Cell').first().waitFor({ timeout: 120_000 });
  await waitForKernelIdle(page, lab, out);
  return { page, nb, errors, shot: (name) => page.screenshot({ path: path.join(out, name) }) };
}
