import { describe, expect, it } from 'vitest';
import nock from 'nock';
import { HttpClient } from '../src/http.js';

describe('http client under nock', () => {
  it('intercepts global fetch and reports HTTP errors naming the backend', async () => {
    nock('http://prom.test').get('/api/v1/query').query(true).reply(503, 'down').persist();
    const c = new HttpClient({ name: 'prometheus', url: 'http://prom.test', headers: {}, timeoutMs: 1000, maxResponseBytes: 1e6, viaGrafana: false });
    await expect(c.json('/api/v1/query', { query: { query: 'up' }, retries: 1 })).rejects.toThrow(/prometheus answered HTTP 503/);
    nock.cleanAll();
  });
});
