import type { ReadyReply as ReplyRow } from '../../db/types.js';
import {
  createReadyReply,
  createReadyReplyCategory,
  deleteReadyReply,
  deleteReadyReplyCategory,
  readyReplyCategories,
  renameReadyReplyCategory,
  renderReadyReply,
  reorderReadyReplies,
  reorderReadyReplyCategories,
  updateReadyReply,
  type CategoryWithReplies,
} from '../../resolvers/ready-replies.js';
import { builder } from '../builder.js';
import type { AgentContext } from '../context.js';
import { localIdOf, localIdsOf } from '../ids.js';
import { Sector } from './sector.js';

const ReadyReply = builder.objectRef<ReplyRow>('ReadyReply').implement({
  fields: (t) => ({
    id: t.globalID({ resolve: (reply) => ({ type: 'ReadyReply', id: reply.id }) }),
    title: t.exposeString('title', { description: 'At most 30 characters' }),
    body: t.exposeString('body', { description: 'May use {{contact.name}}, {{agent.name}}, {{ticket.protocol}}, {{sector.name}}, {{channel.name}}...' }),
    sectors: t.field({ type: [Sector], description: 'Empty: for every sector', resolve: (reply) => reply.sectorIds.map(String) }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const ReadyReplyCategory = builder.objectRef<CategoryWithReplies>('ReadyReplyCategory').implement({
  fields: (t) => ({
    id: t.globalID({ resolve: (entry) => ({ type: 'ReadyReplyCategory', id: entry.category.id }) }),
    name: t.string({ description: 'At most 60 characters, unique per account', resolve: (entry) => entry.category.name }),
    position: t.int({ resolve: (entry) => entry.category.position }),
    replies: t.field({ type: [ReadyReply], description: 'Those I may use, in order', resolve: (entry) => entry.replies }),
  }),
});

const ReadyReplyInput = builder.inputType('UpdateReadyReplyInput', {
  fields: (t) => ({ categoryId: t.id(), title: t.string(), body: t.string(), sectorIds: t.idList({ description: 'Empty: every sector' }) }),
});

const categoryId = (id: string | number, field = 'id') => localIdOf('ReadyReplyCategory', String(id), field);
const replyId = (id: string | number, field = 'id') => localIdOf('ReadyReply', String(id), field);
const sectorIdsOf = (ids: readonly (string | number)[] | null | undefined, field: string) => (ids ? localIdsOf('Sector', ids.map(String), field) : ids);
async function categoryEntry(context: AgentContext, id: number): Promise<CategoryWithReplies> {
  const entry = (await readyReplyCategories(context.services, context.viewer)).find((item) => item.category.id === id);
  return entry!;
}

builder.queryFields((t) => ({
  readyReplyCategories: t.withAuth({ authenticated: true }).field({
    type: [ReadyReplyCategory],
    description: 'In order; search matches reply titles and bodies (categories without a match are left out)',
    args: { search: t.arg.string() },
    resolve: (_root, { search }, context) => readyReplyCategories(context.services, context.viewer, search),
  }),
  renderReadyReply: t.withAuth({ authenticated: true }).string({
    description: 'The reply with its variables filled in for one of my tickets (a missing value becomes empty)',
    args: { id: t.arg.id({ required: true }), ticketId: t.arg.id({ required: true }) },
    resolve: (_root, { id, ticketId }, context) => renderReadyReply(context.services, context.viewer, replyId(id), localIdOf('Ticket', String(ticketId), 'ticketId')),
  }),
}));

builder.mutationFields((t) => ({
  createReadyReplyCategory: t.field({
    type: ReadyReplyCategory,
    authScopes: { admin: true },
    args: { name: t.arg.string({ required: true }) },
    resolve: (_root, { name }, context) => createReadyReplyCategory(context.services, context.viewer, name),
  }),
  renameReadyReplyCategory: t.withAuth({ admin: true }).field({
    type: ReadyReplyCategory,
    args: { id: t.arg.id({ required: true }), name: t.arg.string({ required: true }) },
    resolve: async (_root, { id, name }, context) => {
      const renamed = await renameReadyReplyCategory(context.services, context.viewer, categoryId(id), name);
      return categoryEntry(context, renamed.id);
    },
  }),
  deleteReadyReplyCategory: t.boolean({
    description: 'A category that holds replies needs confirm: true (its replies go with it); otherwise CONFLICT',
    authScopes: { admin: true },
    args: { id: t.arg.id({ required: true }), confirm: t.arg.boolean({ defaultValue: false }) },
    resolve: (_root, { id, confirm }, context) => deleteReadyReplyCategory(context.services, context.viewer, categoryId(id), confirm ?? false),
  }),
  reorderReadyReplyCategories: t.withAuth({ admin: true }).field({
    type: [ReadyReplyCategory],
    args: { ids: t.arg.idList({ required: true, description: 'Every category, in the new order' }) },
    resolve: async (_root, { ids }, context) => {
      await reorderReadyReplyCategories(context.services, context.viewer, ids.map((id, index) => categoryId(id, `ids.${index}`)));
      return readyReplyCategories(context.services, context.viewer);
    },
  }),
  createReadyReply: t.field({
    type: ReadyReply,
    authScopes: { admin: true },
    args: { categoryId: t.arg.id({ required: true }), title: t.arg.string({ required: true }), body: t.arg.string({ required: true }), sectorIds: t.arg.idList() },
    resolve: (_root, args, context) =>
      createReadyReply(context.services, context.viewer, { ...args, categoryId: categoryId(args.categoryId, 'categoryId'), sectorIds: sectorIdsOf(args.sectorIds, 'sectorIds') }),
  }),
  updateReadyReply: t.field({
    type: ReadyReply,
    authScopes: { admin: true },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: ReadyReplyInput, required: true }) },
    resolve: (_root, { id, input }, context) =>
      updateReadyReply(context.services, context.viewer, replyId(id), {
        ...input,
        categoryId: input.categoryId ? categoryId(input.categoryId, 'input.categoryId') : null,
        sectorIds: sectorIdsOf(input.sectorIds, 'input.sectorIds'),
      }),
  }),
  deleteReadyReply: t.boolean({
    authScopes: { admin: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, context) => deleteReadyReply(context.services, context.viewer, replyId(id)),
  }),
  reorderReadyReplies: t.field({
    type: [ReadyReply],
    authScopes: { admin: true },
    args: { categoryId: t.arg.id({ required: true }), ids: t.arg.idList({ required: true }) },
    resolve: (_root, args, context) =>
      reorderReadyReplies(context.services, context.viewer, categoryId(args.categoryId, 'categoryId'), args.ids.map((id, index) => replyId(id, `ids.${index}`))),
  }),
}));
