// Every mined pattern is a `|>` filter Loki accepts and that keeps every line grouped under it.
// Loki's semantics are reproduced in lokipattern.ts (checked here against the examples in Loki's own
// source comments); the property is checked on generated edge cases (always) and on every file of
// ../shared/datasets (skipped when absent).
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { LokiLineFilter, lineFilterError, lokiPatternMatches, parsePattern } from '../../src/analysis/logs/lokipattern.js';
import { PatternMiner } from '../../src/analysis/logs/miner.js';
import { renderLogQL, serviceSelector } from '../../src/query/logql.js';
import { logqlErrors } from './lezer.js';

const DATASETS = path.resolve(process.cwd(), '../shared/datasets');

/** Mines the lines; returns the lines whose group's pattern does not keep them, and invalid patterns. */
function check(lines: string[]): { misses: Array<{ line: string; pattern: string }>; invalid: string[]; patterns: Map<number, string> } {
  const m = new PatternMiner();
  const ids = lines.map((l) => m.add(l));
  m.finish();
  const patterns = new Map(m.clusters().map((c) => [c.id, c.pattern]));
  const misses: Array<{ line: string; pattern: string }> = [];
  lines.forEach((line, i) => {
    const p = patterns.get(m.clusterOf(ids[i]!))!;
    if (!lokiPatternMatches(line, p)) misses.push({ line, pattern: p });
  });
  const invalid = [...patterns.values()].filter((p) => lineFilterError(p) !== undefined);
  return { misses, invalid, patterns };
}

describe("Loki's |> semantics (lokipattern.ts)", () => {
  const t = (pattern: string, line: string) => new LokiLineFilter(pattern).test(line);
  it('follows the examples in Loki pattern.go', () => {
    expect(t('<_> bar', 'foo bar baz')).toBe(false);
    expect(t('<_> baz', 'foo bar baz')).toBe(true);
    expect(t('foo <_>', 'foo bar baz')).toBe(true);
    // Captures never match the empty string.
    expect(t('<_> bar <_>', ' bar ')).toBe(false);
    expect(t('<_>bar<_>', ' bar ')).toBe(true);
    // An empty line matches only the empty pattern.
    expect(t('', '')).toBe(true);
    expect(t('<_>', '')).toBe(false);
  });

  it('searches each literal at its first occurrence (not a regex)', () => {
    // A greedy regex would match; Loki stops at the first " done" and then needs the line to end.
    expect(t('<_> done', 'x done y done')).toBe(false);
    expect(t('a <_> b', 'a  x b')).toBe(true);
    // Whitespace is literal: two spaces are not one.
    expect(t('a  b <_>', 'a b c')).toBe(false);
  });

  it('lexes <name> as a capture and anything else with < as text', () => {
    expect(parsePattern('x <nil> <1> <*> < _> <_>')).toEqual([{ lit: 'x ' }, { cap: 'nil' }, { lit: ' <1> <*> < _> ' }, { cap: '_' }]);
    expect(lineFilterError('err <nil>')).toMatch(/named capture/);
    expect(lineFilterError('<_><_>')).toMatch(/consecutive/);
    expect(lineFilterError('<_> <_>')).toBeUndefined();
    expect(() => new LokiLineFilter('a <b>')).toThrow(/named capture/);
    expect(lokiPatternMatches('a b', 'a <b>')).toBe(false);
  });
});

