import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDataset, fullSize, quickSize, type Dataset } from './dataset.js';
import { fullScans, planReads } from './plans.js';

// npm run bench:plans [-- --quick]: builds (or reuses) the dataset, then prints the plan and the
// median time of every tab read and count, straight from the store's own SQL.

const quick = process.argv.includes('--quick');
const size = quick ? quickSize : fullSize;
const dataDir = fileURLToPath(new URL('./data', import.meta.url));
const path = join(dataDir, quick ? 'bench-quick.sqlite' : 'bench-1m.sqlite');
const meta = `${path}.json`;

mkdirSync(dataDir, { recursive: true });
let dataset: Dataset;
if (existsSync(path) && existsSync(meta)) {
  dataset = JSON.parse(readFileSync(meta, 'utf8')) as Dataset;
  console.log(`reusing ${path}`);
} else {
  const started = performance.now();
  dataset = await generateDataset(path, size, 'bench-has-no-logins', (message) => console.log(`  ${message} (${((performance.now() - started) / 1000).toFixed(0)} s)`));
  writeFileSync(meta, JSON.stringify(dataset));
  console.log(`generated ${size.tickets} tickets in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

// Fresh statistics, as an expert would keep them (the generator analyzes, but later migrations may add indexes).
{
  const db = new (await import('better-sqlite3')).default(path);
  db.exec('ANALYZE');
  db.close();
}
const reads = await planReads(path, dataset, 500);
let report = `| read | median ms | runs | statements | full scans |\n|---|---|---|---|---|\n`;
for (const read of reads) {
  report += `| ${read.name} | ${read.medianMs.toFixed(3)} | ${read.runs} | ${read.statements.length} | ${fullScans(read).length} |\n`;
  console.log(`\n## ${read.name}: ${read.medianMs.toFixed(3)} ms`);
  for (const statement of read.statements) console.log(`  ${statement.sql.slice(0, 160)}...\n    ${statement.plan.join('\n    ')}`);
}
console.log(`\n${report}`);
writeFileSync(join(dataDir, quick ? 'plans-quick.md' : 'plans-1m.md'), report);
