import type { PauseReason as PauseReasonRow } from '../../db/types.js';
import { createPauseReason, listPauseReasons, pauseReasonsByIds, updatePauseReason } from '../../resolvers/pause-reasons.js';
import { builder } from '../builder.js';
import { localIdOf } from '../ids.js';
import { User } from './user.js';

export const PauseReason = builder.loadableNode('PauseReason', {
  description: 'Why an agent is PAUSED (a break: lunch, training...), defined by ADMINs',
  id: { resolve: (reason: PauseReasonRow) => reason.id },
  load: (ids: string[], context) => (context.viewer ? pauseReasonsByIds(context.services, context.viewer, ids.map(Number)) : Promise.resolve([])),
  sort: (reason) => String(reason.id),
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Unique in the account, without case' }),
    active: t.exposeBoolean('active', { description: 'A deactivated reason cannot be picked; time already paused under it still counts' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.objectField(User, 'pauseReason', (t) =>
  t.field({
    type: PauseReason,
    nullable: true,
    description: 'Why they are PAUSED, when they said; null in any other status',
    resolve: (user) => (user.status === 'PAUSED' && user.pauseReasonId !== null ? String(user.pauseReasonId) : null),
  }),
);

const UpdatePauseReasonInput = builder.inputType('UpdatePauseReasonInput', {
  description: 'Omitted fields stay as they are',
  fields: (t) => ({ name: t.string({ required: false }), active: t.boolean({ required: false }) }),
});

builder.queryFields((t) => ({
  pauseReasons: t.field({
    type: [PauseReason],
    description: 'The reasons an agent may give with PAUSED, by name; includeInactive (ADMIN) adds the deactivated ones',
    authScopes: { authenticated: true },
    args: { includeInactive: t.arg.boolean({ required: false }) },
    resolve: (_root, { includeInactive }, context) => listPauseReasons(context.services, context.viewer, includeInactive ?? false),
  }),
}));

builder.mutationFields((t) => ({
  createPauseReason: t.field({
    type: PauseReason,
    description: 'ADMIN; name 1-40 characters, unique in the account without case (BAD_USER_INPUT on name otherwise)',
    authScopes: { admin: true },
    args: { name: t.arg.string({ required: true }) },
    resolve: (_root, { name }, context) => createPauseReason(context.services, context.viewer, name),
  }),
  updatePauseReason: t.field({
    type: PauseReason,
    description: 'ADMIN: rename, or deactivate (active: false) a reason no longer offered',
    authScopes: { admin: true },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdatePauseReasonInput, required: true }) },
    resolve: (_root, { id, input }, context) => updatePauseReason(context.services, context.viewer, localIdOf('PauseReason', String(id), 'id'), input),
  }),
}));
