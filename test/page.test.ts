/**
 * quality-report.html in a real browser: headless Chromium (Debian's, driven
 * by playwright-core) opens the page a generate run wrote from a file://
 * address, offline, and is used as a reader would use it. Skipped, saying
 * why, where no browser is installed.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanUp, generate, NO_PLOTS, realDataPath, scratch } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];
const HAVE_BROWSER = existsSync(CHROMIUM);
if (!HAVE_BROWSER) console.log(`test/page.test.ts: skipped, no browser at ${CHROMIUM} (apt-get install chromium)`);

interface Opened {
  page: Page;
  /** Console errors, page errors and requests that left the file system, as they happened. */
  problems: string[];
}

let dir: string;
let context: BrowserContext;
let real: { url: string; groups: string[] };
let hostile: { url: string };

/** Generates into a folder of its own and returns the page's file:// address and the report's group names. */
async function generated(name: string, input: string): Promise<{ url: string; groups: string[] }> {
  const out = join(dir, name);
  const run = await generate(['--input', input, '--out', out, '--prompts', '128..8192', '--step', '64', NO_PLOTS]);
  if (run.status !== 0) throw new Error(run.stderr);
  const report = JSON.parse(readFileSync(join(out, 'quality-report.json'), 'utf8')) as { groups: { group: string }[] };
  return { url: pathToFileURL(join(out, 'quality-report.html')).href, groups: report.groups.map((g) => g.group) };
}

async function open(url: string): Promise<Opened> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    if (!r.url().startsWith('file:') && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) problems.push(`request: ${r.url()}`);
  });
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(url);
  return { page, problems };
}

/** The charts of group `index` (`count` of them), each drawn: an SVG holding symbol marks. */
async function expectDrawn(page: Page, index: number, count = 5): Promise<Locator> {
  const charts = page.locator(`#group-${index} figure.chart`);
  expect(await charts.count()).toBe(count);
  for (const chart of await charts.all()) {
    await expect.poll(() => chart.getAttribute('data-drawn'), { timeout: 20_000 }).toBe('true');
    expect(await chart.locator('svg.marks').count()).toBe(1);
    expect(await chart.locator('svg.marks .mark-symbol path').count()).toBeGreaterThan(10);
  }
  return charts;
}

/** The chart titles vega drew in the visible group's charts. */
const titles = (page: Page) => page.locator('section.group:not([hidden]) svg .role-title-text').allTextContents();

describe.skipIf(!HAVE_BROWSER)('quality-report.html in Chromium', () => {
  beforeAll(async () => {
    dir = await scratch('perfdb-page-browser-');
    real = await generated('real', realDataPath());
    const header = 'model,hardware,tensor_parallel,prompt_size,batch_size,token_size,prompt_time,token_time';
    const lines = [128, 256, 512, 1024].flatMap((p) => [1, 2].map((b) => `"<script>alert(1)</script>&""",h,1,${p},${b},16,${p * b * 0.01},${1 + p * b * 0.001}`));
    writeFileSync(join(dir, 'hostile.csv'), `${header}\n${lines.join('\n')}\n`);
    hostile = await generated('hostile', join(dir, 'hostile.csv'));
    context = await chromium.launchPersistentContext(mkdtempSync(join(dir, 'profile-')), { executablePath: CHROMIUM, args: ARGS, headless: true, viewport: { width: 1400, height: 1000 } });
  }, 120_000);
  afterAll(async () => {
    await context?.close();
    await cleanUp(dir);
  });

  it('draws every chart of every group, offline, with no console or page error', async () => {
    const { page, problems } = await open(real.url);
    expect(real.groups).toHaveLength(12);
    for (let i = 0; i < real.groups.length; i++) {
      await page.selectOption('#group-select', String(i));
      // prompt_time, token_time, e2e_time, and the powers where recorded (the a100 groups: the h100 ones hold zeros).
      await expectDrawn(page, i, real.groups[i]!.includes('/a100-80gb/') ? 5 : 3);
    }
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows a point\'s configuration, source and uncertainty on hover', async () => {
    const { page, problems } = await open(real.url);
    const chart = (await expectDrawn(page, 0)).first();
    const tooltip = page.locator('#vg-tooltip-element.visible');
    // Hover the symbols (repetitions, the line's markers, medians) until a repetition and an emitted row have answered.
    const symbols = chart.locator('svg.marks .mark-symbol path');
    const texts = new Map<string, string>();
    for (let k = 0; k < Math.min(await symbols.count(), 400) && texts.size < 2; k += 3) {
      await symbols.nth(k).hover({ force: true });
      if (!(await tooltip.isVisible())) continue;
      const text = await tooltip.innerText();
      const kind = /^(measured repetition|emitted row)/.exec(text)?.[1];
      if (kind !== undefined && !texts.has(kind)) texts.set(kind, text);
    }
    const emitted = texts.get('emitted row') ?? '';
    expect(emitted).toMatch(/configuration\s+prompt \d+, batch \d+, tokens \d+/);
    expect(emitted).toMatch(/prompt_time\s+[\d.]+ ms/);
    expect(emitted).toMatch(/source\s+(interpolated|extrapolated)/);
    expect(emitted).toMatch(/uncertainty\s+(±[\d.]+% \((leave-one-out|backtest)\)|none stated \(unvalidated\))/);
    const repetition = texts.get('measured repetition') ?? '';
    expect(repetition).toMatch(/configuration\s+prompt \d+, batch \d+, tokens \d+/);
    expect(repetition).toMatch(/source\s+measured/);
    expect(repetition).toMatch(/uncertainty\s+±[\d.]+% \(repetitions\)/);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('changes the group shown, its tables and its charts, when another is selected', async () => {
    const { page, problems } = await open(real.url);
    await expectDrawn(page, 0);
    const first = await titles(page);
    expect(await page.locator('section.group:not([hidden]) h2').innerText()).toContain(real.groups[0]);
    await page.selectOption('#group-select', '3');
    await expectDrawn(page, 3);
    expect(await page.locator('section.group:not([hidden])').count()).toBe(1);
    expect(await page.locator('#group-0').isHidden()).toBe(true);
    expect(await page.locator('section.group:not([hidden]) h2').innerText()).toContain(real.groups[3]);
    const shown = await titles(page);
    expect(shown).toHaveLength(5);
    expect(shown[0]).toContain(real.groups[3]!.split('/').join(' / '));
    expect(shown).not.toEqual(first);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows a hostile model name as text and runs none of it', async () => {
    const { page, problems } = await open(hostile.url);
    // No e2e_time or power column: prompt_time and token_time only.
    await expectDrawn(page, 0, 2);
    expect(await page.locator('#group-select option').first().textContent()).toMatch(/^<script>alert\(1\)<%2Fscript>&"\/h\/tp=1 \((ok|warn|fail)\)$/);
    expect((await titles(page))[0]).toBe('<script>alert(1)</script>&" / h / tp=1 — prompt_time (linear)');
    expect(problems).toEqual([]);
    await page.close();
  });
});
