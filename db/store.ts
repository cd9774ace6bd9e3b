import type BetterSqlite3 from 'better-sqlite3';
import { openSqliteStore } from './sqlite/store.js';
import { defaultPoolSize } from './postgres/client.js';
import { openPostgresStore } from './postgres/store.js';
import type { StorageFailure } from './storage-failure.js';
import type {
  AbsenceSetting, Account, AfterHoursRow, AutoReplyKind, Channel, ChannelChanges, Contact, ContactChanges, ContactCursor, ContactFilter,
  CommittedEvent, ContactErasure, ContactRecord, DeliveryOutcome, Integration, IntegrationOfToken, IntegrationScope, Message, MonitorScope, NewChannel, NewContact, NewMessage, NewOutboxEvent, NewSector,
  NewTicket, NewTicketHistoryEntry, NewUser, NewWebhook, NewWebhookDelivery, OutboxEvent, OutboxFailure, ReadyReply, ReadyReplyCategory,
  ReplyFilter, Sector, SectorChanges, StoredToken, Template, Ticket, TicketChanges, TicketCounts, TicketHistoryEntry, TicketPage,
  PageDirection, TicketPageCursor, TicketRating, TicketScope, TicketStatus, TicketTab, TodayFigures, User, UserChanges, UserWithSecret, UserWithSectors,
  Webhook, WebhookChanges, WebhookDelivery, WebhookDeliveryStatus, RefreshToken, NewRefreshToken, AgentStatus, PauseReason, PausedTime,
  NewNotification, Notification, RoutingDecision, PersistedOperation, Lease,
} from './types.js';
import type { StoredAttachment } from './types.js';
import type { ReadingUser, TicketPageOptions, TicketView } from './types.js';

// The contract every storage engine implements (db/sqlite/ today): plain types in, plain types out.
// The same reads run inside a write transaction, where they see its uncommitted changes.

export interface AccountQueries {
  count(): Promise<number>;
  byId(id: number): Promise<Account | null>;
  /** Those of the accounts the platform has suspended now (primary-key lookups): their outbound work waits or is skipped. */
  suspendedAmong(ids: readonly number[]): Promise<number[]>;
  /** Every account, newest first (the platform's list). */
  page(size: number, cursorId?: number, direction?: PageDirection): Promise<{ accounts: Account[]; hasMore: boolean }>;
  update(id: number, changes: Partial<Pick<Account, 'name' | 'timeZone' | 'locale'>>): Promise<Account | null>;
  /** Conditional: suspends an active account (or resumes a suspended one, `at` null); null when it was already so or is missing. */
  setSuspended(id: number, at: Date | null): Promise<Account | null>;
  insert(account: { name: string; timeZone: string; locale?: string }, at: Date): Promise<Account>;
}

export interface UserQueries {
  /** The user behind a token, with their sector ids; no account filter since the id is the key. */
  withSectors(id: number): Promise<UserWithSectors | null>;
  byId(accountId: number, id: number): Promise<User | null>;
  byIds(accountId: number, ids: readonly number[]): Promise<User[]>;
  /** The account's user with the host platform's id `externalId`; never looks outside the account. */
  byExternalId(accountId: number, externalId: string): Promise<User | null>;
  byEmailWithSecret(email: string): Promise<UserWithSecret | null>;
  secretOf(accountId: number, id: number): Promise<string | null>;
  list(accountId: number): Promise<User[]>;
  emailTaken(email: string, exceptUserId?: number): Promise<boolean>;
  countActiveAdmins(accountId: number): Promise<number>;
  /** Sector ids per user, for many users in one statement. */
  sectorIdsOfUsers(userIds: readonly number[]): Promise<Map<number, number[]>>;
  insert(user: NewUser, at: Date): Promise<User>;
  update(accountId: number, id: number, changes: UserChanges, at: Date): Promise<User | null>;
  replaceSectors(userId: number, sectorIds: readonly number[]): Promise<void>;
}

