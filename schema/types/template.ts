import type { Template as TemplateRow } from '../../db/types.js';
import { afterHoursContacts } from '../../resolvers/out-of-hours.js';
import { createTemplate, deleteTemplate, listTemplates, sendTemplateMessage, updateTemplate } from '../../resolvers/templates.js';
import { builder } from '../builder.js';
import { localIdOf } from '../ids.js';
import { Channel } from './channel.js';
import { Contact } from './contact.js';
import { Message } from './message.js';
import { Ticket } from './ticket.js';

const Template = builder.objectRef<TemplateRow>('Template').implement({
  description: 'A WhatsApp-style active message with {{1}}..{{n}} variables',
  fields: (t) => ({
    id: t.globalID({ resolve: (template) => ({ type: 'Template', id: template.id }) }),
    name: t.exposeString('name'),
    language: t.exposeString('language'),
    body: t.exposeString('body'),
    variables: t.int({ description: 'How many {{n}} the body takes', resolve: (template) => [...template.body.matchAll(/\{\{(\d+)\}\}/g)].reduce((max, m) => Math.max(max, Number(m[1])), 0) }),
  }),
});

const CreateTemplateInput = builder.inputType('CreateTemplateInput', {
  fields: (t) => ({ name: t.string({ required: true }), language: t.string({ required: true }), body: t.string({ required: true }) }),
});

const TemplateMessagePayload = builder
  .objectRef<Awaited<ReturnType<typeof sendTemplateMessage>>>('TemplateMessagePayload')
  .implement({
    fields: (t) => ({
      message: t.field({ type: Message, resolve: (payload) => payload.message }),
      ticket: t.field({ type: Ticket, resolve: (payload) => payload.ticket }),
    }),
  });

const CallbackState = builder.enumType('CallbackState', {
  description: 'Where the call-back offer stands on the ticket',
  values: {
    NOT_OFFERED: { description: 'The question was not asked (the channel does not offer call-backs, or a menu was pending)' },
    ASKED: { description: 'Asked; the contact has not answered yet' },
    REQUESTED: { description: 'The contact asked to be called back' },
    DECLINED: { description: 'The contact declined' },
  } as const,
});

const AfterHoursContact = builder.objectRef<Awaited<ReturnType<typeof afterHoursContacts>>[number]>('AfterHoursContact').implement({
  description: 'A contact who wrote while the channel was closed',
  fields: (t) => ({
    wroteAt: t.expose('wroteAt', { type: 'DateTime' }),
    name: t.exposeString('contactName', { nullable: true, description: 'Null when unknown' }),
    phone: t.exposeString('contactPhone', { nullable: true }),
    contact: t.field({ type: Contact, resolve: (row) => String(row.contactId) }),
    channel: t.field({ type: Channel, resolve: (row) => String(row.channelId) }),
    ticket: t.field({ type: Ticket, nullable: true, resolve: (row) => String(row.ticketId) }),
    callbackRequested: t.exposeBoolean('callbackRequested', { nullable: true, description: 'Null when the channel does not offer call-backs, and while unanswered: callbackState tells them apart' }),
    callbackState: t.expose('callbackState', { type: CallbackState }),
    activeMessageSentAt: t.expose('activeMessageSentAt', { type: 'DateTime', nullable: true, description: 'First active message to the contact since' }),
  }),
});

builder.queryFields((t) => ({
  templates: t.withAuth({ authenticated: true }).field({
    type: [Template],
    resolve: (_root, _args, context) => listTemplates(context.services, context.viewer),
  }),
  afterHoursContacts: t.withAuth({ authenticated: true }).field({
    type: [AfterHoursContact],
    description: 'Contacts who wrote outside hours (last 7 days by default), newest first; send one an active message with sendTemplateMessage',
    args: { days: t.arg.int(), channelId: t.arg.id(), userId: t.arg.id({ description: 'As this agent sees them (ADMIN)' }) },
    resolve: (_root, args, context) =>
      afterHoursContacts(context.services, context.viewer, {
        days: args.days,
        channelId: args.channelId ? localIdOf('Channel', String(args.channelId), 'channelId') : null,
        userId: args.userId ? localIdOf('User', String(args.userId), 'userId') : null,
      }),
  }),
}));

builder.mutationFields((t) => ({
  createTemplate: t.field({
    type: Template,
    authScopes: { admin: true },
    args: { input: t.arg({ type: CreateTemplateInput, required: true }) },
    resolve: (_root, { input }, context) => createTemplate(context.services, context.viewer, input),
  }),
  updateTemplate: t.field({
    type: Template,
    authScopes: { admin: true },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: CreateTemplateInput, required: true }) },
    resolve: (_root, { id, input }, context) => updateTemplate(context.services, context.viewer, localIdOf('Template', String(id), 'id'), input),
  }),
  deleteTemplate: t.boolean({
    authScopes: { admin: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, context) => deleteTemplate(context.services, context.viewer, localIdOf('Template', String(id), 'id')),
  }),
  sendTemplateMessage: t.withAuth({ authenticated: true }).field({
    type: TemplateMessagePayload,
    description: "Opens or resumes the contact's ticket on the channel, assigned to me, with the filled template",
    args: { contactId: t.arg.id({ required: true }), templateId: t.arg.id({ required: true }), variables: t.arg.stringList({ required: true }), channelId: t.arg.id() },
    resolve: (_root, args, context) =>
      sendTemplateMessage(context.services, context.viewer, {
        contactId: localIdOf('Contact', String(args.contactId), 'contactId'),
        templateId: localIdOf('Template', String(args.templateId), 'templateId'),
        variables: args.variables,
        channelId: args.channelId ? localIdOf('Channel', String(args.channelId), 'channelId') : null,
      }),
  }),
}));
