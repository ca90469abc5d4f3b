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

/**
 * Plays the host of an MCP Apps view: loads `viewHtml` in an iframe, answers its ui/initialize, sends
 * it a tool result, and reports what the view drew (its image size) and which messages it sent.
 */
export async function checkAppView(viewHtml: string, toolResult: unknown, screenshot?: string): Promise<{ methods: string[]; image: { width: number; height: number } | undefined; errors: string[] }> {
  const exe = chromiumPath();
  if (!exe) throw new Error('no Chromium found: apt-get install chromium, or set CHROMIUM_PATH');
  const puppeteer = (await import('puppeteer-core')).default;
  const browser = await puppeteer.launch({ executablePath: exe, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1000, height: 700 });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto('about:blank');
    const host = `(async () => {
      const methods = [];
      const frame = document.createElement('iframe');
      frame.style.cssText = 'width:980px;height:650px;border:0';
      frame.sandbox = 'allow-scripts';
      const result = ${JSON.stringify(toolResult)};
      const done = new Promise((resolve) => {
        window.addEventListener('message', (ev) => {
          const m = ev.data;
          if (!m || m.jsonrpc !== '2.0') return;
          methods.push(m.method);
          if (m.method === 'ui/initialize') frame.contentWindow.postMessage({ jsonrpc: '2.0', id: m.id, result: { protocolVersion: '2026-01-26', hostInfo: { name: 'test-host', version: '1' }, hostCapabilities: {}, hostContext: {} } }, '*');
          if (m.method === 'ui/notifications/initialized') frame.contentWindow.postMessage({ jsonrpc: '2.0', method: 'ui/notifications/tool-result', params: result }, '*');
          if (m.method === 'ui/notifications/size-changed' && m.params && m.params.height > 100) resolve();
        });
      });
      frame.srcdoc = ${JSON.stringify(viewHtml)};
      document.body.appendChild(frame);
      await Promise.race([done, new Promise((r) => setTimeout(r, 8000))]);
      return methods;
    })()`;
    const methods = (await page.evaluate(host)) as string[];
    const frame = page.frames().find((f) => f !== page.mainFrame());
    const image = frame ? ((await frame.evaluate(`(() => { const i = document.querySelector('#pic img'); return i && i.naturalWidth ? { width: i.naturalWidth, height: i.naturalHeight } : undefined; })()`)) as { width: number; height: number } | undefined) : undefined;
    if (screenshot) await page.screenshot({ path: screenshot as `${string}.png` });
    return { methods, image, errors };
  } finally {
    await browser.close();
  }
}
