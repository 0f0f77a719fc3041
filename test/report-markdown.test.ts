import { describe, expect, it } from 'vitest';
import { cell } from '../pipeline/report/markdown-text.js';

describe('cell()', () => {
  it.each([
    ['llama2-70b/a100-80gb/tp=2', 'llama2-70b/a100-80gb/tp=2'],
    ['a|b', 'a\\|b'],
    ['<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)>'],
    ['[click](http://example.com)', '\\[click\\](http://example.com)'],
    ['`code`', '\\`code\\`'],
    ['back\\slash', 'back\\\\slash'],
    ['two\nlines\r\nhere', 'two lines here'],
    ['6632.63 ms -> 794.216 ms', '6632.63 ms -> 794.216 ms'],
  ])('escapes %j as %j', (text, expected) => {
    expect(cell(text)).toBe(expected);
  });
});