export interface SectorQueries {
  byId(accountId: number, id: number): Promise<Sector | null>;
  byIds(accountId: number, ids: readonly number[]): Promise<Sector[]>;
  list(accountId: number): Promise<Sector[]>;
  /** Case-insensitive, as the unique index is. */
  nameTaken(accountId: number, name: string, exceptSectorId?: number): Promise<boolean>;
  /** The agents of many sectors in one statement, grouped by sector id. */
  agentsOfSectors(accountId: number, sectorIds: readonly number[]): Promise<Map<number, User[]>>;
  insert(sector: NewSector, at: Date): Promise<Sector>;
  markAssigned(id: number, userId: number): Promise<void>;
  update(accountId: number, id: number, changes: SectorChanges): Promise<Sector | null>;
}

export interface ChannelQueries {
  byId(accountId: number, id: number): Promise<Channel | null>;
  byIds(accountId: number, ids: readonly number[]): Promise<Channel[]>;
  list(accountId: number): Promise<Channel[]>;
  defaultOf(accountId: number): Promise<Channel | null>;
  insert(channel: NewChannel, at: Date): Promise<Channel>;
  update(accountId: number, id: number, changes: ChannelChanges): Promise<Channel | null>;
}

export interface IntegrationQueries {
  byId(id: number): Promise<Integration | null>;
  /** The integration whose token hashes to `tokenHash` (revoked ones too, so the caller can say so). */
  byTokenHash(tokenHash: string): Promise<IntegrationOfToken | null>;
  list(accountId: number): Promise<Integration[]>;
  insert(integration: { accountId: number; name: string; scopes: IntegrationScope[]; createdById: number | null } & StoredToken, at: Date): Promise<Integration>;
  /** Revokes once; a second call finds nothing to change and returns null. */
  revoke(accountId: number, id: number, at: Date): Promise<Integration | null>;
  /** Replaces the token of a live integration (the old one stops matching); null when missing or revoked. */
  replaceToken(accountId: number, id: number, token: StoredToken): Promise<Integration | null>;
  /** Marks the integration used at `at`, unless it already was since `unlessSince`: concurrent requests write once. */
  markUsed(id: number, at: Date, unlessSince: Date): Promise<void>;
}

/**
 * A transaction's events as each engine's store appends them under the outbox's order (an advisory
 * lock on PostgreSQL, the one writer on SQLite): their rows, each after the first carrying the first's
 * id as commit id, and for each of their accounts the event before them (0 for none), that is, the
 * account's previous commit.
 */
export interface InsertedCommit {
  events: OutboxEvent[];
  precededBy: Map<number, number>;
}

export interface OutboxQueries {
  count(accountId: number): Promise<number>;
  /** Events recorded after `eventId`, oldest first: what a consumer has not read yet. */
  after(eventId: number, limit: number): Promise<OutboxEvent[]>;
  lastEventId(): Promise<number>;
  /** The account's newest event id, 0 when none is kept: asked under the outbox's order, it is the account's previous commit. */
  latestOfAccount(accountId: number): Promise<number>;
  /** One account's events recorded after `eventId`, oldest first: what a resuming subscriber missed. */
  ofAccountAfter(accountId: number, eventId: number, limit: number): Promise<CommittedEvent[]>;
  /** The highest event id ever recorded, pruned or not. */
  issuedThrough(): Promise<number>;
  /** Whether the event is still kept (not pruned). */
  keeps(eventId: number): Promise<boolean>;
  /** The message.created event of each message still kept, in one read: message id -> outbox id. */
  eventIdsOfMessages(accountId: number, messageIds: readonly number[]): Promise<Map<number, number>>;
  /** For each consumer, how many recorded events it has not handled yet. */
  consumerLags(): Promise<{ consumer: string; events: number }[]>;
  /** Events set aside after every retry failed (dead letters), by consumer. */
  failureCounts(): Promise<{ consumer: string; count: number }[]>;
  cursorOf(consumer: string): Promise<number | null>;
  /** A new consumer starts at `eventId`; an existing one keeps its place. */
  registerConsumer(consumer: string, eventId: number, at: Date): Promise<void>;
  /** Moves forward only, so a slow writer can never move a cursor back. */
  advanceConsumer(consumer: string, eventId: number, at: Date): Promise<void>;
  /** Deletes events every consumer has passed (up to `upToId`) that are older than `before`. */
  prune(upToId: number, before: Date): Promise<number>;
  recordFailure(failure: OutboxFailure): Promise<void>;
}

