import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * The console's browser tests: Debian's chromium (.ci/run installs it), driven by playwright-core,
 * no browser download. Screenshots go to test/artifacts/ (ignored by git).
 */
export const CHROMIUM = '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM);
export const ARTIFACTS = join(process.cwd(), 'test', 'artifacts');
export const WIDTHS = { tablet: { width: 820, height: 1180 }, phone: { width: 390, height: 844 } } as const;

export async function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    // playwright starts chromium with a fresh --user-data-dir of its own (it refuses one in args)
  });
}

const axeSource = (): string => readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page as it is now, as "id (impact, n nodes)". */
export async function axeSerious(page: Page): Promise<string[]> {
  await page.evaluate(axeSource()); // through the debugger protocol, so the page's CSP does not apply
  const r = await page.evaluate(async () => {
    const res = await (window as unknown as { axe: { run(): Promise<{ violations: Array<{ id: string; impact: string | null; nodes: unknown[] }> }> } }).axe.run();
    return res.violations.map((v) => ({ id: v.id, impact: v.impact, n: v.nodes.length }));
  });
  return r.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}, ${v.n} nodes)`);
}
