// Good answers of a fake observability backend, shaped like the real APIs (reference API.md; the same
// shapes as the nock recordings under test/): Prometheus under /prom, Loki under /loki, Tempo under
// /tempo, Pyroscope under /pyro. The remote fuzz campaign (fuzz-remote.ts) damages these one way per case.
// Times follow the request's range, so every tool finds data in its window.
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The backends a case draws from (a seed's cases stay what they were before GitHub was added). */
export const BACKENDS = ['prometheus', 'loki', 'tempo', 'pyroscope'] as const;
/** Backends damaged only when asked for (`--backend github`); healthy in the other cases. */
export const EXTRA_BACKENDS = ['github'] as const;
export type Backend = (typeof BACKENDS)[number] | (typeof EXTRA_BACKENDS)[number];
export const PREFIX: Record<Backend, string> = { prometheus: '/prom', loki: '/loki', tempo: '/tempo', pyroscope: '/pyro', github: '/gh' };

/** The endpoint families of each backend (a case damages all of a backend's answers, or one family's). */
export const ENDPOINTS: Record<Backend, string[]> = {
  prometheus: ['query', 'query_range', 'metadata', 'labels', 'label_values', 'series', 'buildinfo'],
  loki: ['query_range', 'query', 'labels', 'label_values', 'series', 'volume', 'patterns', 'detected_fields', 'detected_labels'],
  tempo: ['search', 'trace', 'tag_values', 'tags', 'metrics'],
  pyroscope: ['Series', 'ProfileTypes', 'SelectMergeProfile', 'SelectMergeStacktraces', 'LabelValues', 'LabelNames', 'render'],
  github: ['tree', 'contents', 'search'],
};

export const SERVICES = ['checkout', 'payment', 'frontend'];
export const METRIC = 'http_requests_total';
/** The trace every search lists (hex, leading zeros kept by get_trace, trimmed by search as Tempo does). */
export const TRACE_ID = '00a1b2c3d4e5f60718293a4b5c6d7e8f';
const CPU = 'process_cpu:cpu:nanoseconds:cpu:nanoseconds';

export interface Request {
  method: string;
  url: URL;
  body: string;
  accept?: string;
}

export interface Good {
  backend: Backend;
  endpoint: string;
  status: number;
  json: unknown;
  /** A raw-media answer (GitHub's file as text): sent as text/plain, never damaged. */
  raw?: string;
}

const nowS = () => Date.now() / 1000;
const num = (v: string | null, dflt: number) => (v !== null && v !== '' && Number.isFinite(Number(v)) ? Number(v) : dflt);

/** [start, end] seconds from the usual range parameters (Prometheus/Tempo seconds, Loki nanoseconds). */
function rangeS(q: URLSearchParams): [number, number] {
  const read = (v: string | null, dflt: number) => {
    const n = num(v, dflt);
    return n > 1e14 ? n / 1e9 : n > 1e11 ? n / 1e3 : n;
  };
  const end = read(q.get('end') ?? q.get('until'), nowS());
  const start = read(q.get('start') ?? q.get('from'), end - 3600);
  return start < end ? [start, end] : [end - 3600, end];
}

/** Up to 120 points between start and end. */
function times(q: URLSearchParams): number[] {
  const [s, e] = rangeS(q);
  const step = Math.max(num(q.get('step')?.replace(/s$/, '') ?? null, 60), (e - s) / 120);
  const out: number[] = [];
  for (let t = Math.ceil(s / step) * step; t <= e; t += step) out.push(Math.round(t * 1000) / 1000);
  return out.length ? out : [e];
}

const wave = (i: number, k: number) => (1 + Math.sin(i / 7 + k) * 0.5 + (i > 80 ? 3 * k : 0)).toFixed(3);

function prometheus(ep: string, req: Request, q: URLSearchParams): unknown {
  const ok = (data: unknown) => ({ status: 'success', data });
  const series = (k: number, svc: string) => ({ __name__: METRIC, service: svc, job: svc, status_code: k ? '500' : '200' });
  switch (ep) {
    case 'query':
      return ok({ resultType: 'vector', result: SERVICES.map((svc, k) => ({ metric: series(k, svc), value: [num(q.get('time'), nowS()), wave(100, k)] })) });
    case 'query_range': {
      const ts = times(q);
      return ok({ resultType: 'matrix', result: SERVICES.map((svc, k) => ({ metric: series(k, svc), values: ts.map((t, i) => [t, wave(i, k)]) })) });
    }
    case 'metadata':
      return ok({ [METRIC]: [{ type: 'counter', help: 'Requests served.', unit: '' }], http_request_duration_seconds: [{ type: 'histogram', help: 'Latency.', unit: 'seconds' }] });
    case 'labels':
      return ok(['__name__', 'job', 'service', 'status_code']);
    case 'label_values':
      return ok(req.url.pathname.includes('/__name__/') ? [METRIC, 'http_request_duration_seconds_bucket', 'process_cpu_seconds_total'] : SERVICES);
    case 'series':
      return ok(SERVICES.map((svc, k) => series(k, svc)));
    default:
      return ok({ version: '3.1.0', revision: 'b2e6a8e', branch: 'HEAD', buildUser: 'root@x', buildDate: '20250101', goVersion: 'go1.23.4' });
  }
}

const LINES = ['level=info msg="served" path=/api/cart status=200 duration=12ms', 'level=error msg="payment declined" err="card expired" trace_id=00a1b2c3d4e5f60718293a4b5c6d7e8f', 'level=warn msg="slow query" table=orders duration=1.2s'];

function loki(ep: string, _req: Request, q: URLSearchParams): unknown {
  const ok = (data: unknown) => ({ status: 'success', data });
  const [s, e] = rangeS(q);
  const query = q.get('query') ?? '';
  const metricQuery = /^\s*(sum|count|avg|max|min|topk|bottomk|rate|count_over_time|bytes_over_time|quantile_over_time|sort)\b|_over_time\s*\(/.test(query);
  switch (ep) {
    case 'query_range': {
      if (metricQuery) return ok({ resultType: 'matrix', result: SERVICES.map((svc, k) => ({ metric: { service_name: svc, detected_level: k ? 'error' : 'info' }, values: times(q).map((t, i) => [t, wave(i, k)]) })) });
      const limit = Math.min(num(q.get('limit'), 100), 300);
      return ok({
        resultType: 'streams',
        result: SERVICES.map((svc, k) => ({
          stream: { service_name: svc, detected_level: k ? 'error' : 'info' },
          values: Array.from({ length: Math.ceil(limit / SERVICES.length) }, (_, i) => [String(BigInt(Math.floor((e - ((e - s) * i) / limit) * 1e3)) * 1_000_000n), LINES[(i + k) % LINES.length]!, { structuredMetadata: { trace_id: TRACE_ID } }]),
        })),
        stats: { summary: { bytesProcessedPerSecond: 1000, totalEntriesReturned: limit } },
      });
    }
    case 'query':
      return ok({ resultType: 'vector', result: SERVICES.map((svc, k) => ({ metric: { service_name: svc }, value: [e, wave(100, k)] })) });
    case 'labels':
      return ok(['service_name', 'detected_level', 'namespace']);
    case 'label_values':
      return ok(SERVICES);
    case 'series':
      return ok(SERVICES.map((svc) => ({ service_name: svc, namespace: 'shop' })));
    case 'volume':
      return ok({ resultType: 'vector', result: SERVICES.map((svc, k) => ({ metric: { service_name: svc }, value: [e, String(1000 * (k + 1))] })) });
    case 'patterns':
      return ok(LINES.map((l, k) => ({ pattern: l.replace(/=\S+/g, '=<_>'), level: ['info', 'error', 'warn'][k], samples: times(q).map((t, i) => [Math.floor(t), Number(wave(i, k)) * 10]) })));
    case 'detected_fields':
      return { fields: [{ label: 'status', type: 'int', cardinality: 3, parsers: ['logfmt'] }, { label: 'duration', type: 'duration', cardinality: 40, parsers: ['logfmt'] }], limit: 1000 };
    default:
      return _req.url.pathname.includes('/detected_field/') ? { values: ['200', '500'], limit: 1000 } : { detectedLabels: [{ label: 'service_name', cardinality: 3 }, { label: 'namespace' }] };
  }
}

const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

/** A Tempo v2 trace: a frontend → checkout → payment chain whose payment span fails. */
function trace(endMs: number): unknown {
  const ns = (ms: number) => String(BigInt(Math.round(ms)) * 1_000_000n);
  const t0 = endMs - 60_000;
  const span = (svc: string, id: string, parent: string | undefined, name: string, start: number, dur: number, error: boolean) => ({
    resource: { attributes: [{ key: 'service.name', value: { stringValue: svc } }] },
    scopeSpans: [
      {
        scope: { name: 'fuzz' },
        spans: [
          {
            traceId: b64(TRACE_ID),
            spanId: b64(id),
            ...(parent ? { parentSpanId: b64(parent) } : {}),
            name,
            kind: 'SPAN_KIND_SERVER',
            startTimeUnixNano: ns(start),
            endTimeUnixNano: ns(start + dur),
            attributes: [{ key: 'http.route', value: { stringValue: name } }, { key: 'http.status_code', value: { intValue: error ? '500' : '200' } }],
            status: error ? { code: 'STATUS_CODE_ERROR', message: 'card expired' } : {},
          },
        ],
      },
    ],
  });
  return {
    trace: {
      resourceSpans: [span('frontend', '1111111111111111', undefined, 'POST /checkout', t0, 320, true), span('checkout', '2222222222222222', '1111111111111111', 'PlaceOrder', t0 + 5, 300, true), span('payment', '3333333333333333', '2222222222222222', 'Charge', t0 + 10, 280, true)],
    },
  };
}

function tempo(ep: string, _req: Request, q: URLSearchParams): unknown {
  const [s, e] = rangeS(q);
  const startNs = String(BigInt(Math.floor((e - 60) * 1000)) * 1_000_000n);
  switch (ep) {
    case 'search':
      return {
        traces: [{ traceID: TRACE_ID.replace(/^0+/, ''), rootServiceName: 'frontend', rootTraceName: 'POST /checkout', startTimeUnixNano: startNs, durationMs: 320, spanSets: [{ spans: [{ spanID: '3333333333333333', name: 'Charge', startTimeUnixNano: startNs, durationNanos: '280000000', attributes: [{ key: 'status', value: { stringValue: 'error' } }] }], matched: 1 }] }],
        metrics: { inspectedTraces: 120, inspectedBytes: '381173', completedJobs: 1, totalJobs: 1 },
      };
    case 'trace':
      return trace(Math.min(e, nowS()) * 1000);
    case 'tag_values':
      return { tagValues: SERVICES.map((value) => ({ type: 'string', value })), metrics: { inspectedBytes: '5027' } };
    case 'tags':
      return { scopes: [{ name: 'resource', tags: ['service.name'] }, { name: 'span', tags: ['http.route', 'http.status_code'] }, { name: 'intrinsic', tags: ['duration', 'name', 'status'] }] };
    default:
      return { series: SERVICES.map((svc, k) => ({ labels: [{ key: 'resource.service.name', value: { stringValue: svc } }], samples: times(q).map((t, i) => ({ timestampMs: String(Math.round(t * 1000)), value: Number(wave(i, k)) })) })), metrics: { inspectedBytes: '1000' } };
  }
  void s;
}

let fixtures: { flamegraph: unknown; flamebearer: unknown } | undefined;
function pyroFixtures(repo: string) {
  const dir = path.join(repo, 'test/fixtures/pyroscope');
  return (fixtures ??= {
    flamegraph: JSON.parse(readFileSync(path.join(dir, 'select-merge-stacktraces.json'), 'utf8')),
    flamebearer: JSON.parse(readFileSync(path.join(dir, 'render-flamebearer.json'), 'utf8')),
  });
}

/** A protojson pprof as SelectMergeProfile returns it (string-table indices, int64 as strings). */
const MERGED_PPROF = {
  sampleType: [{ type: '1', unit: '2' }],
  sample: [
    { locationId: ['1', '2', '3'], value: ['900000000'] },
    { locationId: ['4', '2', '3'], value: ['400000000'] },
  ],
  mapping: [{ id: '1', hasFunctions: true }],
  location: [
    { id: '1', mappingId: '1', line: [{ functionId: '1', line: '41' }] },
    { id: '2', mappingId: '1', line: [{ functionId: '2', line: '36' }] },
    { id: '3', mappingId: '1', line: [{ functionId: '3', line: '1695' }] },
    { id: '4', mappingId: '1', line: [{ functionId: '4', line: '557' }] },
  ],
  function: [
    { id: '1', name: '3', systemName: '3', filename: '4', startLine: '32' },
    { id: '2', name: '5', systemName: '5', filename: '6', startLine: '28' },
    { id: '3', name: '7', systemName: '7', filename: '8' },
    { id: '4', name: '9', systemName: '9', filename: '10' },
  ],
  stringTable: ['', 'cpu', 'nanoseconds', 'shop/payment.(*Card).Validate', 'shop/payment/card.go', 'shop/payment.(*Handler).Charge', 'shop/payment/handler.go', 'runtime.goexit', 'runtime/asm_amd64.s', 'sync.(*Mutex).Lock', 'sync/mutex.go'],
  durationNanos: '60000000000',
  periodType: { type: '1', unit: '2' },
  period: '10000000',
};

function pyroscope(ep: string, req: Request, repo: string): unknown {
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(req.body || '{}') as Record<string, unknown>;
  } catch {
    /* a GET (render) */
  }
  switch (ep) {
    case 'Series':
      return { labelsSet: SERVICES.map((svc) => ({ labels: [{ name: '__profile_type__', value: CPU }, { name: 'service_name', value: svc }] })) };
    case 'ProfileTypes':
      return { profileTypes: [{ ID: CPU, name: 'process_cpu', sampleType: 'cpu', sampleUnit: 'nanoseconds', periodType: 'cpu', periodUnit: 'nanoseconds' }] };
    case 'SelectMergeProfile':
      return MERGED_PPROF;
    case 'SelectMergeStacktraces':
      return pyroFixtures(repo).flamegraph;
    case 'LabelValues':
      return { names: body.name === 'service_name' ? SERVICES : [] };
    case 'LabelNames':
      return { names: ['__profile_type__', 'service_name', 'pod'] };
    default:
      return pyroFixtures(repo).flamebearer;
  }
}

/** The repository GitHub serves (GITHUB_OWNER/GITHUB_REPO in the case): the profile's files, and a main. */
export const GH_REPO = { owner: 'acme', repo: 'shop', ref: 'v1.4.2' };
const GH_FILES: Record<string, string> = {
  'shop/payment/card.go': 'package payment\n\nimport "errors"\n\ntype Card struct{ Number string }\n\n// Validate checks the card before a charge.\nfunc (c *Card) Validate() error {\n\tif len(c.Number) < 12 {\n\t\treturn errors.New("card expired")\n\t}\n\treturn nil\n}\n',
  'shop/payment/handler.go': 'package payment\n\ntype Handler struct{}\n\n// Charge validates the card, then charges it.\nfunc (h *Handler) Charge(c *Card) error {\n\treturn c.Validate()\n}\n',
  'cmd/shop/main.go': 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("shop")\n}\n',
};
const GH_SHA = '7638417db6d59f3c431d3e1f261cc637155684cd';

