// Grafana Pyroscope (direct or through Grafana's datasource proxy) over its Connect API
// (`/querier.v1.QuerierService/<Method>`, protojson, millisecond timestamps, int64 as strings) with the
// legacy `/pyroscope/render` API as a last resort. Merged profiles come as pprof (SelectMergeProfile,
// which keeps file and line numbers for per-line costs), else as a flame graph (SelectMergeStacktraces).
import { BackendError, HttpClient, isObject, optionalArray, type RequestOptions } from '../../http.js';
import { MAX_ITEMS_PER_ANSWER } from '../../limits.js';
import { stringList } from './answer-values.js';
import { noteLeftOut } from './answer-notes.js';

/** Every Connect answer is a JSON object; the fields read from it are checked where read. */
const RPC_ANSWER = { what: 'a JSON object (Pyroscope Connect API answer)', test: isObject };
const NAMES_ANSWER = { what: 'a JSON object {"names":[…]}', test: (v: unknown) => isObject(v) && optionalArray(v.names) };
const RENDER_ANSWER = { what: 'a flamebearer answer {"flamebearer":{"names":[…],"levels":[[…]]}}', test: (v: unknown) => isObject(v) && (v.flamebearer === undefined || isObject(v.flamebearer)) };

/**
 * Bounds on a flame graph read from one answer: its nodes (4 numbers each in `levels`) and depth. A
 * 50 MB answer once took minutes and GBs; past these the deepest/rightmost nodes are left out.
 */
export const MAX_FLAME_NODES = MAX_ITEMS_PER_ANSWER * 4;
export const MAX_FLAME_DEPTH = 1024;

function boundedLevels<L>(levels: L[]): L[] {
  const out: L[] = [];
  let nodes = 0;
  for (const lvl of levels.slice(0, MAX_FLAME_DEPTH)) {
    const vals = Array.isArray(lvl) ? lvl : ((lvl as { values?: unknown[] })?.values ?? []);
    if (!Array.isArray(vals)) break;
    nodes += vals.length / 4;
    if (nodes > MAX_FLAME_NODES) break;
    out.push(lvl);
  }
  noteLeftOut('Pyroscope', `flame graph level past the read bound (${MAX_FLAME_DEPTH} levels, ${MAX_FLAME_NODES} nodes)`, levels.length - out.length);
  return out;
}
import type { ProfileSource, ProfileTypeInfo, StackProfile, TimeRange } from '../types.js';
import { fromProtoJson, type ProtoJsonProfile } from '../../analysis/profiles/pprof.js';
import { StackMerger } from '../../analysis/profiles/merge.js';
import { flamegraphStacks } from '../../analysis/profiles/flamegraph.js';
import { parseProfileTypeId, typeInfo } from '../../analysis/profiles/types.js';
import { renderLabelSelector, renderProfileQuery } from '../../query/pyroscope.js';

const SERVICE_LABEL = 'service_name';
const PROFILE_TYPE_LABEL = '__profile_type__';

interface ProfileTypesResponse {
  profileTypes?: Array<{ ID?: string; name?: string; sampleType?: string; sampleUnit?: string; periodType?: string; periodUnit?: string }>;
}
interface SeriesResponse {
  labelsSet?: Array<{ labels?: Array<{ name?: string; value?: string }> }>;
}
interface NamesResponse {
  names?: string[];
}
interface FlamegraphResponse {
  flamegraph?: { names?: string[]; levels?: Array<{ values?: string[] }>; total?: string; maxSelf?: string };
}
interface RenderResponse {
  flamebearer?: { names?: string[]; levels?: number[][]; numTicks?: number };
  metadata?: { units?: string; sampleRate?: number };
}

/** Errors after which another API flavour is worth trying (endpoint absent or method unimplemented). */
function unsupported(e: unknown): boolean {
  return e instanceof BackendError && (e.status === 404 || e.status === 405 || e.status === 501 || /unimplemented/i.test(e.message));
}

export class PyroscopeProfileSource implements ProfileSource {
  readonly kind = 'pyroscope' as const;
  /** Max flame-graph nodes asked for; Pyroscope folds the rest into "other". */
  maxNodes = 16384;

  constructor(private readonly http: HttpClient) {}

