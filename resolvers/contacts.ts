import { z } from 'zod';
import type { Contact } from '../db/types.js';
import { NotFoundError } from './errors.js';
import { recordEvent } from './events.js';
import * as rules from './input-rules.js';
import { assertAgent } from './permissions.js';
import type { Services } from './services.js';
import { actorOf } from './tickets/common.js';
import { tagList } from './tickets/conversation.js';
import type { Viewer } from './viewer.js';

export interface ContactInput {
  name?: string | null;
  email?: string | null;
  city?: string | null;
  document?: string | null;
  notes?: string | null;
  tags?: readonly string[] | null;
}

const contactRules = {
  name: z.string().trim().max(120, 'Name is at most 120 characters'),
  email: rules.email,
  city: z.string().trim().max(120, 'City is at most 120 characters'),
  document: z.string().trim().max(40, 'Document is at most 40 characters'),
  notes: z.string().max(4000, 'Notes are at most 4000 characters'),
};

/** Contacts belong to the account; which of their tickets a viewer sees is the ticket rule's job. */
export async function contactsByIds(services: Services, viewer: Viewer, ids: readonly number[]): Promise<Contact[]> {
  return services.store.contacts.byIds(viewer.accountId, ids);
}

export async function tagsOfContacts(services: Services, contactIds: readonly number[]): Promise<Map<number, string[]>> {
  return services.store.contacts.tagsOf(contactIds);
}

export async function updateContact(services: Services, viewer: Viewer | null, contactId: number, input: ContactInput): Promise<Contact> {
  assertAgent(viewer);
  const changes = rules.parseFields(contactRules, input);
  const tags = input.tags === undefined || input.tags === null ? undefined : rules.parseInput(tagList, input.tags, 'input.tags');
  const at = services.clock.now();
  return services.store.write(async (tx) => {
    const contact = await tx.contacts.update(viewer.accountId, contactId, changes, at);
    if (!contact) throw new NotFoundError('Contact');
    if (tags) await tx.contacts.replaceTags(contactId, tags);
    const changed = [...Object.keys(changes), ...(tags ? ['tags'] : [])];
    await recordEvent(tx, at, viewer.accountId, 'contact.updated', { contactId, actor: actorOf(viewer), changed });
    return contact;
  });
}
