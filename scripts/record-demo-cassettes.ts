// Re-records the committed model cassettes of the demo suite against the scripted model server
// (run after changing tools, prompts or the playbook: replay reports such changes as drift).
//   npx tsc -p . && node dist/scripts/record-demo-cassettes.js [suite.yaml] [cassette-dir]
import path from 'node:path';
import { startScriptedModelServer } from './scripted-model-server.js';
import { planEval } from '../src/evals/suite.js';
import { runEval } from '../src/evals/run.js';
import { renderTable } from '../src/evals/output.js';

const suite = path.resolve(process.argv[2] ?? 'evals/suites/demo.yaml');
const dir = path.resolve(process.argv[3] ?? 'evals/cassettes/demo');
const server = await startScriptedModelServer(8199);
try {
  const plan = await planEval([suite], { mode: 'agent' });
  const res = await runEval(plan, { model: { name: 'scripted', baseUrl: server.url, apiKey: 'scripted-no-key' }, recordModel: dir, keepReports: false });
  process.stdout.write(renderTable(res) + '\n');
  process.stdout.write(`recorded ${res.cases.filter((c) => c.recorded).map((c) => c.recorded).join(', ')} (${server.requests} model requests)\n`);
} finally {
  await server.close();
}
