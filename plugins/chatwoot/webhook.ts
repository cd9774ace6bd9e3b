import { createHash, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import type { PluginApi, PluginRequest } from '../runtime/contract.js';
import { answer, type BridgeAnswer } from './answers.js';
import type { ChatwootConfig } from './config.js';
import { contactChanged, conversationStatusChanged } from './conversation-events.js';
import { handIncomingMessage } from './incoming-messages.js';
import type { Links } from './links.js';
import { anyEvent, contactChanged as contactChangedPayload, conversationStatusChanged as statusChangedPayload, messageCreated } from './payloads.js';

/** For proxies or scripts that can set headers; Chatwoot itself can only put the secret in the URL. */
export const SECRET_HEADER = 'x-chatwoot-webhook-secret';

/**
 * Chatwoot's account webhooks carry no signature, so the URL's secret is the only proof the call is
 * Chatwoot's. Both sides are hashed first: equal lengths for timingSafeEqual, and the comparison
 * time says nothing about the secret.
 */
function secretMatches(expected: string, request: PluginRequest): boolean {
  const header = request.headers[SECRET_HEADER];
  const given = request.query.get('secret') ?? (Array.isArray(header) ? header[0] : header) ?? '';
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected)) && given.length > 0;
}

function parsed<S extends z.ZodType>(schema: S, payload: unknown): z.infer<S> | string {
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  return result.error.issues.map((issue) => `${issue.path.join('.') || '(payload)'}: ${issue.message}`).join('; ');
}

/** POST /plugins/chatwoot/webhook: every answer is JSON saying what was done, or why not. */
export function chatwootWebhook(api: PluginApi<ChatwootConfig>, links: Links) {
  return async (request: PluginRequest): Promise<BridgeAnswer> => {
    // Before the body is even parsed: an unauthenticated caller learns nothing and stores nothing.
    if (!secretMatches(api.config.webhookSecret, request)) return answer.unauthorized();
    let payload: unknown;
    try {
      payload = JSON.parse(request.body);
    } catch {
      return answer.badRequest('The body is not JSON');
    }
    const head = parsed(anyEvent, payload);
    if (typeof head === 'string') return answer.badRequest(`Not a Chatwoot webhook payload: ${head}`);

    switch (head.event) {
      case 'message_created': {
        const message = parsed(messageCreated, payload);
        return typeof message === 'string' ? answer.badRequest(`Not a message_created payload: ${message}`) : handIncomingMessage(api, links, message);
      }
      case 'conversation_status_changed': {
        const conversation = parsed(statusChangedPayload, payload);
        return typeof conversation === 'string' ? answer.badRequest(`Not a conversation_status_changed payload: ${conversation}`) : conversationStatusChanged(api, links, conversation);
      }
      case 'contact_created':
      case 'contact_updated': {
        const contact = parsed(contactChangedPayload, payload);
        return typeof contact === 'string' ? answer.badRequest(`Not a ${head.event} payload: ${contact}`) : contactChanged(api, links, contact);
      }
      case 'conversation_created':
        // It arrives before (or without) any message; the ticket opens with the contact's first incoming one.
        return answer.ignored('a ticket opens with the contact\'s first incoming message');
      default:
        return answer.ignored(`event ${head.event} is not bridged`);
    }
  };
}
