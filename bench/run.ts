import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// npm run bench [-- --quick]: every workload in one run, then the generated tables of
// bench/RESULTS.md are replaced between their markers (the prose around them is kept).

const quick = process.argv.includes('--quick');
const root = fileURLToPath(new URL('..', import.meta.url));
const dataDir = join(root, 'bench', 'data');
const run = (script: string, args: string[], env: Record<string, string> = {}) =>
  execFileSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });

const flags = quick ? ['--quick'] : [];
run('bench/run-plans.ts', flags);
const live = run('bench/subscribers.ts', [], quick ? { SUBSCRIBERS: '200', INGESTS: '30' } : {});
run('bench/http.ts', flags);

const stamp = `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}. Command: \`npm run bench${quick ? ' -- --quick' : ''}\`, ${new Date().toISOString().slice(0, 10)}.`;
const sections: Record<string, string> = {
  plans: readFileSync(join(dataDir, quick ? 'plans-quick.md' : 'plans-1m.md'), 'utf8'),
  live: live.split('\n').filter((line) => /^(subscribers|delivery|server RSS)/.test(line)).join('\n\n'),
  http: readFileSync(join(dataDir, quick ? 'http-quick.md' : 'http-1m.md'), 'utf8'),
};
// A quick run is a smoke test on a small dataset: its figures go beside the data, never into RESULTS.md.
const resultsPath = quick ? join(dataDir, 'RESULTS-quick.md') : join(root, 'bench', 'RESULTS.md');
let results = readFileSync(join(root, 'bench', 'RESULTS.md'), 'utf8');
for (const [name, body] of Object.entries(sections)) {
  const block = `<!-- bench:${name} -->\n${stamp}\n\n${body.trim()}\n<!-- /bench:${name} -->`;
  const pattern = new RegExp(`<!-- bench:${name} -->[\\s\\S]*?<!-- /bench:${name} -->`);
  results = pattern.test(results) ? results.replace(pattern, block) : `${results.trim()}\n\n${block}\n`;
}
writeFileSync(resultsPath, results);
console.log(`updated ${resultsPath}`);
