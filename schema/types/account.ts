import type { Account as AccountRow } from '../../db/types.js';
import { accountOf, updateAccount } from '../../resolvers/accounts.js';
import { accountIdOf, createAccount, deleteAccount, listAccounts, setAccountSuspended } from '../../resolvers/platform.js';
import { builder } from '../builder.js';
import { pageArgsOf, pageFieldsOf, type PageShape } from '../connections.js';

export const Account = builder.objectRef<AccountRow>('Account').implement({
  description: 'The tenant: every user, sector, channel, contact and ticket belongs to one account',
  fields: (t) => ({
    id: t.exposeID('id', { description: "The account's id" }),
    name: t.exposeString('name', { description: 'Display name' }),
    timeZone: t.exposeString('timeZone', { description: 'IANA time zone; "today" in monitoring starts at midnight here' }),
    locale: t.exposeString('locale', { description: 'BCP 47 language tag, e.g. pt-BR' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the account was created' }),
    suspendedAt: t.expose('suspendedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'Set while the host platform has the account suspended: every token of it is refused, its data stays',
    }),
  }),
});

const AccountEdge = builder.objectRef<{ cursor: string; node: AccountRow }>('AccountEdge').implement({
  description: 'One account of the list and its place in it',
  fields: (t) => ({
    cursor: t.exposeString('cursor', { description: 'Pass it as `after` for the accounts created before this one' }),
    node: t.field({ type: Account, description: 'The account', resolve: (edge) => edge.node }),
  }),
});

const AccountConnection = builder.objectRef<PageShape & { edges: { cursor: string; node: AccountRow }[] }>('AccountConnection').implement({
  description: 'Newest first',
  fields: (t) => ({
    edges: t.field({ type: [AccountEdge], description: 'The accounts of this page, newest first', resolve: (connection) => connection.edges }),
    ...pageFieldsOf(t),
  }),
});

const CreateAccountInput = builder.inputType('CreateAccountInput', {
  description: 'A new tenant (platform)',
  fields: (t) => ({
    name: t.string({ required: true, description: 'At most 120 characters' }),
    timeZone: t.string({ required: false, description: 'IANA time zone; UTC when omitted' }),
    locale: t.string({ required: false, description: 'BCP 47 language tag; en-US when omitted' }),
  }),
});

const UpdateAccountInput = builder.inputType('UpdateAccountInput', {
  description: 'The account settings to change; omitted fields stay as they are',
  fields: (t) => ({
    name: t.string({ required: false, description: 'At most 120 characters' }),
    timeZone: t.string({ required: false, description: 'IANA time zone, e.g. America/Sao_Paulo' }),
    locale: t.string({ required: false, description: 'BCP 47 language tag, e.g. pt-BR' }),
  }),
});

builder.queryFields((t) => ({
  account: t.field({
    type: Account,
    description: "The viewer's account",
    authScopes: { authenticated: true },
    resolve: (_root, _args, context) => accountOf(context.services, context.viewer),
  }),
  accounts: t.field({
    type: AccountConnection,
    description: 'Every account, newest first (platform)',
    authScopes: { platform: true },
    args: pageArgsOf(t.arg),
    resolve: (_root, args, context) => listAccounts(context.services, context.platform, args),
  }),
}));

builder.mutationFields((t) => ({
  updateAccount: t.field({
    type: Account,
    description:
      "Changes the account's name, time zone or locale: an ADMIN their own (no id), the platform the account `id` names; an unknown zone is BAD_USER_INPUT",
    authScopes: { admin: true, platform: true },
    args: {
      id: t.arg.id({ required: false, description: 'The account to change: the platform only (an ADMIN giving it is FORBIDDEN)' }),
      input: t.arg({ type: UpdateAccountInput, required: true, description: 'The settings to change' }),
    },
    resolve: (_root, { id, input }, context) =>
      updateAccount(context.services, context.viewer, input, context.platform, id === null || id === undefined ? null : accountIdOf(id, 'id')),
  }),
  createAccount: t.field({
    type: Account,
    description: 'A new account with its default channel and no users: upsertUser adds them (platform)',
    authScopes: { platform: true },
    args: { input: t.arg({ type: CreateAccountInput, required: true, description: 'Name, time zone and locale of the new account' }) },
    resolve: (_root, { input }, context) => createAccount(context.services, context.platform, input),
  }),
  suspendAccount: t.field({
    type: Account,
    description: "Every token of the account stops at once and its open subscriptions end; its data stays (platform). Again: no change",
    authScopes: { platform: true },
    args: { id: t.arg.id({ required: true, description: 'The account to suspend (Account.id)' }) },
    resolve: (_root, { id }, context) => setAccountSuspended(context.services, context.platform, accountIdOf(id, 'id'), true),
  }),
  resumeAccount: t.field({
    type: Account,
    description: "The account's tokens work again (platform). Again: no change",
    authScopes: { platform: true },
    args: { id: t.arg.id({ required: true, description: 'The account to resume (Account.id)' }) },
    resolve: (_root, { id }, context) => setAccountSuspended(context.services, context.platform, accountIdOf(id, 'id'), false),
  }),
  deleteAccount: t.field({
    type: 'ID',
    description:
      'Removes a suspended account and everything under it: users, contacts, tickets, messages, files, events, webhooks and their deliveries (platform). Answers the id it had; refused (CONFLICT, reason NOT_SUSPENDED) while the account is not suspended',
    authScopes: { platform: true },
    args: { id: t.arg.id({ required: true, description: 'The account to delete (Account.id)' }) },
    resolve: async (_root, { id }, context) => {
      const accountId = accountIdOf(id, 'id');
      await deleteAccount(context.services, context.platform, accountId);
      return id;
    },
  }),
}));
