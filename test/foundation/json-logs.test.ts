// Application logs written as JSON lines, and the envelopes shippers write: time, level, service and
// trace ids from the fields each format uses; non-JSON lines continue the record before them.
import { describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { jsonLineShare, jsonTime, parseJsonLogLines } from '../../src/sources/bundle/formats/json-logs.js';
import { detectFormat } from '../../src/sources/bundle/formats/detect.js';
import { openBundle } from '../../src/sources/bundle/load.js';
import { detectLevel } from '../../src/analysis/logs/level.js';

const opts = { year: 2024, fallbackMs: Date.UTC(2024, 4, 7, 12) };
const at = (iso: string) => Date.parse(iso);

describe('JSON log lines', () => {
  it('reads time, level, service and trace ids from each format’s fields', () => {
    const lines = [
      // pino: epoch ms, numeric level
      '{"level":50,"time":1715079300123,"pid":1,"hostname":"h","msg":"payment failed","service":"checkout","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7"}',
      // zap: float epoch seconds
      '{"level":"warn","ts":1715079301.5,"caller":"main.go:42","msg":"retrying","app":"gateway"}',
      // ECS
      '{"@timestamp":"2024-05-07T10:55:02.000Z","log.level":"error","message":"timeout","service.name":"cart","trace.id":"abc123abc123abc123abc123abc123ab"}',
      // GCP Cloud Logging export
      '{"textPayload":"OOM","timestamp":"2024-05-07T10:55:03Z","severity":"ERROR","resource":{"type":"k8s_container","labels":{"container_name":"recs"}},"logging.googleapis.com/trace":"projects/p/traces/0af7651916cd43dd8448eb211c80319c"}',
      // journald: microseconds, syslog priority, unit
      '{"__REALTIME_TIMESTAMP":"1715079304000000","MESSAGE":"Failed to connect","_SYSTEMD_UNIT":"orders.service","PRIORITY":"3","_HOSTNAME":"node1"}',
      // Docker json-file around a plain line
      '{"log":"2024-05-07T10:55:05.000Z INFO started\\n","stream":"stdout","time":"2024-05-07T10:55:05.123456789Z"}',
    ];
    const { records, otherLines, untimed } = parseJsonLogLines(lines.join('\n'), 'file-svc', opts);
    expect(otherLines).toBe(0);
    expect(untimed).toBe(0);
    expect(records.map((r) => r.service)).toEqual(['checkout', 'gateway', 'cart', 'recs', 'orders', 'file-svc']);
    expect(records.map((r) => Math.floor(r.timeMs))).toEqual([1715079300123, 1715079301500, at('2024-05-07T10:55:02Z'), at('2024-05-07T10:55:03Z'), 1715079304000, at('2024-05-07T10:55:05.123Z')]);
    expect(records.map((r) => detectLevel(r))).toEqual(['error', 'warn', 'error', 'error', 'error', 'info']);
    expect(records[0]).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' });
    expect(records[3]!.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    // An application's own JSON stays the body (what Loki stores); an envelope gives the line it wraps.
    expect(records[0]!.body).toBe(lines[0]);
    expect(records[4]!.body).toBe('Failed to connect');
    expect(records[4]!.attributes).toMatchObject({ _SYSTEMD_UNIT: 'orders.service', _HOSTNAME: 'node1' });
    expect(records[5]!.body).toBe('2024-05-07T10:55:05.000Z INFO started');
    expect(records[5]!.attributes).toEqual({ stream: 'stdout', time: '2024-05-07T10:55:05.123456789Z' });
  });

  it('a line that is not JSON continues the record before it; a line without a time takes the last one', () => {
    const text = [
      '{"time":"2024-05-07T10:55:00Z","level":"error","msg":"boom"}',
      'java.lang.IllegalStateException: boom',
      '\tat a.b.C.d(C.java:10)',
      '{"level":"info","msg":"no time here"}',
    ].join('\n');
    const { records, otherLines, untimed } = parseJsonLogLines(text, 's', opts);
    expect(records).toHaveLength(2);
    expect(records[0]!.body.split('\n')).toHaveLength(3);
    expect(otherLines).toBe(2);
    expect(untimed).toBe(1);
    expect(records[1]!.timeMs).toBe(at('2024-05-07T10:55:00Z'));
  });

  it('small numbers in time-like fields are not dates; epochs in every unit are', () => {
    expect(jsonTime(5)).toBeUndefined();
    expect(jsonTime('12')).toBeUndefined();
    expect(jsonTime(1715079300)).toBe(1715079300000);
    expect(jsonTime(1715079300123)).toBe(1715079300123);
    expect(jsonTime(1715079300123456)).toBe(1715079300123.456);
    expect(jsonTime('1715079300123456789')).toBeCloseTo(1715079300123.4568, 3);
    expect(jsonTime('2024-05-07T10:55:00+02:00')).toBe(at('2024-05-07T08:55:00Z'));
  });

  it('is recognised by its first line, and read as text when most lines are not JSON', async () => {
    expect(detectFormat('app.log', Buffer.from('{"msg":"a","time":"2024-05-07T10:55:00Z"}\n'))).toMatchObject({ format: 'json-log', signal: 'logs' });
    expect(jsonLineShare('{"a":1}\nplain\nplain 2\n')).toBeCloseTo(1 / 3, 5);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ql-jsonlog-'));
    try {
      const lines = Array.from({ length: 30 }, (_, i) => JSON.stringify({ '@timestamp': new Date(Date.UTC(2024, 4, 7, 10, 55, i)).toISOString(), 'log.level': i % 3 ? 'info' : 'error', message: `order ${i}`, 'service.name': i % 2 ? 'cart' : 'orders' }));
      await writeFile(path.join(dir, 'export.jsonl'), lines.join('\n'));
      const b = await openBundle(dir);
      const records = await b.logs!.allRecords();
      expect(records).toHaveLength(30);
      expect(new Set(records.map((r) => r.service))).toEqual(new Set(['cart', 'orders']));
      expect(b.incident.window).toEqual({ start: Date.UTC(2024, 4, 7, 10, 55, 0), end: Date.UTC(2024, 4, 7, 10, 55, 30) });
      expect(b.catalog.map((e) => e.format)).toEqual(['json-log']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('Kubernetes node logs (CRI lines)', () => {
  it('joins the pieces of a split line, keeps the stream, reads an application JSON inside', async () => {
    const { parseCriLog, looksLikeCri } = await import('../../src/sources/bundle/formats/cri-logs.js');
    const text = [
      '2024-05-07T10:55:00.123456789Z stdout F order 1 placed',
      '2024-05-07T10:55:01.000000000Z stderr P a very long line, first piece; ',
      '2024-05-07T10:55:01.000000001Z stderr F second piece',
      '2024-05-07T10:55:02.000000000+02:00 stdout F {"level":"error","msg":"db down","service":"orders","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}',
      '\tat stack.Frame(Frame.java:1)',
    ].join('\n');
    expect(looksLikeCri(text)).toBe(true);
    expect(looksLikeCri('2024-05-07 10:55:00 INFO started\nplain\n')).toBe(false);
    const { records, otherLines } = parseCriLog(text, 'checkout');
    expect(otherLines).toBe(1);
    expect(records.map((r) => r.body)).toEqual([
      'order 1 placed',
      'a very long line, first piece; second piece',
      '{"level":"error","msg":"db down","service":"orders","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}\n\tat stack.Frame(Frame.java:1)',
    ]);
    expect(records.map((r) => r.service)).toEqual(['checkout', 'checkout', 'orders']);
    expect(records.map((r) => r.attributes.stream)).toEqual(['stdout', 'stderr', 'stdout']);
    expect(records[2]).toMatchObject({ severityText: 'error', traceId: '4bf92f3577b34da6a3ce929d0e0e4736', timeMs: Date.UTC(2024, 4, 7, 8, 55, 2) });
  });

  it('names the container from the kubelet’s paths', async () => {
    const { serviceFromFileName } = await import('../../src/sources/bundle/formats/plain-logs.js');
    expect(serviceFromFileName('/var/log/pods/shop_checkout-7d9f8_0b1c/checkout/0.log')).toBe('checkout');
    expect(serviceFromFileName('/var/log/pods/shop_checkout-7d9f8_0b1c/checkout/0.log.20240507-101010.gz')).toBe('checkout');
    expect(serviceFromFileName(`/var/log/containers/checkout-7d9f8-x2_shop_checkout-api-${'a1'.repeat(32)}.log`)).toBe('checkout-api');
    expect(serviceFromFileName('logs/payment-2024-05-07.log.gz')).toBe('payment');
  });
});