describe('mined patterns keep every line of their group (generated edge cases)', () => {
  const long = (seed: number) => `payload ${seed} ` + 'abcdefgh '.repeat(600) + `tail ${seed}`;
  const cases: Record<string, string[]> = {
    'double spaces and tabs': ['a  b\tc 1', 'a  b\tc 2', 'a  b\tc 3'],
    'padding that varies (aligned columns)': ['Dec  1 06:55:46 host sshd[1]: ok', 'Dec 10 06:55:47 host sshd[22]: ok', 'Dec  3 06:55:48 host sshd[333]: ok'],
    'leading and trailing whitespace that varies': ['  start job 1', 'start job 2', '\tstart job 3 ', 'start job 4  '],
    'literal <nil> and <init>': ['err=<nil> at <init> took 1ms', 'err=<nil> at <init> took 2ms', 'err=<nil> at <init> took 3ms'],
    'capture-like text that varies': ['value <a1> set', 'value <b2> set', 'value <c3> set'],
    'quotes, backslashes and braces': ['msg="say \\"hi\\"" path=C:\\tmp\\1 {x}', 'msg="say \\"hi\\"" path=C:\\tmp\\2 {x}'],
    'JSON with spaces in values': ['{"level":"info","host":"web 1","msg":"user logged in","n":1}', '{"level":"info","host":"web 22","msg":"user logged in","n":2}', '{"level":"info", "host": "db", "msg":"user logged in","n":3}'],
    'lines over 4,096 characters': [long(1), long(2), long(3), 'payload 4 short tail 4'],
    'whitespace-only and empty lines': ['', '   ', '   ', '\t', ''],
    'constant key=value values stay literal': ['ts=2024-01-01T00:00:01Z caller=http.go:194 level=debug msg="POST /push (200) 1ms"', 'ts=2024-01-01T00:00:02Z caller=http.go:194 level=debug msg="POST /push (200) 3ms"'],
    'many tokens (over the token limit)': Array.from({ length: 3 }, (_, i) => Array.from({ length: 200 }, (_, j) => `w${(j * (i + 1)) % 7}`).join(' ')),
    'unicode and control characters': ['naïve café ☕ 1 \u0001', 'naïve café ☕ 2 \u0001'],
  };
  it.each(Object.entries(cases))('%s', (_name, lines) => {
    const { misses, invalid, patterns } = check(lines);
    expect(misses).toEqual([]);
    expect(invalid).toEqual([]);
    // And the rendered query is valid LogQL.
    for (const p of patterns.values()) expect(logqlErrors(renderLogQL({ selector: serviceSelector('x'), patternInclude: [p] }))).toEqual([]);
  });

  it('keeps constant values literal and masks only what varies', () => {
    const { patterns } = check(cases['constant key=value values stay literal']!);
    expect([...patterns.values()]).toEqual(['ts=<_> caller=http.go:194 level=debug msg="POST /push <_>']);
    const ws = check(cases['double spaces and tabs']!).patterns;
    expect([...ws.values()]).toEqual(['a  b\tc <_>']);
  });

  it('writes a literal <nil> so Loki cannot read it as a capture', () => {
    const [p] = [...check(cases['literal <nil> and <init>']!).patterns.values()];
    expect(p).not.toContain('<nil>');
    expect(lineFilterError(p!)).toBeUndefined();
  });

  it('a long line ends in a capture, not a cut literal', () => {
    for (const p of check(cases['lines over 4,096 characters']!).patterns.values()) expect(p.endsWith('<_>') || p.length < 100).toBe(true);
  });
});

function datasetFiles(): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = path.join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(log|txt)$/.test(f) && statSync(p).size < 20_000_000) out.push(p);
    }
  };
  for (const d of ['loki-drain', 'loghub-2k']) if (existsSync(path.join(DATASETS, d))) walk(path.join(DATASETS, d));
  return out.filter((f) => !/LICENSE|README/i.test(f));
}

describe.skipIf(!existsSync(DATASETS))('mined patterns keep every line of their group (../shared/datasets)', () => {
  const files = existsSync(DATASETS) ? datasetFiles() : [];
  it.each(files.map((f) => [path.relative(DATASETS, f), f]))('%s', (_rel, file) => {
    const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);
    const { misses, invalid } = check(lines);
    expect(invalid).toEqual([]);
    expect(misses.slice(0, 3)).toEqual([]);
  }, 120_000);
});

