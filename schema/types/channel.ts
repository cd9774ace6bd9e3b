import type { Channel as ChannelRow } from '../../db/types.js';
import { channelsByIds, createChannel, listChannels, updateChannel } from '../../resolvers/channels.js';
import { builder } from '../builder.js';
import { localIdOf } from '../ids.js';

export const ChannelKind = builder.enumType('ChannelKind', {
  values: ['WHATSAPP', 'WEBCHAT', 'EMAIL', 'TELEGRAM', 'INSTAGRAM', 'API'] as const,
});

export const Channel = builder.loadableNode('Channel', {
  description: 'Where contacts write from: a number, an inbox, a connection',
  id: { resolve: (channel: ChannelRow) => channel.id },
  load: (ids: string[], context) => (context.viewer ? channelsByIds(context.services, context.viewer, ids.map(Number)) : Promise.resolve([])),
  sort: (channel) => String(channel.id),
  fields: (t) => ({
    name: t.exposeString('name'),
    kind: t.expose('kind', { type: ChannelKind }),
    address: t.exposeString('address', { nullable: true, description: 'Phone number, e-mail address or handle' }),
    isDefault: t.exposeBoolean('isDefault', { description: 'Where ingestion lands when no channel is named' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const CreateChannelInput = builder.inputType('CreateChannelInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    kind: t.field({ type: ChannelKind, required: true }),
    address: t.string({ required: false }),
  }),
});

const UpdateChannelInput = builder.inputType('UpdateChannelInput', {
  fields: (t) => ({
    name: t.string({ required: false }),
    kind: t.field({ type: ChannelKind, required: false }),
    address: t.string({ required: false }),
  }),
});

builder.queryFields((t) => ({
  channels: t.field({
    type: [Channel],
    description: "The account's channels, the default first",
    authScopes: { authenticated: true, integration: true },
    resolve: (_root, _args, context) => listChannels(context.services, context.viewer!),
  }),
}));

builder.mutationFields((t) => ({
  createChannel: t.field({
    type: Channel,
    authScopes: { admin: true },
    args: { input: t.arg({ type: CreateChannelInput, required: true }) },
    resolve: (_root, { input }, context) => createChannel(context.services, context.viewer, input),
  }),
  updateChannel: t.field({
    type: Channel,
    authScopes: { admin: true },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateChannelInput, required: true }) },
    resolve: (_root, { id, input }, context) => updateChannel(context.services, context.viewer, localIdOf('Channel', String(id), 'id'), input),
  }),
}));