/**
 * Leases of jobs that run on one instance at a time (the outbox relay), taken and renewed by one
 * conditional upsert. Judged by the database's clock, so instances whose clocks disagree still agree
 * on expiry; `at` replaces that clock (tests).
 */
export interface LeaseQueries {
  /**
   * Takes the lease for `holder` for `durationMs`, or renews it when `holder` has it already: only
   * when it is free, expired or its own. Returns the lease as it stands after, whoever holds it.
   */
  take(name: string, holder: string, durationMs: number, at?: Date): Promise<Lease>;
  /** Ends `holder`'s lease at once (a clean stop), so another instance takes over without waiting; false when it held none. */
  release(name: string, holder: string): Promise<boolean>;
  byName(name: string): Promise<Lease | null>;
}

export interface ContactQueries {
  /** Newest interaction first, id breaking ties. */
  page(accountId: number, visibleThrough: TicketScope | 'all', filter: ContactFilter, size: number, cursor?: ContactCursor, direction?: PageDirection): Promise<{ contacts: Contact[]; hasMore: boolean }>;
  count(accountId: number, visibleThrough: TicketScope | 'all', filter: ContactFilter): Promise<number>;
  /** The contact's messages across the tickets the scope sees, since `since`, newest first. */
  timeline(scope: TicketScope, contactId: number, since: Date, size: number, cursorId?: number, direction?: PageDirection): Promise<{ messages: Message[]; hasMore: boolean }>;
  timelineCount(scope: TicketScope, contactId: number, since: Date): Promise<number>;
  /** The agent serving the contact now (an OPEN ticket on any channel), if any. */
  servedBy(accountId: number, contactId: number): Promise<number | null>;
  /** The ones among `ids` a reader may see (the same rule as the contact list). */
  byIdsVisible(accountId: number, visibleThrough: TicketScope | 'all', ids: readonly number[]): Promise<Contact[]>;
  byIds(accountId: number, ids: readonly number[]): Promise<Contact[]>;
  byPhone(accountId: number, phone: string): Promise<Contact | null>;
  insert(contact: NewContact, at: Date): Promise<Contact>;
  update(accountId: number, id: number, changes: ContactChanges, at: Date): Promise<Contact | null>;
  tagsOf(contactIds: readonly number[]): Promise<Map<number, string[]>>;
  replaceTags(contactId: number, tags: readonly string[]): Promise<void>;
}

