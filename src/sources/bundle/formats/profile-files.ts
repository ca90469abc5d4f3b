// One profile file's bytes into the pprof model, by the format the catalogue found: pprof (binary or
// its protojson), collapsed stacks, perf script output, V8 CPU profiles, speedscope, JFR, flame graphs
// saved as data (Pyroscope's JSON export, Grafana's flame graph frames). A file may hold several profiles
// (a JFR recording: CPU, allocation and lock samples, per chunk). Problems that leave the rest of the
// file usable (ticks naming no node, a profile of another unit, a cut chunk) come back with them.
import type { ParsedProfile } from '../../../analysis/profiles/pprof.js';
import { decodePprof } from '../../../analysis/profiles/pprof.js';
import type { Format } from './detect.js';
import { parseFolded } from './folded.js';
import { parseV8CpuProfile } from './v8-cpuprofile.js';
import { parseSpeedscope } from './speedscope.js';
import { parseJfr } from './jfr.js';
import { parsePerfScript } from './perf-script.js';
import { parseFlamebearer, parseFlameFrames } from './flamebearer.js';
import { grafanaFrames } from './grafana-frames.js';

function jsonOf(bytes: Buffer, file: string, what: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new Error(`${file}: a ${what} that is not valid JSON (${(e as Error).message}); re-export it`);
  }
}

const one = (r: { profile: ParsedProfile; problems: string[] }) => ({ profiles: [r.profile], problems: r.problems });

export function decodeProfileFile(bytes: Buffer, file: string, format?: Format): { profiles: ParsedProfile[]; problems: string[] } {
  switch (format) {
    case 'folded':
      return { profiles: [parseFolded(bytes.toString('utf8'), file).profile], problems: [] };
    case 'v8-cpuprofile':
      return one(parseV8CpuProfile(jsonOf(bytes, file, 'V8 CPU profile'), file));
    case 'speedscope':
      return one(parseSpeedscope(jsonOf(bytes, file, 'speedscope profile'), file));
    case 'jfr':
      return parseJfr(bytes, file);
    case 'perf-script':
      return one(parsePerfScript(bytes.toString('utf8'), file));
    case 'flamebearer':
      return one(parseFlamebearer(jsonOf(bytes, file, 'Pyroscope flame graph export'), file));
    case 'grafana-frames': {
      const frames = grafanaFrames(jsonOf(bytes, file, 'Grafana flame graph'));
      if (!frames) throw new Error(`${file}: not Grafana data frames`);
      return one(parseFlameFrames(frames, file));
    }
    default:
      return { profiles: [decodePprof(bytes, file)], problems: [] };
  }
}
