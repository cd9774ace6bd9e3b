// npm run build [-- --outdir <folder>]: the server as one ES module (dist/deskgraph.mjs, with its source
// map), what `npm start` runs. Node then loads one file instead of transpiling every source through tsx's
// loader at each start, which was most of a start-up's time. Packages stay in node_modules,
// imported as they are, so another folder must be inside the project too. Plain JavaScript, so that it
// runs before anything is built, with production dependencies only.
import { build } from 'esbuild';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const at = process.argv.indexOf('--outdir');
const outdir = at > 0 ? process.argv[at + 1] : join(root, 'dist');
const outfile = join(outdir, 'deskgraph.mjs');

// A source file that finds its neighbours through import.meta.url (the migrations, package.json) keeps
// finding them from the bundle: its URL is rewritten relative to the bundle's own.
const ownUrls = {
  name: 'own-import-meta-url',
  setup(esbuild) {
    esbuild.onLoad({ filter: /\.ts$/ }, async ({ path }) => {
      const source = await readFile(path, 'utf8');
      const url = `new URL(${JSON.stringify(relative(outdir, path).split('\\').join('/'))}, import.meta.url).href`;
      return { contents: source.replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
};

const result = await build({
  entryPoints: [join(root, 'bin/start.ts')],
  outfile,
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  keepNames: true,
  sourcemap: 'linked',
  write: false,
  logLevel: 'warning',
  plugins: [ownUrls],
});

// Written beside and renamed into place: a server starting meanwhile reads the old bundle or the new, never half of one.
await mkdir(outdir, { recursive: true });
for (const file of result.outputFiles) {
  const partial = `${file.path}.${process.pid}.partial`;
  await mkdir(dirname(file.path), { recursive: true });
  await writeFile(partial, file.contents);
  await rename(partial, file.path);
}