export interface TicketQueries {
  byIdsInScope(scope: TicketScope, ids: readonly number[]): Promise<Ticket[]>;
  byIdInScope(scope: TicketScope, id: number): Promise<Ticket | null>;
  /**
   * ticket(id) whole, or null when missing or outside the scope: the ticket with its contact and sector,
   * and its `messagesSize` newest messages unless null, as few statements as the engine can.
   */
  viewInScope(scope: TicketScope, id: number, messagesSize: number | null): Promise<TicketView | null>;
  /** viewInScope with the user `userId` read beside it (ReadingUser): schema/viewer-confirmation.ts confirms the viewer with it. */
  viewInScopeReadingUser(scope: TicketScope, id: number, messagesSize: number | null, userId: number): Promise<ReadingUser<TicketView | null>>;
  /**
   * A tab page, newest activity first (id breaks ties), reading at most first+1 entries per branch;
   * with `withTotal`, the tab's count too where the engine can fold it in (else `total` is absent).
   */
  page(scope: TicketScope, tab: TicketTab, size: number, cursor?: TicketPageCursor, direction?: PageDirection, options?: TicketPageOptions): Promise<TicketPage>;
  /** page with the user `userId` read beside it (ReadingUser). */
  pageReadingUser(userId: number, scope: TicketScope, tab: TicketTab, size: number, cursor?: TicketPageCursor, direction?: PageDirection, options?: TicketPageOptions): Promise<ReadingUser<TicketPage>>;
  /** How many tickets the tab holds; from the count tables unless a search or filter narrows it. */
  count(scope: TicketScope, tab: TicketTab): Promise<number>;
  /** The three tab counts: WAITING and CLOSED as visible, OPEN = assigned to me. */
  tabCounts(scope: TicketScope): Promise<TicketCounts>;
  /** tabCounts with the user `userId` read beside it (ReadingUser). */
  tabCountsReadingUser(scope: TicketScope, userId: number): Promise<ReadingUser<TicketCounts>>;
  /** WAITING tickets the scope sees in each of these sectors (absent: none), from the count table in one statement. */
  waitingBySector(scope: TicketScope, sectorIds: readonly number[]): Promise<Map<number, number>>;
  /** Open tickets (OPEN) assigned to a user, for the max-concurrent check. */
  openCountOf(accountId: number, userId: number): Promise<number>;
  /** The contact's tickets the scope may see, newest activity first. */
  ofContact(scope: TicketScope, contactId: number, size: number, cursor?: TicketPageCursor, direction?: PageDirection): Promise<TicketPage>;
  countOfContact(scope: TicketScope, contactId: number): Promise<number>;
  /** The oldest waiting ticket of the sectors (queue order), or null; where writers run together, the oldest no other writer holds. */
  oldestWaiting(accountId: number, sectorIds: readonly number[]): Promise<Ticket | null>;
  /** The contact's live (WAITING or OPEN) ticket on a channel: where new messages go. */
  liveOf(accountId: number, contactId: number, channelId: number): Promise<Ticket | null>;
  nextProtocol(accountId: number): Promise<number>;
  insert(ticket: NewTicket, protocol: number): Promise<Ticket>;
  /**
   * A conditional write: changes the ticket only while it is still in `expected` state, so two
   * racing transitions cannot both apply. Null when the state moved on.
   */
  transition(id: number, expected: { status: TicketStatus; assigneeId?: number | null }, changes: TicketChanges): Promise<Ticket | null>;
  update(id: number, changes: TicketChanges): Promise<Ticket>;
  tagsOf(ticketIds: readonly number[]): Promise<Map<number, string[]>>;
  replaceTags(ticketId: number, tags: readonly string[]): Promise<void>;
}

export interface MessageQueries {
  byIds(accountId: number, ids: readonly number[]): Promise<Message[]>;
  /** A ticket's messages, newest first; the caller has already checked the ticket is visible. */
  pageOf(ticketId: number, size: number, cursorId?: number, direction?: PageDirection): Promise<{ messages: Message[]; hasMore: boolean }>;
  /** When the contact last wrote on any of their tickets of a channel (null: never). */
  lastInboundAt(contactId: number, channelId: number | null): Promise<Date | null>;
  countOf(ticketId: number): Promise<number>;
  /** A whole conversation, oldest first, up to `limit` messages. */
  allOf(ticketId: number, limit: number): Promise<Message[]>;
  byExternalId(accountId: number, externalId: string): Promise<Message | null>;
  insert(message: NewMessage): Promise<Message>;
  insertAttachments(attachments: readonly StoredAttachment[]): Promise<void>;
  attachmentById(accountId: number, id: string): Promise<StoredAttachment | null>;
  historyOf(ticketIds: readonly number[]): Promise<Map<number, TicketHistoryEntry[]>>;
  recordHistory(entry: NewTicketHistoryEntry): Promise<TicketHistoryEntry>;
}

