import { UndeliverableEvent } from '../runtime/contract.js';
import type { ChatwootConfig } from './config.js';

/**
 * One POST to Chatwoot's application API for the configured account. Failures are thrown back to the
 * outbox relay, which retries with backoff; 404/422 (conversation gone or refusing) cannot get better.
 */
export async function postToChatwoot(config: ChatwootConfig, path: string, body: unknown): Promise<string> {
  return sendToChatwoot(config, path, { 'content-type': 'application/json' }, JSON.stringify(body));
}

/** A multipart POST (a message with files as `attachments[]`, as Chatwoot's message API takes them). */
export function postFormToChatwoot(config: ChatwootConfig, path: string, form: FormData): Promise<string> {
  return sendToChatwoot(config, path, {}, form);
}

async function sendToChatwoot(config: ChatwootConfig, path: string, headers: Record<string, string>, body: string | FormData): Promise<string> {
  const url = `${config.baseUrl}/api/v1/accounts/${config.accountId}${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { ...headers, accept: 'application/json', api_access_token: config.apiAccessToken },
      body,
      signal: AbortSignal.timeout(config.timeoutMs),
      // A redirect would carry the token header to wherever it points: CHATWOOT_BASE_URL must be the final address.
      redirect: 'error',
    });
  } catch (error) {
    const reason = error instanceof Error ? (error.name === 'TimeoutError' ? `no answer within ${config.timeoutMs} ms` : error.message) : String(error);
    throw new Error(`Chatwoot unreachable (${path}): ${reason}`, { cause: error });
  }
  const text = await response.text().catch(() => '');
  const failure = `Chatwoot answered ${response.status} (${path}): ${text.slice(0, 200)}`;
  if (response.status === 404 || response.status === 422) throw new UndeliverableEvent(failure);
  if (!response.ok) throw new Error(failure);
  return text;
}
