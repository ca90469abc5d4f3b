import { describe, expect, it } from 'vitest';
import { renderCountOverTime, renderLogQL, serviceSelector } from '../../src/query/logql.js';
import { filtersToLogQL } from '../../src/analysis/logs/fetch.js';
import { logqlErrors } from './lezer.js';

describe('LogQL builder (validated with @grafana/lezer-logql)', () => {
  const cases: Array<[string, string]> = [
    [renderLogQL({ selector: serviceSelector('checkout') }), '{service_name="checkout"}'],
    [renderLogQL({ selector: [] }), '{service_name=~".+"}'],
    [renderLogQL({ selector: serviceSelector('a', { 'k8s.namespace': 'prod' }), lineFilters: [{ op: '|=', value: 'say "hi"\\n' }] }), '{service_name="a", k8s_namespace="prod"} |= "say \\"hi\\"\\\\n"'],
    [renderLogQL({ selector: serviceSelector('a'), lineFilters: [{ op: '|=', value: 'a.b(c)', caseInsensitive: true }] }), '{service_name="a"} |~ "(?i)a\\\\.b\\\\(c\\\\)"'],
    [renderLogQL({ selector: serviceSelector('a'), patternInclude: ['x <_> "y"', 'z <_>'], patternExclude: ['w <_>'] }), '{service_name="a"} |> "x <_> \\"y\\"" or "z <_>" !> "w <_>"'],
    [renderLogQL({ selector: serviceSelector('a'), parsers: ['json', 'logfmt'], dropParseErrors: true, labelFilters: [{ name: 'app.flag', op: '=', value: 'x' }, { name: 'took', op: '>', value: 5 }] }), '{service_name="a"} | json | logfmt | drop __error__, __error_details__ | app_flag="x" | took>5'],
    [renderCountOverTime({ selector: serviceSelector('a'), patternInclude: ['x <_>'] }, 60, ['detected_level']), 'sum by (detected_level) (count_over_time({service_name="a"} |> "x <_>" [1m]))'],
  ];
  it.each(cases)('renders %s', (q, want) => {
    expect(q).toBe(want);
    expect(logqlErrors(q)).toEqual([]);
  });

  it('renders tool filters, including every level and a tricky regex', () => {
    const q = renderLogQL(filtersToLogQL({ service: 'x', contains: ['a"b'], notContains: ['c'], caseSensitive: false, regex: '^E\\d+ (foo|bar)$', levels: ['error', 'fatal'], traceId: 'abc', fields: { user: '1' }, includePatterns: ['<_> failed'], excludePatterns: ['x'] }));
    expect(logqlErrors(q)).toEqual([]);
    expect(q).toContain('| detected_level=~"error|fatal"');
  });

  it('the validator does flag broken LogQL (the check can fail)', () => {
    expect(logqlErrors('{service_name="a" |= "x"').length).toBeGreaterThan(0);
  });
});
