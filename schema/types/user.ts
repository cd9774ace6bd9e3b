import type { User as UserRow } from '../../db/types.js';
import { login } from '../../resolvers/auth/login.js';
import { logout, refreshSession } from '../../resolvers/auth/sessions.js';
import {
  changeMyPassword,
  createUser,
  listUsers,
  setMyStatus,
  setUserSectors,
  updateMyProfile,
  updateUser,
  usersByIds,
} from '../../resolvers/users.js';
import { accountIdOf, upsertUser } from '../../resolvers/platform.js';
import { builder } from '../builder.js';
import { localIdOf, localIdsOf, optionalLocalIdOf } from '../ids.js';
import { WorkingHours, WorkingHoursInput } from './working-hours.js';

export const Role = builder.enumType('Role', { values: ['ADMIN', 'USER'] as const });
export const AgentStatus = builder.enumType('AgentStatus', { values: ['ONLINE', 'PAUSED', 'INVISIBLE', 'OFFLINE'] as const });

export const User = builder.loadableNode('User', {
  description: 'An agent (USER) or manager (ADMIN) of the account',
  id: { resolve: (user: UserRow) => user.id },
  load: (ids: string[], context) => (context.viewer ? usersByIds(context.services, context.viewer, ids.map(Number)) : Promise.resolve([])),
  sort: (user) => String(user.id),
  fields: (t) => ({
    name: t.exposeString('name'),
    externalId: t.exposeString('externalId', { nullable: true, description: "The host platform's id for this user (upsertUser, single sign-on); unique within the account" }),
    email: t.exposeString('email'),
    role: t.expose('role', { type: Role }),
    active: t.exposeBoolean('active', { description: 'A deactivated user cannot sign in; their tokens stop working at once' }),
    status: t.expose('status', { type: AgentStatus }),
    statusChangedAt: t.expose('statusChangedAt', { type: 'DateTime' }),
    avatarUrl: t.exposeString('avatarUrl', { nullable: true }),
    phone: t.exposeString('phone', { nullable: true }),
    canDismissWaiting: t.exposeBoolean('canDismissWaiting', { description: 'May close WAITING tickets without attending them' }),
    canViewAllContacts: t.exposeBoolean('canViewAllContacts'),
    canMonitor: t.exposeBoolean('canMonitor', { description: 'May watch monitoring for their sectors' }),
    canViewUnsectored: t.exposeBoolean('canViewUnsectored', {
      description: 'A USER who also sees the potentials: WAITING tickets without a sector, only while they wait unsectored',
    }),
    maxConcurrentTickets: t.exposeInt('maxConcurrentTickets', { nullable: true, description: 'Null: no limit' }),
    workingHours: t.field({
      type: WorkingHours,
      nullable: true,
      description: 'Null: never limited by hours',
      resolve: (user) => user.workingHours,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const userSettingsFields = (t: Parameters<Parameters<typeof builder.inputType>[1]['fields']>[0]) => ({
  avatarUrl: t.string({ required: false }),
  phone: t.string({ required: false }),
  active: t.boolean({ required: false }),
  canDismissWaiting: t.boolean({ required: false }),
  canViewAllContacts: t.boolean({ required: false }),
  canMonitor: t.boolean({ required: false }),
  canViewUnsectored: t.boolean({ required: false }),
  maxConcurrentTickets: t.int({ required: false }),
  workingHours: t.field({ type: WorkingHoursInput, required: false }),
});

const CreateUserInput = builder.inputType('CreateUserInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    email: t.string({ required: true }),
    password: t.string({ required: true, description: 'At least 8 characters with a digit, an upper- and a lower-case letter' }),
    role: t.field({ type: Role, required: true }),
    sectorIds: t.idList({ required: false }),
    ...userSettingsFields(t),
  }),
});

const UpdateUserInput = builder.inputType('UpdateUserInput', {
  description: 'Omitted fields stay as they are; null clears the optional ones',
  fields: (t) => ({
    name: t.string({ required: false }),
    email: t.string({ required: false }),
    password: t.string({ required: false }),
    role: t.field({ type: Role, required: false }),
    ...userSettingsFields(t),
  }),
});

const UpdateMyProfileInput = builder.inputType('UpdateMyProfileInput', {
  fields: (t) => ({
    name: t.string({ required: false }),
    avatarUrl: t.string({ required: false }),
    phone: t.string({ required: false }),
  }),
});

const UpsertUserInput = builder.inputType('UpsertUserInput', {
  description: "A user of the host platform, by its id: name, email and role are required to create one; omitted fields stay as they are",
  fields: (t) => ({
    externalId: t.string({ required: true, description: '1 to 128 printable ASCII characters without spaces' }),
    name: t.string({ required: false, description: 'How colleagues and contacts see them' }),
    email: t.string({ required: false, description: 'Unique across accounts (it is the login of password users)' }),
    role: t.field({ type: Role, required: false, description: 'ADMIN or USER' }),
    sectorIds: t.idList({ required: false, description: "Replaces the user's sectors; sectors of the account only" }),
    active: t.boolean({ required: false, description: 'false ends their sessions and live subscriptions at once' }),
  }),
});

const AuthPayload = builder
  .objectRef<{ token: string; expiresAt: Date; refreshToken: string; user: UserRow }>('AuthPayload')
  .implement({
    fields: (t) => ({
      token: t.exposeString('token', { description: 'Send as Authorization: Bearer <token>' }),
      expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
      refreshToken: t.exposeString('refreshToken', {
        description: 'Trade it for a new token before expiresAt with refreshToken(token:); it works once, and a second use ends the session',
      }),
      user: t.field({ type: User, resolve: (payload) => payload.user }),
    }),
  });

builder.queryFields((t) => ({
  me: t.withAuth({ authenticated: true }).field({
    type: User,
    resolve: async (_root, _args, context) => {
      const [me] = await usersByIds(context.services, context.viewer, [context.viewer.userId]);
      return me!;
    },
  }),
  users: t.field({
    type: [User],
    description: 'Every user of the account, by name',
    authScopes: { admin: true },
    resolve: (_root, _args, context) => listUsers(context.services, context.viewer),
  }),
}));

builder.mutationFields((t) => ({
  login: t.field({
    type: AuthPayload,
    description: 'Failed attempts are throttled per e-mail and per IP',
    args: { email: t.arg.string({ required: true }), password: t.arg.string({ required: true }) },
    resolve: (_root, { email, password }, context) => login(context.services, email, password, context.clientIp),
  }),
  refreshToken: t.field({
    type: AuthPayload,
    description: 'A new access token and the next refresh token of the session; the presented one stops working',
    args: { token: t.arg.string({ required: true }) },
    resolve: (_root, { token }, context) => refreshSession(context.services, token, context.clientIp),
  }),
  logout: t.withAuth({ authenticated: true }).field({
    type: 'Boolean',
    description: "Ends this token's session: its refresh token stops working (the access token lapses at its expiry)",
    resolve: (_root, _args, context) => logout(context.services, context.viewer),
  }),
  createUser: t.field({
    type: User,
    authScopes: { admin: true },
    args: { input: t.arg({ type: CreateUserInput, required: true }) },
    resolve: (_root, { input }, context) =>
      createUser(context.services, context.viewer, {
        ...input,
        sectorIds: localIdsOf('Sector', (input.sectorIds ?? []).map(String), 'input.sectorIds'),
      }),
  }),
  updateUser: t.field({
    type: User,
    authScopes: { admin: true },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateUserInput, required: true }) },
    resolve: (_root, { id, input }, context) => updateUser(context.services, context.viewer, localIdOf('User', String(id), 'id'), input),
  }),
  setUserSectors: t.field({
    type: User,
    authScopes: { admin: true },
    args: { userId: t.arg.id({ required: true }), sectorIds: t.arg.idList({ required: true }) },
    resolve: (_root, { userId, sectorIds }, context) =>
      setUserSectors(
        context.services,
        context.viewer,
        localIdOf('User', String(userId), 'userId'),
        localIdsOf('Sector', sectorIds.map(String), 'sectorIds'),
      ),
  }),
  upsertUser: t.field({
    type: User,
    description: 'Creates the user of the account with this externalId, or updates the one it has (platform)',
    authScopes: { platform: true },
    args: {
      accountId: t.arg.id({ required: true, description: 'The account of the user (Account.id); unknown is NOT_FOUND' }),
      input: t.arg({ type: UpsertUserInput, required: true, description: 'The host id and the fields to set' }),
    },
    resolve: (_root, { accountId, input }, context) =>
      upsertUser(context.services, context.platform, accountIdOf(accountId, 'accountId'), {
        ...input,
        sectorIds: input.sectorIds ? localIdsOf('Sector', input.sectorIds.map(String), 'input.sectorIds') : input.sectorIds,
      }),
  }),
  setMyStatus: t.field({
    type: User,
    authScopes: { authenticated: true },
    description: 'pauseReasonId (one of pauseReasons) may go with PAUSED only; with any other status it is BAD_USER_INPUT',
    args: { status: t.arg({ type: AgentStatus, required: true }), pauseReasonId: t.arg.id({ required: false }) },
    resolve: (_root, { status, pauseReasonId }, context) =>
      setMyStatus(context.services, context.viewer, status, optionalLocalIdOf('PauseReason', pauseReasonId, 'pauseReasonId')),
  }),
  updateMyProfile: t.field({
    type: User,
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: UpdateMyProfileInput, required: true }) },
    resolve: (_root, { input }, context) => updateMyProfile(context.services, context.viewer, input),
  }),
  changeMyPassword: t.field({
    type: User,
    authScopes: { authenticated: true },
    args: { currentPassword: t.arg.string({ required: true }), newPassword: t.arg.string({ required: true }) },
    resolve: (_root, { currentPassword, newPassword }, context) =>
      changeMyPassword(context.services, context.viewer, currentPassword, newPassword, context.clientIp),
  }),
}));
