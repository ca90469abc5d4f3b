// How a per-request event reads in a report. The ranking keys events by kind: `op X`, `call S X` and
// `log T` in the per-request patterns; `in:X`, `op:X`, `ret:S:X`, `log:T` and the end of a sequence in
// the transitions. A reader sees the operation, the call, the answer or the log line, with its kind as a
// label in the report's language (catalogue keys tok_*), and the English line says the same.
import type { EvidenceMessage } from './rank.js';
import { withoutPropagated } from './patterns.js';
import { END } from './transitions.js';

function parse(token: string): { key: string; args: Record<string, string>; english: string } {
  let m = /^call (\S+) ([\s\S]*)$/.exec(token);
  if (m) return { key: 'tok_call', args: { name: m[2]!, service: m[1]! }, english: `${m[2]} (call to ${m[1]})` };
  m = /^ret:([^:]+):([\s\S]*)$/.exec(token);
  if (m) return { key: 'tok_ret', args: { name: m[2]!, service: m[1]! }, english: `${m[2]} (answer of ${m[1]})` };
  m = /^in:([\s\S]*)$/.exec(token);
  if (m) return { key: 'tok_in', args: { name: m[1]! }, english: `${m[1]} (start)` };
  m = /^log[: ]([\s\S]*)$/.exec(token);
  if (m) {
    const text = withoutPropagated(m[1]!);
    return { key: 'tok_log', args: { text }, english: `${text} (log line)` };
  }
  if (token === END) return { key: 'tok_end', args: {}, english: '(end of the request)' };
  m = /^op[: ]([\s\S]*)$/.exec(token);
  const name = m ? m[1]! : token;
  return { key: 'tok_op', args: { name }, english: name };
}

/** The event as a translatable phrase and as English text, each cut to `max` characters of telemetry. */
export function eventLabel(token: string, max: number): { message: EvidenceMessage; english: string } {
  const p = parse(token);
  const args = Object.fromEntries(Object.entries(p.args).map(([k, v]) => [k, v.slice(0, max)]));
  const english = p.english.length > max + 40 ? `${p.english.slice(0, max + 40)}…` : p.english;
  return { message: { key: p.key, args }, english };
}
