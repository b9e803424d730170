// The slider of notebook 08, over its first 100 test digits, as a person uses
// it (slider.mjs says what is checked). Its label is "test digit", and its
// picture's title names the digit ("test digit 17, ...").
//
//   source scripts/env.sh && node --test tests/browser/explore.test.mjs   (a few minutes)
//
// Needs `scripts/setup.sh --browser`.
import { sliderTest } from './slider.mjs';

sliderTest({
  notebook: '08_cnn.ipynb', outName: 'browser-explore', marker: 'WORKBOOK_EXPLORE_TEST',
  label: 'test digit', start: 0, dragTo: [21, 59],
  drawnFor: (v) => new RegExp(`aria-label="test digit ${v}\\b`),
});
