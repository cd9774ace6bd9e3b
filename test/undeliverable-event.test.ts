import { describe, expect, it } from 'vitest';

// A plugin file loaded beside the built server (npm start) imports its own copy of the plugin contract: the
// relay must still tell its UndeliverableEvent from an error worth retrying.

describe('UndeliverableEvent', () => {
  it('is recognised across copies of its module, and a plain error is not', async () => {
    const ours = (await import('../plugins/runtime/contract.js')).UndeliverableEvent;
    // @ts-expect-error: a query string makes vite load the module a second time
    const theirs = (await import('../resolvers/events/outbox-relay.js?another-copy')).UndeliverableEvent as typeof ours;
    expect(theirs).not.toBe(ours);
    expect(new theirs('gone') instanceof ours).toBe(true);
    expect(new ours('gone') instanceof theirs).toBe(true);
    expect(new theirs('gone')).toBeInstanceOf(Error);
    expect(new Error('try again') instanceof ours).toBe(false);
  });
});
