// The service a profile file's place suggests, for producers that do not label samples with
// `service_name`: `profiles/<service>/…`, else the folder holding it, else its name without the words
// that only say what kind of profile it is (`checkout-cpu.pb.gz` → checkout), else the bundle's name.
const PROFILE_WORDS = /(^|[-_.])(py-?spy|async-?profiler|cpu|heap|allocs?|alloc_space|inuse|mutex|block|goroutine|wall|profile|pprof|prof|folded|collapsed|cpuprofile|speedscope|jfr|flamebearer|flame(graph)?|perf|stacks?|pb|gz|txt|json|out)(?=$|[-_.])/gi;

export function profileServiceHint(rel: string, bundleName: string): string {
  const segs = rel.split('/');
  if (segs[0] === 'profiles' && segs.length > 2) return segs[1]!;
  if (segs.length > 1 && segs[segs.length - 2] !== 'profiles') return segs[segs.length - 2]!;
  const stem = segs[segs.length - 1]!.replace(PROFILE_WORDS, '').replace(/^[-_.]+|[-_.]+$/g, '');
  // Names with no word left (node's `CPU.20261207.133151.9083.0.001.cpuprofile`) say nothing of a service.
  return /\p{L}/u.test(stem) ? stem : bundleName;
}
