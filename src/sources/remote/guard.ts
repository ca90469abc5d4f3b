// Safety net for remote sources: an answer of a shape no check foresaw (a field of the wrong type
// deep inside) surfaces in the parsing code as a TypeError or RangeError that names nothing useful.
// Each remote source is wrapped so such an error becomes a BackendError naming the backend, its URL
// and what to check; BackendErrors, cancellations and deadline aborts pass through unchanged.
import { BackendError, backendTitle, boundText } from '../../http.js';

function translate(name: string, url: string, method: string, e: unknown): unknown {
  if (!(e instanceof TypeError || e instanceof RangeError || e instanceof SyntaxError)) return e;
  const msg = `${backendTitle(name)} at ${url} answered ${method} in a shape Queryless did not expect (${boundText(e.message, 200)})`;
  return new BackendError(name, 200, msg, `check that ${name.toUpperCase()}_URL points at ${backendTitle(name)} itself (not Grafana, a login page or another service) and that its version is supported`);
}

/** Wraps every method of a remote source (instanceof still holds: the prototype is the target's). */
export function guardRemoteSource<T extends object>(name: string, url: string, source: T): T {
  return new Proxy(source, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function' || prop === 'constructor') return v;
      return function (this: unknown, ...args: unknown[]) {
        let out: unknown;
        try {
          out = (v as (...a: unknown[]) => unknown).apply(target, args);
        } catch (e) {
          throw translate(name, url, String(prop), e);
        }
        if (out instanceof Promise) return out.catch((e: unknown) => Promise.reject(translate(name, url, String(prop), e)));
        return out;
      };
    },
  });
}
