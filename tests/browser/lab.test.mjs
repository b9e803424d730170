// The workbook as a person meets it: JupyterLab started by the project's lab
// command, notebook 04 opened in Debian's Chromium, every cell run, and the
// digit and the charts looked for in the page. Then the notebook is exported
// through JupyterLab's own File menu, and nothing may be left running.
//
// Run by scripts/test.sh (make test) after `scripts/setup.sh --browser`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { labOnCopyOfNotebooks, menu, openNotebook, root, waitForAllCells } from './harness.mjs';

const out = path.join(root, 'build', 'browser');
const notebook = '04_mlp.ipynb';

test('notebook 04 runs in JupyterLab in a real browser and shows a digit and charts', { timeout: 15 * 60_000 }, async (t) => {
  const { lab, browser } = await labOnCopyOfNotebooks(t, out, 'WORKBOOK_BROWSER_TEST');
  // Watch the kernel's messages as the browser receives them: Fit redraws the
  // Chinese accuracy chart in place after every epoch, so at least two drawings
  // must arrive before the training cell prints its history (after Fit returns).
  // (The page itself may draw several messages in one frame.) Then wait for
  // what a person waits for: the status bar saying the kernel is idle.
  let live;
  const { page, errors } = await openNotebook(browser, lab, out, notebook, {
    viewport: { width: 1400, height: 2000 }, acceptDownloads: true, beforeOpen: (p) => { live = watchLiveChart(p, '训练历史'); },
  });

  await menu(page, 'Run', 'Run All Cells');
  await waitForAllCells(page, 10 * 60_000);
  assert.ok(live.history, 'the training cell printed its history');
  assert.ok(live.drawings.size >= 2, `the live chart was drawn ${live.drawings.size} time(s) while training, want at least 2`);

  const outputs = page.locator('.jp-Notebook .jp-OutputArea-output');
  // textContent, not innerText: JupyterLab skips rendering cells far off screen
  // (content-visibility), and their innerText is empty.
  const texts = (await outputs.allTextContents()).join('\n');
  assert.match(texts, /Total params: 203,530/, 'the summary is shown');
  assert.match(texts, /test accuracy: 0\.\d{4}/, 'the test accuracy is printed');
  assert.equal(await page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]').count(), 0,
    'no cell shows an error:\n' + texts);

  // The cell that shows a digit and then prints its probabilities shows them in that order.
  const predictCell = page.locator('.jp-CodeCell', { hasText: 'predicted digit (argmax)' }).last();
  const order = await predictCell.locator('.jp-OutputArea-output').evaluateAll((els) =>
    els.map((e) => (e.dataset.mimeType === 'image/png' ? 'digit' : /^0: 0\./m.test(e.textContent) ? 'probabilities' : 'text')));
  assert.ok(order.indexOf('digit') >= 0 && order.indexOf('digit') < order.indexOf('probabilities'),
    `the digit comes before its probabilities: ${order}`);

  // The digit is a PNG drawn by mnistlib; the browser must have decoded it.
  const digit = page.locator('.jp-OutputArea-output[data-mime-type="image/png"] img').first();
  await digit.scrollIntoViewIfNeeded();
  const size = await digit.evaluate((img) => [img.naturalWidth, img.naturalHeight]);
  assert.ok(size[0] >= 28 && size[1] >= 28, `the digit image decoded (${size})`);
  // The charts are SVG, which JupyterLab shows as images.
  const charts = page.locator('.jp-OutputArea-output[data-mime-type="image/svg+xml"] img');
  const mimes = await outputs.evaluateAll((els) => els.map((e) => e.dataset.mimeType + ':' + e.innerHTML.slice(0, 60)));
  assert.ok(await charts.count() >= 2, 'accuracy and loss charts are in the page:\n' + mimes.join('\n'));
  const chart = charts.first();
  const box = await chart.boundingBox();
  assert.ok(box && box.width > 300 && box.height > 150, `the chart is drawn at a readable size (${JSON.stringify(box)})`);
  assert.ok(await chart.evaluate((img) => img.complete && img.naturalWidth > 0), 'the chart image decoded');
  // The Chinese accuracy chart: its labels must be glyph outlines, since this
  // Chromium has no CJK fonts and would draw <text> in Chinese as empty boxes.
  const sources = await charts.evaluateAll((imgs) => imgs.map((img) => decodeURIComponent(img.src.slice(img.src.indexOf(',') + 1))));
  const zh = sources.findIndex((svg) => svg.includes('训练历史'));
  assert.ok(zh >= 0, 'the accuracy chart with Chinese labels is in the page');
  assert.doesNotMatch(sources[zh], /<text\b[^>]*>[^<]*[\u3400-\u9fff]/, 'the Chinese labels are glyphs, not <text>');
  const zhChart = charts.nth(zh);

  // One picture with both: scroll the chart to the top; the digit is further down.
  await chart.evaluate((el) => el.scrollIntoView({ block: 'start' }));
  fs.mkdirSync(out, { recursive: true });
  await page.screenshot({ path: path.join(out, '04_mlp.png') });
  assert.deepEqual(errors, [], 'no JavaScript errors in the page');

  // JupyterLab's own export, as the README tells a person to do it: File >
  // Save and Export Notebook As > HTML, untick "Sanitize HTML output" (with it,
  // nbconvert escapes every heading and paragraph: jupyter/nbconvert#2016), Ok.
  const download = page.waitForEvent('download', { timeout: 120_000 });
  await menu(page, 'File', 'Save and Export Notebook As', 'HTML');
  await page.locator('.jp-Dialog').getByRole('checkbox').uncheck();
  await page.locator('.jp-Dialog').getByRole('button', { name: 'Ok' }).click();
  const html = path.join(out, '04_mlp.html');
  await (await download).saveAs(html);
  const exported = fs.readFileSync(html, 'utf8');
  assert.match(exported, /Total params: 203,530/, 'the export holds the outputs');
  assert.match(exported, /test accuracy: 0\.\d{4}/, 'the export holds the accuracy');
  const images = exported.match(/<img[^>]+src="data:image\/(png|svg\+xml);base64,/g) || [];
  const exportedSVGs = [...exported.matchAll(/src="data:image\/svg\+xml;base64,([^"]+)"/g)]
    .map((m) => Buffer.from(m[1], 'base64').toString('utf8'));
  for (const svg of sources.filter((svg) => svg.includes('训练历史'))) {
    assert.ok(exportedSVGs.includes(svg) || exported.includes(svg), 'the export holds the live charts as they were last drawn');
  }
  assert.ok(images.length >= 3, `the digit and both charts are in the export as images (${images.length} images)`);
  assert.match(exported, /<h1[^>]*>04 · The multilayer perceptron/, 'the headings are rendered');
  assert.doesNotMatch(exported, /&lt;(h\d|p|svg|div|progress)\b/, 'nothing shows as escaped markup');

  // What the browser drew for the Chinese chart must look like its PNG copy,
  // drawn with bundled fonts: boxes in place of glyphs differ in ink. The
  // export saved the notebook, so the PNG is in the file.
  const png = chartPNG(path.join(out, 'notebooks', notebook), '训练历史');
  assert.ok(png, 'the Chinese chart has a PNG copy in the saved notebook');
  await zhChart.scrollIntoViewIfNeeded();
  await zhChart.screenshot({ path: path.join(out, 'chart-zh.png') });
  const regions = { ...labelRegions, legend: legendRegion(sources[zh]) };
  const diffs = await zhChart.evaluate(compareInk, { png: 'data:image/png;base64,' + png, regions });
  for (const [region, diff] of Object.entries(diffs)) {
    assert.ok(diff < 0.35, `the chart's ${region} is drawn as in the PNG (ink differs by ${diff.toFixed(2)}; see chart-zh.png)`);
  }
});

