import { isObjectType, type GraphQLField, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { builder } from './builder.js';
import './types/user.js';
import './types/sector.js';
import './types/channel.js';
import './types/integration.js';
import './types/contact.js';
import './types/message.js';
import './types/ticket.js';
import './types/ticket-events.js';
import './types/absence.js';
import './types/template.js';
import './types/ready-reply.js';
import './types/contact-list.js';
import './types/pause-reason.js';
import './types/monitoring.js';
import './types/notification.js';
import './types/presence.js';
import './types/routing-decision.js';
import { defineWebhookSchema } from './types/webhook.js';
import './types/account.js';
import './types/server-info.js';
import './types/persisted-operation.js';
import { describeSchema } from './descriptions.js';
import { Channel } from './types/channel.js';
import { Contact } from './types/contact.js';
import { Message } from './types/message.js';
import { Sector } from './types/sector.js';
import { Ticket } from './types/ticket.js';
import { User } from './types/user.js';

defineWebhookSchema(builder);

export { builder };
export type SchemaBuilder = typeof builder;

/** The core object types plugins attach fields to. */
export const coreTypes = { Ticket, Contact, Message, User, Sector, Channel };
export type CoreTypes = typeof coreTypes;

export type SchemaExtension = { name: string; extend: (builder: SchemaBuilder) => void };

// Pothos keeps one builder per process: an extension is applied once, and every schema built
// after it carries its fields.
const applied = new Set<string>();
let built: { key: string; schema: GraphQLSchema } | null = null;

export function buildSchema(extensions: readonly SchemaExtension[] = []): GraphQLSchema {
  for (const extension of extensions) {
    if (applied.has(extension.name)) continue;
    applied.add(extension.name);
    extension.extend(builder);
  }
  const key = [...applied].sort().join(',');
  if (built?.key !== key) {
    const schema = builder.toSchema({ sortSchema: true });
    describeSchema(schema);
    encodeNodeIdsAtOnce(schema);
    built = { key, schema };
  }
  return built.schema;
}

// The relay plugin wraps each node's id in an async function: a promise per row of every page. An id read
// straight off the row is encoded at once; an asynchronous one (a plugin's) is encoded when it settles.
function encodeNodeIdsAtOnce(schema: GraphQLSchema): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || !type.getInterfaces().some((face) => face.name === 'Node')) continue;
    const { pothosOptions } = builder.configStore.getTypeConfig(type.name) as { pothosOptions: { id?: { resolve?: GraphQLFieldResolver<unknown, unknown> } } };
    const idOf = pothosOptions.id?.resolve;
    const field = type.getFields()['id'];
    // A type that implements Node with its own id field (Integration) keeps it.
    if (!idOf || !field) continue;
    const encode = (id: unknown) => encodeGlobalID(type.name, String(id));
    field.resolve = (parent, args, context, info) => {
      const id = idOf(parent, args, context, info);
      return typeof id === 'number' || typeof id === 'string' ? encode(id) : Promise.resolve(id).then(encode);
    };
  }
}

/** Root fields without auth scopes; only `login` and `refreshToken` may be open. Plugins' fields are checked at start-up. */
export function unscopedRootFields(schema: GraphQLSchema): string[] {
  const open = new Set(['Mutation.login', 'Mutation.refreshToken']);
  const unscoped: string[] = [];
  for (const root of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    for (const field of Object.values(root?.getFields() ?? {}) as GraphQLField<unknown, unknown>[]) {
      const options = field.extensions?.['pothosOptions'] as { authScopes?: unknown } | undefined;
      if (!options?.authScopes && !open.has(`${root!.name}.${field.name}`)) unscoped.push(`${root!.name}.${field.name}`);
    }
  }
  return unscoped;
}