  private async rpc<T>(method: string, body: Record<string, unknown>, signal?: AbortSignal, expect: RequestOptions['expect'] = RPC_ANSWER): Promise<T> {
    const path = `/querier.v1.QuerierService/${method}`;
    const res = await this.http.json<T>(path, { method: 'POST', json: body, signal, headers: { 'Connect-Protocol-Version': '1' }, expect });
    // protojson leaves empty lists out, so `{}` is an empty answer; an error body ({"code","message"} of
    // Connect, or a proxy's {"status":"error"}) answered with 200 is that error, not an empty list.
    const e = res as { code?: unknown; message?: unknown; status?: unknown; error?: unknown };
    if ((typeof e.code === 'string' && typeof e.message === 'string') || e.status === 'error') {
      const said = typeof e.message === 'string' ? e.message : typeof e.error === 'string' ? e.error : 'no error text';
      throw new BackendError('pyroscope', 200, `Pyroscope at ${this.http.cfg.url} answered ${method} with an error: ${said}`, 'check the query and the time range; if it persists, check the Pyroscope logs');
    }
    return res;
  }

  private ms(r: TimeRange) {
    return { start: Math.floor(r.start), end: Math.ceil(r.end) };
  }

  async profileTypes(service: string | undefined, range: TimeRange, signal?: AbortSignal): Promise<Array<ProfileTypeInfo & { services: string[] }>> {
    try {
      const res = await this.rpc<SeriesResponse>(
        'Series',
        { matchers: service !== undefined ? [renderLabelSelector({ service })] : [], labelNames: [PROFILE_TYPE_LABEL, SERVICE_LABEL], ...this.ms(range) },
        signal,
      );
      const acc = new Map<string, Set<string>>();
      for (const set of res.labelsSet ?? []) {
        if (!Array.isArray(set?.labels)) noteLeftOut('Pyroscope', 'series without a list of labels');
        const given = Array.isArray(set?.labels) ? set.labels : [];
        const readable = given.filter((l) => typeof l?.name === 'string' && typeof l.value === 'string');
        noteLeftOut('Pyroscope', 'series label that is no {name, value} of text', given.length - readable.length);
        const labels = new Map(readable.map((l) => [l.name!, l.value!]));
        const id = labels.get(PROFILE_TYPE_LABEL);
        if (!id || !parseProfileTypeId(id)) continue;
        const svc = labels.get(SERVICE_LABEL);
        if (service !== undefined && svc !== service) continue;
        let s = acc.get(id);
        if (!s) acc.set(id, (s = new Set()));
        if (svc) s.add(svc);
      }
      return [...acc.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([id, s]) => ({ ...typeInfo(id), services: [...s].sort() }));
    } catch (e) {
      // Older servers lack Series, some reject an empty matcher list: fall back to the global type list.
      if (!unsupported(e) && !(e instanceof BackendError && e.status === 400)) throw e;
    }
    // Older servers: the global list of types, without the per-service breakdown.
    const res = await this.rpc<ProfileTypesResponse>('ProfileTypes', this.ms(range), signal);
    return (Array.isArray(res.profileTypes) ? res.profileTypes : [])
      .filter((t) => t !== null && typeof t === 'object')
      .map((t) => (typeof t.ID === 'string' ? t.ID : [t.name, t.sampleType, t.sampleUnit, t.periodType, t.periodUnit].join(':')))
      .filter((id) => !!parseProfileTypeId(id))
      .sort()
      .map((id) => ({ ...typeInfo(id), services: service ? [service] : [] }));
  }

