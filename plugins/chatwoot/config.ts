import { decodeGlobalID } from '@pothos/plugin-relay';
import { z } from 'zod';
import { configJson } from '../../resolvers/config-rules.js';

// CHATWOOT_* variables (or pluginConfig.chatwoot): a mistake stops start-up naming the field,
// rather than surfacing later as webhooks answered 500 or replies that never leave.

function isChannelId(id: string): boolean {
  try {
    const decoded = decodeGlobalID(id);
    return decoded.typename === 'Channel' && /^\d+$/.test(decoded.id);
  } catch {
    return false;
  }
}

const channelId = z.string().refine(isChannelId, 'not a Channel id (use the id from the `channels` query)');

export const chatwootConfig = z.object({
  /** Where Chatwoot answers, e.g. https://chat.example.com (no /api). */
  baseUrl: z.url({ protocol: /^https?$/, error: 'an http(s) URL' }).transform((url) => url.replace(/\/+$/, '')),
  /** A Chatwoot agent's or agent bot's access token: replies appear in Chatwoot as that user. */
  apiAccessToken: z.string().trim().min(1, 'required'),
  /** Chatwoot's account id (the number in its URLs), not Deskgraph's. */
  accountId: z.coerce.number().int().positive(),
  /** Chatwoot's account webhooks are not signed: the shared secret in the URL is the proof. */
  webhookSecret: z.string().min(16, 'at least 16 characters'),
  /**
   * Chatwoot inbox id -> Deskgraph Channel id. Absent: every inbox goes to the default channel.
   * Given: only the listed inboxes are bridged, the others are ignored.
   */
  inboxes: configJson(z.record(z.string().regex(/^\d+$/, 'inbox ids are numbers'), channelId)).optional(),
  /** The Deskgraph account the bridge serves. */
  deskgraphAccountId: z.coerce.number().int().positive().default(1),
  /** For each call to Chatwoot's API; a timeout is retried like any failure. */
  timeoutMs: z.coerce.number().int().min(100).max(60_000).default(10_000),
});

export type ChatwootConfig = z.infer<typeof chatwootConfig>;