describe('headers of common line formats', () => {
  it('groups one event across hosts, pids, threads and components; writes what was constant', async () => {
    const { headerEnd } = await import('../../src/analysis/logs/header.js');
    const cases: Array<[string, string]> = [
      ['Jun 14 15:16:01 combo sshd(pam_unix)[19939]: check pass; user unknown', 'Jun 14 15:16:01 combo sshd(pam_unix)[19939]:'],
      ['2015-10-18 18:04:19,753 INFO [IPC Server handler 19 on 62270] org.apache.hadoop.mapred.X: Progress', '2015-10-18 18:04:19,753 INFO [IPC Server handler 19 on 62270] org.apache.hadoop.mapred.X:'],
      ['2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:Election@774] - Notification time out: 3200', '2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:Election@774] -'],
      ['I0507 11:59:38.116658    2791 azure_credentials.go:220] image is not from ACR', 'I0507 11:59:38.116658    2791 azure_credentials.go:220]'],
      ['[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties', '[Sun Dec 04 04:47:44 2005] [notice]'],
      ['127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326', '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700]'],
      ['2024-05-08 15:23:58.901 [DEBUG][606918] felix/sync_client.go 434: New message from Typha.', '2024-05-08 15:23:58.901 [DEBUG][606918] felix/sync_client.go 434:'],
      // No header: logfmt, JSON, plain messages, a line that starts with a bare number.
      ['ts=2024-05-07T11:59:43Z level=info msg="x"', ''],
      ['{"level":"info","msg":"x"}', ''],
      ['Received block blk_1 of size 3 from /10.0.0.1', ''],
      ['081109 203615 148 INFO dfs.DataNode: PacketResponder 1', ''],
      ['10:04:01 error: connection refused', '10:04:01 error:'],
      ['86.99.222.235:443 error : Could not connect through proxy', ''],
      ['::1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 5', '::1 - - [10/Oct/2000:13:55:36 -0700]'],
    ];
    for (const [line, header] of cases) expect(line.slice(0, headerEnd(line, line.length)), line).toBe(header);
    const lines = ['Jun 14 15:16:01 combo sshd[19939]: session opened for user root', 'Jun 14 15:16:02 combo sshd[20000]: session opened for user root', 'Jun 15 04:06:18 combo sshd[1]: session opened for user root'];
    const { patterns, misses } = check(lines);
    expect(misses).toEqual([]);
    expect([...patterns.values()]).toEqual(['<_> session opened for user root']);
  });
});

describe('pattern literals in LogQL', () => {
  it('quote() round-trips every character (Go and JSON share these escapes)', async () => {
    const { quote } = await import('../../src/query/logql.js');
    for (const s of ['a  b\tc', 'say "hi" \\ C:\\tmp', 'ctl \u0001\u001f\u007f end', 'naïve ☕ <_>', 'x\r\ny']) {
      expect(JSON.parse(quote(s))).toBe(s);
      expect(logqlErrors(renderLogQL({ selector: serviceSelector('x'), patternInclude: [s] }))).toEqual([]);
    }
  });
});

describe('levels in headers', () => {
  it('keeps an error apart from the same text at info; merges info, debug and warn variants', () => {
    const m = new PatternMiner();
    const lines = [
      '2024-05-01 10:00:01,001 INFO [main] app.Db: connection to db lost',
      '2024-05-01 10:00:02,001 WARN [main] app.Db: connection to db lost',
      '2024-05-01 10:00:03,001 ERROR [main] app.Db: connection to db lost',
      '2024-05-01 10:00:04,001 ERROR [pool-2] app.Db: connection to db lost',
    ];
    const ids = lines.map((l) => m.add(l));
    m.finish();
    const c = ids.map((i) => m.clusterOf(i));
    expect(c[0]).toBe(c[1]);
    expect(c[2]).toBe(c[3]);
    expect(c[0]).not.toBe(c[2]);
    const byId = new Map(m.clusters().map((x) => [x.id, x.pattern]));
    expect(byId.get(c[2]!)).toBe('<_> ERROR <_> app.Db: connection to db lost');
    lines.forEach((l, i) => expect(lokiPatternMatches(l, byId.get(c[i]!)!)).toBe(true));
  });
});
