// Opens a page in Debian's headless chromium (playwright-core, no browser download) and prints
// the page's window.__results as JSON once window.__done. usage: node browser_run.mjs URL
import { chromium } from 'playwright-core';

const [url] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  // Without the background-networking flags chromium keeps calling hosts this machine cannot reach.
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  const console_lines = [];
  page.on('console', (m) => console_lines.push(m.text()));
  await page.goto(url);
  await page.waitForFunction(() => window.__done === true, null, { timeout: 90000 });
  const results = await page.evaluate(() => window.__results);
  console.log(JSON.stringify({ results, console: console_lines.slice(-20) }));
} finally {
  await browser.close();
}
