import type { Account as AccountRow } from '../../db/types.js';
import { accountOf, updateAccount } from '../../resolvers/accounts.js';
import { builder } from '../builder.js';

export const Account = builder.objectRef<AccountRow>('Account').implement({
  description: 'The tenant: every user, sector, channel, contact and ticket belongs to one account',
  fields: (t) => ({
    id: t.exposeID('id', { description: "The account's id" }),
    name: t.exposeString('name', { description: 'Display name' }),
    timeZone: t.exposeString('timeZone', { description: 'IANA time zone; "today" in monitoring starts at midnight here' }),
    locale: t.exposeString('locale', { description: 'BCP 47 language tag, e.g. pt-BR' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the account was created' }),
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
}));

builder.mutationFields((t) => ({
  updateAccount: t.field({
    type: Account,
    description: "Changes the account's name, time zone or locale (ADMIN); an unknown zone is BAD_USER_INPUT",
    authScopes: { admin: true },
    args: { input: t.arg({ type: UpdateAccountInput, required: true }) },
    resolve: (_root, { input }, context) => updateAccount(context.services, context.viewer, input),
  }),
}));