export interface IntakeQueries {
  absenceOf(userId: number): Promise<AbsenceSetting | null>;
  /** Absences of many users in one statement; users without one are absent from the map. */
  absencesOf(userIds: readonly number[]): Promise<Map<number, AbsenceSetting>>;
  saveAbsence(setting: AbsenceSetting): Promise<AbsenceSetting>;
  /** Claims an automatic reply for a ticket; false when it was already sent (exactly once, race-free). */
  claimAutoReply(ticketId: number, kind: AutoReplyKind, ref: number, at: Date): Promise<boolean>;
  hasAutoReply(ticketId: number, kind: AutoReplyKind, ref: number): Promise<boolean>;
  autoRepliesOf(ticketId: number, kind: AutoReplyKind): Promise<number>;
  /** One row per ticket: the first time its contact wrote while the channel was closed. */
  recordAfterHours(row: { accountId: number; channelId: number; contactId: number; ticketId: number; wroteAt: Date }): Promise<void>;
  /** Contacts who wrote outside hours since `since`, newest first, through the ticket visibility rule. */
  afterHours(scope: TicketScope, since: Date, channelId: number | null, limit: number): Promise<AfterHoursRow[]>;
  /** Active agents of a sector, for routing; the caller judges availability. */
  agentsOfSector(accountId: number, sectorId: number): Promise<User[]>;
  /** OPEN tickets per agent, for capacity and LEAST_BUSY, from the count table. */
  openCountsOf(accountId: number, userIds: readonly number[]): Promise<Map<number, number>>;
  /** The account's routing decisions run one at a time from here until the transaction ends: each reads what the one before handed out. */
  takeRoutingTurn(accountId: number): Promise<void>;
}

export interface TemplateQueries {
  byId(accountId: number, id: number): Promise<Template | null>;
  list(accountId: number): Promise<Template[]>;
  exists(accountId: number, name: string, language: string, exceptId?: number): Promise<boolean>;
  update(accountId: number, id: number, changes: Partial<Pick<Template, 'name' | 'language' | 'body'>>): Promise<Template | null>;
  delete(accountId: number, id: number): Promise<boolean>;
  insert(template: Omit<Template, 'id'>): Promise<Template>;
}

export interface ReadyReplyQueries {
  categories(accountId: number): Promise<ReadyReplyCategory[]>;
  categoryById(accountId: number, id: number): Promise<ReadyReplyCategory | null>;
  categoryNameTaken(accountId: number, name: string, exceptId?: number): Promise<boolean>;
  insertCategory(accountId: number, name: string, at: Date): Promise<ReadyReplyCategory>;
  renameCategory(accountId: number, id: number, name: string): Promise<ReadyReplyCategory | null>;
  deleteCategory(accountId: number, id: number): Promise<void>;
  reorderCategories(accountId: number, ids: readonly number[]): Promise<void>;
  countReplies(categoryId: number): Promise<number>;
  /** Replies of these categories a filter admits, in their order, grouped by category. */
  repliesOf(accountId: number, categoryIds: readonly number[], filter: ReplyFilter): Promise<Map<number, ReadyReply[]>>;
  replyById(accountId: number, id: number): Promise<ReadyReply | null>;
  insertReply(reply: { accountId: number; categoryId: number; title: string; body: string }, at: Date): Promise<ReadyReply>;
  updateReply(accountId: number, id: number, changes: Partial<Pick<ReadyReply, 'title' | 'body' | 'categoryId'>>, at: Date): Promise<void>;
  setReplySectors(replyId: number, sectorIds: readonly number[]): Promise<void>;
  deleteReply(accountId: number, id: number): Promise<void>;
  reorderReplies(categoryId: number, ids: readonly number[]): Promise<void>;
}

