// `npm run screenshots`: the demo incident's HTML report (French question, as `npm run demo`) and
// screenshots of it in headless Chromium: the whole page and one picture of each kind.
// Output in screenshots/ (git-ignored). Needs Debian's `chromium` (or CHROMIUM_PATH).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setup } from '../src/commands/context.js';
import { runPlaybook } from '../src/agent/playbook.js';
import { renderHtmlReport } from '../src/agent/html.js';
import { maskDeep } from '../src/mask.js';
import { checkAppView, checkPage, chromiumPath } from './browser.js';
import { readPrompt } from '../src/agent/assets.js';
import { flameGraph, scopeOf } from '../src/agent/pictures.js';
import { PICTURE_META_KEY } from '../src/mcp/apps.js';

const OUT = path.resolve(process.argv[2] ?? 'screenshots');
const QUESTION = 'Pourquoi les commandes échouent-elles depuis 10h ?';

async function main(): Promise<number> {
  mkdirSync(OUT, { recursive: true });
  const { sources } = await setup({ bundle: 'evals/incidents/demo-checkout' });
  const report = maskDeep(await runPlaybook(sources, QUESTION));
  const html = await renderHtmlReport(report, sources);
  const file = path.join(OUT, 'demo-report.html');
  writeFileSync(file, html);
  process.stdout.write(`${file} (${Math.round(Buffer.byteLength(html) / 1024)} KB)\n`);
  if (!chromiumPath()) {
    process.stderr.write('no Chromium: apt-get install chromium (or set CHROMIUM_PATH) for the screenshots\n');
    return 1;
  }
  const shots = [
    { selector: 'figure:has(svg[aria-label^="Débit"])', path: path.join(OUT, 'red.png') },
    { selector: 'figure:has(svg[aria-label^="Trace"])', path: path.join(OUT, 'waterfall.png') },
    { selector: 'figure:has(svg[aria-label^="Latence"])', path: path.join(OUT, 'heatmap.png') },
    { selector: 'figure:has(svg[aria-label^="Flame"])', path: path.join(OUT, 'flamegraph.png') },
    { selector: 'figure:has(svg[aria-label^="Requête"])', path: path.join(OUT, 'metric.png') },
  ];
  const page = path.join(OUT, 'demo-report.png');
  const r = await checkPage(file, page, shots);
  // The MCP Apps view as a client shows it: hot_functions' flame graph of ride in the picture view.
  const w = { start: Date.parse(report.window.start), end: Date.parse(report.window.end) };
  const b = report.baseline ? { start: Date.parse(report.baseline.start), end: Date.parse(report.baseline.end) } : undefined;
  const svg = await flameGraph(sources, 'ride', w, scopeOf(w, b, 'en'), { highlight: 'github.com/acme/ride/internal/driver.(*LoginCache).Lookup' });
  const app = path.join(OUT, 'mcp-app.png');
  await checkAppView(readPrompt('picture-app.html'), { content: [{ type: 'text', text: '…' }], _meta: { [PICTURE_META_KEY]: { svg, title: 'flame graph' } } }, app);
  for (const p of [page, ...shots.map((s) => s.path), app]) process.stdout.write(`${p}\n`);
  process.stdout.write(`${r.renderedSvgs}/${r.svgs} pictures rendered, ${r.errors.length} console errors, ${r.requests.length} external requests\n`);
  return r.errors.length || r.requests.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
