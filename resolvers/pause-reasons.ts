import { z } from 'zod';
import type { StoreTx } from '../db/store.js';
import type { PauseReason } from '../db/types.js';
import { BadUserInputError, NotFoundError } from './errors.js';
import { parseInput } from './input-rules.js';
import { assertAdmin, assertAgent } from './permissions.js';
import type { Services } from './services.js';
import type { Viewer } from './viewer.js';

// Blip Desk's breaks: the account's ADMINs name why an agent may pause (lunch, training...).

const reasonName = z.string().trim().min(1, 'Name is required').max(40, 'Name is at most 40 characters');

export interface PauseReasonChanges {
  name?: string | null;
  active?: boolean | null;
}

/** Every agent picks from the active ones; ADMINs may ask for the deactivated too. */
export async function listPauseReasons(services: Services, viewer: Viewer | null, includeInactive: boolean): Promise<PauseReason[]> {
  assertAgent(viewer);
  if (includeInactive) assertAdmin(viewer);
  return services.store.pauses.list(viewer.accountId, includeInactive);
}

export async function pauseReasonsByIds(services: Services, viewer: Viewer, ids: readonly number[]): Promise<PauseReason[]> {
  return services.store.pauses.byIds(viewer.accountId, ids);
}

async function assertNameFree(tx: StoreTx, accountId: number, name: string, exceptId?: number): Promise<void> {
  if (await tx.pauses.nameTaken(accountId, name, exceptId)) throw new BadUserInputError('name', 'A pause reason with this name already exists');
}

export async function createPauseReason(services: Services, viewer: Viewer | null, name: string): Promise<PauseReason> {
  assertAdmin(viewer);
  const parsed = parseInput(reasonName, name, 'name');
  const at = services.clock.now();
  return services.store.write(async (tx) => {
    await assertNameFree(tx, viewer.accountId, parsed);
    return tx.pauses.insert({ accountId: viewer.accountId, name: parsed }, at);
  });
}

/** Renames or (de)activates; a deactivated reason cannot be picked again, the time already paused under it stays counted. */
export async function updatePauseReason(services: Services, viewer: Viewer | null, id: number, changes: PauseReasonChanges): Promise<PauseReason> {
  assertAdmin(viewer);
  if (changes.active === null) throw new BadUserInputError('active', 'active cannot be null');
  if (changes.name === null) throw new BadUserInputError('name', 'name cannot be null');
  const name = changes.name === undefined ? undefined : parseInput(reasonName, changes.name, 'name');
  const active = changes.active;
  return services.store.write(async (tx) => {
    if ((await tx.pauses.byIds(viewer.accountId, [id])).length === 0) throw new NotFoundError('PauseReason');
    if (name !== undefined) await assertNameFree(tx, viewer.accountId, name, id);
    const updated = await tx.pauses.update(viewer.accountId, id, { ...(name !== undefined ? { name } : {}), ...(active !== undefined ? { active } : {}) });
    if (!updated) throw new NotFoundError('PauseReason');
    return updated;
  });
}

/** The reason an agent gives with PAUSED: one of the account's active reasons (checked inside the status write). */
export async function assertPickableReason(tx: StoreTx, accountId: number, pauseReasonId: number): Promise<void> {
  const [reason] = await tx.pauses.byIds(accountId, [pauseReasonId]);
  if (!reason || !reason.active) throw new BadUserInputError('pauseReasonId', 'Unknown or deactivated pause reason');
}
