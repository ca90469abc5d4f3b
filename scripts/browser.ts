// Opens a page in headless Chromium (Debian's `chromium`, driven by puppeteer-core: no browser
// download) and reports what a person would see: a screenshot, how many SVG pictures rendered with
// a real size, console errors, page errors, and every request that was not the page itself.
// Shared by the HTML report test and `npm run screenshots`.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** The Chromium binary: $CHROMIUM_PATH, else the usual Debian/Ubuntu paths; undefined when none. */
export function chromiumPath(): string | undefined {
  const env = process.env.CHROMIUM_PATH;
  if (env && existsSync(env)) return env;
  return CANDIDATES.find((p) => existsSync(p));
}

export interface PageCheck {
  /** SVG elements in the document. */
  svgs: number;
  /** SVGs laid out with a non-zero box (rendered, not just present). */
  renderedSvgs: number;
  /** Console messages of type error, and uncaught page errors. */
  errors: string[];
  /** Requests other than the page itself (a self-contained page makes none). */
  requests: string[];
  /** Share of non-white pixels in the screenshot (a blank page is ~0). */
  inked: number;
}

export interface Shot {
  /** CSS selector of an element to capture on its own. */
  selector: string;
  path: string;
}

/**
 * Loads `file`, takes a full-page screenshot to `screenshot`, and optionally element screenshots.
 * Throws when no Chromium is installed (callers skip first with chromiumPath()).
 */
export async function checkPage(file: string, screenshot: string, shots: Shot[] = [], width = 1100): Promise<PageCheck> {
  const exe = chromiumPath();
  if (!exe) throw new Error('no Chromium found: apt-get install chromium, or set CHROMIUM_PATH');
  const puppeteer = (await import('puppeteer-core')).default;
  // --no-sandbox: CI runs as root in a container, where Chromium's sandbox cannot start.
  const browser = await puppeteer.launch({ executablePath: exe, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--font-render-hinting=none'] });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width, height: 900 });
    const url = pathToFileURL(file).href;
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => {
      // data: URLs are inline content (the ink check below decodes the screenshot that way), not requests.
      if (r.url() !== url && !r.url().startsWith('data:')) requests.push(r.url());
    });
    await page.goto(url, { waitUntil: 'load' });
    // Page-side code as strings: this project compiles without the DOM library.
    const { svgs, renderedSvgs } = (await page.evaluate(`(() => {
      const all = Array.from(document.querySelectorAll('svg'));
      return { svgs: all.length, renderedSvgs: all.filter((s) => s.getBoundingClientRect().width > 50 && s.getBoundingClientRect().height > 50).length };
    })()`)) as { svgs: number; renderedSvgs: number };
    const png = await page.screenshot({ path: screenshot as `${string}.png`, fullPage: true, type: 'png' });
    for (const s of shots) {
      const el = await page.$(s.selector);
      if (el) await el.screenshot({ path: s.path as `${string}.png` });
    }
    // Ink: sample the page's own rendering of the screenshot (decoding the PNG needs no library there).
    const b64 = Buffer.from(png).toString('base64');
    const inked = (await page.evaluate(`(async () => {
      const img = new Image();
      img.src = 'data:image/png;base64,${b64}';
      await img.decode();
      const c = document.createElement('canvas');
      c.width = Math.min(img.width, 1200);
      c.height = Math.min(img.height, 4000);
      const g = c.getContext('2d');
      g.drawImage(img, 0, 0);
      const d = g.getImageData(0, 0, c.width, c.height).data;
      let ink = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] < 235 || d[i + 1] < 235 || d[i + 2] < 235) ink++;
      return ink / (d.length / 4);
    })()`)) as number;
    return { svgs, renderedSvgs, errors, requests, inked };
  } finally {
    await browser.close();
  }
}
