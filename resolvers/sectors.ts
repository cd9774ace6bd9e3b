import type { RoutingMode, Sector, SectorChanges, User } from '../db/types.js';
import { BadUserInputError, NotFoundError } from './errors.js';
import { recordEvent } from './events.js';
import * as rules from './input-rules.js';
import { assertAdmin } from './permissions.js';
import type { Services } from './services.js';
import type { Viewer } from './viewer.js';
import { ticketScopeOf } from './visibility.js';

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

/**
 * Sector.waitingCount: the WAITING tab narrowed to each sector, under the one ticket rule. An ADMIN (and
 * an integration) gets every sector's queue; a USER their sectors' queues, and for a sector they are not
 * in what that tab shows them there: only tickets assigned to them, so 0 (a waiting ticket has no assignee).
 */
export async function waitingCountsOfSectors(services: Services, viewer: Viewer, sectorIds: readonly number[]): Promise<number[]> {
  const counts = await services.store.tickets.waitingBySector(ticketScopeOf(viewer), sectorIds);
  return sectorIds.map((id) => counts.get(id) ?? 0);
}

export interface SectorWaiting {
  sectorId: number;
  waitingCount: number;
}

/** The queues a viewer watches: every sector for an ADMIN (or an integration), their own sectors for a USER; by sector id. */
export async function queueSizesOf(services: Services, viewer: Viewer): Promise<SectorWaiting[]> {
  const sectorIds = viewer.kind === 'integration' || viewer.role === 'ADMIN' ? (await services.store.sectors.list(viewer.accountId)).map((sector) => sector.id) : [...viewer.sectorIds];
  sectorIds.sort((a, b) => a - b);
  const counts = await waitingCountsOfSectors(services, viewer, sectorIds);
  return sectorIds.map((sectorId, index) => ({ sectorId, waitingCount: counts[index]! }));
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