  async mergedProfile(service: string, typeId: string, range: TimeRange, signal?: AbortSignal): Promise<StackProfile | undefined> {
    const labelSelector = renderLabelSelector({ service });
    const req = { profileTypeID: typeId, labelSelector, ...this.ms(range) };
    const result = (stacks: StackProfile['stacks']): StackProfile | undefined =>
      stacks.length ? { type: typeInfo(typeId), service, range, durationMs: range.end - range.start, stacks } : undefined;
    try {
      const j = await this.rpc<ProtoJsonProfile>('SelectMergeProfile', { ...req, maxNodes: this.maxNodes }, signal);
      if (!Array.isArray(j.stringTable) || !Array.isArray(j.sample) || !j.sample.length) return undefined;
      // Bounded: at most MAX_ITEMS_PER_ANSWER samples of one merged profile are read.
      if (j.sample.length > MAX_ITEMS_PER_ANSWER) {
        noteLeftOut('Pyroscope', `profile sample past the ${MAX_ITEMS_PER_ANSWER} read from one answer`, j.sample.length - MAX_ITEMS_PER_ANSWER);
        j.sample = j.sample.slice(0, MAX_ITEMS_PER_ANSWER);
      }
      let parsed: ReturnType<typeof fromProtoJson>;
      try {
        parsed = fromProtoJson(j, `SelectMergeProfile ${typeId}`);
      } catch (e) {
        // A profile whose indexes point nowhere is the backend's answer at fault, not the tool.
        throw new BackendError('pyroscope', 200, `Pyroscope at ${this.http.cfg.url} answered a profile Queryless cannot read: ${(e as Error).message}`, 'check that PYROSCOPE_URL points at Pyroscope itself (not a proxy that rewrites answers) and that its version is supported');
      }
      const want = parseProfileTypeId(typeId)!;
      const idx = Math.max(0, parsed.sampleTypes.findIndex((t) => t.type === want.sampleType && t.unit === want.sampleUnit));
      const m = new StackMerger();
      m.add({ ...parsed, durationMs: undefined }, idx);
      return result(m.result(typeInfo(typeId), service, range).stacks);
    } catch (e) {
      if (!unsupported(e)) throw e;
    }
    try {
      const fg = await this.rpc<FlamegraphResponse>('SelectMergeStacktraces', { ...req, maxNodes: this.maxNodes }, signal);
      const names = fg.flamegraph?.names;
      const levels = fg.flamegraph?.levels;
      if (!Array.isArray(names) || !Array.isArray(levels)) return undefined;
      return result(flamegraphStacks(names, boundedLevels(levels)));
    } catch (e) {
      if (!unsupported(e)) throw e;
    }
    return this.render(service, typeId, range, signal);
  }

  /** Legacy render API (`/pyroscope/render`), flamebearer JSON. */
  async render(service: string, typeId: string, range: TimeRange, signal?: AbortSignal): Promise<StackProfile | undefined> {
    const r = this.ms(range);
    const res = await this.http.json<RenderResponse>('/pyroscope/render', {
      query: { query: renderProfileQuery(typeId, { service }), from: r.start, until: r.end, format: 'json', maxNodes: this.maxNodes },
      signal,
      expect: RENDER_ANSWER,
    });
    const fb = res.flamebearer;
    if (!Array.isArray(fb?.names) || !Array.isArray(fb.levels) || !fb.names.length || !fb.levels.length) return undefined;
    let stacks = flamegraphStacks(fb.names, boundedLevels(fb.levels));
    // OG-style CPU answers count samples at `sampleRate` Hz; convert to the type's nanoseconds.
    const unit = parseProfileTypeId(typeId)?.sampleUnit;
    const rate = res.metadata?.sampleRate;
    if (unit === 'nanoseconds' && res.metadata?.units === 'samples' && rate && rate > 0 && rate !== 1e9) {
      const k = 1e9 / rate;
      stacks = stacks.map((s) => ({ frames: s.frames, value: s.value * k }));
    }
    if (!stacks.length) return undefined;
    return { type: typeInfo(typeId), service, range, durationMs: range.end - range.start, stacks };
  }

  async services(range: TimeRange, signal?: AbortSignal): Promise<string[]> {
    const res = await this.rpc<NamesResponse>('LabelValues', { name: SERVICE_LABEL, ...this.ms(range) }, signal, NAMES_ANSWER);
    return [...new Set(stringList(res.names, { backend: 'Pyroscope', what: 'service name' }))].sort();
  }

  async labelNames(service: string | undefined, range: TimeRange, signal?: AbortSignal): Promise<string[]> {
    const res = await this.rpc<NamesResponse>('LabelNames', { matchers: service !== undefined ? [renderLabelSelector({ service })] : [], ...this.ms(range) }, signal, NAMES_ANSWER);
    return stringList(res.names, { backend: 'Pyroscope', what: 'label name' });
  }

  async repository(service: string, range: TimeRange, signal?: AbortSignal): Promise<{ repository: string; ref?: string; rootPath?: string } | undefined> {
    const matchers = [renderLabelSelector({ service })];
    const value = async (name: string) => stringList((await this.rpc<NamesResponse>('LabelValues', { name, matchers, ...this.ms(range) }, signal)).names)[0];
    const repository = await value('service_repository');
    if (!repository) return undefined;
    const [ref, rootPath] = await Promise.all([value('service_git_ref'), value('service_root_path')]);
    return { repository, ref, rootPath };
  }
}

/** The Pyroscope source for a configured backend (direct URL or Grafana datasource proxy), if any. */
export function createPyroscopeSource(cfg: import('../../config.js').BackendConfig | undefined): PyroscopeProfileSource | undefined {
  return cfg ? new PyroscopeProfileSource(new HttpClient(cfg)) : undefined;
}
