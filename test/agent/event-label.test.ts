// The ranking's event keys read as operations, calls, answers and log lines in every report language.
import { describe, expect, it } from 'vitest';
import { eventLabel } from '../../src/analysis/suspects/event-label.js';
import { translateMessage } from '../../src/agent/report.js';
import { SUPPORTED_LANGS } from '../../src/agent/language.js';

describe('event labels', () => {
  it('names each kind of event in English', () => {
    expect(eventLabel('op SELECT price', 140).english).toBe('SELECT price');
    expect(eventLabel('call ts-route-service GET /routes', 140).english).toBe('GET /routes (call to ts-route-service)');
    expect(eventLabel('ret:cartservice:GetCart', 140).english).toBe('GetCart (answer of cartservice)');
    expect(eventLabel('in:/api/v1/orders', 140).english).toBe('/api/v1/orders (start)');
    expect(eventLabel('log:<*> ERROR order failed', 140).english).toBe('<*> ERROR order failed (log line)');
    expect(eventLabel('log <*> INFO done (after an error below)', 140).english).toBe('<*> INFO done (log line)');
    expect(eventLabel('⟂end', 140).english).toBe('(end of the request)');
  });

  it('renders inside an evidence line in the report language, with no raw key left', () => {
    const from = eventLabel('ret:cartservice:GetCart', 120).message;
    const to = eventLabel('⟂end', 120).message;
    const line = (lang: string) =>
      translateMessage([{ key: 'ev_transition_after', args: { emitter: 'frontend', service: 'cartservice', from: 'ret:cartservice:GetCart', to: '⟂end', before: 10, after: 60, n: 40 }, parts: { from, to } }], lang);
    expect(line('en')).toBe('frontend, after cartservice answered, changed what follows "GetCart (answer of cartservice)": "(end of the request)" 10% → 60% (40 times in the window)');
    expect(line('fr')).toContain('« GetCart (réponse de cartservice) »');
    for (const lang of SUPPORTED_LANGS) {
      const l = line(lang);
      expect(l, lang).not.toMatch(/ret:|⟂end|\{\w+\}/);
      expect(l, lang).toContain('cartservice');
    }
  });
});
