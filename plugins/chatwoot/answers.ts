import type { PluginResponse } from '../runtime/contract.js';

// What the webhook answers Chatwoot. Chatwoot only logs a failed call and never retries it, so the
// answer is for whoever reads the logs or tests the setup: it says what was done, or why not.

export type BridgeAnswer = PluginResponse & { body: Record<string, unknown> };

export const answer = {
  /** Handled: `done` names what happened in Deskgraph. */
  done: (done: string, details: Record<string, unknown> = {}): BridgeAnswer => ({ status: 200, body: { done, ...details } }),
  /** Understood and deliberately left alone (not an error: Chatwoot sends every subscribed event). */
  ignored: (reason: string): BridgeAnswer => ({ status: 200, body: { ignored: reason } }),
  /** Accepted, but it cannot become a ticket as it is (a contact without a phone). */
  refused: (reason: string): BridgeAnswer => ({ status: 202, body: { refused: reason } }),
  /** Deskgraph's own rules refused it (an unknown channel in the inbox map, a bad phone ...). */
  invalid: (error: string, field?: unknown): BridgeAnswer => ({ status: 422, body: { error, ...(field ? { field } : {}) } }),
  badRequest: (error: string): BridgeAnswer => ({ status: 400, body: { error } }),
  unauthorized: (): BridgeAnswer => ({ status: 401, body: { error: 'Bad or missing webhook secret' } }),
};