// watchLiveChart records, from the kernel's websocket as the page receives it,
// each distinct drawing of the chart whose SVG holds title that arrives before
// the training cell prints its history. The server's JSON may escape the
// title's characters as \uXXXX.
function watchLiveChart(page, title) {
  const escaped = [...title].map((c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')).join('');
  const live = { drawings: new Set(), history: false };
  page.on('websocket', (ws) => ws.on('framereceived', ({ payload }) => {
    const text = typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8');
    if (/train_history\.history\['loss'\]\s+= \[/.test(text)) live.history = true; // the printed history, not the code
    else if (!live.history && text.includes('display_data') && (text.includes(title) || text.includes(escaped))) {
      // the SVG itself, not the message's id and date (the server may escape its '<' as \u003c)
      live.drawings.add(createHash('sha1').update(text.slice(text.indexOf('image/svg+xml'))).digest('hex'));
    }
  }));
  return live;
}

// Where a default-sized (640×360) chart has its labels, in CSS pixels
// [x0, y0, x1, y1], from the layout in mnistlib/chart.go.
const labelRegions = {
  title: [0, 0, 640, 34],
  'x label': [64, 338, 620, 360],
  'y label': [0, 36, 30, 312],
};

// legendRegion is where the chart's legend is: chart.go puts it where no
// curve runs, so it is read from the SVG, around its first label (训练准确率,
// placed at its baseline by a translate) and the row below it.
function legendRegion(svg) {
  const m = svg.match(/aria-label="训练准确率" transform="translate\(([\d.]+) ([\d.]+)\)/);
  assert.ok(m, 'the legend labels its first curve 训练准确率');
  const [x, y] = [Number(m[1]), Number(m[2])];
  return [Math.round(x) - 30, Math.round(y) - 16, Math.round(x) + 110, Math.round(y) + 22];
}

// chartPNG returns the base64 PNG copy of the chart titled title in a saved notebook.
function chartPNG(file, title) {
  for (const cell of JSON.parse(fs.readFileSync(file, 'utf8')).cells) {
    for (const o of cell.outputs || []) {
      const text = [].concat(o.data?.['text/plain'] || []).join('');
      if (text === 'chart: ' + title && o.data['image/png']) return [].concat(o.data['image/png']).join('').replace(/\s/g, '');
    }
  }
  return undefined;
}

// compareInk runs in the page: it draws the chart image and its PNG copy at
// the chart's size and returns, per region, how much their ink (darkness)
// differs relative to the ink there: about 0.1 for the same glyphs drawn by
// two renderers, about 1 for boxes against glyphs.
async function compareInk(img, { png, regions }) {
  const w = img.naturalWidth, h = img.naturalHeight;
  const ink = (picture) => {
    const c = document.createElement('canvas');
    c.width = w;
    c.height = h;
    const g = c.getContext('2d');
    g.drawImage(picture, 0, 0, w, h);
    const d = g.getImageData(0, 0, w, h).data;
    return (x, y) => 1 - (0.299 * d[4 * (y * w + x)] + 0.587 * d[4 * (y * w + x) + 1] + 0.114 * d[4 * (y * w + x) + 2]) / 255;
  };
  const copy = new Image();
  copy.src = png;
  await copy.decode();
  const [a, b] = [ink(img), ink(copy)];
  const diffs = {};
  for (const [name, [x0, y0, x1, y1]] of Object.entries(regions)) {
    let sa = 0, sb = 0, sd = 0;
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        sa += a(x, y);
        sb += b(x, y);
        sd += Math.abs(a(x, y) - b(x, y));
      }
    }
    diffs[name] = sd / Math.max(sa, sb, 1);
  }
  return diffs;
}
