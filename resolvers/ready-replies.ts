import { z } from 'zod';
import type { ReadyReply, ReadyReplyCategory } from '../db/types.js';
import { BadUserInputError, ConflictError, NotFoundError } from './errors.js';
import { parseInput } from './input-rules.js';
import { assertAdmin, assertAgent } from './permissions.js';
import type { Services } from './services.js';
import { visibleTicket } from './tickets/queries.js';
import type { Viewer } from './viewer.js';

const categoryName = z.string().trim().min(1, 'A name is required').max(60, 'A category name is at most 60 characters');
const replyTitle = z.string().trim().min(1, 'A title is required').max(30, 'A title is at most 30 characters');
const replyBody = z.string().min(1, 'A body is required').max(20_000, 'At most 20000 characters');

export interface CategoryWithReplies {
  category: ReadyReplyCategory;
  replies: ReadyReply[];
}

function filterOf(viewer: Viewer, search?: string | null) {
  const sectorIds = viewer.kind === 'user' && viewer.role === 'USER' ? viewer.sectorIds : ('all' as const);
  return { sectorIds, search: search ?? undefined };
}

/** The account's categories in order, each with the replies I may use (limited ones only in my sectors). */
export async function readyReplyCategories(services: Services, viewer: Viewer, search?: string | null): Promise<CategoryWithReplies[]> {
  const categories = await services.store.readyReplies.categories(viewer.accountId);
  const replies = await services.store.readyReplies.repliesOf(viewer.accountId, categories.map((category) => category.id), filterOf(viewer, search));
  const all = categories.map((category) => ({ category, replies: replies.get(category.id) ?? [] }));
  return search?.trim() ? all.filter((entry) => entry.replies.length > 0) : all;
}

export async function createReadyReplyCategory(services: Services, viewer: Viewer | null, name: string): Promise<CategoryWithReplies> {
  assertAdmin(viewer);
  const parsed = parseInput(categoryName, name, 'name');
  const at = services.clock.now();
  return services.store.write(async (tx) => {
    if (await tx.readyReplies.categoryNameTaken(viewer.accountId, parsed)) throw new BadUserInputError('name', 'A category with this name exists');
    return { category: await tx.readyReplies.insertCategory(viewer.accountId, parsed, at), replies: [] };
  });
}

export async function renameReadyReplyCategory(services: Services, viewer: Viewer | null, id: number, name: string): Promise<ReadyReplyCategory> {
  assertAdmin(viewer);
  const parsed = parseInput(categoryName, name, 'name');
  return services.store.write(async (tx) => {
    if (!(await tx.readyReplies.categoryById(viewer.accountId, id))) throw new NotFoundError('Ready reply category');
    if (await tx.readyReplies.categoryNameTaken(viewer.accountId, parsed, id)) throw new BadUserInputError('name', 'A category with this name exists');
    const renamed = await tx.readyReplies.renameCategory(viewer.accountId, id, parsed);
    if (!renamed) throw new NotFoundError('Ready reply category');
    return renamed;
  });
}

/** Deleting a category that still holds replies needs `confirm: true`; it is never silent. */
export async function deleteReadyReplyCategory(services: Services, viewer: Viewer | null, id: number, confirm: boolean): Promise<boolean> {
  assertAdmin(viewer);
  return services.store.write(async (tx) => {
    if (!(await tx.readyReplies.categoryById(viewer.accountId, id))) throw new NotFoundError('Ready reply category');
    const replies = await tx.readyReplies.countReplies(id);
    if (replies > 0 && !confirm) {
      throw new ConflictError(`The category holds ${replies} replies; delete it with confirm: true to delete them too`, { reason: 'CONFIRMATION_REQUIRED', replies });
    }
    await tx.readyReplies.deleteCategory(viewer.accountId, id);
    return true;
  });
}

function assertPermutation(given: readonly number[], existing: readonly number[], field: string): void {
  const sorted = (ids: readonly number[]) => [...ids].sort((a, b) => a - b).join(',');
  if (given.length !== new Set(given).size || sorted(given) !== sorted(existing)) throw new BadUserInputError(field, 'List every one of them exactly once');
}

export async function reorderReadyReplyCategories(services: Services, viewer: Viewer | null, ids: readonly number[]): Promise<ReadyReplyCategory[]> {
  assertAdmin(viewer);
  return services.store.write(async (tx) => {
    assertPermutation(ids, (await tx.readyReplies.categories(viewer.accountId)).map((category) => category.id), 'ids');
    await tx.readyReplies.reorderCategories(viewer.accountId, ids);
    return tx.readyReplies.categories(viewer.accountId);
  });
}

export interface ReadyReplyInput {
  categoryId?: number | null;
  title?: string | null;
  body?: string | null;
  sectorIds?: readonly number[] | null;
}

async function assertSectors(services: Services, accountId: number, sectorIds: readonly number[] | null | undefined): Promise<void> {
  if (!sectorIds?.length) return;
  const found = await services.store.sectors.byIds(accountId, sectorIds);
  if (found.length !== new Set(sectorIds).size) throw new BadUserInputError('input.sectorIds', 'Unknown sector');
}

