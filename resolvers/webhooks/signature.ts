import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-deskgraph-signature';
export const TIMESTAMP_HEADER = 'x-deskgraph-timestamp';

/** `v1=` + hex HMAC-SHA256 of "<timestamp>.<body>" with the webhook's secret. */
export function signatureOf(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * What a receiver runs (the README shows the same lines): the signature must match the exact body
 * bytes, and the timestamp must be recent, so a captured delivery cannot be replayed later.
 */
export function verifyWebhookSignature(input: { secret: string; body: string; signature: string | undefined; timestamp: string | undefined; toleranceSeconds?: number; now?: number }): boolean {
  const timestamp = Number(input.timestamp);
  if (!input.signature || !Number.isInteger(timestamp)) return false;
  const now = input.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (input.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signatureOf(input.secret, timestamp, input.body));
  const given = Buffer.from(input.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
