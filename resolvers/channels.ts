import { z } from 'zod';
import type { StoreTx } from '../db/store.js';
import type { AutoTexts, Channel, ChannelChanges, ChannelKind, SectorMenu, WorkingHours } from '../db/types.js';
import { isLocale, supportedLocales } from './auto-texts.js';
import { BadUserInputError, NotFoundError } from './errors.js';
import { recordEvent } from './events.js';
import * as rules from './input-rules.js';
import { assertAdmin } from './permissions.js';
import type { Services } from './services.js';
import type { Viewer } from './viewer.js';

export interface ChannelInput {
  name?: string | null;
  kind?: ChannelKind | null;
  address?: string | null;
  businessHours?: WorkingHours | null;
  outOfHoursReply?: string | null;
  offerCallback?: boolean | null;
  menu?: SectorMenu | null;
  locale?: string | null;
  autoTexts?: { [K in keyof AutoTexts]?: string | null } | null;
}

const autoText = z.string().trim().min(1, 'Empty; use null for the default').max(500, 'At most 500 characters').nullish();

const channelRules = {
  name: rules.channelName,
  address: rules.channelAddress,
  businessHours: rules.workingHours,
  outOfHoursReply: z.string().trim().min(1, 'Empty; use null to send no reply').max(1000, 'At most 1000 characters'),
  locale: z.string().refine(isLocale, `One of ${supportedLocales.join(', ')}`),
  // The whole set is replaced; a text left out (or null) falls back to the default of the channel's language.
  autoTexts: z
    .object({ menuRetry: autoText, callbackQuestion: autoText, absenceSuggestion: autoText })
    .transform((texts) => Object.fromEntries(Object.entries(texts).filter(([, text]) => text !== null && text !== undefined)) as AutoTexts),
  menu: z.object({
    greeting: z.string().trim().min(1, 'A greeting is required').max(500, 'At most 500 characters'),
    sectorIds: z.array(z.number().int()).min(1, 'List at least one sector').max(20, 'At most 20 sectors'),
  }),
};

async function assertMenuSectors(tx: StoreTx, accountId: number, menu: SectorMenu | null | undefined): Promise<void> {
  if (!menu) return;
  const found = await tx.sectors.byIds(accountId, menu.sectorIds);
  if (found.length !== new Set(menu.sectorIds).size || found.length !== menu.sectorIds.length) {
    throw new BadUserInputError('input.menu.sectorIds', 'Unknown or repeated sector');
  }
}

function settingsOf(input: ChannelInput): ChannelChanges {
  const changes = { ...rules.parseFields(channelRules, input) } as ChannelChanges;
  if (input.kind) changes.kind = input.kind;
  if (input.offerCallback !== undefined && input.offerCallback !== null) changes.offerCallback = input.offerCallback;
  return changes;
}

export async function listChannels(services: Services, viewer: Viewer): Promise<Channel[]> {
  return services.store.channels.list(viewer.accountId);
}

export async function channelsByIds(services: Services, viewer: Viewer, ids: readonly number[]): Promise<Channel[]> {
  return services.store.channels.byIds(viewer.accountId, ids);
}

export async function createChannel(services: Services, viewer: Viewer | null, input: ChannelInput): Promise<Channel> {
  assertAdmin(viewer);
  if (input.name === null || input.name === undefined) throw new BadUserInputError('input.name', 'Name is required');
  if (!input.kind) throw new BadUserInputError('input.kind', 'Kind is required');
  const settings = settingsOf(input);
  const at = services.clock.now();
  return services.store.write(async (tx) => {
    await assertMenuSectors(tx, viewer.accountId, settings.menu);
    const channel = await tx.channels.insert({ ...settings, accountId: viewer.accountId, name: settings.name!, kind: input.kind!, address: settings.address ?? null, isDefault: false }, at);
    await recordEvent(tx, at, viewer.accountId, 'channel.created', { channelId: channel.id, byUserId: viewer.userId });
    return channel;
  });
}

export async function updateChannel(services: Services, viewer: Viewer | null, channelId: number, input: ChannelInput): Promise<Channel> {
  assertAdmin(viewer);
  for (const key of ['name', 'kind'] as const) {
    if (input[key] === null) throw new BadUserInputError(`input.${key}`, `${key} cannot be null`);
  }
  const changes = settingsOf(input);
  const at = services.clock.now();
  return services.store.write(async (tx) => {
    await assertMenuSectors(tx, viewer.accountId, changes.menu);
    const channel = await tx.channels.update(viewer.accountId, channelId, changes);
    if (!channel) throw new NotFoundError('Channel');
    await recordEvent(tx, at, viewer.accountId, 'channel.updated', { channelId, byUserId: viewer.userId, changed: Object.keys(changes) });
    return channel;
  });
}
