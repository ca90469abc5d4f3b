// One profile file's bytes into the pprof model, by the format the catalogue found: pprof (binary or
// its protojson), collapsed stacks, V8 CPU profiles, speedscope. Problems that leave the rest of the
// file usable (ticks naming no node, a profile of another unit) come back with the profile.
import type { ParsedProfile } from '../../../analysis/profiles/pprof.js';
import { decodePprof } from '../../../analysis/profiles/pprof.js';
import type { Format } from './detect.js';
import { parseFolded } from './folded.js';
import { parseV8CpuProfile } from './v8-cpuprofile.js';
import { parseSpeedscope } from './speedscope.js';

function jsonOf(bytes: Buffer, file: string, what: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new Error(`${file}: a ${what} that is not valid JSON (${(e as Error).message}); re-export it`);
  }
}

export function decodeProfileFile(bytes: Buffer, file: string, format?: Format): { profile: ParsedProfile; problems: string[] } {
  switch (format) {
    case 'folded':
      return { profile: parseFolded(bytes.toString('utf8'), file).profile, problems: [] };
    case 'v8-cpuprofile':
      return parseV8CpuProfile(jsonOf(bytes, file, 'V8 CPU profile'), file);
    case 'speedscope':
      return parseSpeedscope(jsonOf(bytes, file, 'speedscope profile'), file);
    default:
      return { profile: decodePprof(bytes, file), problems: [] };
  }
}