export interface MonitoringQueries {
  /** Every figure of the panel for [since, now]; each a range on an index of one instant. */
  today(scope: MonitorScope, since: Date): Promise<TodayFigures>;
  /** How many active agents of the scope are in each status. */
  agentStatuses(scope: MonitorScope): Promise<Record<string, number>>;
  /** Agents of the scope's sectors (every agent of the account for 'all') with their open tickets. */
  agents(scope: MonitorScope): Promise<Array<{ id: number; name: string; status: string; statusChangedAt: Date; pauseReasonId: number | null; openTickets: number }>>;
  /** Tickets of the scope in a status, oldest in the queue or longest in service first. */
  ticketIds(scope: MonitorScope, status: 'WAITING' | 'OPEN', limit: number): Promise<number[]>;
  /** Tags of the scope's tickets active today, with how many tickets carry each. */
  tagsToday(scope: MonitorScope, since: Date): Promise<Array<{ tag: string; count: number }>>;
  recordResponse(row: { accountId: number; ticketId: number; sectorId: number | null; channelId: number; agentId: number; respondedAt: Date; delayMs: number }): Promise<void>;
  ratingsOf(ticketIds: readonly number[]): Promise<TicketRating[]>;
  /** Inserts a rating once; false when the ticket was already rated. */
  rate(rating: TicketRating): Promise<boolean>;
  scoreOf(agentIds: readonly number[], since: Date): Promise<Map<number, { average: number | null; count: number }>>;
}

/** A plugin's records, each under an account: the same kind and key in two accounts are two records. */
export interface PluginRecordQueries {
  get(accountId: number, plugin: string, kind: string, key: string): Promise<unknown>;
  put(accountId: number, plugin: string, kind: string, key: string, value: unknown, at: Date): Promise<void>;
  claim(accountId: number, plugin: string, kind: string, key: string, value: unknown, at: Date): Promise<boolean>;
  delete(accountId: number, plugin: string, kind: string, key: string): Promise<void>;
}

export interface WebhookQueries {
  /** Deliveries of every account by status (the metrics' gauge). */
  deliveryCounts(): Promise<{ status: WebhookDeliveryStatus; count: number }[]>;
  list(accountId: number): Promise<Webhook[]>;
  byId(accountId: number, id: number): Promise<Webhook | null>;
  byIds(ids: readonly number[]): Promise<Webhook[]>;
  insert(webhook: NewWebhook, at: Date): Promise<Webhook>;
  update(accountId: number, id: number, changes: WebhookChanges, at: Date): Promise<Webhook | null>;
  /** Kept as a row (deleted) so its delivery log still names it; pending deliveries die with it. */
  delete(accountId: number, id: number, at: Date): Promise<Webhook | null>;
  activeOf(accountId: number): Promise<Webhook[]>;
  /** One row per (webhook, event): a replayed fan-out adds nothing. */
  enqueue(rows: readonly NewWebhookDelivery[], at: Date): Promise<void>;
  /** Deliveries due now, oldest first; a ticket's deliveries to one webhook wait for the earlier ones. */
  due(now: Date, limit: number): Promise<WebhookDelivery[]>;
  nextDueAt(): Promise<Date | null>;
  /** Only an unsettled delivery takes an outcome (a redeliver meanwhile wins). */
  recordOutcome(id: number, attemptsBefore: number, outcome: DeliveryOutcome): Promise<void>;
  deliveryById(accountId: number, id: number): Promise<WebhookDelivery | null>;
  deliveries(accountId: number, filter: { webhookId?: number | null; status?: WebhookDeliveryStatus | null }, size: number, cursorId?: number, direction?: PageDirection): Promise<{ deliveries: WebhookDelivery[]; hasMore: boolean }>;
  /** How many deliveries the filtered log holds. */
  countDeliveries(accountId: number, filter: { webhookId?: number | null; status?: WebhookDeliveryStatus | null }): Promise<number>;
  /** A fresh start for one delivery: attempts from zero, due now. */
  requeue(accountId: number, id: number, at: Date): Promise<WebhookDelivery | null>;
}

