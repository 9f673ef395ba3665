import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.js';
import { SPARE_PASSKEY } from '../../src/hub/sim-spares.js';
import { ARTIFACTS, HAS_CHROMIUM, WIDTHS, axeSerious, launchChromium } from './browser-kit.js';
import { startConsoleHub, TECH_PASSWORD, type ConsoleHub } from './console-hub.js';

/** The pairing wizard in Debian's chromium (browser-kit.ts), against a hub with a spare simulated oximeter. */
describe.runIf(HAS_CHROMIUM)('pairing wizard in chromium', () => {
  let h: ConsoleHub;
  let browser: Browser;

  beforeAll(async () => {
    h = await startConsoleHub();
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('pairs the spare simulated oximeter through the wizard: scan, passkey, first reading, saved; axe clean at tablet and phone width', async () => {
    const ctx = await browser.newContext({ viewport: WIDTHS.tablet, locale: 'en-GB' });
    const page = await ctx.newPage();
    await page.goto(h.url);
    await page.fill('#password', TECH_PASSWORD);
    await page.click('button[type=submit]');
    await page.click('a[href="/wizard"]');
    await page.waitForURL(/\/wizard$/);
    const found: string[] = [];
    found.push(...(await axeSerious(page)).map((v) => `empty: ${v}`));

    await page.click('#scan');
    const row = page.locator('#scanlist tbody tr', { hasText: 'SIM-PLX spare' });
    await row.waitFor({ timeout: 20_000 });
    expect(await row.locator('.kind').textContent()).toMatch(/^oximeter · C2(:[0-9A-F]{2}){5}$/);
    expect(await row.locator('.rssi').textContent()).toMatch(/^-\d+ dBm$/);
    expect(await row.locator('.paired').textContent()).toBe('no');
    await page.screenshot({ path: join(ARTIFACTS, 'wizard-scan-tablet.png'), fullPage: true });

    await row.locator('button').click();
    await page.locator('#passkey-form').waitFor({ state: 'visible', timeout: 20_000 });
    expect(await page.locator('#display').textContent()).toContain(SPARE_PASSKEY);
    found.push(...(await axeSerious(page)).map((v) => `passkey: ${v}`));
    await page.fill('#passkey', SPARE_PASSKEY);
    await page.click('#passkey-form button[type=submit]');

    const spo2 = page.locator('#reading dd[data-metric="spo2"]');
    await spo2.waitFor({ timeout: 40_000 });
    expect(await spo2.textContent()).toMatch(/^\d+ %$/);
    await page.click('#save-form button[type=submit]');
    await expect.poll(() => page.locator('#saved').textContent(), { timeout: 10_000 }).toMatch(/^Saved as oxi-2 in .*after a restart/);
    // not run by systemd here: the page says how to restart (under systemd: a restart button)
    expect(await page.locator('#restart-how').isVisible()).toBe(true);
    expect(await page.locator('#restart-how').textContent()).toMatch(/sudo systemctl restart carehub/);
    expect(await page.locator('#progress').textContent()).toMatch(/Saved as oxi-2/);
    const c = loadConfigFile(h.configFile, {});
    expect(c.ok && c.config.devices.some((d) => d.id === 'oxi-2' && d.protocol === 'plxs')).toBe(true);
    found.push(...(await axeSerious(page)).map((v) => `saved: ${v}`));
    await page.screenshot({ path: join(ARTIFACTS, 'wizard-saved-tablet.png'), fullPage: true });
    await page.setViewportSize(WIDTHS.phone);
    await page.screenshot({ path: join(ARTIFACTS, 'wizard-saved-phone.png'), fullPage: true });
    found.push(...(await axeSerious(page)).map((v) => `phone: ${v}`));
    // nothing wider than the phone's viewport
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(WIDTHS.phone.width);
    expect(found).toEqual([]);
    await ctx.close();
  }, 90_000);
});
