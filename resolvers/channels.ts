import type { Channel, ChannelChanges, ChannelKind } from '../db/types.js';
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
}

const channelRules = { name: rules.channelName, address: rules.channelAddress };

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
  const parsed = rules.parseFields(channelRules, input);
  const at = services.clock.now();
  return services.store.write(async (tx) => {
    const channel = await tx.channels.insert(
      { accountId: viewer.accountId, name: parsed.name!, kind: input.kind!, address: parsed.address ?? null, isDefault: false },
      at,
    );
    await recordEvent(tx, at, viewer.accountId, 'channel.created', { channelId: channel.id, byUserId: viewer.userId });
    return channel;
  });
}

export async function updateChannel(services: Services, viewer: Viewer | null, channelId: number, input: ChannelInput): Promise<Channel> {
  assertAdmin(viewer);
  for (const key of ['name', 'kind'] as const) {
    if (input[key] === null) throw new BadUserInputError(`input.${key}`, `${key} cannot be null`);
  }
  const changes: ChannelChanges = { ...rules.parseFields(channelRules, input) } as ChannelChanges;
  if (input.kind) changes.kind = input.kind;
  const at = services.clock.now();
  return services.store.write(async (tx) => {
    const channel = await tx.channels.update(viewer.accountId, channelId, changes);
    if (!channel) throw new NotFoundError('Channel');
    await recordEvent(tx, at, viewer.accountId, 'channel.updated', { channelId, byUserId: viewer.userId, changed: Object.keys(changes) });
    return channel;
  });
}
