import { z } from 'zod';
import type { DeskgraphPlugin } from '../runtime/contract.js';

// A third-party plugin in under 50 lines: a first-response deadline on every ticket, and a
// notification to a chat hook when a ticket arrives. Load it with PLUGINS=./plugins/examples/sla.ts.

const config = z.object({
  minutes: z.coerce.number().int().min(1).max(7 * 24 * 60).default(30),
  notifyUrl: z.url().optional(),
});

export const plugin: DeskgraphPlugin<z.infer<typeof config>> = {
  name: 'sla',
  config,
  schema(builder, kit) {
    builder.objectField(kit.types.Ticket, 'slaDueAt', (t) =>
      t.field({
        type: 'DateTime',
        description: 'When the first answer is due (SLA plugin)',
        resolve: (ticket, _args, context) => new Date(ticket.createdAt.getTime() + kit.configOf(context).minutes * 60_000),
      }),
    );
  },
  setup(api) {
    api.on('ticket.created', async (event) => {
      if (!api.config.notifyUrl) return;
      const response = await fetch(api.config.notifyUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: `Ticket #${event.data.ticket.protocol} is waiting; answer within ${api.config.minutes} min`, ticketId: event.data.ticket.id }),
      });
      // Throwing hands the event back to the outbox, which retries it with backoff.
      if (!response.ok) throw new Error(`notify answered ${response.status}`);
    });
  },
};

export default plugin;
