// A slider of mnistlib.Explore as a person uses it: JupyterLab started by the
// project's lab command (quick mode), the notebook's cells run in Debian's
// Chromium up to the one that calls mnistlib.Explore, its slider dragged and
// then stepped with the keyboard: the picture under it must be redrawn in
// place (one picture, a new SVG, drawn for the slider's value) and the label
// must name the value. Then the kernel is interrupted from the Kernel menu: the
// cell's program must end, leaving the label and the last picture without the
// slider, and at the end nothing may be left running. explore.test.mjs (08's
// slider over test digits) and learn.test.mjs (04b's over training steps) run it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { cellPrograms, describe, labOnCopyOfNotebooks, menu, openNotebook, root } from './harness.mjs';

const source = 'mnistlib.Explore(';

// sliderTest tests the one slider of a notebook. label is the slider's label
// ("test digit"); start, its first value; drawnFor(v), a regular expression
// that the SVG drawn for value v matches (by a label's aria-label); dragTo,
// the range the drag to 40% of the slider's width must land in.
export function sliderTest({ notebook, outName, marker: markerName, label: labelText, start, drawnFor, dragTo }) {
  const out = path.join(root, 'build', outName);
  test(`the slider of ${notebook} redraws its picture in place, and stops on an interrupt`, { timeout: 20 * 60_000 }, async (t) => {
    const { lab, browser, marker } = await labOnCopyOfNotebooks(t, out, markerName);
    const { page, nb, errors, shot } = await openNotebook(browser, lab, out, notebook);

    // The cells above the slider's, in order, then the slider's own.
    // JupyterLab keeps only the cells near the view in the page: scroll down
    // until the slider's cell is there, as a person would.
    const cell = nb.locator('.jp-CodeCell', { hasText: source });
    for (let i = 0; i < 60 && (await cell.count()) === 0; i++) {
      await nb.evaluate((panel) => {
        const scroller = [panel, ...panel.querySelectorAll('*')].find((el) =>
          el.scrollHeight > el.clientHeight + 10 && ['auto', 'scroll'].includes(getComputedStyle(el).overflowY));
        scroller?.scrollBy(0, scroller.clientHeight * 0.7);
      });
      await page.waitForTimeout(200);
    }
    assert.equal(await cell.count(), 1, `${notebook} has one cell whose source contains ${source}`);
    await cell.locator('.jp-InputArea-editor').click();
    await menu(page, 'Run', 'Run All Above Selected Cell');
    await page.waitForFunction((source) => {
      const cells = [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell')];
      const i = cells.findIndex((c) => c.textContent.includes(source));
      const above = cells.slice(0, i).map((c) => c.querySelector('.jp-InputPrompt').textContent.trim());
      return i > 0 && above.every((p) => /^\[\d+\]:$/.test(p));
    }, source, { timeout: 15 * 60_000, polling: 1000 }).catch(async (e) => {
      await shot('explore-cells-above.png');
      throw e;
    });
    assert.equal(await nb.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]').count(), 0,
      'no cell above the slider shows an error');
    await cell.locator('.jp-InputArea-editor').click();
    await page.keyboard.press('Shift+Enter');

    const slider = cell.locator('.mnist-explore input[type="range"]');
    await slider.waitFor({ timeout: 120_000 }).catch(async (e) => {
      await shot('explore-no-slider.png');
      throw e;
    });
    const pictures = cell.locator('.jp-OutputArea-output[data-mime-type="image/svg+xml"] img');
    const label = (v) => cell.locator('.jp-OutputArea-output', { hasText: new RegExp(`^\\s*${labelText}: ${v}\\s*$`) });
    await label(start).waitFor({ timeout: 60_000 });
    await pictures.first().waitFor({ timeout: 60_000 });
    const first = await svgOf(pictures);
    assert.match(first, drawnFor(start), `the picture is drawn for ${start}`);
    assert.equal(await slider.inputValue(), String(start), `the slider starts at ${start}`);

    // Drag the slider's thumb from where it is to about 40% of the way, as a
    // person does: many positions on the way, one picture for where it stops.
    await slider.scrollIntoViewIfNeeded();
    const box = await slider.boundingBox();
    const min = Number(await slider.getAttribute('min')), max = Number(await slider.getAttribute('max'));
    const at = max > min ? (start - min) / (max - min) : 0;
    await page.mouse.move(box.x + 6 + at * (box.width - 12), box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + 0.4 * box.width, box.y + box.height / 2, { steps: 12 });
    await page.mouse.up();
    const dragged = Number(await slider.inputValue());
    assert.ok(dragged >= dragTo[0] && dragged <= dragTo[1], `the drag moved the slider to ${dragTo} (${dragged})`);
    let drawn = await redrawnFor(cell, pictures, label, dragged, first, drawnFor);
    await shot('explore-dragged.png');

    // One step with the keyboard.
    await slider.focus();
    await page.keyboard.press('ArrowRight');
    const stepped = Number(await slider.inputValue());
    assert.equal(stepped, dragged + 1, 'ArrowRight moves the slider one step');
    drawn = await redrawnFor(cell, pictures, label, stepped, drawn, drawnFor);
    assert.equal(await pictures.count(), 1, 'one picture, redrawn in place');

    // The program runs until the learner interrupts the kernel.
    assert.ok(cellPrograms(marker).length > 0, "the slider's program runs while the notebook is open");
    await menu(page, 'Kernel', 'Interrupt Kernel');
    await cell.locator('.jp-OutputArea-output', { hasText: 'slider closed: the kernel was interrupted' }).waitFor({ timeout: 60_000 });
    await cell.locator('.jp-InputPrompt', { hasText: /^\[\d+\]:$/ }).waitFor({ timeout: 60_000 });
    await page.locator('#jp-main-statusbar', { hasText: /Go \(gonb\) \| Idle/ }).waitFor({ timeout: 60_000 });
    assert.equal(await cell.locator('.mnist-explore').count(), 0, 'the slider (and its script) is gone from the cell');
    assert.equal(await label(stepped).count(), 1, 'the label still names the last value');
    assert.equal(await pictures.count(), 1, 'the last picture stays');
    assert.equal(await svgOf(pictures), drawn, 'the picture left is the last one drawn');
    assert.equal(await cell.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]').count(), 0,
      'the interrupted cell shows no error');
    let programs = cellPrograms(marker);
    for (let i = 0; programs.length > 0 && i < 20; i++) {
      await new Promise((r) => setTimeout(r, 250));
      programs = cellPrograms(marker);
    }
    assert.deepEqual(programs.map(describe), [], "the slider's program ended with the interrupt");
    await shot('explore-interrupted.png');
    assert.deepEqual(errors, [], 'no JavaScript errors in the page');
  });
}

// svgOf returns the SVG that JupyterLab shows (as an <img>) for the picture.
async function svgOf(pictures) {
  const src = await pictures.first().getAttribute('src');
  return decodeURIComponent(src.slice(src.indexOf(',') + 1));
}

// redrawnFor waits until the label names v and the picture, a new SVG, is
// the one drawn for v, and returns that SVG.
async function redrawnFor(cell, pictures, label, v, before, drawnFor) {
  await label(v).waitFor({ timeout: 60_000 });
  let svg = before;
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 250))) {
    svg = await svgOf(pictures);
    if (svg !== before && drawnFor(v).test(svg)) break;
  }
  assert.notEqual(svg, before, `the picture was redrawn for ${v}`);
  assert.match(svg, drawnFor(v), `the picture is drawn for ${v}`);
  return svg;
}
