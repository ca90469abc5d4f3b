// Go CPU profiles (pprof, written with pprof-format): one 10 s profile per pod per minute for the Go
// services. The CPU spent in each window comes from the simulation; it is spread over realistic Go
// stacks chosen by what the CPU was spent on. User-code frames take their lines from the source tree.
import { Function as PFunction, Line, Location, Mapping, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import { Rng } from './rng.js';
import { PODS, SEED, WINDOW, podUp, type Pod } from './scenario.js';
import type { Simulation } from './model.js';
import { buildPath, goModule, lineOf } from './gosource.js';

export const PROFILE_SECONDS = 10;
export const PROFILED_SERVICES = ['checkout', 'ride', 'catalog'];
const PERIOD_NS = 10_000_000; // 100 Hz, Go's default CPU profiling rate

interface Frame {
  fn: string;
  file: string;
  line: number;
  start: number;
}

const F = (fn: string, file: string, line: number, start: number): Frame => ({ fn, file, line, start });

/** A frame of the service's own code: the line is where `call` appears inside the function declared by `decl`. */
function U(service: string, path: string, fn: string, decl: string, call?: string): Frame {
  const start = lineOf(service, path, decl);
  return { fn: `${goModule(service)}/${fn}`, file: buildPath(service, path), line: call ? lineOf(service, path, call, decl) : start, start };
}

// ---------------------------------------------------------------- shared Go frames (root first)
const GOEXIT = F('runtime.goexit', 'runtime/asm_amd64.s', 1695, 1694);
const HTTP_PREFIX: Frame[] = [
  GOEXIT,
  F('net/http.(*conn).serve', 'net/http/server.go', 2044, 1935),
  F('net/http.serverHandler.ServeHTTP', 'net/http/server.go', 3142, 3122),
  F('go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp.(*middleware).serveHTTP', 'go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp@v0.52.0/handler.go', 218, 94),
  F('net/http.(*ServeMux).ServeHTTP', 'net/http/server.go', 2688, 2671),
];
const CONN_READ: Frame[] = [
  GOEXIT,
  F('net/http.(*conn).serve', 'net/http/server.go', 1999, 1935),
  F('net/http.(*conn).readRequest', 'net/http/server.go', 1009, 984),
  F('net/http.readRequest', 'net/http/request.go', 1069, 1054),
  F('net/textproto.(*Reader).ReadMIMEHeader', 'net/textproto/reader.go', 488, 487),
  F('net/textproto.readMIMEHeader', 'net/textproto/reader.go', 534, 495),
];
const MALLOC: Frame[] = [F('runtime.mallocgc', 'runtime/malloc.go', 1169, 964)];
const MEMCLR: Frame[] = [F('runtime.memclrNoHeapPointers', 'runtime/memclr_amd64.s', 93, 13)];
const SYSCALL_WRITE: Frame[] = [
  F('net.(*conn).Write', 'net/net.go', 191, 185),
  F('net.(*netFD).Write', 'net/fd_posix.go', 96, 95),
  F('internal/poll.(*FD).Write', 'internal/poll/fd_unix.go', 380, 366),
  F('syscall.Write', 'syscall/syscall_unix.go', 209, 203),
  F('syscall.write', 'syscall/zsyscall_linux_amd64.go', 964, 959),
  F('syscall.Syscall', 'syscall/syscall_linux.go', 69, 67),
  F('internal/runtime/syscall.Syscall6', 'internal/runtime/syscall/asm_linux_amd64.s', 36, 27),
];
const SQL_QUERYROW: Frame[] = [
  F('database/sql.(*DB).QueryRowContext', 'database/sql/sql.go', 1851, 1850),
  F('database/sql.(*DB).QueryContext', 'database/sql/sql.go', 1771, 1767),
  F('database/sql.(*DB).retry', 'database/sql/sql.go', 1566, 1564),
  F('database/sql.(*DB).QueryContext.func1', 'database/sql/sql.go', 1772, 1771),
  F('database/sql.(*DB).query', 'database/sql/sql.go', 1789, 1784),
  F('database/sql.(*DB).queryDC', 'database/sql/sql.go', 1836, 1796),
  F('database/sql.withLock', 'database/sql/sql.go', 3530, 3526),
  F('database/sql.(*DB).queryDC.func1', 'database/sql/sql.go', 1818, 1808),
  F('database/sql.ctxDriverQuery', 'database/sql/ctxutil.go', 48, 46),
  F('github.com/lib/pq.(*conn).QueryContext', 'github.com/lib/pq@v1.10.9/conn_go18.go', 21, 16),
  F('github.com/lib/pq.(*conn).query', 'github.com/lib/pq@v1.10.9/conn.go', 891, 860),
];
const SQL_EXEC: Frame[] = [
  F('database/sql.(*DB).ExecContext', 'database/sql/sql.go', 1691, 1689),
  F('database/sql.(*DB).retry', 'database/sql/sql.go', 1566, 1564),
  F('database/sql.(*DB).ExecContext.func1', 'database/sql/sql.go', 1692, 1691),
  F('database/sql.(*DB).exec', 'database/sql/sql.go', 1712, 1705),
  F('database/sql.(*DB).execDC', 'database/sql/sql.go', 1745, 1722),
  F('database/sql.withLock', 'database/sql/sql.go', 3530, 3526),
  F('database/sql.(*DB).execDC.func2', 'database/sql/sql.go', 1740, 1738),
  F('database/sql.ctxDriverExec', 'database/sql/ctxutil.go', 31, 23),
  F('github.com/lib/pq.(*conn).ExecContext', 'github.com/lib/pq@v1.10.9/conn_go18.go', 39, 28),
  F('github.com/lib/pq.(*conn).Exec', 'github.com/lib/pq@v1.10.9/conn.go', 935, 919),
];
const PQ_RECV: Frame[] = [
  F('github.com/lib/pq.(*conn).recv1', 'github.com/lib/pq@v1.10.9/conn.go', 1024, 1017),
  F('github.com/lib/pq.(*conn).recv1Buf', 'github.com/lib/pq@v1.10.9/conn.go', 1000, 997),
  F('github.com/lib/pq.(*conn).recvMessage', 'github.com/lib/pq@v1.10.9/conn.go', 970, 951),
  F('bufio.(*Reader).Read', 'bufio/bufio.go', 241, 198),
  F('net.(*conn).Read', 'net/net.go', 179, 176),
  F('internal/poll.(*FD).Read', 'internal/poll/fd_unix.go', 165, 141),
  F('syscall.Read', 'syscall/syscall_unix.go', 183, 181),
  F('syscall.read', 'syscall/zsyscall_linux_amd64.go', 736, 731),
  F('syscall.Syscall', 'syscall/syscall_linux.go', 69, 67),
  F('internal/runtime/syscall.Syscall6', 'internal/runtime/syscall/asm_linux_amd64.s', 36, 27),
];
const PQ_SEND: Frame[] = [F('github.com/lib/pq.(*conn).send', 'github.com/lib/pq@v1.10.9/conn.go', 947, 944), ...SYSCALL_WRITE];
const JSON_ENCODE: Frame[] = [
  F('encoding/json.(*Encoder).Encode', 'encoding/json/stream.go', 209, 200),
  F('encoding/json.(*encodeState).marshal', 'encoding/json/encode.go', 295, 286),
  F('encoding/json.(*encodeState).reflectValue', 'encoding/json/encode.go', 322, 321),
  F('encoding/json.structEncoder.encode', 'encoding/json/encode.go', 728, 703),
];
const JSON_DECODE: Frame[] = [
  F('encoding/json.(*Decoder).Decode', 'encoding/json/stream.go', 73, 49),
  F('encoding/json.(*decodeState).unmarshal', 'encoding/json/decode.go', 181, 170),
  F('encoding/json.(*decodeState).value', 'encoding/json/decode.go', 374, 353),
  F('encoding/json.(*decodeState).object', 'encoding/json/decode.go', 639, 541),
];

/** Runtime background work every Go process shows (GC, scheduler, sweeping), with weights. */
const RUNTIME_STACKS: [Frame[], number][] = [
  [[GOEXIT, F('runtime.gcBgMarkWorker', 'runtime/mgc.go', 1412, 1340), F('runtime.systemstack', 'runtime/asm_amd64.s', 514, 479), F('runtime.gcBgMarkWorker.func2', 'runtime/mgc.go', 1448, 1412), F('runtime.gcDrain', 'runtime/mgcmark.go', 1188, 1128), F('runtime.scanobject', 'runtime/mgcmark.go', 1441, 1375)], 9],
  [[GOEXIT, F('runtime.gcBgMarkWorker', 'runtime/mgc.go', 1412, 1340), F('runtime.systemstack', 'runtime/asm_amd64.s', 514, 479), F('runtime.gcBgMarkWorker.func2', 'runtime/mgc.go', 1448, 1412), F('runtime.gcDrain', 'runtime/mgcmark.go', 1188, 1128), F('runtime.markroot', 'runtime/mgcmark.go', 217, 160), F('runtime.scanstack', 'runtime/mgcmark.go', 888, 807)], 3],
  [[F('runtime.mcall', 'runtime/asm_amd64.s', 459, 431), F('runtime.park_m', 'runtime/proc.go', 4057, 4001), F('runtime.schedule', 'runtime/proc.go', 3998, 3906), F('runtime.findRunnable', 'runtime/proc.go', 3582, 3280), F('runtime.netpoll', 'runtime/netpoll_epoll.go', 116, 95), F('internal/runtime/syscall.EpollWait', 'internal/runtime/syscall/syscall_linux.go', 32, 29)], 6],
  [[F('runtime.mcall', 'runtime/asm_amd64.s', 459, 431), F('runtime.park_m', 'runtime/proc.go', 4057, 4001), F('runtime.schedule', 'runtime/proc.go', 3998, 3906), F('runtime.findRunnable', 'runtime/proc.go', 3520, 3280), F('runtime.stealWork', 'runtime/proc.go', 3780, 3720), F('runtime.runqsteal', 'runtime/proc.go', 6652, 6647)], 2],
  [[GOEXIT, F('runtime.bgsweep', 'runtime/mgcsweep.go', 301, 279), F('runtime.sweepone', 'runtime/mgcsweep.go', 394, 351), F('runtime.(*sweepLocked).sweep', 'runtime/mgcsweep.go', 637, 504)], 2],
  [[F('runtime.mstart', 'runtime/asm_amd64.s', 395, 394), F('runtime.mstart0', 'runtime/proc.go', 1688, 1667), F('runtime.mstart1', 'runtime/proc.go', 1730, 1702), F('runtime.sysmon', 'runtime/proc.go', 6106, 6049), F('runtime.usleep', 'runtime/sys_linux_amd64.s', 135, 120)], 2],
  [[...CONN_READ, ...MALLOC], 2],
  [[GOEXIT, F('go.opentelemetry.io/otel/sdk/trace.(*batchSpanProcessor).processQueue', 'go.opentelemetry.io/otel/sdk@v1.27.0/trace/batch_span_processor.go', 319, 296), F('go.opentelemetry.io/otel/sdk/trace.(*batchSpanProcessor).exportSpans', 'go.opentelemetry.io/otel/sdk@v1.27.0/trace/batch_span_processor.go', 279, 262), F('go.opentelemetry.io/otel/exporters/otlp/otlptrace.(*Exporter).ExportSpans', 'go.opentelemetry.io/otel/exporters/otlp/otlptrace@v1.27.0/exporter.go', 46, 42), F('google.golang.org/protobuf/proto.MarshalOptions.marshal', 'google.golang.org/protobuf@v1.34.1/proto/encode.go', 194, 166), ...MALLOC], 2],
];

function stacksFor(service: string): Record<string, [Frame[], number][]> {
  if (service === 'checkout') {
    const H = U('checkout', 'internal/api/checkout_handler.go', 'internal/api.(*CheckoutHandler).ServeHTTP', 'func (h *CheckoutHandler) ServeHTTP');
    const at = (call: string): Frame => ({ ...H, line: lineOf('checkout', 'internal/api/checkout_handler.go', call, 'func (h *CheckoutHandler) ServeHTTP') });
    const C = (call: string): Frame => U('checkout', 'internal/orders/service.go', 'internal/orders.(*Service).CreateOrder', 'func (s *Service) CreateOrder', call);
    const insert = U('checkout', 'internal/orders/repository.go', 'internal/orders.(*Repository).Insert', 'func (r *Repository) Insert', 'r.db.ExecContext(ctx, insertOrder');
    const cart = U('checkout', 'internal/orders/repository.go', 'internal/orders.(*Repository).Cart', 'func (r *Repository) Cart', 'r.db.QueryRowContext(ctx, cartQuery');
    const mark = U('checkout', 'internal/orders/repository.go', 'internal/orders.(*Repository).MarkCheckedOut', 'func (r *Repository) MarkCheckedOut', 'r.db.ExecContext(ctx, markCheckedOut');
    const create = [...HTTP_PREFIX, at('h.Orders.CreateOrder(ctx')];
    const normal: [Frame[], number][] = [
      [[...HTTP_PREFIX, at('json.NewDecoder(r.Body).Decode(&req)'), ...JSON_DECODE, ...MALLOC], 3],
      [[...create, C('s.repo.Cart(ctx, req.UserID)'), cart, ...SQL_QUERYROW, ...PQ_SEND], 3],
      [[...create, C('s.repo.Cart(ctx, req.UserID)'), cart, ...SQL_QUERYROW, ...PQ_RECV], 3],
      [[...create, C('s.repo.Insert(ctx, order)'), insert, ...SQL_EXEC, ...PQ_SEND], 4],
      [[...create, C('s.repo.Insert(ctx, order)'), insert, ...SQL_EXEC, F('github.com/lib/pq.(*conn).readExecuteResponse', 'github.com/lib/pq@v1.10.9/conn.go', 1924, 1914), ...PQ_RECV.slice(2)], 3],
      [[...create, C('s.repo.MarkCheckedOut(ctx, cart.ID)'), mark, ...SQL_EXEC, ...PQ_SEND], 2],
      [[...create, C('uuid.NewString()'), F('github.com/google/uuid.NewString', 'github.com/google/uuid@v1.6.0/version4.go', 19, 18), F('github.com/google/uuid.NewRandom', 'github.com/google/uuid@v1.6.0/version4.go', 36, 35), F('crypto/rand.Read', 'crypto/rand/rand.go', 82, 75)], 1],
      [[...create, C('s.log.InfoContext(ctx, "order created"'), F('log/slog.(*Logger).log', 'log/slog/logger.go', 256, 239), F('log/slog.(*TextHandler).Handle', 'log/slog/text_handler.go', 95, 94), F('log/slog.(*commonHandler).handle', 'log/slog/handler.go', 304, 268), ...MALLOC], 2],
      [[...HTTP_PREFIX, at('json.NewEncoder(w).Encode(order)'), ...JSON_ENCODE, ...MALLOC], 2],
    ];
    const error: [Frame[], number][] = [
      [[...create, C('s.repo.Insert(ctx, order)'), insert, ...SQL_EXEC, F('github.com/lib/pq.(*conn).readExecuteResponse', 'github.com/lib/pq@v1.10.9/conn.go', 1932, 1914), F('github.com/lib/pq.parseError', 'github.com/lib/pq@v1.10.9/error.go', 381, 350), ...MALLOC], 3],
      [[...create, C('fmt.Errorf("failed to create order'), F('fmt.Errorf', 'fmt/errors.go', 27, 22), F('fmt.(*pp).doPrintf', 'fmt/print.go', 1077, 1021), ...MALLOC], 2],
      [[...HTTP_PREFIX, at('h.Log.ErrorContext(ctx, err.Error())'), F('log/slog.(*Logger).log', 'log/slog/logger.go', 256, 239), F('log/slog.(*TextHandler).Handle', 'log/slog/text_handler.go', 95, 94), F('log/slog.(*commonHandler).handle', 'log/slog/handler.go', 304, 268), F('strconv.Quote', 'strconv/quote.go', 98, 97)], 2],
      ...normal.slice(0, 3),
    ];
    return { runtime: RUNTIME_STACKS, checkout: normal, 'checkout-error': error };
  }
  if (service === 'ride') {
    const HDECL = 'func (h *DriverHandler) ServeHTTP';
    const H = (call: string): Frame => U('ride', 'internal/api/driver_handler.go', 'internal/api.(*DriverHandler).ServeHTTP', HDECL, call);
    const LDECL = 'func (c *LoginCache) Lookup';
    const L = (call: string): Frame => U('ride', 'internal/driver/login_cache.go', 'internal/driver.(*LoginCache).Lookup', LDECL, call);
    const rideQ = U('ride', 'internal/store/store.go', 'internal/store.(*Store).Ride', 'func (s *Store) Ride', 's.db.QueryRowContext(ctx, rideQuery');
    const latest = U('ride', 'internal/store/carlogin.go', 'internal/store.(*Store).LatestLogin', 'func (s *Store) LatestLogin', 's.db.QueryRowContext(ctx, latestLoginQuery');
    const viaLookup = [...HTTP_PREFIX, H('h.Cache.Lookup(ctx, ride.DriverID)')];
    const normal: [Frame[], number][] = [
      [[...HTTP_PREFIX, H('h.Store.Ride(ctx, rideID)'), rideQ, ...SQL_QUERYROW, ...PQ_SEND], 3],
      [[...HTTP_PREFIX, H('h.Store.Ride(ctx, rideID)'), rideQ, ...SQL_QUERYROW, ...PQ_RECV], 3],
      [[...HTTP_PREFIX, H('h.Store.LatestLogin(ctx, ride.DriverID)'), latest, ...SQL_QUERYROW, ...PQ_SEND], 2],
      [[...HTTP_PREFIX, H('json.NewEncoder(w).Encode(driverResponse{'), ...JSON_ENCODE, ...MALLOC], 2],
      [[...HTTP_PREFIX, H('strconv.ParseInt(r.PathValue("id")'), F('net/http.(*Request).PathValue', 'net/http/request.go', 1466, 1465), F('net/http.(*Request).patIndex', 'net/http/request.go', 1497, 1490)], 1],
      [[...viaLookup, L('c.mu.Lock()'), F('sync.(*Mutex).Lock', 'sync/mutex.go', 83, 81)], 1],
    ];
    // Lookup is called by the driver endpoint and, far more often, by the drivers' location stream.
    const SDECL = 'func (s *LocationServer) ServeHTTP';
    const S = (call: string): Frame => U('ride', 'internal/api/location_stream.go', 'internal/api.(*LocationServer).ServeHTTP', SDECL, call);
    const viaStream = [...HTTP_PREFIX, S('s.Cache.Lookup(ctx, p.DriverID)')];
    const callers: [Frame[], number][] = [
      [viaStream, 0.86],
      [viaLookup, 0.14],
    ];
    const scan: [Frame[], number][] = [];
    const spin: [Frame[], number][] = [];
    for (const [via, share] of callers) {
      const lock = [...via, L('c.mu.Lock()'), F('sync.(*Mutex).Lock', 'sync/mutex.go', 90, 81), F('sync.(*Mutex).lockSlow', 'sync/mutex.go', 171, 117)];
      const unlock = [...via, L('defer c.mu.Unlock()'), F('sync.(*Mutex).Unlock', 'sync/mutex.go', 229, 212), F('sync.(*Mutex).unlockSlow', 'sync/mutex.go', 247, 236)];
      scan.push(
        [[...via, L('if e.DriverID != driverID || !e.Active')], 46 * share],
        [[...via, L('for _, e := range c.entries')], 31 * share],
        [[...via, L('e.LastSeen.After(best.LastSeen)'), F('time.Time.After', 'time/time.go', 142, 141)], 9 * share],
        [[...via, L('best, found = e, true'), F('runtime.duffcopy', 'runtime/duff_amd64.s', 353, 345)], 4 * share],
      );
      spin.push(
        [[...lock, F('sync.runtime_SemacquireMutex', 'runtime/sema.go', 95, 94), F('runtime.semacquire1', 'runtime/sema.go', 160, 110), F('runtime.lock2', 'runtime/lock_futex.go', 107, 53), F('runtime.futexsleep', 'runtime/os_linux.go', 75, 63), F('runtime.futex', 'runtime/sys_linux_amd64.s', 557, 546)], 28 * share],
        [[...lock, F('sync.runtime_SemacquireMutex', 'runtime/sema.go', 95, 94), F('runtime.semacquire1', 'runtime/sema.go', 169, 110), F('runtime.goparkunlock', 'runtime/proc.go', 430, 429), F('runtime.gopark', 'runtime/proc.go', 424, 388), F('runtime.mcall', 'runtime/asm_amd64.s', 459, 431), F('runtime.park_m', 'runtime/proc.go', 4057, 4001), F('runtime.schedule', 'runtime/proc.go', 3998, 3906), F('runtime.lock2', 'runtime/lock_futex.go', 107, 53), F('runtime.futex', 'runtime/sys_linux_amd64.s', 557, 546)], 12 * share],
        [[...lock, F('sync.runtime_doSpin', 'runtime/proc.go', 7092, 7091), F('runtime.procyield', 'runtime/asm_amd64.s', 817, 811)], 24 * share],
        [[...lock, F('sync.runtime_canSpin', 'runtime/proc.go', 7083, 7072)], 4 * share],
        [[...unlock, F('sync.runtime_Semrelease', 'runtime/sema.go', 77, 76), F('runtime.semrelease1', 'runtime/sema.go', 202, 183), F('runtime.readyWithTime', 'runtime/sema.go', 594, 592), F('runtime.goready', 'runtime/proc.go', 439, 438), F('runtime.systemstack', 'runtime/asm_amd64.s', 514, 479), F('runtime.wakep', 'runtime/proc.go', 3020, 3008), F('runtime.futexwakeup', 'runtime/os_linux.go', 89, 83), F('runtime.futex', 'runtime/sys_linux_amd64.s', 557, 546)], 14 * share],
      );
    }
    const bufAdd = U('ride', 'internal/positions/buffer.go', 'internal/positions.(*Buffer).Add', 'func (b *Buffer) Add', 'b.mu.Lock()');
    const pings: [Frame[], number][] = [
      [[...HTTP_PREFIX, S('dec.Decode(&p)'), ...JSON_DECODE, F('encoding/json.(*decodeState).literalStore', 'encoding/json/decode.go', 1000, 862), F('time.(*Time).UnmarshalJSON', 'time/time.go', 1401, 1392), F('time.parseStrictRFC3339', 'time/format_rfc3339.go', 159, 157)], 6],
      [[...HTTP_PREFIX, S('dec.Decode(&p)'), ...JSON_DECODE, F('encoding/json.(*decodeState).literalStore', 'encoding/json/decode.go', 1040, 862), F('strconv.ParseFloat', 'strconv/atof.go', 692, 691), F('strconv.atof64', 'strconv/atof.go', 620, 575)], 4],
      [[...HTTP_PREFIX, S('dec.Decode(&p)'), F('encoding/json.(*Decoder).Decode', 'encoding/json/stream.go', 63, 49), F('encoding/json.(*Decoder).readValue', 'encoding/json/stream.go', 115, 88), F('encoding/json.(*Decoder).refill', 'encoding/json/stream.go', 165, 144), F('net/http.(*body).Read', 'net/http/transfer.go', 829, 820), F('net/http.(*body).readLocked', 'net/http/transfer.go', 839, 838), F('net/http/internal.(*chunkedReader).Read', 'net/http/internal/chunked.go', 131, 102)], 3],
      [[...HTTP_PREFIX, S('s.Cache.Lookup(ctx, p.DriverID)'), L('c.mu.Lock()'), F('sync.(*Mutex).Lock', 'sync/mutex.go', 83, 81)], 1],
      [[...HTTP_PREFIX, S('s.Positions.Add(p.DriverID'), bufAdd], 1],
      [[...HTTP_PREFIX, S('dec.Decode(&p)'), ...JSON_DECODE, ...MALLOC], 3],
    ];
    const refreshF = U('ride', 'internal/driver/login_cache.go', 'internal/driver.(*LoginCache).refreshLocked', 'func (c *LoginCache) refreshLocked', 'c.store.ActiveLogins(ctx)');
    const AL = (call: string): Frame => U('ride', 'internal/store/carlogin.go', 'internal/store.(*Store).ActiveLogins', 'func (s *Store) ActiveLogins', call);
    const viaRefresh = [...viaLookup, L('c.refreshLocked(ctx)'), refreshF];
    const refresh: [Frame[], number][] = [
      [[...viaRefresh, AL('rows.Next()'), F('database/sql.(*Rows).Next', 'database/sql/sql.go', 3011, 2993), F('database/sql.withLock', 'database/sql/sql.go', 3530, 3526), F('database/sql.(*Rows).Next.func1', 'database/sql/sql.go', 3012, 3011), F('database/sql.(*Rows).nextLocked', 'database/sql/sql.go', 3043, 3030), F('github.com/lib/pq.(*rows).Next', 'github.com/lib/pq@v1.10.9/conn.go', 1429, 1394), ...PQ_RECV.slice(2)], 18],
      [[...viaRefresh, AL('rows.Next()'), F('database/sql.(*Rows).Next', 'database/sql/sql.go', 3011, 2993), F('database/sql.withLock', 'database/sql/sql.go', 3530, 3526), F('database/sql.(*Rows).Next.func1', 'database/sql/sql.go', 3012, 3011), F('database/sql.(*Rows).nextLocked', 'database/sql/sql.go', 3043, 3030), F('github.com/lib/pq.(*rows).Next', 'github.com/lib/pq@v1.10.9/conn.go', 1452, 1394), F('github.com/lib/pq.decode', 'github.com/lib/pq@v1.10.9/encode.go', 82, 80), F('github.com/lib/pq.textDecode', 'github.com/lib/pq@v1.10.9/encode.go', 118, 93), F('github.com/lib/pq.ParseTimestamp', 'github.com/lib/pq@v1.10.9/encode.go', 388, 330)], 16],
      [[...viaRefresh, AL('rows.Scan(&l.ID'), F('database/sql.(*Rows).Scan', 'database/sql/sql.go', 3331, 3296), F('database/sql.convertAssignRows', 'database/sql/convert.go', 234, 219)], 12],
      [[...viaRefresh, AL('out = append(out, l)'), F('runtime.growslice', 'runtime/slice.go', 267, 155), ...MALLOC, ...MEMCLR], 10],
      [[...viaRefresh, AL('out = append(out, l)'), F('runtime.growslice', 'runtime/slice.go', 279, 155), F('runtime.memmove', 'runtime/memmove_amd64.s', 374, 36)], 8],
      [[GOEXIT, F('runtime.gcBgMarkWorker', 'runtime/mgc.go', 1412, 1340), F('runtime.systemstack', 'runtime/asm_amd64.s', 514, 479), F('runtime.gcBgMarkWorker.func2', 'runtime/mgc.go', 1448, 1412), F('runtime.gcDrain', 'runtime/mgcmark.go', 1188, 1128), F('runtime.scanobject', 'runtime/mgcmark.go', 1441, 1375)], 22],
      [[GOEXIT, F('runtime.gcBgMarkWorker', 'runtime/mgc.go', 1412, 1340), F('runtime.systemstack', 'runtime/asm_amd64.s', 514, 479), F('runtime.gcBgMarkWorker.func2', 'runtime/mgc.go', 1448, 1412), F('runtime.gcDrain', 'runtime/mgcmark.go', 1206, 1128), F('runtime.greyobject', 'runtime/mgcmark.go', 1580, 1530)], 8],
    ];
    return { runtime: RUNTIME_STACKS, ride: normal, 'ride-pings': pings, 'ride-scan': scan, 'ride-lockspin': spin, 'ride-refresh': refresh };
  }
  // catalog
  const HDECL = 'func (h *CatalogHandler) ServeHTTP';
  const H = (call: string): Frame => U('catalog', 'internal/api/catalog_handler.go', 'internal/api.(*CatalogHandler).ServeHTTP', HDECL, call);
  const by = (call: string): Frame => U('catalog', 'internal/products/store.go', 'internal/products.(*Store).ByCategory', 'func (s *Store) ByCategory', call);
  const normal: [Frame[], number][] = [
    [[...HTTP_PREFIX, H('h.Cache.Get(category)'), U('catalog', 'internal/cache/lru.go', 'internal/cache.(*LRU).Get', 'func (c *LRU) Get', 'c.ll.MoveToFront(el)'), F('container/list.(*List).MoveToFront', 'container/list/list.go', 185, 181)], 2],
    [[...HTTP_PREFIX, H('h.Products.ByCategory(ctx, category, 50)'), by('s.db.QueryContext(ctx, byCategory'), ...SQL_QUERYROW.slice(1), ...PQ_SEND], 3],
    [[...HTTP_PREFIX, H('h.Products.ByCategory(ctx, category, 50)'), by('rows.Scan(&p.ID'), F('database/sql.(*Rows).Scan', 'database/sql/sql.go', 3331, 3296), F('database/sql.convertAssignRows', 'database/sql/convert.go', 234, 219)], 3],
    [[...HTTP_PREFIX, H('h.Products.ByCategory(ctx, category, 50)'), by('rows.Next()'), F('database/sql.(*Rows).Next', 'database/sql/sql.go', 3011, 2993), F('database/sql.withLock', 'database/sql/sql.go', 3530, 3526), F('database/sql.(*Rows).Next.func1', 'database/sql/sql.go', 3012, 3011), F('database/sql.(*Rows).nextLocked', 'database/sql/sql.go', 3043, 3030), F('github.com/lib/pq.(*rows).Next', 'github.com/lib/pq@v1.10.9/conn.go', 1429, 1394), ...PQ_RECV.slice(2)], 3],
    [[...HTTP_PREFIX, H('json.Marshal(list)'), F('encoding/json.Marshal', 'encoding/json/encode.go', 161, 159), F('encoding/json.(*encodeState).marshal', 'encoding/json/encode.go', 295, 286), F('encoding/json.(*encodeState).reflectValue', 'encoding/json/encode.go', 322, 321), F('encoding/json.arrayEncoder.encode', 'encoding/json/encode.go', 880, 868), F('encoding/json.structEncoder.encode', 'encoding/json/encode.go', 728, 703), F('strconv.AppendInt', 'strconv/itoa.go', 23, 22)], 4],
    [[...HTTP_PREFIX, H('json.Marshal(list)'), F('encoding/json.Marshal', 'encoding/json/encode.go', 161, 159), F('encoding/json.(*encodeState).marshal', 'encoding/json/encode.go', 295, 286), ...MALLOC], 2],
    [[...HTTP_PREFIX, H('w.Write(body)'), F('net/http.(*response).Write', 'net/http/server.go', 1656, 1655), F('net/http.(*response).write', 'net/http/server.go', 1686, 1659), F('bufio.(*Writer).Write', 'bufio/bufio.go', 684, 669), F('net/http.(*chunkWriter).Write', 'net/http/server.go', 383, 366), ...SYSCALL_WRITE.slice(1)], 2],
  ];
  return { runtime: RUNTIME_STACKS, catalog: normal };
}

/** Draw `n` samples over weighted stacks (multinomial), returning a count per stack. */
function spread(rng: Rng, n: number, stacks: [Frame[], number][]): number[] {
  const counts = stacks.map(() => 0);
  const weights = stacks.map(([, w], i) => [i, w] as const);
  for (let i = 0; i < n; i++) counts[rng.weighted(weights)]!++;
  return counts;
}

/** Encode one CPU profile. Locations and functions are interned; addresses are stable per (function, line). */
function encodeProfile(pod: Pod, startMs: number, stacks: Map<Frame[], number>): Uint8Array {
  const st = new StringTable();
  const functions: PFunction[] = [];
  const fnIds = new Map<string, number>();
  const locations: Location[] = [];
  const locIds = new Map<string, number>();
  const binary = `/app/${pod.service}`;
  const mapping = new Mapping({ id: 1, memoryStart: 0x400000, memoryLimit: 0x1f5b000, fileOffset: 0, filename: st.dedup(binary), buildId: st.dedup(buildId(pod)), hasFunctions: true, hasFilenames: true, hasLineNumbers: true, hasInlineFrames: true });
  const locationId = (f: Frame): number => {
    const key = `${f.fn}\u0000${f.file}\u0000${f.line}`;
    let id = locIds.get(key);
    if (id !== undefined) return id;
    let fid = fnIds.get(f.fn);
    if (fid === undefined) {
      fid = functions.length + 1;
      fnIds.set(f.fn, fid);
      functions.push(new PFunction({ id: fid, name: st.dedup(f.fn), systemName: st.dedup(f.fn), filename: st.dedup(f.file), startLine: f.start }));
    }
    id = locations.length + 1;
    locIds.set(key, id);
    locations.push(new Location({ id, mappingId: 1, address: addressOf(key), line: [new Line({ functionId: fid, line: f.line })] }));
    return id;
  };
  const samples: Sample[] = [];
  for (const [frames, count] of stacks) {
    if (count <= 0) continue;
    // pprof lists a sample's locations leaf first.
    const ids = [...frames].reverse().map(locationId);
    samples.push(new Sample({ locationId: ids, value: [count, count * PERIOD_NS] }));
  }
  const profile = new Profile({
    sampleType: [new ValueType({ type: st.dedup('samples'), unit: st.dedup('count') }), new ValueType({ type: st.dedup('cpu'), unit: st.dedup('nanoseconds') })],
    sample: samples,
    mapping: [mapping],
    location: locations,
    function: functions,
    stringTable: st,
    timeNanos: BigInt(startMs) * 1_000_000n,
    durationNanos: BigInt(PROFILE_SECONDS) * 1_000_000_000n,
    periodType: new ValueType({ type: st.dedup('cpu'), unit: st.dedup('nanoseconds') }),
    period: PERIOD_NS,
  });
  return profile.encode();
}

function buildId(pod: Pod): string {
  const r = new Rng(`${SEED}/build/${pod.service}/${pod.version}`);
  return r.hex(20);
}

/** A stable fake text address for a (function, line): FNV-1a into the mapping's range. */
function addressOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return 0x401000 + (h % 0x1b00000);
}