export async function createReadyReply(services: Services, viewer: Viewer | null, input: ReadyReplyInput & { categoryId: number; title: string; body: string }): Promise<ReadyReply> {
  assertAdmin(viewer);
  const title = parseInput(replyTitle, input.title, 'title');
  const body = parseInput(replyBody, input.body, 'body');
  await assertSectors(services, viewer.accountId, input.sectorIds);
  const at = services.clock.now();
  return services.store.write(async (tx) => {
    if (!(await tx.readyReplies.categoryById(viewer.accountId, input.categoryId))) throw new BadUserInputError('categoryId', 'Unknown category');
    const reply = await tx.readyReplies.insertReply({ accountId: viewer.accountId, categoryId: input.categoryId, title, body }, at);
    await tx.readyReplies.setReplySectors(reply.id, [...new Set(input.sectorIds ?? [])]);
    return (await tx.readyReplies.replyById(viewer.accountId, reply.id))!;
  });
}

export async function updateReadyReply(services: Services, viewer: Viewer | null, id: number, input: ReadyReplyInput): Promise<ReadyReply> {
  assertAdmin(viewer);
  const changes = {
    ...(input.title !== undefined && input.title !== null ? { title: parseInput(replyTitle, input.title, 'input.title') } : {}),
    ...(input.body !== undefined && input.body !== null ? { body: parseInput(replyBody, input.body, 'input.body') } : {}),
    ...(input.categoryId ? { categoryId: input.categoryId } : {}),
  };
  await assertSectors(services, viewer.accountId, input.sectorIds);
  const at = services.clock.now();
  return services.store.write(async (tx) => {
    if (!(await tx.readyReplies.replyById(viewer.accountId, id))) throw new NotFoundError('Ready reply');
    if (changes.categoryId && !(await tx.readyReplies.categoryById(viewer.accountId, changes.categoryId))) throw new BadUserInputError('input.categoryId', 'Unknown category');
    await tx.readyReplies.updateReply(viewer.accountId, id, changes, at);
    if (input.sectorIds) await tx.readyReplies.setReplySectors(id, [...new Set(input.sectorIds)]);
    return (await tx.readyReplies.replyById(viewer.accountId, id))!;
  });
}

export async function deleteReadyReply(services: Services, viewer: Viewer | null, id: number): Promise<boolean> {
  assertAdmin(viewer);
  return services.store.write(async (tx) => {
    if (!(await tx.readyReplies.replyById(viewer.accountId, id))) throw new NotFoundError('Ready reply');
    await tx.readyReplies.deleteReply(viewer.accountId, id);
    return true;
  });
}

export async function reorderReadyReplies(services: Services, viewer: Viewer | null, categoryId: number, ids: readonly number[]): Promise<ReadyReply[]> {
  assertAdmin(viewer);
  return services.store.write(async (tx) => {
    if (!(await tx.readyReplies.categoryById(viewer.accountId, categoryId))) throw new NotFoundError('Ready reply category');
    const current = (await tx.readyReplies.repliesOf(viewer.accountId, [categoryId], { sectorIds: 'all' })).get(categoryId) ?? [];
    assertPermutation(ids, current.map((reply) => reply.id), 'ids');
    await tx.readyReplies.reorderReplies(categoryId, ids);
    return (await tx.readyReplies.repliesOf(viewer.accountId, [categoryId], { sectorIds: 'all' })).get(categoryId) ?? [];
  });
}

/** {{group.field}} variables: known ones are filled (an unknown value becomes empty), others stay as written. */
export function renderVariables(body: string, values: Record<string, string | null>): string {
  return body.replace(/\{\{\s*([a-z]+\.[a-zA-Z]+)\s*\}\}/g, (written, key: string) => (key in values ? (values[key] ?? '') : written));
}

/** A ready reply filled in for one of my tickets. */
export async function renderReadyReply(services: Services, viewer: Viewer | null, replyId: number, ticketId: number): Promise<string> {
  assertAgent(viewer);
  const reply = await services.store.readyReplies.replyById(viewer.accountId, replyId);
  const usable = reply && (viewer.role === 'ADMIN' || reply.sectorIds.length === 0 || reply.sectorIds.some((id) => viewer.sectorIds.includes(id)));
  if (!reply || !usable) throw new NotFoundError('Ready reply');
  const ticket = await visibleTicket(services, viewer, ticketId);
  const [contact] = await services.store.contacts.byIds(viewer.accountId, [ticket.contactId]);
  const [agent] = await services.store.users.byIds(viewer.accountId, [viewer.userId]);
  const sector = ticket.sectorId ? await services.store.sectors.byId(viewer.accountId, ticket.sectorId) : null;
  const channel = await services.store.channels.byId(viewer.accountId, ticket.channelId);
  return renderVariables(reply.body, {
    'contact.name': contact?.name ?? null,
    'contact.phone': contact?.phone ?? null,
    'contact.email': contact?.email ?? null,
    'agent.name': agent?.name ?? null,
    'ticket.protocol': String(ticket.protocol),
    'sector.name': sector?.name ?? null,
    'channel.name': channel?.name ?? null,
  });
}
