// The Chinese edition as its reader meets it: JupyterLab started by the
// project's lab command, notebooks/zh/03_preprocess opened in Debian's
// Chromium from the zh folder, every cell run (the set-up cell finds the
// library from there), the Chinese headings and the outputs looked for in the
// page; then the notebook is exported through JupyterLab's File menu and the
// file checked for the same. Nothing may be left running.
//
//   source scripts/env.sh && node --test tests/browser/zh.test.mjs   (about a minute)
//
// Run by scripts/test.sh (make test) after `scripts/setup.sh --browser`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { labOnCopyOfNotebooks, menu, openNotebook, root, waitForAllCells } from './harness.mjs';

const out = path.join(root, 'build', 'browser-zh');
const notebook = 'zh/03_preprocess.ipynb';
// What the cells of the Chinese 03 print: its strings are Chinese
// (translations/zh/03_preprocess.json), the numbers the English edition's.
const outputs = [
  '之后： (60000, 784) Float32 的值',
  '除以 255 之后：值从 0 到 1',
  'train_label[0] = 5 → [0 0 0 0 0 1 0 0 0 0]',
  'CNN 的输入： (60000, 28, 28, 1)',
];

// headings returns the text of the notebook's markdown headings, as a reader
// sees them (no backticks or emphasis marks).
function headings(file) {
  const cells = JSON.parse(fs.readFileSync(file, 'utf8')).cells.filter((c) => c.cell_type === 'markdown');
  return cells.flatMap((c) => [].concat(c.source).join('').split('\n'))
    .filter((l) => /^#{1,6} /.test(l)).map((l) => l.replace(/^#+ /, '').replace(/[`*]/g, '').trim());
}

// text is what an HTML page reads as: tags dropped, entities decoded, pilcrows of anchor links gone.
function text(html) {
  return html.replace(/<style[\s\S]*?<\/style>/g, '').replace(/<[^>]+>/g, '').replace(/¶/g, '')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

test('a notebook of the Chinese edition runs in JupyterLab and exports with its Chinese text', { timeout: 10 * 60_000 }, async (t) => {
  const want = headings(path.join(root, 'notebooks', notebook));
  assert.ok(want.length >= 3 && want.every((h) => /[\u3400-\u9fff]/.test(h)), `the Chinese notebook's headings are Chinese: ${want}`);

  const { lab, browser } = await labOnCopyOfNotebooks(t, out, 'WORKBOOK_BROWSER_ZH_TEST');
  const { page, errors } = await openNotebook(browser, lab, out, notebook, { viewport: { width: 1400, height: 2000 }, acceptDownloads: true });
  await menu(page, 'Run', 'Run All Cells');
  await waitForAllCells(page, 5 * 60_000);

  const shown = (await page.locator('.jp-Notebook .jp-OutputArea-output').allTextContents()).join('\n'); // textContent: off-screen cells are not rendered
  assert.equal(await page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]').count(), 0,
    'no cell shows an error:\n' + shown);
  for (const w of outputs) assert.ok(shown.includes(w), `the page shows ${JSON.stringify(w)}:\n${shown}`);
  const rendered = (await page.locator('.jp-Notebook .jp-RenderedMarkdown').allTextContents()).join('\n');
  for (const h of want) assert.ok(rendered.includes(h), `the page shows the heading ${JSON.stringify(h)}`);
  fs.mkdirSync(out, { recursive: true });
  await page.screenshot({ path: path.join(out, '03_preprocess.png') });
  assert.deepEqual(errors, [], 'no JavaScript errors in the page');

  // JupyterLab's own export, as the README says (untick "Sanitize HTML output").
  const download = page.waitForEvent('download', { timeout: 120_000 });
  await menu(page, 'File', 'Save and Export Notebook As', 'HTML');
  await page.locator('.jp-Dialog').getByRole('checkbox').uncheck();
  await page.locator('.jp-Dialog').getByRole('button', { name: 'Ok' }).click();
  const html = path.join(out, '03_preprocess.html');
  await (await download).saveAs(html);
  const exported = fs.readFileSync(html, 'utf8');
  assert.match(exported, new RegExp(`<h1[^>]*>${want[0].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), 'the title is a rendered Chinese heading');
  const read = text(exported);
  for (const h of want) assert.ok(read.includes(h), `the export holds the heading ${JSON.stringify(h)}`);
  for (const w of outputs) assert.ok(read.includes(w), `the export holds the output ${JSON.stringify(w)}`);
  assert.doesNotMatch(exported, /&lt;(h\d|p|svg|div)\b/, 'nothing shows as escaped markup');
});
