import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';

/**
 * Where uploaded files' bytes live, by key. The default is a folder in the data directory; a plugin
 * may register another (a shared volume, an object store) with `api.attachments.useStorage`.
 */
export interface AttachmentStorage {
  /** Stores the bytes under `key` (a new key each time: never an overwrite). */
  put(key: string, bytes: Uint8Array, info: { mime: string }): Promise<void>;
  /** The bytes, or null when nothing is stored under `key`. */
  get(key: string): Promise<Uint8Array | null>;
  /** Removes `key`; removing a missing key is no error. */
  delete(key: string): Promise<void>;
}

/** Keys are made by Deskgraph (`<account>/<uuid>`), checked again here so none can leave the folder. */
const safeKey = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/;

export function folderStorage(folder: string): AttachmentStorage {
  const root = resolve(folder);
  const pathOf = (key: string) => {
    if (!safeKey.test(key)) throw new Error(`Invalid attachment key "${key}"`);
    const path = join(root, key);
    if (!path.startsWith(root + sep)) throw new Error(`Invalid attachment key "${key}"`);
    return path;
  };
  return {
    async put(key, bytes) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      // Written aside then renamed: a reader never sees half a file, a crash leaves no partial one under the key.
      const partial = `${path}.partial`;
      await writeFile(partial, bytes, { flag: 'wx' });
      await rename(partial, path);
    },
    async get(key) {
      try {
        return await readFile(pathOf(key));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
  };
}