/** GitHub's REST answers (docs.github.com/rest: git trees, repository contents, code search), under /gh. */
function github(ep: string, req: Request, q: URLSearchParams): { status: number; json: unknown; raw?: string } {
  const api = `http://127.0.0.1${PREFIX.github}`;
  const { owner, repo } = GH_REPO;
  const notFound = { status: 404, json: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/repos/contents#get-repository-content', status: '404' } };
  if (ep === 'tree')
    return {
      status: 200,
      json: {
        sha: GH_SHA,
        url: `${api}/repos/${owner}/${repo}/git/trees/${GH_SHA}`,
        tree: [{ path: 'shop', mode: '040000', type: 'tree', sha: 'a1', url: `${api}/repos/${owner}/${repo}/git/trees/a1` }, ...Object.entries(GH_FILES).map(([path, text], i) => ({ path, mode: '100644', type: 'blob', sha: `b${i}`, size: text.length, url: `${api}/repos/${owner}/${repo}/git/blobs/b${i}` }))],
        truncated: false,
      },
    };
  if (ep === 'contents') {
    const path = decodeURIComponent(req.url.pathname.replace(/^.*?\/contents\//, ''));
    const text = GH_FILES[path];
    if (text === undefined) return notFound;
    if (/raw/.test(req.accept ?? '')) return { status: 200, json: undefined, raw: text };
    const ref = q.get('ref') ?? 'main';
    const b64 = (Buffer.from(text).toString('base64').match(/.{1,60}/g) ?? []).join('\n') + '\n';
    return {
      status: 200,
      json: { type: 'file', encoding: 'base64', size: Buffer.byteLength(text), name: path.split('/').pop(), path, content: b64, sha: GH_SHA, url: `${api}/repos/${owner}/${repo}/contents/${path}?ref=${ref}`, git_url: `${api}/repos/${owner}/${repo}/git/blobs/${GH_SHA}`, html_url: `https://github.com/${owner}/${repo}/blob/${ref}/${path}`, download_url: `https://raw.githubusercontent.com/${owner}/${repo}/${ref}/${path}` },
    };
  }
  // Code search: the files whose text holds every word of the query (qualifiers left aside).
  const words = (q.get('q') ?? '').split(/\s+/).filter((w) => w && !w.includes(':'));
  const hits = Object.entries(GH_FILES).filter(([, text]) => words.every((w) => text.includes(w)));
  return {
    status: 200,
    json: {
      total_count: hits.length,
      incomplete_results: false,
      items: hits.map(([path]) => ({ name: path.split('/').pop(), path, sha: GH_SHA, url: `${api}/repositories/1/contents/${path}?ref=${GH_SHA}`, git_url: `${api}/repositories/1/git/blobs/${GH_SHA}`, html_url: `https://github.com/${owner}/${repo}/blob/${GH_SHA}/${path}`, repository: { id: 1, name: repo, full_name: `${owner}/${repo}`, owner: { login: owner } }, score: 1 })),
    },
  };
}

/** Which backend and endpoint family a request is for, or undefined (answered 404 as a real server would). */
export function route(req: Request): { backend: Backend; endpoint: string } | undefined {
  const p = req.url.pathname;
  const rules: Array<[Backend, RegExp, string]> = [
    ['prometheus', /^\/prom(?:\/prometheus)?\/api\/v1\/query$/, 'query'],
    ['prometheus', /^\/prom(?:\/prometheus)?\/api\/v1\/query_range$/, 'query_range'],
    ['prometheus', /^\/prom(?:\/prometheus)?\/api\/v1\/metadata$/, 'metadata'],
    ['prometheus', /^\/prom(?:\/prometheus)?\/api\/v1\/labels$/, 'labels'],
    ['prometheus', /^\/prom(?:\/prometheus)?\/api\/v1\/label\/[^/]+\/values$/, 'label_values'],
    ['prometheus', /^\/prom(?:\/prometheus)?\/api\/v1\/series$/, 'series'],
    ['prometheus', /^\/prom(?:\/prometheus)?\/api\/v1\/status\/buildinfo$/, 'buildinfo'],
    ['loki', /^\/loki\/loki\/api\/v1\/query_range$/, 'query_range'],
    ['loki', /^\/loki\/loki\/api\/v1\/query$/, 'query'],
    ['loki', /^\/loki\/loki\/api\/v1\/labels$/, 'labels'],
    ['loki', /^\/loki\/loki\/api\/v1\/label\/[^/]+\/values$/, 'label_values'],
    ['loki', /^\/loki\/loki\/api\/v1\/series$/, 'series'],
    ['loki', /^\/loki\/loki\/api\/v1\/index\/volume$/, 'volume'],
    ['loki', /^\/loki\/loki\/api\/v1\/patterns$/, 'patterns'],
    ['loki', /^\/loki\/loki\/api\/v1\/detected_fields$/, 'detected_fields'],
    ['loki', /^\/loki\/loki\/api\/v1\/(detected_labels|detected_field\/[^/]+\/values)$/, 'detected_labels'],
    ['tempo', /^\/tempo\/api\/search$/, 'search'],
    ['tempo', /^\/tempo\/api\/(v2\/)?traces\/[0-9a-fA-F]+$/, 'trace'],
    ['tempo', /^\/tempo\/api\/v2\/search\/tag\/[^/]+\/values$/, 'tag_values'],
    ['tempo', /^\/tempo\/api\/v2\/search\/tags$/, 'tags'],
    ['tempo', /^\/tempo\/api\/metrics\/query_range$/, 'metrics'],
    ['pyroscope', /^\/pyro\/pyroscope\/render$/, 'render'],
    ['github', /^\/gh\/repos\/[^/]+\/[^/]+\/git\/trees\/[^/]+$/, 'tree'],
    ['github', /^\/gh\/repos\/[^/]+\/[^/]+\/contents\/.+$/, 'contents'],
    ['github', /^\/gh\/search\/code$/, 'search'],
  ];
  for (const [backend, re, endpoint] of rules) if (re.test(p)) return { backend, endpoint };
  const rpc = /^\/pyro\/querier\.v1\.QuerierService\/(\w+)$/.exec(p);
  if (rpc && ENDPOINTS.pyroscope.includes(rpc[1]!)) return { backend: 'pyroscope', endpoint: rpc[1]! };
  return undefined;
}

/** The answer a healthy backend gives (undefined: no such endpoint). */
export function goodAnswer(req: Request, repo: string): Good | undefined {
  const r = route(req);
  if (!r) return undefined;
  // POSTed forms (long PromQL) carry the parameters in the body.
  const q = req.method === 'POST' && r.backend === 'prometheus' ? new URLSearchParams(req.body) : req.url.searchParams;
  if (r.backend === 'github') return { ...r, ...github(r.endpoint, req, q) };
  const json = r.backend === 'prometheus' ? prometheus(r.endpoint, req, q) : r.backend === 'loki' ? loki(r.endpoint, req, q) : r.backend === 'tempo' ? tempo(r.endpoint, req, q) : pyroscope(r.endpoint, req, repo);
  return { ...r, status: 200, json };
}
