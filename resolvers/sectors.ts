import type { RoutingMode, Sector, SectorChanges, User } from '../db/types.js';
import { BadUserInputError, NotFoundError } from './errors.js';
import { recordEvent } from './events.js';
import * as rules from './input-rules.js';
import { assertAdmin } from './permissions.js';
import type { Services } from './services.js';
import type { Viewer } from './viewer.js';

export interface SectorInput {
  name?: string | null;
  color?: string | null;
  greeting?: string | null;
  routingMode?: RoutingMode | null;
}

const sectorRules = { name: rules.sectorName, color: rules.color, greeting: rules.greeting };
// A palette for sectors created without a colour, so queues are told apart at a glance.
const palette = ['#2563eb', '#16a34a', '#dc2626', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];

/** Sectors are readable by every agent and integration of the account: transfers and menus list them. */
export async function listSectors(services: Services, viewer: Viewer): Promise<Sector[]> {
  return services.store.sectors.list(viewer.accountId);
}

export async function sectorsByIds(services: Services, viewer: Viewer, ids: readonly number[]): Promise<Sector[]> {
  return services.store.sectors.byIds(viewer.accountId, ids);
}

export async function agentsOfSectors(services: Services, viewer: Viewer, sectorIds: readonly number[]): Promise<Map<number, User[]>> {
  return services.store.sectors.agentsOfSectors(viewer.accountId, sectorIds);
}

export async function createSector(services: Services, viewer: Viewer | null, input: SectorInput): Promise<Sector> {
  assertAdmin(viewer);
  if (input.name === null || input.name === undefined) throw new BadUserInputError('input.name', 'Name is required');
  const parsed = rules.parseFields(sectorRules, input);
  const at = services.clock.now();
  return services.store.write(async (tx) => {
    if (await tx.sectors.nameTaken(viewer.accountId, parsed.name!)) {
      throw new BadUserInputError('input.name', 'A sector with this name already exists');
    }
    const existing = (await tx.sectors.list(viewer.accountId)).length;
    const sector = await tx.sectors.insert(
      {
        accountId: viewer.accountId,
        name: parsed.name!,
        color: parsed.color ?? palette[existing % palette.length]!,
        greeting: parsed.greeting ?? null,
        routingMode: input.routingMode ?? 'MANUAL',
      },
      at,
    );
    await recordEvent(tx, at, viewer.accountId, 'sector.created', { sectorId: sector.id, byUserId: viewer.userId });
    return sector;
  });
}

export async function updateSector(services: Services, viewer: Viewer | null, sectorId: number, input: SectorInput): Promise<Sector> {
  assertAdmin(viewer);
  for (const key of ['name', 'color', 'routingMode'] as const) {
    if (input[key] === null) throw new BadUserInputError(`input.${key}`, `${key} cannot be null`);
  }
  const changes: SectorChanges = { ...rules.parseFields(sectorRules, input) } as SectorChanges;
  if (input.routingMode) changes.routingMode = input.routingMode;
  const at = services.clock.now();
  return services.store.write(async (tx) => {
    if (!(await tx.sectors.byId(viewer.accountId, sectorId))) throw new NotFoundError('Sector');
    if (changes.name && (await tx.sectors.nameTaken(viewer.accountId, changes.name, sectorId))) {
      throw new BadUserInputError('input.name', 'A sector with this name already exists');
    }
    const sector = await tx.sectors.update(viewer.accountId, sectorId, changes);
    if (!sector) throw new NotFoundError('Sector');
    await recordEvent(tx, at, viewer.accountId, 'sector.updated', { sectorId, byUserId: viewer.userId, changed: Object.keys(changes) });
    return sector;
  });
}
