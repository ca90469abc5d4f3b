// OTLP/JSON TracesData bytes → span store rows, in one pass over the bytes without building the
// document: JSON.parse of a 230 MB file makes some 15 million objects that live until the last span
// is converted, which costs more time (garbage collection) and memory than the parse itself. Here the
// structure (resourceSpans → scopeSpans → spans → fields) is walked byte by byte, repeated texts are
// looked up in the interner by their bytes, and only the rare parts (resource, events, non-string
// attribute values, escaped texts) go through JSON.parse on their own slice, then through the same
// helpers as the general decoder (otlp-traces.ts), so every field means exactly what it means there.
//
// It takes the shape collectors write (OTLP/JSON with camelCase keys, also JSON Lines). Anything else —
// a key it does not know, a repeated key, a wrapper such as Tempo's `{trace: …}`, invalid JSON — makes
// it give up (`NotPlain`), and the caller re-reads the file with the general decoder, which decides
// what the file means and reports what is wrong with it.
import type { AttrValue } from '../types.js';
import { attrValue, attributes, scopeOf } from '../otlp.js';
import { countEndBeforeStart, fastId, fastNanos, kindOf, spanEvents, statusCode, type ParseStats } from '../otlp-traces.js';
import { statusNumber, type SpanStoreBuilder } from './store.js';
import { TextCache, latin1 } from './intern.js';
import { isDateMs, NOT_A_DATE } from '../../util/plausible-time.js';

/** The input is not the plain OTLP/JSON this decoder reads; the general decoder takes the file. */
export class NotPlain extends Error {
  constructor(readonly at: number) {
    super(`not plain OTLP/JSON at byte ${at}`);
  }
}

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const LBRACE = 123;
const RBRACE = 125;
const LBRACKET = 91;
const RBRACKET = 93;

/**
 * The keys one level of the document may hold, each with its code (1, 2…; 0 for a key not in the
 * list). A key is found by its length, first and last byte, then compared in full: no string is made.
 */
class Keys {
  private readonly byShape = new Map<number, { bytes: Buffer; code: number }>();
  private readonly byText = new Map<string, number>();
  constructor(names: string[]) {
    names.forEach((name, i) => {
      const bytes = Buffer.from(name, 'latin1');
      const shape = Keys.shape(bytes, 0, bytes.length);
      if (this.byShape.has(shape)) throw new Error(`keys ${name} and ${this.byShape.get(shape)!.bytes.toString()} share a shape`);
      this.byShape.set(shape, { bytes, code: i + 1 });
      this.byText.set(name, i + 1);
    });
  }
  static shape(buf: Buffer, a: number, b: number): number {
    return b === a ? 0 : ((b - a) << 16) | (buf[a]! << 8) | buf[b - 1]!;
  }
  code(buf: Buffer, a: number, b: number): number {
    const e = this.byShape.get(Keys.shape(buf, a, b));
    if (!e) return 0;
    for (let i = 0; i < e.bytes.length; i++) if (buf[a + i] !== e.bytes[i]) return 0;
    return e.code;
  }
  codeOfText(s: string): number {
    return this.byText.get(s) ?? 0;
  }
}

const TOP = new Keys(['resourceSpans', 'batches']);
const RESOURCE_SPANS = new Keys(['resource', 'scopeSpans', 'instrumentationLibrarySpans', 'schemaUrl']);
const SCOPE_SPANS = new Keys(['spans', 'scope', 'instrumentationLibrary', 'schemaUrl']);
const SPAN = new Keys(['traceId', 'spanId', 'parentSpanId', 'name', 'kind', 'startTimeUnixNano', 'endTimeUnixNano', 'attributes', 'status', 'events', 'droppedAttributesCount', 'droppedEventsCount', 'droppedLinksCount', 'flags', 'traceState', 'links']);
const KEY_VALUE = new Keys(['key', 'value']);
const ANY_VALUE = new Keys(['stringValue', 'intValue', 'boolValue', 'doubleValue']);
const STATUS = new Keys(['code', 'message']);

/** Spans decoded between two pauses of the generator (the caller yields to the event loop there). */
const SLICE = 16_384;
/**
 * Bytes kept ahead of the cursor between two elements: the file is read in pieces, and an element
 * (a span, a resource) must fit in this window; a larger one makes the file go to the general decoder.
 */
