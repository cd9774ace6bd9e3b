import type { AbsenceSetting as AbsenceRow } from '../../db/types.js';
import { absenceOf, absencesOf, isAbsentAt, setAbsence } from '../../resolvers/absence.js';
import { isWithinHours } from '../../resolvers/hours.js';
import { builder } from '../builder.js';
import { localIdOf } from '../ids.js';
import { Ticket } from './ticket.js';
import { User } from './user.js';

const AbsenceSetting = builder.objectRef<AbsenceRow>('AbsenceSetting').implement({
  description: "An agent's absence: while active, a contact writing on their ticket gets the message once",
  fields: (t) => ({
    user: t.field({ type: User, resolve: (absence) => String(absence.userId) }),
    enabled: t.exposeBoolean('enabled'),
    message: t.exposeString('message', { nullable: true }),
    startsAt: t.expose('startsAt', { type: 'DateTime', nullable: true }),
    endsAt: t.expose('endsAt', { type: 'DateTime', nullable: true, description: 'Null: until disabled' }),
    suggestedUser: t.field({ type: User, nullable: true, resolve: (absence) => (absence.suggestedUserId ? String(absence.suggestedUserId) : null) }),
    activeNow: t.boolean({ resolve: (absence, _args, context) => isAbsentAt(absence, context.services.clock.now()) }),
  }),
});

const SetAbsenceInput = builder.inputType('SetAbsenceInput', {
  fields: (t) => ({
    userId: t.id({ description: 'Omitted: mine. An ADMIN may set anyone of the account' }),
    enabled: t.boolean({ required: true }),
    message: t.string({ description: 'Required while enabled' }),
    suggestedUserId: t.id({ description: 'An active colleague, not absent, offered in the reply' }),
    startsAt: t.field({ type: 'DateTime' }),
    endsAt: t.field({ type: 'DateTime' }),
  }),
});

builder.objectFields(User, (t) => ({
  available: t.boolean({
    description: 'ONLINE and inside working hours right now',
    resolve: (user, _args, context) => user.status === 'ONLINE' && isWithinHours(user.workingHours, context.services.clock.now()),
  }),
}));

builder.objectField(Ticket, 'assigneeAbsence', (t) =>
  t.loadable({
    type: AbsenceSetting,
    nullable: true,
    description: "The assignee's absence when it is active now",
    load: async (userIds: number[], context) => {
      const absences = await absencesOf(context.services, userIds);
      const now = context.services.clock.now();
      return userIds.map((id) => {
        const absence = absences.get(id) ?? null;
        return isAbsentAt(absence, now) ? absence : null;
      });
    },
    resolve: (ticket) => ticket.assigneeId,
  }),
);

builder.queryFields((t) => ({
  absence: t.withAuth({ authenticated: true }).field({
    type: AbsenceSetting,
    nullable: true,
    description: 'Mine, or (ADMIN) anyone’s; null when never set',
    args: { userId: t.arg.id() },
    resolve: (_root, { userId }, context) =>
      absenceOf(context.services, context.viewer, userId === null || userId === undefined ? null : localIdOf('User', String(userId), 'userId')),
  }),
}));

builder.mutationFields((t) => ({
  setAbsence: t.withAuth({ authenticated: true }).field({
    type: AbsenceSetting,
    args: { input: t.arg({ type: SetAbsenceInput, required: true }) },
    resolve: (_root, { input }, context) =>
      setAbsence(context.services, context.viewer, {
        ...input,
        userId: input.userId ? localIdOf('User', String(input.userId), 'input.userId') : null,
        suggestedUserId: input.suggestedUserId ? localIdOf('User', String(input.suggestedUserId), 'input.suggestedUserId') : null,
      }),
  }),
}));
