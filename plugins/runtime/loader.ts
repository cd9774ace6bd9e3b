import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z, type ZodType } from 'zod';
import type { DeskgraphPlugin } from './contract.js';

/** A PLUGINS entry: a built-in name, a package name or a path; or the plugin object itself. */
// `any`: a plugin's config type is its own business; the loader validates it with the plugin's schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type PluginSpec = string | DeskgraphPlugin<any>;

const builtIns: Record<string, () => Promise<unknown>> = {
  chatwoot: () => import('../chatwoot/index.js'),
};

const pluginShape = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
  setup: z.function(),
});

async function importSpec(spec: string): Promise<unknown> {
  if (builtIns[spec]) return builtIns[spec]();
  const isPath = spec.startsWith('.') || isAbsolute(spec);
  return isPath ? importPath(pathToFileURL(resolve(spec)).href) : import(spec);
}

async function importPath(url: string): Promise<unknown> {
  try {
    return await import(url);
  } catch (error) {
    // The built server (npm start) runs without tsx's loader: a TypeScript plugin file goes through it.
    if ((error as NodeJS.ErrnoException).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
    const { tsImport } = await import('tsx/esm/api');
    return tsImport(url, import.meta.url);
  }
}

function pluginOf(spec: string, module: unknown): DeskgraphPlugin<unknown> {
  const exports = module as { default?: unknown; plugin?: unknown };
  const candidate = exports.plugin ?? exports.default ?? module;
  const checked = pluginShape.safeParse(candidate);
  if (!checked.success) {
    throw new Error(`Plugin "${spec}" does not export { name, setup(api) }: ${checked.error.issues.map((i) => `${i.path.join('.') || 'module'}: ${i.message}`).join('; ')}`);
  }
  return candidate as DeskgraphPlugin<unknown>;
}

/** CHATWOOT_BASE_URL -> { baseUrl } for the plugin named "chatwoot". */
export function configFromEnv(name: string, env: Record<string, string | undefined>): Record<string, string> {
  const prefix = `${name.toUpperCase().replace(/-/g, '_')}_`;
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith(prefix) || value === undefined) continue;
    const camel = key.slice(prefix.length).toLowerCase().replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
    config[camel] = value;
  }
  return config;
}

export interface LoadedPlugin {
  plugin: DeskgraphPlugin<unknown>;
  config: unknown;
}

/**
 * Imports and validates each plugin, in order. Config comes from `configs[name]` when given
 * (tests, embedding), else from the environment; a bad one is a start-up error naming the plugin.
 */
export async function loadPlugins(specs: readonly PluginSpec[], configs: Record<string, unknown>, env: Record<string, string | undefined>): Promise<LoadedPlugin[]> {
  const loaded: LoadedPlugin[] = [];
  const seen = new Set<string>();
  for (const spec of specs) {
    // Webhooks are core now (resolvers/webhooks); PLUGINS=webhooks, accepted before, stays harmless.
    if (spec === 'webhooks') continue;
    const label = typeof spec === 'string' ? spec : spec.name;
    let plugin: DeskgraphPlugin<unknown>;
    try {
      plugin = typeof spec === 'string' ? pluginOf(spec, await importSpec(spec)) : pluginOf(label, spec);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('Plugin "')) throw error;
      throw new Error(`Plugin "${label}" could not be loaded: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    if (seen.has(plugin.name)) continue;
    seen.add(plugin.name);
    const raw = configs[plugin.name] ?? configFromEnv(plugin.name, env);
    const config = plugin.config ? validatedConfig(plugin.name, plugin.config, raw) : raw;
    loaded.push({ plugin, config });
  }
  return loaded;
}

/** A plugin's (or built-in's) config checked against its schema; a bad one is a start-up error naming it. */
export function validatedConfig<T>(name: string, schema: ZodType<T>, raw: unknown): T {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`).join('; ');
  throw new Error(`Plugin "${name}" has invalid config: ${problems}`);
}