export interface PauseQueries {
  list(accountId: number, includeInactive: boolean): Promise<PauseReason[]>;
  byIds(accountId: number, ids: readonly number[]): Promise<PauseReason[]>;
  /** Case-insensitive, as the unique index is. */
  nameTaken(accountId: number, name: string, exceptId?: number): Promise<boolean>;
  insert(reason: { accountId: number; name: string }, at: Date): Promise<PauseReason>;
  update(accountId: number, id: number, changes: Partial<Pick<PauseReason, 'name' | 'active'>>): Promise<PauseReason | null>;
  /** Ends the agent's current stretch in the status log at `at` and opens the next one. */
  logStatus(row: { accountId: number; userId: number; status: AgentStatus; pauseReasonId: number | null }, at: Date): Promise<void>;
  /** Time each agent spent PAUSED within [since, now], per reason, from the status log. */
  pausedTime(accountId: number, userIds: readonly number[], since: Date, now: Date): Promise<PausedTime[]>;
}

export interface NotificationQueries {
  insert(rows: readonly NewNotification[]): Promise<Notification[]>;
  byIds(accountId: number, ids: readonly number[]): Promise<Notification[]>;
  /** A user's notifications, newest first. */
  pageOf(accountId: number, userId: number, unreadOnly: boolean, size: number, cursorId?: number, direction?: PageDirection): Promise<{ notifications: Notification[]; hasMore: boolean }>;
  countOf(accountId: number, userId: number, unreadOnly: boolean): Promise<number>;
  /** Marks the user's own unread ones among `ids`; returns how many changed. */
  markRead(accountId: number, userId: number, ids: readonly number[], at: Date): Promise<number>;
}

export interface RoutingDecisionQueries {
  /** Keeps the latest decision per ticket. */
  save(decision: RoutingDecision): Promise<void>;
  of(accountId: number, ticketId: number): Promise<RoutingDecision | null>;
}

/** A contact's rights over their data (LGPD, GDPR): erasure and export. */
export interface PersonalDataQueries {
  /**
   * Clears the contact's personal data, their tickets' message bodies, attachments and rating
   * comments, and the webhook delivery bodies naming them; counts and timings stay. Null when unknown.
   */
  eraseContact(accountId: number, contactId: number, at: Date): Promise<ContactErasure | null>;
  /** Blanks stored webhook bodies that contain `mention` (a contact's global id): the frozen copies of its events. */
  redactDeliveries(accountId: number, mention: string, at: Date): Promise<number>;
  /** Every row of the account, in one go; the storage keys of its files, to delete once committed. Null when unknown. */
  deleteAccount(accountId: number): Promise<{ attachmentKeys: string[] } | null>;
  /** The contact's WAITING and OPEN tickets: an erasure waits until they are closed. */
  liveTicketsOf(accountId: number, contactId: number): Promise<number[]>;
  /** Everything stored about the contact; null when unknown in this account. */
  recordOf(accountId: number, contactId: number): Promise<ContactRecord | null>;
}

/** Every read the domain may make; the same functions run inside a write transaction. */
export interface RefreshTokenQueries {
  insert(token: NewRefreshToken): Promise<void>;
  byHash(tokenHash: string): Promise<RefreshToken | null>;
  /** Conditional: false when the token was already rotated or revoked (a racing refresh lost). */
  markRotated(id: number, at: Date): Promise<boolean>;
  revokeFamily(family: string, at: Date): Promise<number>;
  revokeAllOf(userId: number, at: Date): Promise<number>;
}

