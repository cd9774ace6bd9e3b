import { z } from 'zod';
import type { AbsenceSetting } from '../db/types.js';
import { BadUserInputError, ForbiddenError, NotFoundError } from './errors.js';
import { recordEvent } from './events.js';
import { parseInput } from './input-rules.js';
import { assertAgent } from './permissions.js';
import type { Services } from './services.js';
import type { Viewer } from './viewer.js';

export interface AbsenceInput {
  userId?: number | null;
  enabled: boolean;
  message?: string | null;
  suggestedUserId?: number | null;
  startsAt?: Date | null;
  endsAt?: Date | null;
}

const absenceMessage = z.string().trim().min(1, 'A message is required while the absence is on').max(1000, 'At most 1000 characters');

/** On, and inside its window when it has one (without a window it lasts until disabled). */
export function isAbsentAt(setting: AbsenceSetting | null, at: Date): boolean {
  if (!setting?.enabled) return false;
  if (setting.startsAt && at < setting.startsAt) return false;
  return !(setting.endsAt && at >= setting.endsAt);
}

function targetOf(viewer: Viewer | null, userId: number | null | undefined) {
  assertAgent(viewer);
  const target = userId ?? viewer.userId;
  if (target !== viewer.userId && viewer.role !== 'ADMIN') throw new ForbiddenError("Only an ADMIN may see or set another agent's absence");
  return { viewer, target };
}

/** My own absence, or (ADMIN) anyone's; null when never set. */
export async function absenceOf(services: Services, viewer: Viewer | null, userId?: number | null): Promise<AbsenceSetting | null> {
  const { viewer: agent, target } = targetOf(viewer, userId);
  if (!(await services.store.users.byId(agent.accountId, target))) throw new NotFoundError('User');
  return services.store.intake.absenceOf(target);
}

export async function absencesOf(services: Services, userIds: readonly number[]): Promise<Map<number, AbsenceSetting>> {
  return services.store.intake.absencesOf(userIds);
}

export async function setAbsence(services: Services, viewer: Viewer | null, input: AbsenceInput): Promise<AbsenceSetting> {
  const { viewer: agent, target } = targetOf(viewer, input.userId);
  const given = input.enabled ? parseInput(absenceMessage, input.message ?? '', 'input.message') : input.message?.trim() || undefined;
  if (input.startsAt && input.endsAt && input.endsAt <= input.startsAt) throw new BadUserInputError('input.endsAt', 'The absence must end after it starts');
  const at = services.clock.now();
  return services.store.write(async (tx) => {
    if (!(await tx.users.byId(agent.accountId, target))) throw new NotFoundError('User');
    if (input.suggestedUserId) {
      const colleague = await tx.users.byId(agent.accountId, input.suggestedUserId);
      if (!colleague || !colleague.active || colleague.id === target) {
        throw new BadUserInputError('input.suggestedUserId', 'Suggest an active colleague of the same account');
      }
      if (isAbsentAt(await tx.intake.absenceOf(colleague.id), at)) throw new BadUserInputError('input.suggestedUserId', 'That colleague is absent too');
    }
    // Turning it off keeps the message, ready for the next time.
    const message = given ?? (await tx.intake.absenceOf(target))?.message ?? null;
    const saved = await tx.intake.saveAbsence({
      userId: target, accountId: agent.accountId, enabled: input.enabled, message,
      startsAt: input.startsAt ?? null, endsAt: input.endsAt ?? null, suggestedUserId: input.suggestedUserId ?? null, updatedAt: at,
    });
    await recordEvent(tx, at, agent.accountId, 'user.updated', { userId: target, byUserId: agent.userId, changed: ['absence'] });
    await recordEvent(tx, at, agent.accountId, 'absence.changed', {
      userId: target, byUserId: agent.userId, enabled: saved.enabled, message: saved.message,
      startsAt: saved.startsAt?.toISOString() ?? null, endsAt: saved.endsAt?.toISOString() ?? null, suggestedUserId: saved.suggestedUserId,
    });
    return saved;
  });
}
