import type { Contact as ContactRow } from '../../db/types.js';
import { contactsByIds, tagsOfContacts, updateContact } from '../../resolvers/contacts.js';
import { eraseContact, exportContact } from '../../resolvers/personal-data.js';
import { builder } from '../builder.js';
import { localIdOf } from '../ids.js';
import { tagsLoader, tagsRelationOf } from '../page-relations.js';

const contactTagsLoader = tagsLoader((ids, context) => tagsOfContacts(context.services, ids));

export const Contact = builder.loadableNode('Contact', {
  description: 'Someone who writes to the account; kept forever',
  id: { resolve: (contact: ContactRow) => contact.id },
  load: (ids: string[], context) => (context.viewer ? contactsByIds(context.services, context.viewer, ids.map(Number)) : Promise.resolve([])),
  sort: (contact) => String(contact.id),
  fields: (t) => ({
    name: t.exposeString('name', { nullable: true, description: 'Null while unknown' }),
    phone: t.exposeString('phone', { nullable: true, description: 'Digits only' }),
    email: t.exposeString('email', { nullable: true }),
    city: t.exposeString('city', { nullable: true }),
    document: t.exposeString('document', { nullable: true }),
    externalId: t.exposeString('externalId', { nullable: true }),
    notes: t.exposeString('notes', { nullable: true }),
    lastInteractionAt: t.expose('lastInteractionAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    erasedAt: t.expose('erasedAt', { type: 'DateTime', nullable: true, description: 'When an ADMIN erased the personal data (eraseContact); null otherwise' }),
    // As the page that handed out this contact read them, else batched with the operation's other contacts.
    tags: t.field({
      type: ['String'],
      resolve: (contact, _args, context) => tagsRelationOf(context, contact, 'contactTags', contact.id, contactTagsLoader),
    }),
  }),
});

const UpdateContactInput = builder.inputType('UpdateContactInput', {
  fields: (t) => ({
    name: t.string({ required: false }),
    email: t.string({ required: false }),
    city: t.string({ required: false }),
    document: t.string({ required: false }),
    notes: t.string({ required: false }),
    tags: t.stringList({ required: false, description: 'Replaces the tags' }),
  }),
});

builder.mutationFields((t) => ({
  updateContact: t.field({
    type: Contact,
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateContactInput, required: true }) },
    resolve: (_root, { id, input }, context) => updateContact(context.services, context.viewer, localIdOf('Contact', String(id), 'id'), input),
  }),
  eraseContact: t.field({
    type: Contact,
    description:
      "ADMIN: removes the contact's personal data (name, phone, e-mail, document, city, notes, tags, external id) and their tickets' message bodies, attachments and rating comments, from search, transcripts and stored webhook bodies too. Tickets, their counts and timings stay. Refused (CONFLICT, reason LIVE_TICKETS) while a ticket of theirs is WAITING or OPEN.",
    authScopes: { admin: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, context) => eraseContact(context.services, context.viewer, localIdOf('Contact', String(id), 'id')),
  }),
}));

builder.queryFields((t) => ({
  exportContact: t.field({
    type: 'JSONObject',
    description:
      'ADMIN: everything stored about the contact, as one JSON document for them (data portability): their details and tags, and each ticket with its messages, history and rating.',
    authScopes: { admin: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, context) => exportContact(context.services, context.viewer, localIdOf('Contact', String(id), 'id')),
  }),
}));
