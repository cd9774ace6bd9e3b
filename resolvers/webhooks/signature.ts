import { createHmac, timingSafeEqual } from 'node:crypto';

// Standard Webhooks (standardwebhooks.com): any of its libraries verifies a Deskgraph delivery.
export const ID_HEADER = 'webhook-id';
export const TIMESTAMP_HEADER = 'webhook-timestamp';
export const SIGNATURE_HEADER = 'webhook-signature';

/** The HMAC key: the base64 after `whsec_` (secrets made before base64url-safe ones decode too). */
function keyOf(secret: string): Buffer {
  return Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
}

/** `v1,` + base64 HMAC-SHA256 of "<id>.<timestamp>.<body>" with the secret's key. */
export function signatureOf(secret: string, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', keyOf(secret)).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/**
 * What a receiver runs: one of the space-separated signatures must match the exact body bytes,
 * and the timestamp must be recent, so a captured delivery cannot be replayed later.
 */
export function verifyWebhookSignature(input: {
  secret: string;
  body: string;
  id: string | undefined;
  signature: string | undefined;
  timestamp: string | undefined;
  toleranceSeconds?: number;
  now?: number;
}): boolean {
  const timestamp = Number(input.timestamp);
  if (!input.signature || !input.id || !Number.isInteger(timestamp)) return false;
  const now = input.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (input.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signatureOf(input.secret, input.id, timestamp, input.body));
  return input.signature.split(' ').some((candidate) => {
    const given = Buffer.from(candidate);
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}
