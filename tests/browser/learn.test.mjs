// The slider of notebook 04b, over the steps of a first epoch of training, as
// a person uses it (slider.mjs says what is checked). In quick mode the epoch
// has 24 steps and the slider starts at the last; its label is "step", and its
// picture's title names the step ("after step 9 of 24: ...", or the random
// start for step 0).
//
//   source scripts/env.sh && node --test tests/browser/learn.test.mjs   (a few minutes)
//
// Needs `scripts/setup.sh --browser`.
import { sliderTest } from './slider.mjs';

sliderTest({
  notebook: '04b_how_it_learns.ipynb', outName: 'browser-learn', marker: 'WORKBOOK_LEARN_TEST',
  label: 'step', start: 24, dragTo: [6, 14],
  drawnFor: (v) => new RegExp(v === 0 ? 'aria-label="the random start' : `aria-label="after step ${v} of 24\\b`),
});
