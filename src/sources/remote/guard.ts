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

/** An instance of a class (a client held by the source), as opposed to data: its methods are guarded too. */
function isClassInstance(v: unknown): v is object {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as { constructor?: unknown } | null;
  if (!proto || proto === Object.prototype || typeof proto.constructor !== 'function') return false;
  // Built-ins (Map, Date, AbortSignal, Promise…) are data here, and their getters refuse a proxy as `this`.
  return !/\{\s*\[native code\]\s*\}$/.test(Function.prototype.toString.call(proto.constructor));
}

/**
 * Wraps every method of a remote source, and of the clients it holds (tools call `logs.client.patterns`
 * directly), so instanceof still holds: the prototype is the target's.
 */
export function guardRemoteSource<T extends object>(name: string, url: string, source: T, seen = new WeakMap<object, object>()): T {
  const known = seen.get(source);
  if (known) return known as T;
  const guarded = new Proxy(source, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (isClassInstance(v)) return guardRemoteSource(name, url, v, seen);
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
  seen.set(source, guarded);
  return guarded;
}
