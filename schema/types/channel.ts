import type { AutoTexts as AutoTextsShape, Channel as ChannelRow, SectorMenu as SectorMenuShape } from '../../db/types.js';
import { channelsByIds, createChannel, listChannels, updateChannel } from '../../resolvers/channels.js';
import { builder } from '../builder.js';
import { localIdOf, localIdsOf } from '../ids.js';
import { Sector } from './sector.js';
import { WorkingHours, WorkingHoursInput } from './working-hours.js';

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
    businessHours: t.field({ type: WorkingHours, nullable: true, description: 'Null: always open', resolve: (channel) => channel.businessHours }),
    outOfHoursReply: t.exposeString('outOfHoursReply', { nullable: true, description: "Sent once per ticket while closed; {{next_opening}} is filled in. Null: no reply, unless the channel offers call-backs (then the default of its language, which asks the question)" }),
    offerCallback: t.exposeBoolean('offerCallback'),
    menu: t.field({ type: SectorMenu, nullable: true, resolve: (channel) => channel.menu }),
    locale: t.exposeString('locale', { nullable: true, description: "The contact's language for automatic texts (en, pt-BR, es); null: the account's" }),
    autoTexts: t.field({ type: AutoTexts, description: "This channel's own automatic texts; a null one is the default of the channel's language", resolve: (channel) => channel.autoTexts ?? {} }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const SectorMenu = builder.objectRef<SectorMenuShape>('SectorMenu').implement({
  description: 'Greets a new contact with a numbered list of sectors; the reply picks one',
  fields: (t) => ({
    greeting: t.exposeString('greeting'),
    sectors: t.field({ type: [Sector], description: 'In menu order: option 1 first', resolve: (menu) => menu.sectorIds.map(String) }),
  }),
});

const AutoTexts = builder.objectRef<AutoTextsShape>('AutoTexts').implement({
  description: "Automatic texts a channel replaces (the out-of-hours reply is outOfHoursReply, the menu's greeting menu.greeting)",
  fields: (t) => ({
    menuRetry: t.exposeString('menuRetry', { nullable: true, description: 'Before the menu shown again after an invalid answer' }),
    callbackQuestion: t.exposeString('callbackQuestion', { nullable: true, description: 'After the out-of-hours reply, when the channel offers call-backs; answered 1 (yes) or 2 (no)' }),
    absenceSuggestion: t.exposeString('absenceSuggestion', { nullable: true, description: "After an absent agent's message; {{colleague}} is the suggested colleague's name" }),
  }),
});

const AutoTextsInput = builder.inputType('AutoTextsInput', {
  description: 'Replaces the whole set: a text left out or null is the default of the channel\'s language',
  fields: (t) => ({ menuRetry: t.string(), callbackQuestion: t.string(), absenceSuggestion: t.string() }),
});

const SectorMenuInput = builder.inputType('SectorMenuInput', {
  fields: (t) => ({ greeting: t.string({ required: true }), sectorIds: t.idList({ required: true }) }),
});

const channelSettingFields = (t: Parameters<Parameters<typeof builder.inputType>[1]['fields']>[0]) => ({
  address: t.string({ required: false }),
  businessHours: t.field({ type: WorkingHoursInput, required: false }),
  outOfHoursReply: t.string({ required: false }),
  offerCallback: t.boolean({ required: false }),
  menu: t.field({ type: SectorMenuInput, required: false, description: 'Null removes the menu' }),
  locale: t.string({ required: false, description: "en, pt-BR or es: the language of automatic texts on this channel; null: the account's" }),
  autoTexts: t.field({ type: AutoTextsInput, required: false, description: 'Null: every text is the default of the channel\'s language' }),
});

const CreateChannelInput = builder.inputType('CreateChannelInput', {
  fields: (t) => ({ name: t.string({ required: true }), kind: t.field({ type: ChannelKind, required: true }), ...channelSettingFields(t) }),
});

const UpdateChannelInput = builder.inputType('UpdateChannelInput', {
  fields: (t) => ({ name: t.string({ required: false }), kind: t.field({ type: ChannelKind, required: false }), ...channelSettingFields(t) }),
});

type MenuInput = { greeting: string; sectorIds: (string | number)[] } | null | undefined;
const menuOf = (menu: MenuInput) => (menu ? { greeting: menu.greeting, sectorIds: localIdsOf('Sector', menu.sectorIds.map(String), 'input.menu.sectorIds') } : menu);

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
    resolve: (_root, { input }, context) => createChannel(context.services, context.viewer, { ...input, menu: menuOf(input.menu) }),
  }),
  updateChannel: t.field({
    type: Channel,
    authScopes: { admin: true },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateChannelInput, required: true }) },
    resolve: (_root, { id, input }, context) =>
      updateChannel(context.services, context.viewer, localIdOf('Channel', String(id), 'id'), { ...input, menu: menuOf(input.menu) }),
  }),
}));