/** Trusted documents registered by the account's ADMINs (http/persisted-operations.ts runs them). */
export interface PersistedOperationQueries {
  /** Oldest registration first. */
  list(accountId: number): Promise<PersistedOperation[]>;
  byHash(accountId: number, hash: string): Promise<PersistedOperation | null>;
  /** Registering the same document again keeps the first registration. */
  insert(operation: PersistedOperation): Promise<PersistedOperation>;
  delete(accountId: number, hash: string): Promise<PersistedOperation | null>;
}

export interface StoreReads {
  accounts: AccountQueries;
  users: UserQueries;
  sectors: SectorQueries;
  channels: ChannelQueries;
  integrations: IntegrationQueries;
  outbox: OutboxQueries;
  leases: LeaseQueries;
  contacts: ContactQueries;
  tickets: TicketQueries;
  messages: MessageQueries;
  intake: IntakeQueries;
  templates: TemplateQueries;
  readyReplies: ReadyReplyQueries;
  monitoring: MonitoringQueries;
  pluginRecords: PluginRecordQueries;
  webhooks: WebhookQueries;
  refreshTokens: RefreshTokenQueries;
  pauses: PauseQueries;
  persistedOperations: PersistedOperationQueries;
  notifications: NotificationQueries;
  routingDecisions: RoutingDecisionQueries;
  personalData: PersonalDataQueries;
}

export interface StoreTx extends StoreReads {
  /** Writes a domain event to the outbox in this transaction; it is published after commit. */
  record(event: NewOutboxEvent): Promise<void>;
}

/**
 * A committed transaction's events, and for each account among them the id of that account's last event
 * before them (0 for none): instances hearing of commits in another order find each commit's predecessor.
 */
export type CommittedListener = (events: OutboxEvent[], precededBy: ReadonlyMap<number, number>) => void;

export interface Store extends StoreReads {
  /** One transaction; writers run one at a time, reads never see it until commit. */
  write<T>(work: (tx: StoreTx) => Promise<T>): Promise<T>;
  /** Called with a transaction's recorded events once it has committed. */
  onCommitted(listener: CommittedListener): () => void;
  /**
   * Why writes fail now (disk full, read-only, I/O errors), null when they work: set by a write
   * that failed so, and while set checked again by growing the database in a rolled-back transaction.
   */
  writesUnavailable(): Promise<StorageFailure | null>;
  /** Committed migrations this database lacks (0 when it is ready); throws when it is unreachable. */
  pendingMigrations(): Promise<number>;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** A file path (the embedded SQLite default) or a postgres:// URL. */
  url: string;
  /** PostgreSQL: connections this instance keeps (DATABASE_POOL_SIZE); SQLite has one writer and its readers. */
  poolSize?: number;
  reportError?: (error: unknown) => void;
  /** Called with every SQL statement run (tests count statements per request, e.g. for N+1). */
  onStatement?: (sql: string) => void;
  /** Sees the SQLite write connection once migrated (tests cap max_page_count for a full disk, set query_only for a read-only file). */
  onWriterOpen?: (writer: BetterSqlite3.Database) => void;
}

/** Whether the URL names a PostgreSQL database rather than a SQLite file. */
export const isPostgresUrl = (url: string): boolean => /^postgres(ql)?:\/\//.test(url);

/** Picks the engine from the URL: postgres:// for PostgreSQL, anything else a SQLite file; migrates it. */
export async function openStore(options: StoreOptions): Promise<Store> {
  if (isPostgresUrl(options.url)) return openPostgresStore(options.url, options.poolSize ?? defaultPoolSize, options.reportError ?? console.error, options.onStatement);
  return openSqliteStore(options.url.replace(/^(file|sqlite):/, ''), options.reportError ?? console.error, options.onStatement, options.onWriterOpen);
}

export { StorageFailure, type StorageFailureReason } from './storage-failure.js';
export { DatabaseUnreachable } from './postgres/store.js';