const WINDOW = 4 << 20;

/** What the decoder asks of its driver: a pause (yield to the event loop), or the next bytes of the file. */
export type DecodeRequest = 'pause' | 'more';
/** The driver's answer to 'more': the next bytes, or null at the end of the file. */
export type DecodeInput = Buffer | null | undefined;
type Steps = Generator<DecodeRequest, void, DecodeInput>;

/** Lowercase hex digits only. */
function isLowerHex(buf: Buffer, a: number, b: number): boolean {
  for (let k = a; k < b; k++) {
    const c = buf[k]!;
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

class Decoder {
  private p = 0;
  // The last string scanned: its bytes are buf[sa, sb); escaped: it holds a backslash; wide: a byte ≥ 0x80.
  private sa = 0;
  private sb = 0;
  private escaped = false;
  private wide = false;
  /** Spans read so far (the generator pauses every SLICE of them). */
  private spansDone = 0;
  // The status of the span being read (set by status()).
  private statusCode = 0;
  private statusMessage = -1;
  private readonly values = new TextCache();
  /** The window of the file being decoded (p indexes it), and whether the file's end is in it. */
  private buf: Buffer = Buffer.alloc(0);
  private ended = false;
  private started = false;
  /** A line break was skipped since the current document began (JSON Lines documents have none). */
  private newline = false;

  constructor(
    private readonly b: SpanStoreBuilder,
    private readonly stats: ParseStats,
    private readonly window: number,
  ) {}

  /**
   * Between elements (no offset into the window is held there): when fewer than WINDOW bytes are left,
   * asks for more and slides the window so that the cursor is at 0.
   */
  private *refill(): Steps {
    if (this.ended || this.buf.length - this.p >= this.window) return;
    const parts: Buffer[] = [this.buf.subarray(this.p)];
    let got = 0;
    // Three windows of new bytes per slide: the bytes left (up to one window) are copied once per three
    // windows read, not once per window (the copies were 2x the file's size).
    while (got < 3 * this.window) {
      const chunk = yield 'more';
      if (!chunk) {
        this.ended = true;
        break;
      }
      parts.push(chunk);
      got += chunk.length;
    }
    // A whole file given at once (or a first piece) is used in place, not copied.
    this.buf = parts.length === 2 && parts[0]!.length === 0 ? parts[1]! : Buffer.concat(parts);
    this.p = 0;
    if (!this.started) {
      this.started = true;
      if (this.buf[0] === 0xef && this.buf[1] === 0xbb && this.buf[2] === 0xbf) this.p = 3; // UTF-8 byte order mark
    }
  }

  private fail(): never {
    throw new NotPlain(this.p);
  }

  /** The next non-blank byte (not consumed); -1 at the end. */
  private peek(): number {
    const buf = this.buf;
    let p = this.p;
    while (p < buf.length) {
      const c = buf[p]!;
      if (c === 32 || c === 13 || c === 9) p++;
      else if (c === 10) {
        this.newline = true;
        p++;
      } else {
        this.p = p;
        return c;
      }
    }
    this.p = p;
    return -1;
  }

  private expect(c: number): void {
    if (this.peek() !== c) this.fail();
    this.p++;
  }

  /** After a member or element: true when another follows (a comma), false at the closing byte. */
  private more(close: number): boolean {
    const c = this.peek();
    this.p++;
    if (c === COMMA) return true;
    if (c === close) return false;
    return this.fail();
  }

  /** Scans a string token at p (sets sa, sb, escaped, wide; p after the closing quote). */
  private str(): void {
    const buf = this.buf;
    if (this.peek() !== QUOTE) this.fail();
    let p = this.p + 1;
    this.sa = p;
    let escaped = false;
    let wide = false;
    const n = buf.length;
    for (;;) {
      if (p >= n) this.fail();
      const c = buf[p]!;
      if (c >= 32 && c < 128 && c !== QUOTE && c !== BACKSLASH) {
        p++;
        continue;
      }
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        escaped = true;
        p += 2;
        continue;
      }
      if (c < 32) this.fail();
      wide = true;
      p++;
    }
    this.sb = p;
    this.p = p + 1;
    this.escaped = escaped;
    this.wide = wide;
  }

  /** The last scanned string as text (JSON escapes resolved by JSON.parse of its own slice). */
  private text(): string {
    if (this.escaped) {
      try {
        return JSON.parse(this.buf.toString('utf8', this.sa - 1, this.sb + 1)) as string;
      } catch {
        return this.fail();
      }
    }
    return this.wide ? this.buf.toString('utf8', this.sa, this.sb) : latin1(this.buf, this.sa, this.sb);
  }

  /** Interned id of the last scanned string. */
  private textId(): number {
    return this.escaped || this.wide ? this.b.strings.id(this.text()) : this.b.strings.idOfAscii(this.buf, this.sa, this.sb);
  }

  /** Reads a member's key and its colon; returns the key's code in the level's table. */
  private memberKey(keys: Keys): number {
    this.str();
    const code = this.escaped ? keys.codeOfText(this.text()) : keys.code(this.buf, this.sa, this.sb);
    this.expect(COLON);
    return code;
  }

  /** Skips a number or a literal, checking its grammar. */
  private scalar(): void {
    const buf = this.buf;
    let p = this.p;
    const c = buf[p];
    const lit = (w: string) => {
      for (let i = 0; i < w.length; i++) if (buf[p + i] !== w.charCodeAt(i)) this.fail();
      p += w.length;
    };
    if (c === 116) lit('true');
    else if (c === 102) lit('false');
    else if (c === 110) lit('null');
    else {
      // -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?
      if (buf[p] === 45) p++;
      const digits = () => {
        const s = p;
        while (p < buf.length && buf[p]! >= 48 && buf[p]! <= 57) p++;
        if (p === s) this.fail();
        return p - s;
      };
      const first = buf[p];
      const n = digits();
      if (first === 48 && n > 1) this.fail();
      if (buf[p] === 46) {
        p++;
        digits();
      }
      if (buf[p] === 101 || buf[p] === 69) {
        p++;
        if (buf[p] === 43 || buf[p] === 45) p++;
        digits();
      }
    }
    this.p = p;
  }

  /** Extent of any value at p, composite values checked by JSON.parse unless `check` is false; returns [start, end). */
  private skip(check = true): [number, number] {
    const c = this.peek();
    const a = this.p;
    if (c === QUOTE) this.str();
    else if (c === LBRACE || c === LBRACKET) {
      let depth = 0;
      const buf = this.buf;
      for (;;) {
        if (this.p >= buf.length) this.fail();
        const d = buf[this.p]!;
        if (d === QUOTE) {
          this.str();
          continue;
        }
        this.p++;
        if (d === LBRACE || d === LBRACKET) depth++;
        else if (d === RBRACE || d === RBRACKET) {
          if (--depth === 0) break;
        }
      }
      if (check) this.parse(a, this.p);
    } else this.scalar();
    return [a, this.p];
  }

  private parse(a: number, b: number): unknown {
    try {
      return JSON.parse(this.buf.toString('utf8', a, b));
    } catch {
      return this.fail();
    }
  }

  /** Any value, as JSON.parse would give it. */
  private value(): unknown {
    const c = this.peek();
    if (c === QUOTE) {
      this.str();
      return this.text();
    }
    const [a, b] = this.skip(false);
    return c === LBRACE || c === LBRACKET ? this.parse(a, b) : JSON.parse(latin1(this.buf, a, b));
  }

  /**
   * A plain non-negative integer token of at most 15 digits (exact in a double) at p, consumed; -1
   * (nothing consumed) for anything else, which the caller then reads as a general value.
   */
  private smallInt(): number {
    const buf = this.buf;
    let p = this.p;
    let v = 0;
    const a = p;
    while (p < buf.length) {
      const d = buf[p]! - 48;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
      p++;
    }
    const n = p - a;
    if (n === 0 || n > 15 || (n > 1 && buf[a] === 48)) return -1;
    const e = buf[p];
    if (e === 46 || e === 101 || e === 69) return -1;
    this.p = p;
    return v;
  }

  /** Unix nanoseconds → epoch ms, the digit string case on the bytes (the arithmetic of fastNanos). */
  private nanos(): number | undefined {
    if (this.peek() !== QUOTE) return fastNanos(this.value());
    this.str();
    const buf = this.buf;
    const n = this.sb - this.sa;
    if (this.escaped || n <= 6 || n > 20) return fastNanos(this.text());
    const cut = n - 6;
    let hi = 0;
    let lo = 0;
    for (let i = 0; i < n; i++) {
      const d = buf[this.sa + i]! - 48;
      if (d < 0 || d > 9) return fastNanos(this.text());
      if (i < cut) hi = hi * 10 + d;
      else lo = lo * 10 + d;
    }
    return hi + lo / 1e6;
  }

  /** A span id: lowercase hex of the right length taken as is, anything else through fastId. */
  private id(len: number): string | undefined {
    if (this.peek() !== QUOTE) return fastId(this.value(), len);
    this.str();
    return this.scannedId(len);
  }

  private scannedId(len: number): string | undefined {
    if (!this.escaped && this.sb - this.sa === len && isLowerHex(this.buf, this.sa, this.sb)) return latin1(this.buf, this.sa, this.sb);
    return fastId(this.text(), len);
  }

  /** The trace id, interned (it repeats on every span of the trace); -1 when missing or invalid. */
  private traceId(): number {
    let id: string | undefined;
    if (this.peek() === QUOTE) {
      this.str();
      if (!this.escaped && this.sb - this.sa === 32 && isLowerHex(this.buf, this.sa, this.sb)) return this.b.strings.idOfAscii(this.buf, this.sa, this.sb);
      id = fastId(this.text(), 32);
    } else id = fastId(this.value(), 32);
    return id === undefined ? -1 : this.b.strings.id(id);
  }

  /**
   * Enters an object or array (`open` its first byte) that has members: true with the cursor after
   * `open`. Anything else — another kind of value, or an empty one — is passed over: false.
   */
  private enter(open: number): boolean {
    if (this.peek() !== open) {
      this.skip();
      return false;
    }
    this.p++;
    if (this.peek() === (open === LBRACE ? RBRACE : RBRACKET)) {
      this.p++;
      return false;
    }
    return true;
  }

  /** One attribute list into the builder (what `attributes()` keeps, in its order). */
  private attributes(): void {
    if (!this.enter(LBRACKET)) return;
    do {
      let k = -1;
      let v: AttrValue | undefined;
      if (this.enter(LBRACE)) {
        do {
          const code = this.memberKey(KEY_VALUE);
          if (code === 1) {
            if (this.peek() === QUOTE) {
              this.str();
              k = this.textId();
            } else {
              this.skip();
              k = -1;
            }
          } else if (code === 2) v = this.attrValue();
          else this.skip();
        } while (this.more(RBRACE));
      }
      if (k >= 0 && v !== undefined) this.b.pushAttr(k, v);
    } while (this.more(RBRACKET));
  }

  /**
   * An AnyValue with one plain member (`{"stringValue": "…"}`, `{"intValue": "200"}`, a bool, a double)
   * read in place; any other through the general helper.
   */
  private attrValue(): AttrValue | undefined {
    const save = this.p;
    if (this.peek() === LBRACE) {
      this.p++;
      if (this.peek() === QUOTE) {
        const code = this.memberKey(ANY_VALUE);
        const c = this.peek();
        let v: AttrValue | undefined;
        if (code === 1 && c === QUOTE) {
          this.str();
          v = this.escaped || this.wide ? this.text() : this.values.ascii(this.buf, this.sa, this.sb);
        } else if (code === 2 && c === QUOTE) {
          // Number("200"): the digits alone; anything else ("-1", " 7", "0x1") through the general path.
          this.p++;
          const n = this.smallInt();
          if (n >= 0 && this.buf[this.p] === QUOTE && this.buf[this.p - 1] !== QUOTE) {
            this.p++;
            v = n;
          }
        } else if (code === 2) {
          const n = this.smallInt();
          if (n >= 0) v = n;
        } else if (code === 3 && (c === 116 || c === 102)) {
          this.scalar();
          v = c === 116;
        } else if (code === 4 && (c === 45 || (c >= 48 && c <= 57))) {
          const a = this.p;
          this.scalar();
          v = Number(latin1(this.buf, a, this.p));
        }
        if (v !== undefined && this.peek() === RBRACE) {
          this.p++;
          return v;
        }
      }
    }
    this.p = save;
    return attrValue(this.value() as Parameters<typeof attrValue>[0]);
  }

  /** A span's status: its code and message, as the general decoder reads them (into statusCode, statusMessage). */
  private status(): void {
    this.statusCode = 0;
    this.statusMessage = -1;
    if (!this.enter(LBRACE)) return;
    do {
      const code = this.memberKey(STATUS);
      if (code === 1) {
        const n = this.smallInt();
        this.statusCode = statusNumber(statusCode(n >= 0 ? n : this.value()));
      } else if (code === 2) {
        if (this.peek() === QUOTE) {
          this.str();
          this.statusMessage = this.sb > this.sa ? this.textId() : -1;
        } else {
          this.skip();
          this.statusMessage = -1;
        }
      } else this.skip();
    } while (this.more(RBRACE));
  }

  private skipReason(why: string): void {
    this.stats.skipped++;
    this.stats.reasons.set(why, (this.stats.reasons.get(why) ?? 0) + 1);
  }

  /** One span object into the builder (resource set when its resourceSpans element ends). */
  private span(): void {
    this.expect(LBRACE);
    const b = this.b;
    const attrFrom = b.attrMark();
    let seen = 0;
    let traceId = -1;
    let spanId: string | undefined;
    let parent: string | undefined;
    let name = -1;
    let kind = 0;
    let startMs: number | undefined;
    let endMs: number | undefined;
    let status = 0;
    let message = -1;
    let events: unknown;
    if (this.peek() === RBRACE) this.p++;
    else
      do {
        const code = this.memberKey(SPAN);
        // A repeated key means the JSON says something the general decoder resolves.
        if (code === 0 || seen & (1 << code)) this.fail();
        seen |= 1 << code;
        switch (code) {
          case 1:
            traceId = this.traceId();
            break;
          case 2:
            spanId = this.id(16);
            break;
          case 3:
            if (this.peek() === QUOTE) {
              this.str();
              parent = this.sb === this.sa ? undefined : this.scannedId(16);
            } else parent = fastId(this.value(), 16);
            break;
          case 4:
            if (this.peek() === QUOTE) (this.str(), (name = this.textId()));
            else (this.skip(), (name = -1));
            break;
          case 5: {
            const n = this.smallInt();
            kind = n >= 0 ? n : kindOf(this.value());
            break;
          }
          case 6:
            startMs = this.nanos();
            break;
          case 7:
            endMs = this.nanos();
            break;
          case 8:
            this.attributes();
            break;
          case 9:
            this.status();
            status = this.statusCode;
            message = this.statusMessage;
            break;
          case 10:
            events = this.peek() === LBRACKET ? this.value() : (this.skip(), undefined);
            break;
          case 15: {
            // An empty trace state carries nothing; a real one is for the general decoder.
            const [a, e] = this.skip();
            if (e - a !== 2) this.fail();
            break;
          }
          case 16: {
            const [a, e] = this.skip();
            if (latin1(this.buf, a, e).replace(/\s/g, '') !== '[]') this.fail();
            break;
          }
          default:
            this.skip(); // dropped counts, flags
        }
      } while (this.more(RBRACE));
    if (traceId < 0 || spanId === undefined) {
      b.dropAttrs(attrFrom);
      return this.skipReason('missing or invalid traceId/spanId');
    }
    if (startMs === undefined) {
      b.dropAttrs(attrFrom);
      return this.skipReason('missing startTimeUnixNano');
    }
    if (!isDateMs(startMs) || (endMs !== undefined && !isDateMs(endMs))) {
      b.dropAttrs(attrFrom);
      return this.skipReason(`start or end time ${NOT_A_DATE}`);
    }
    if (endMs !== undefined && endMs < startMs) countEndBeforeStart(this.stats);
    if (endMs === undefined || endMs < startMs) endMs = startMs;
    if (name < 0) name = b.strings.id('');
    const ev = events === undefined ? undefined : spanEvents(events, startMs);
    b.pushSpan(traceId, spanId, parent && parent !== '0000000000000000' ? parent : undefined, name, kind, startMs, endMs, status, message, -1, attrFrom, ev);
    this.stats.spans++;
  }

  /** One scopeSpans element: its spans. */
  private *scope(): Steps {
    this.expect(LBRACE);
    if (this.peek() === RBRACE) return void this.p++;
    let spans = false;
    const from = this.b.length;
    // Both keys are read whole (the parse must go past them); `scope` wins, as in the general decoder.
    let scope: unknown;
    let library: unknown;
    do {
      const code = this.memberKey(SCOPE_SPANS);
      if (code === 1) {
        if (spans || this.peek() !== LBRACKET) this.fail();
        spans = true;
        this.p++;
        if (this.peek() === RBRACKET) this.p++;
        else
          do {
            yield* this.refill();
            this.span();
            if (++this.spansDone % SLICE === 0) yield 'pause';
            yield* this.refill();
          } while (this.more(RBRACKET));
      } else if (code === 2) scope = this.value();
      else if (code === 3) library = this.value();
      else if (code !== 0) this.skip();
      else this.fail();
    } while (this.more(RBRACE));
    this.b.setScope(from, scopeOf(scope ?? library));
  }

  /** One resourceSpans element: its resource and the spans of its scopes. */
  private *resourceSpans(): Steps {
    this.expect(LBRACE);
    const from = this.b.length;
    let resource: unknown;
    let seen = 0;
    if (this.peek() === RBRACE) this.p++;
    else
      do {
        const code = this.memberKey(RESOURCE_SPANS);
        if (code === 1) {
          if (seen & 1) this.fail();
          seen |= 1;
          resource = this.value();
        } else if (code === 2 || code === 3) {
          // Both lists in one element, or one twice: the general decoder reads only one.
          if (seen & 2 || this.peek() !== LBRACKET) this.fail();
          seen |= 2;
          this.p++;
          if (this.peek() === RBRACKET) this.p++;
          else
            do {
              yield* this.refill();
              yield* this.scope();
              yield* this.refill();
            } while (this.more(RBRACKET));
        } else if (code === 4) this.skip();
        else this.fail();
      } while (this.more(RBRACE));
    const attrs = attributes((resource as { attributes?: unknown } | null | undefined)?.attributes);
    if (this.b.length > from) this.b.setResource(from, this.b.addResource(attrs));
  }

  /** Every document of the file (one, or JSON Lines). */
  *documents(): Steps {
    yield* this.refill();
    let docs = 0;
    while (this.peek() !== -1) {
      this.newline = false;
      this.expect(LBRACE);
      let lists = 0;
      if (this.peek() === RBRACE) this.fail(); // no resourceSpans: not TracesData, the general decoder says so
      do {
        if (this.memberKey(TOP) === 0 || lists++ || this.peek() !== LBRACKET) this.fail();
        this.p++;
        if (this.peek() === RBRACKET) this.p++;
        else
          do {
            yield* this.refill();
            yield* this.resourceSpans();
            yield* this.refill();
          } while (this.more(RBRACKET));
      } while (this.more(RBRACE));
      const inside = this.newline;
      this.newline = false;
      yield* this.refill();
      // Several documents are JSON Lines: each on its own line, a line break between two.
      const follows = this.peek() !== -1;
      if ((++docs > 1 || follows) && inside) this.fail();
      if (follows && !this.newline) this.fail();
    }
    if (docs === 0) this.fail();
  }
}

/**
 * Decodes a file into the builder. The driver answers 'more' with the file's next bytes (null at its
 * end) and 'pause' by letting the event loop run. Throws NotPlain, with the builder and stats as they
 * were, when the file is not plain OTLP/JSON: the caller then reads it with the general decoder.
 */
export function* decodeOtlpJson(into: SpanStoreBuilder, stats: ParseStats, window = WINDOW): Steps {
  const mark = into.mark();
  const before = { spans: stats.spans, skipped: stats.skipped, reasons: new Map(stats.reasons), endBeforeStart: stats.endBeforeStart };
  try {
    yield* new Decoder(into, stats, window).documents();
  } catch (e) {
    into.rollback(mark);
    stats.spans = before.spans;
    stats.skipped = before.skipped;
    stats.reasons = before.reasons;
    if (before.endBeforeStart === undefined) delete stats.endBeforeStart;
    else stats.endBeforeStart = before.endBeforeStart;
    throw e;
  }
}

/** The same over bytes already in memory (tests, benchmarks). */
export function decodeOtlpJsonBytes(buf: Buffer, into: SpanStoreBuilder, stats: ParseStats): void {
  const steps = decodeOtlpJson(into, stats);
  let fed = false;
  for (let r = steps.next(); !r.done; ) {
    if (r.value === 'more' && !fed) {
      fed = true;
      r = steps.next(buf);
    } else r = steps.next(null);
  }
}
