import type { Sector as SectorRow } from '../../db/types.js';
import { agentsOfSectors, createSector, listSectors, sectorsByIds, updateSector, waitingCountsOfSectors } from '../../resolvers/sectors.js';
import { sectorIdsOfUsers } from '../../resolvers/users.js';
import { builder } from '../builder.js';
import { localIdOf } from '../ids.js';
import { User } from './user.js';

export const RoutingMode = builder.enumType('RoutingMode', {
  description: 'How a sector hands out waiting tickets',
  values: {
    MANUAL: { description: 'Agents take tickets themselves' },
    ROUND_ROBIN: { description: 'Assigned in turn to available agents' },
    LEAST_BUSY: { description: 'Assigned to the available agent with the fewest open tickets' },
  } as const,
});

export const Sector = builder.loadableNode('Sector', {
  description: 'A queue (team, department) whose agents serve its tickets',
  id: { resolve: (sector: SectorRow) => sector.id },
  load: (ids: string[], context) => (context.viewer ? sectorsByIds(context.services, context.viewer, ids.map(Number)) : Promise.resolve([])),
  sort: (sector) => String(sector.id),
  fields: (t) => ({
    name: t.exposeString('name'),
    color: t.exposeString('color', { description: '#RRGGBB' }),
    greeting: t.exposeString('greeting', { nullable: true }),
    routingMode: t.expose('routingMode', { type: RoutingMode }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    waitingCount: t.loadable({
      type: 'Int',
      description:
        "Contacts waiting in this sector's queue, as my WAITING tab narrowed to it counts them: every sector's for an ADMIN, " +
        "my sectors' for a USER (0 for a sector I am not in: none of its waiting tickets is mine to see). Live: ticketCountsChanged.bySector",
      load: (sectorIds: number[], context) => waitingCountsOfSectors(context.services, context.viewer!, sectorIds),
      resolve: (sector) => sector.id,
    }),
    agents: t.withAuth({ authenticated: true }).loadableList({
      type: User,
      description: 'Agents who serve this sector',
      load: async (sectorIds: number[], context) => {
        const bySector = await agentsOfSectors(context.services, context.viewer, sectorIds);
        return sectorIds.map((id) => bySector.get(id) ?? []);
      },
      resolve: (sector) => sector.id,
    }),
  }),
});

const CreateSectorInput = builder.inputType('CreateSectorInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: 'Unique per account, case-insensitively; at most 60 characters' }),
    color: t.string({ required: false, description: '#RRGGBB; picked from a palette when omitted' }),
    greeting: t.string({ required: false }),
    routingMode: t.field({ type: RoutingMode, required: false }),
  }),
});

const UpdateSectorInput = builder.inputType('UpdateSectorInput', {
  fields: (t) => ({
    name: t.string({ required: false }),
    color: t.string({ required: false, description: '#RRGGBB; picked from a palette when omitted' }),
    greeting: t.string({ required: false }),
    routingMode: t.field({ type: RoutingMode, required: false }),
  }),
});

builder.queryFields((t) => ({
  sectors: t.field({
    type: [Sector],
    description: "The account's sectors, by name",
    authScopes: { authenticated: true, integration: true },
    resolve: (_root, _args, context) => listSectors(context.services, context.viewer!),
  }),
}));

builder.mutationFields((t) => ({
  createSector: t.field({
    type: Sector,
    authScopes: { admin: true },
    args: { input: t.arg({ type: CreateSectorInput, required: true }) },
    resolve: (_root, { input }, context) => createSector(context.services, context.viewer, input),
  }),
  updateSector: t.field({
    type: Sector,
    authScopes: { admin: true },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateSectorInput, required: true }) },
    resolve: (_root, { id, input }, context) => updateSector(context.services, context.viewer, localIdOf('Sector', String(id), 'id'), input),
  }),
}));

builder.objectField(User, 'sectors', (t) =>
  t.loadableList({
    type: Sector,
    description: 'The sectors this user serves',
    load: async (userIds: number[], context) => {
      const sectorIdsByUser = await sectorIdsOfUsers(context.services, userIds);
      const sectors = context.viewer ? await sectorsByIds(context.services, context.viewer, [...new Set([...sectorIdsByUser.values()].flat())]) : [];
      const byId = new Map(sectors.map((sector) => [sector.id, sector]));
      return userIds.map((userId) => (sectorIdsByUser.get(userId) ?? []).flatMap((id) => byId.get(id) ?? []));
    },
    resolve: (user) => user.id,
  }),
);
