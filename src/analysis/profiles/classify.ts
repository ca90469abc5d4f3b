// Which frames are the service's own code, which are libraries, and which are the runtime or the
// standard library — across Go, Java/JVM, Python, Node.js, Ruby, Rust, .NET and native frames —
// plus the "cause" families (locks, GC/allocation, regexp, JSON, syscalls…) a frame belongs to.
// Decided from the function name and, when the profile has it, the file path.
import type { Frame } from '../../sources/types.js';

export type FrameKind = 'user' | 'library' | 'runtime';

/**
 * The Go import path of a symbol (`github.com/lib/pq.(*conn).Query` → `github.com/lib/pq`): split at the
 * last `/` then at the first `.` after it. Undefined when the name does not look like a Go symbol.
 */
export function goPackage(name: string): string | undefined {
  if (!/^[a-z0-9_][\w.-]*(\/[\w.~%-]+)*\.[\w(*]/.test(name)) return undefined;
  const paren = name.indexOf('(');
  const slash = name.lastIndexOf('/', paren >= 0 ? paren : name.length);
  const dot = name.indexOf('.', slash + 1);
  if (dot <= 0) return undefined;
  return name.slice(0, dot);
}

const RUNTIME_PREFIXES = [
  // JVM
  'java.', 'javax.', 'jdk.', 'sun.', 'com.sun.', 'java/', 'javax/', 'jdk/', 'sun/', 'com/sun/', 'kotlin.coroutines.', 'kotlinx.coroutines.',
  // .NET
  'System.', 'Microsoft.', 'Interop.',
  // Rust
  'std::', 'core::', 'alloc::', '<std::', '<core::', '<alloc::',
];

const LIBRARY_PREFIXES = [
  'org.apache.', 'org.springframework.', 'io.netty.', 'com.fasterxml.', 'com.google.', 'org.eclipse.', 'io.grpc.', 'org.hibernate.', 'reactor.', 'io.micrometer.', 'kotlin.', 'scala.', 'akka.', 'okhttp3.', 'org.slf4j.', 'ch.qos.',
  'org/apache/', 'org/springframework/', 'io/netty/', 'com/fasterxml/', 'com/google/', 'org/eclipse/', 'io/grpc/', 'io/prometheus/', 'io/micrometer/', 'io/opentelemetry/', 'io/dropwizard/', 'com/codahale/', 'org/hibernate/', 'reactor/', 'okhttp3/', 'org/slf4j/', 'ch/qos/', 'kotlin/', 'scala/', 'akka/', 'io.opentelemetry.', 'io.prometheus.', 'io.dropwizard.',
  'backtrace::', 'pyroscope::', 'pprof::', 'parking_lot::', 'hashbrown::', 'bytes::', 'prost::', 'log::',
  'tokio::', 'hyper::', 'futures::', 'serde::', 'serde_json::', 'regex::', 'tracing::', 'mio::', 'h2::', 'tonic::', 'axum::', 'reqwest::', 'rayon::', 'crossbeam',
  '<tokio::', '<hyper::', '<futures', '<serde', '<tracing', '<tonic', '<axum',
];

// Each list as one anchored regex: 77 startsWith calls per function were most of frameKind's time on a
// 23k-function profile (large.cpu), run once per process and so never optimised.
const anyPrefix = (ps: string[]) => new RegExp(`^(?:${ps.map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})`);
const RUNTIME_PREFIX = anyPrefix(RUNTIME_PREFIXES);
const LIBRARY_PREFIX = anyPrefix(LIBRARY_PREFIXES);

// Go modules that are libraries whatever the service; user modules are everything else with a host.
const GO_LIBRARY_HOSTS = /^(golang\.org\/x\/|google\.golang\.org\/|go\.opentelemetry\.io\/|go\.uber\.org\/|gopkg\.in\/|k8s\.io\/|sigs\.k8s\.io\/|cloud\.google\.com\/go|go\.etcd\.io\/|github\.com\/(prometheus|grafana\/pyroscope-go|pyroscope-io|golang|google|grpc-ecosystem|sirupsen|spf13|gorilla|gin-gonic|labstack|go-chi|jackc|lib\/pq|go-sql-driver|mattn|redis|go-redis|aws|Azure|klauspost|json-iterator|valyala|uber-go|hashicorp|stretchr|pkg\/errors|rs\/zerolog|segmentio|Shopify|IBM|confluentinc|twmb|dgraph-io|cespare|davecgh|gogo|golang-jwt|opentracing|openzipkin|jaegertracing|DataDog|bytedance|goccy|tidwall|cockroachdb|minio|elastic|olivere|nats-io|rabbitmq|streadway|go-kit|go-logr|felixge|beorn7|modern-go|munnerz)\/)/;

const NATIVE_RUNTIME = /^(\.(vtable|itable) stub|no_Java_frame|unknown_Java|:?\((idle|program|garbage collector|root)\)|\[.*\]|0x[0-9a-f]+|__|_start$|start_thread$|clone3?$|epoll_wait|futex|syscall$|pthread_|libc|ld-linux|\(anonymous\)$|\(program\)$|\(garbage collector\)$|\(idle\)$|\(root\)$|\(unknown\)$|Interpreter$|thread_start|JavaThread|JavaCalls|Compile|C2Compiler|G1|GC |VM |CallStub|StubRoutines|SharedRuntime|Runtime1|OptoRuntime|InterpreterRuntime|ObjectMonitor|Unsafe_|JVM_|Monitor::|Mutex::|os::|MemAllocator|CollectedHeap|Universe|Thread::|\[unknown\]|perf_|do_syscall|entry_SYSCALL|asm_|irq|page_fault|schedule$|finish_task_switch)/;

export function frameKind(f: Frame): FrameKind {
  const name = f.function;
  const file = f.file ?? '';
  // File paths decide first when present: they are the most reliable signal.
  if (file) {
    const byFile = fileKind(file);
    if (byFile) return byFile;
  }
  if (NATIVE_RUNTIME.test(name) || /\[c function\]$/.test(name)) return 'runtime';
  if (RUNTIME_PREFIX.test(name)) return 'runtime';
  if (LIBRARY_PREFIX.test(name)) return 'library';
  const go = goPackage(name);
  if (go) {
    const first = go.split('/')[0]!;
    if (go === 'main') return 'user';
    // Standard library by its first path element (`runtime`, `net/http`, `internal/poll`); module-less
    // main-module paths such as `rideshare/utility` are not in that set.
    if (!first.includes('.')) return GO_STDLIB_ROOTS.has(first) ? 'runtime' : 'user';
    if (GO_LIBRARY_HOSTS.test(go + '/')) return 'library';
    return 'user';
  }
  return 'user';
}

// A profile has thousands of functions but few files (large.cpu: 23k functions, 21 files), so the
// file rules are decided once per file. Bounded: a long-running server sees files from many profiles.
const fileKinds = new Map<string, FrameKind | null>();

function fileKind(file: string): FrameKind | null {
  let k = fileKinds.get(file);
  if (k !== undefined) return k;
  if (/(^|\/)(go|golang)(\/\d[^/]*)?\/src\/|\$GOROOT|^\/usr\/(local\/)?(lib\/)?go\/|golang\.org\/toolchain@|\/libexec\/src\//.test(file)) k = 'runtime';
  else if (/^node:|^internal\/|^<frozen |^<internal:|\/lib\/python\d(\.\d+)?\/(?!site-packages|dist-packages)|\/rustc\/[0-9a-f]+\/library\/|\/lib\/ruby\/\d/.test(file)) k = 'runtime';
  else if (/@v\d|\/pkg\/mod\/|(^|\/)vendor\/|node_modules\/|site-packages\/|dist-packages\/|(^|\/)gems\/|\.cargo\/registry\/|\/\.m2\/repository\//.test(file)) k = 'library';
  else k = null;
  if (fileKinds.size >= 50_000) fileKinds.clear();
  fileKinds.set(file, k);
  return k;
}

// First elements of Go standard library import paths (so `rideshare/car` is not mistaken for stdlib).
const GO_STDLIB_ROOTS = new Set(
  'archive bufio builtin bytes cmp compress container context crypto database debug embed encoding errors expvar flag fmt go hash html image index internal io iter log maps math mime net os path plugin reflect regexp runtime slices sort strconv strings sync syscall testing text time unicode unique unsafe vendor weak'.split(
    ' ',
  ),
);

/** Families of frames that explain why code is hot; used to say what sits under a user function. */
export const CAUSES: Array<{ id: string; label: string; re: RegExp }> = [
  { id: 'lock', label: 'mutex/lock', re: /sync\.\(\*(RW)?Mutex\)|sync\.\(\*Cond\)|runtime\.(lock2?|semacquire|sema|futexsleep|notesleep)|\block\b|Lock\b|locks[./]|ReentrantLock|synchronized|Monitor|pthread_mutex|parking_lot|Mutex|RwLock|SpinLock|threading\.Lock/ },
  { id: 'gc', label: 'GC/allocation', re: /runtime\.(mallocgc|newobject|makeslice|growslice|makemap|mapassign|gcBgMarkWorker|gcDrain|scanobject|markroot|gcAssistAlloc|sweepone|mcache|mcentral|mheap|newarray|rawstring|concatstrings|slicebytetostring)|\bmalloc\b|\bfree\b|je_|tc_malloc|GC|Garbage|G1|ParallelGC|MemAllocator|alloc::|__rust_alloc|gc_collect/ },
  { id: 'regexp', label: 'regexp', re: /^regexp\.|java[./]util[./]regex|\bre\.(compile|match|search|sub|findall)|regex::|Regex|RegExp/ },
  { id: 'json', label: 'JSON', re: /encoding\/json|json-iterator|jsoniter|goccy\/go-json|jackson|Jackson|serde_json|\bjson\.|JSON\.(parse|stringify)|Json|simdjson/ },
  { id: 'syscall', label: 'syscall/IO', re: /^syscall\.|internal\/poll\.|runtime\.(futex|epollwait|netpoll|usleep|nanotime|write1|read)|\b(epoll_wait|sys_read|sys_write|__libc_(read|write|send|recv)|entry_SYSCALL|do_syscall)|java[./]io[./]|sun[./]nio[./]|socketRead|socketWrite/ },
  { id: 'sql', label: 'database/sql', re: /database\/sql|lib\/pq|jackc\/pgx|go-sql-driver|java[./]sql[./]|jdbc|hibernate|psycopg|sqlalchemy|sqlx::|diesel::/ },
  { id: 'crypto', label: 'crypto/TLS', re: /^crypto\/|golang\.org\/x\/crypto|javax[./]crypto|java[./]security|\bSSL|\bTLS|\bssl_|\btls\.|ring::|openssl|bcrypt|sha256|\bAES/ },
  { id: 'compress', label: 'compression', re: /compress\/|klauspost\/compress|java[./]util[./]zip|zlib|gzip|deflate|inflate|flate|snappy|zstd|lz4/i },
  { id: 'fmt', label: 'string formatting', re: /^fmt\.|strconv\.|strings\.(Builder|Join|Replace)|String\.format|StringBuilder|format!/ },
  { id: 'reflect', label: 'reflection', re: /^reflect\.|java[./]lang[./]reflect|Reflection/ },
];

export function causesOf(fn: string): string[] {
  const out: string[] = [];
  for (const c of CAUSES) if (c.re.test(fn)) out.push(c.id);
  return out;
}

export function causeLabel(id: string): string {
  return CAUSES.find((c) => c.id === id)?.label ?? id;
}