export interface ProfileFile {
  service: string;
  name: string;
  data: Uint8Array;
}

export function cpuProfiles(sim: Simulation): ProfileFile[] {
  const rng = new Rng(`${SEED}/profiles`);
  const out: ProfileFile[] = [];
  for (const service of PROFILED_SERVICES) {
    const stacks = stacksFor(service);
    for (const pod of PODS.filter((p) => p.service === service)) {
      const work = sim.cpu.filter((w) => w.pod === pod).sort((a, b) => a.ms - b.ms);
      let wi = 0;
      for (let minute = WINDOW.start; minute < WINDOW.end; minute += 60_000) {
        // The profiler agent starts a 10 s CPU profile 20 s into each minute.
        const start = minute + 20_000;
        const end = start + PROFILE_SECONDS * 1000;
        if (!podUp(pod, start) || !podUp(pod, end - 1)) continue;
        const byKind = new Map<string, number>();
        while (wi < work.length && work[wi]!.ms < start) wi++;
        for (let j = wi; j < work.length && work[j]!.ms < end; j++) byKind.set(work[j]!.kind, (byKind.get(work[j]!.kind) ?? 0) + work[j]!.seconds);
        const counts = new Map<Frame[], number>();
        for (const [kind, seconds] of [...byKind.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
          const set = stacks[kind];
          if (!set) throw new Error(`demo profiles: no stacks for CPU kind ${kind} of ${service}`);
          // Sampling at 100 Hz: an expected seconds/10ms samples, drawn with Poisson noise.
          const n = rng.poisson(seconds / (PERIOD_NS / 1e9));
          spread(rng, n, set).forEach((c, i) => {
            const frames = set[i]![0];
            counts.set(frames, (counts.get(frames) ?? 0) + c);
          });
        }
        const stamp = new Date(start).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
        out.push({ service, name: `${pod.name}-${stamp}.pb.gz`, data: encodeProfile(pod, start, counts) });
      }
    }
  }
  return out;
}
