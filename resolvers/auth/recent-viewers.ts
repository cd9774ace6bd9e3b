import type { UserWithSectors } from '../../db/types.js';
import type { Services } from '../services.js';

// Every request reads its user fresh (authenticate.ts), so that deactivation, suspension, role and sector
// changes apply at once. On PostgreSQL that read is a round trip of its own, a large part of a small read's
// cost (bench/RESULTS.md). A read that can carry the user's row in its own statement (ticket(id)) starts from
// the user as this instance last read them and reads the row again there: its answer stands only when both
// agree (sameViewerUser); otherwise it is read again as the user now is. Nothing is trusted unconfirmed.

/** Enough for every agent of a large installation; the oldest read is dropped first beyond it. */
const maxRecentViewers = 20_000;

const byServices = new WeakMap<Services, Map<number, UserWithSectors>>();

function recentOf(services: Services): Map<number, UserWithSectors> {
  let recent = byServices.get(services);
  if (!recent) byServices.set(services, (recent = new Map()));
  return recent;
}

/** The user as this instance last read them, to be confirmed by the read that uses it. */
export function recentViewerUser(services: Services, userId: number): UserWithSectors | undefined {
  return recentOf(services).get(userId);
}

export function rememberViewerUser(services: Services, userId: number, user: UserWithSectors | null): void {
  const recent = recentOf(services);
  recent.delete(userId);
  if (!user) return;
  if (recent.size >= maxRecentViewers) recent.delete(recent.keys().next().value!);
  recent.set(userId, user);
}

/** Whether two reads of a user give the same viewer: what authenticate checks and what the viewer carries. */
export function sameViewerUser(a: UserWithSectors | null, b: UserWithSectors | null): boolean {
  if (!a || !b) return a === b;
  return (
    a.id === b.id &&
    a.accountId === b.accountId &&
    a.role === b.role &&
    a.active === b.active &&
    a.accountSuspended === b.accountSuspended &&
    a.canViewUnsectored === b.canViewUnsectored &&
    a.sectorIds.length === b.sectorIds.length &&
    a.sectorIds.every((id, i) => id === b.sectorIds[i])
  );
}
