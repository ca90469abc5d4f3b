import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { it, expect } from 'vitest';
import { CLI, MINI_BUNDLE, ROOT } from './helpers.js';
for (let i = 0; i < 12; i++) it(`sigint ${i}`, async () => {
  const child = spawn(process.execPath, [CLI, 'mcp', '--bundle', MINI_BUNDLE], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'debug' } });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }) + '\n');
  await once(child.stdout, 'data');
  child.kill('SIGINT');
  const t = setTimeout(() => { console.log('HANG stderr:', stderr, 'exitCode', child.exitCode, 'signalCode', child.signalCode); child.kill('SIGKILL'); }, 15000);
  const [code, signal] = await once(child, 'close');
  clearTimeout(t);
  expect({ code, signal }, stderr).toEqual({ code: 0, signal: null });
});
