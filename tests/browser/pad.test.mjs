// The drawing pad of notebook 10 as a person uses it: JupyterLab started by
// the project's lab command (quick mode), the notebook's cells run in
// Debian's Chromium, a "1" and a "0" drawn with the mouse on the pad, the
// model's input and the three models' answers looked for under it, the pad
// cleared, the kernel interrupted from the Kernel menu: the cell's program
// must end and the kernel be idle again. Then the pad once more, and the
// notebook closed: the program must end by itself. At the end nothing may be
// left running.
//
//   source scripts/env.sh && node --test tests/browser/pad.test.mjs   (a few minutes)
//
// Needs `scripts/setup.sh --browser`. In quick mode the CNN is trained on
// 6,000 images for 2 epochs; a plain vertical stroke and a round loop are
// the easiest digits, and it reads them right (the seed is fixed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { cellPrograms, describe, labOnCopyOfNotebooks, menu, openNotebook, processesWith, root } from './harness.mjs';

const out = path.join(root, 'build', 'browser-pad');
const notebook = '10_your_digits.ipynb';

test('the drawing pad of notebook 10 answers a drawn 1 and 0, clears, and stops on an interrupt and when its notebook closes', { timeout: 20 * 60_000 }, async (t) => {
  const { lab, browser, marker } = await labOnCopyOfNotebooks(t, out, 'WORKBOOK_PAD_TEST');
  const { page, nb, errors, shot } = await openNotebook(browser, lab, out, notebook);

  // Every cell: the pad's is the last, and it stays running while the pad is open.
  await menu(page, 'Run', 'Run All Cells');
  const pad = nb.locator('.jp-CodeCell').last();
  const canvas = pad.locator('.mnist-pad canvas');
  await canvas.waitFor({ timeout: 15 * 60_000 }).catch(async (e) => {
    await shot('pad-not-shown.png');
    throw e;
  });
  await pad.locator('.mnist-pad-status', { hasText: 'Draw a digit' }).waitFor({ timeout: 60_000 });
  const earlier = await nb.locator('.jp-CodeCell .jp-InputPrompt').evaluateAll((ps) => ps.slice(0, -1).map((p) => p.textContent.trim()));
  assert.ok(earlier.every((p) => /^\[\d+\]:$/.test(p)), `the cells above the pad ran: ${earlier}`);
  assert.equal(await nb.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]').count(), 0,
    'no cell shows an error');

  // Where (x, y) in [0, 1]² of the canvas is on the page now: the outputs
  // under the pad change height as it answers, which may scroll the page.
  const on = async () => {
    await canvas.scrollIntoViewIfNeeded();
    const box = await canvas.boundingBox();
    return (x, y) => [box.x + x * box.width, box.y + y * box.height];
  };

  // A "1": one vertical stroke.
  let at = await on();
  await stroke(page, [at(0.5, 0.15), at(0.5, 0.85)]);
  const one = await answers(pad, /^CNN: 1 \(/);
  assert.match(one.cnn, /^CNN: 1 \(\d+%\)$/, `the CNN reads the 1: ${JSON.stringify(one)}`);
  assert.match(one.mlp, answer('MLP'), `the MLP's answer is shown: ${JSON.stringify(one)}`);
  assert.match(one.robust, answer('robust CNN'), `the robust CNN's answer is shown: ${JSON.stringify(one)}`);
  await checkInput(pad);
  await shot('pad-1.png');

  // clear: the canvas goes black and the answers go away.
  await pad.getByRole('button', { name: 'clear' }).click();
  await pad.locator('.jp-OutputArea-output', { hasText: "the model's input and the probabilities appear here" }).waitFor({ timeout: 30_000 });
  assert.equal(await inkOnCanvas(canvas), 0, 'the canvas is blank after clear');

  // A "0": a loop, drawn as one stroke.
  at = await on();
  const loop = [];
  for (let i = 0; i <= 40; i++) {
    const a = -Math.PI / 2 + (2.1 * Math.PI * i) / 40;
    loop.push(at(0.5 + 0.25 * Math.cos(a), 0.5 + 0.33 * Math.sin(a)));
  }
  await stroke(page, loop);
  const zero = await answers(pad, /^CNN: 0 \(/);
  assert.match(zero.cnn, /^CNN: 0 \(\d+%\)$/, `the CNN reads the 0: ${JSON.stringify(zero)}`);
  assert.match(zero.mlp, answer('MLP'), `the MLP's answer is shown: ${JSON.stringify(zero)}`);
  assert.match(zero.robust, answer('robust CNN'), `the robust CNN's answer is shown: ${JSON.stringify(zero)}`);
  await checkInput(pad);
  await shot('pad-0.png');

  await pad.getByRole('button', { name: 'clear' }).click();
  await pad.locator('.jp-OutputArea-output', { hasText: "the model's input and the probabilities appear here" }).waitFor({ timeout: 30_000 });

  // The program runs until the learner interrupts the kernel.
  assert.ok(cellPrograms(marker).length > 0, "the pad's program runs while the pad is open");
  await menu(page, 'Kernel', 'Interrupt Kernel');
  await pad.locator('.jp-OutputArea-output', { hasText: 'drawing pad closed: the kernel was interrupted' }).waitFor({ timeout: 60_000 });
  await pad.locator('.jp-InputPrompt', { hasText: /^\[\d+\]:$/ }).waitFor({ timeout: 60_000 });
  await page.locator('#jp-main-statusbar', { hasText: /Go \(gonb\) \| Idle/ }).waitFor({ timeout: 60_000 });
  assert.equal(await pad.locator('.mnist-pad canvas').count(), 0, 'the pad (and its script) is gone from the cell');
  assert.equal(await pad.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]').count(), 0,
    'the interrupted cell shows no error');
  let programs = cellPrograms(marker);
  for (let i = 0; programs.length > 0 && i < 20; i++) {
    await new Promise((r) => setTimeout(r, 250));
    programs = cellPrograms(marker);
  }
  assert.deepEqual(programs.map(describe), [], "the pad's program ended with the interrupt");
  await shot('pad-interrupted.png');

  // The pad again, and this time the learner closes the notebook: the pad
  // stops answering the program's pings, and the program ends by itself
  // (in about 20 s) while the kernel goes on.
  // Ctrl+Enter runs the cell in place: Shift+Enter on the notebook's last cell
  // would add a new cell below it, which would then be the last.
  await pad.locator('.jp-InputArea-editor').click();
  await page.keyboard.press('Control+Enter');
  await pad.locator('.mnist-pad-status', { hasText: 'Draw a digit' }).waitFor({ timeout: 120_000 }).catch(async (e) => {
    await shot('pad-not-shown-again.png');
    throw e;
  });
  at = await on();
  await stroke(page, [at(0.5, 0.15), at(0.5, 0.85)]);
  await answers(pad, /^CNN: 1 \(/);
  assert.ok(cellPrograms(marker).length > 0, "the pad's program runs again");
  await menu(page, 'File', 'Close Tab');
  const discard = page.locator('.jp-Dialog').getByRole('button', { name: /Discard|Don.t Save/i });
  if (await discard.waitFor({ timeout: 5_000 }).then(() => true, () => false)) await discard.click();
  await nb.waitFor({ state: 'detached', timeout: 30_000 });
  programs = cellPrograms(marker);
  for (let i = 0; programs.length > 0 && i < 120; i++) {
    await new Promise((r) => setTimeout(r, 500));
    programs = cellPrograms(marker);
  }
  assert.deepEqual(programs.map(describe), [], "the pad's program ended after its notebook was closed");
  assert.ok(processesWith(marker).some((pid) => describe(pid).includes('gonb')), 'the kernel itself still runs (closing a notebook keeps it)');
  assert.deepEqual(errors, [], 'no JavaScript errors in the page');
});

// stroke drags the mouse through the points, button held.
async function stroke(page, points) {
  await page.mouse.move(...points[0]);
  await page.mouse.down();
  for (const p of points.slice(1)) await page.mouse.move(...p, { steps: 4 });
  await page.mouse.up();
}

// answers waits for the chart under the pad whose title matches want (or any
// chart, after 60 s) and returns its panels' titles: the SVG names each
// label in an aria-label, since its text is drawn as glyph outlines.
async function answers(pad, want) {
  const chart = pad.locator('.jp-OutputArea-output[data-mime-type="image/svg+xml"] img');
  const titles = async () => {
    if (await chart.count() === 0) return [];
    const src = await chart.last().getAttribute('src');
    const svg = decodeURIComponent(src.slice(src.indexOf(',') + 1));
    return [...svg.matchAll(/aria-label="((?:robust CNN|CNN|MLP): [^"]*)"/g)].map((m) => m[1].replaceAll('&#37;', '%'));
  };
  const deadline = Date.now() + 60_000;
  let seen = await titles();
  while (!seen.some((s) => want.test(s)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    seen = await titles();
  }
  const panel = (name) => seen.find((s) => s.startsWith(name + ': ')) || '';
  return { cnn: panel('CNN'), mlp: panel('MLP'), robust: panel('robust CNN'), all: seen };
}

// answer is the heading of a model's panel: its digit, or that it is unsure
// (the likeliest digit under mnistlib.Unsure) and the two likeliest.
function answer(name) {
  return new RegExp(`^${name}: (\\d \\(\\d+%\\)|unsure, \\d \\(\\d+%\\) or \\d)$`);
}

// checkInput checks the model's input under the pad: a 28×28 picture shown
// at 6× with white ink on black.
async function checkInput(pad) {
  const img = pad.locator('.jp-OutputArea-output[data-mime-type="image/png"] img').first();
  await img.waitFor({ timeout: 30_000 });
  const { w, h, ink } = await img.evaluate(async (el) => {
    await el.decode();
    const c = document.createElement('canvas');
    c.width = el.naturalWidth;
    c.height = el.naturalHeight;
    const g = c.getContext('2d');
    g.drawImage(el, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] > 128) n++;
    return { w: c.width, h: c.height, ink: n / (c.width * c.height) };
  });
  assert.ok(w === 168 && h === 168, `the model's input is 28×28 shown at 6× (${w}×${h})`);
  assert.ok(ink > 0.03 && ink < 0.5, `the model's input has a digit's ink (${(100 * ink).toFixed(1)}% of it)`);
}

async function inkOnCanvas(canvas) {
  return canvas.evaluate((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  });
}
