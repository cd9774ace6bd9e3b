import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { postgresBinaries } from './helpers/engine.js';

// `npm test`: the type check, then the suite on SQLite, then the same suite on PostgreSQL when it is
// installed (initdb found) or DESKGRAPH_TEST_POSTGRES_URL names a cluster. DESKGRAPH_TEST_ENGINE set
// keeps to that one engine. Arguments go to vitest (files, --maxWorkers...).

const root = join(import.meta.dirname, '..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
const args = process.argv.slice(2);

function run(command: string, commandArgs: string[], env: NodeJS.ProcessEnv = process.env): boolean {
  return spawnSync(command, commandArgs, { cwd: root, env, stdio: 'inherit' }).status === 0;
}

if (!run(bin('tsc'), ['--noEmit'])) process.exit(1);

const chosen = process.env['DESKGRAPH_TEST_ENGINE'];
const postgresAvailable = Boolean(process.env['DESKGRAPH_TEST_POSTGRES_URL']) || postgresBinaries() !== null;
const engines = chosen ? [chosen] : postgresAvailable ? ['sqlite', 'postgres'] : ['sqlite'];

const outcomes = engines.map((engine) => {
  console.log(`\n== the suite on ${engine}`);
  return { engine, passed: run(bin('vitest'), ['run', ...args], { ...process.env, DESKGRAPH_TEST_ENGINE: engine }) };
});
if (!chosen && !postgresAvailable) {
  console.log('\nPostgreSQL is not installed (no initdb on PATH or in /usr/lib/postgresql/*/bin) and DESKGRAPH_TEST_POSTGRES_URL is unset: the PostgreSQL run is skipped.');
}
console.log(`\n${outcomes.map(({ engine, passed }) => `${engine}: ${passed ? 'passed' : 'FAILED'}`).join(', ')}`);
process.exit(outcomes.every(({ passed }) => passed) ? 0 : 1);
