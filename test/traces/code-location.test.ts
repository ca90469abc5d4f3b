import { describe, expect, it } from 'vitest';
import { firstApplicationFrame } from '../../src/analysis/traces/code-location.js';

describe('first application frame of a stack trace', () => {
  it('skips Go runtime and library frames', () => {
    const go = [
      'goroutine 42 [running]:',
      'github.com/lib/pq.(*conn).Exec(0xc000, {0x1, 0x2})',
      '\t/go/pkg/mod/github.com/lib/pq@v1.10.9/conn.go:880 +0x1d',
      'github.com/acme/checkout/internal/orders.(*Repository).Insert(0xc0001, {0x2})',
      '\t/app/internal/orders/repository.go:37 +0x8a',
      'net/http.HandlerFunc.ServeHTTP(0x1)',
      '\t/usr/local/go/src/net/http/server.go:2136 +0x2f',
    ].join('\n');
    expect(firstApplicationFrame(go)).toEqual({ function: 'github.com/acme/checkout/internal/orders.(*Repository).Insert', file: '/app/internal/orders/repository.go', line: 37 });
  });
  it('reads JVM, Python (innermost last) and Node.js traces', () => {
    expect(firstApplicationFrame('org.postgresql.util.PSQLException: duplicate key\n\tat org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse(QueryExecutorImpl.java:2713)\n\tat com.acme.orders.OrderRepository.insert(OrderRepository.java:58)')).toEqual({
      function: 'com.acme.orders.OrderRepository.insert',
      file: 'OrderRepository.java',
      line: 58,
    });
    expect(firstApplicationFrame('Traceback (most recent call last):\n  File "/srv/app/orders.py", line 12, in create\n    db.insert(o)\n  File "/usr/lib/python3.11/site-packages/psycopg/cursor.py", line 723, in execute\n    raise ex')).toEqual({
      function: 'create',
      file: '/srv/app/orders.py',
      line: 12,
    });
    expect(firstApplicationFrame('Error: boom\n    at Parser.parse (node:internal/x:1:1)\n    at OrderService.create (/srv/app/src/orders.js:42:13)')).toEqual({ function: 'OrderService.create', file: '/srv/app/src/orders.js', line: 42 });
  });
  it('returns undefined when no frame is recognisable', () => {
    expect(firstApplicationFrame('just a message')).toBeUndefined();
  });
});
