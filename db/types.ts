// Plain shapes that cross the storage seam: no drizzle types, so another engine can return them too.

export type Role = 'ADMIN' | 'USER';
export type AgentStatus = 'ONLINE' | 'PAUSED' | 'INVISIBLE' | 'OFFLINE';
export type RoutingMode = 'MANUAL' | 'ROUND_ROBIN' | 'LEAST_BUSY';
export type ChannelKind = 'WHATSAPP' | 'WEBCHAT' | 'EMAIL' | 'TELEGRAM' | 'INSTAGRAM' | 'API';
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7; // ISO 8601: 1 = Monday

export interface WorkingInterval {
  weekday: Weekday;
  start: string; // "HH:MM", local time in the schedule's zone
  end: string; // "HH:MM", after start
}

export interface WorkingHours {
  timeZone: string; // IANA zone, e.g. "America/Sao_Paulo"
  intervals: WorkingInterval[];
}

export interface Account {
  id: number;
  name: string;
  timeZone: string;
  /** BCP 47 tag; automatic texts use its language (en, pt or es) where a channel sets none. */
  locale: string;
  ticketSequence: number;
  /** Set while the platform has the account suspended: every token of it is refused, its data stays. */
  suspendedAt: Date | null;
  createdAt: Date;
}

export interface User {
  id: number;
  accountId: number;
  name: string;
  /** The host platform's id for this user (single sign-on, upsertUser); unique within the account. */
  externalId: string | null;
  email: string;
  role: Role;
  active: boolean;
  avatarUrl: string | null;
  phone: string | null;
  status: AgentStatus;
  statusChangedAt: Date;
  /** Why the agent is PAUSED, when they said; null in any other status. */
  pauseReasonId: number | null;
  canDismissWaiting: boolean;
  canViewAllContacts: boolean;
  /** A USER who may watch monitoring for their sectors. */
  canMonitor: boolean;
  /** A USER who sees the potentials: WAITING tickets without a sector (only while so). */
  canViewUnsectored: boolean;
  maxConcurrentTickets: number | null;
  workingHours: WorkingHours | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface UserWithSecret extends User {
  passwordHash: string;
}

/** The signed-in user as every request needs it: the row plus the sector ids, in one read. */
export interface UserWithSectors extends User {
  sectorIds: number[];
  /** The user's account is suspended: read in the same statement, so every request checks it for free. */
  accountSuspended: boolean;
}

export interface Sector {
  id: number;
  accountId: number;
  name: string;
  color: string;
  greeting: string | null;
  routingMode: RoutingMode;
  /** ROUND_ROBIN: who got the last ticket, so the next one goes to the agent after them. */
  lastAssignedUserId: number | null;
  createdAt: Date;
}

export interface Channel {
  id: number;
  accountId: number;
  name: string;
  kind: ChannelKind;
  address: string | null;
  isDefault: boolean;
  /** When the channel is attended; null = always open. */
  businessHours: WorkingHours | null;
  /** Sent once per ticket to a contact who writes while closed; {{next_opening}} is filled in. */
  outOfHoursReply: string | null;
  /** After the out-of-hours reply, ask whether the contact wants a call back (1 yes, 2 no). */
  offerCallback: boolean;
  /** Greets a new contact with a numbered list of sectors; null = no menu. */
  menu: SectorMenu | null;
  /** The contact's language on this channel; null: the account's. */
  locale: string | null;
  /** The channel's own automatic texts, replacing the defaults of its language. */
  autoTexts: AutoTexts | null;
  createdAt: Date;
}

export interface SectorMenu {
  greeting: string;
  sectorIds: number[];
}

export type AutoReplyKind = 'ABSENCE' | 'OUT_OF_HOURS' | 'MENU';

export interface AbsenceSetting {
  userId: number;
  accountId: number;
  enabled: boolean;
  message: string | null;
  startsAt: Date | null;
  endsAt: Date | null;
  suggestedUserId: number | null;
  updatedAt: Date;
}

export interface AfterHoursContact {
  id: number;
  accountId: number;
  channelId: number;
  contactId: number;
  ticketId: number;
  wroteAt: Date;
}

export interface Integration {
  id: number;
  accountId: number;
  name: string;
  scopes: IntegrationScope[];
  tokenHint: string | null;
  lastUsedAt: Date | null;
  createdById: number | null;
  createdAt: Date;
  revokedAt: Date | null;
}

/** The integration behind a token: its account's suspension read in the same statement, as a user's is. */
export interface IntegrationOfToken extends Integration {
  accountSuspended: boolean;
}

/** INGEST: hand contacts over (ingestMessage, cancelTicket, rateTicket); READ: read the account's tickets. */
export type IntegrationScope = 'INGEST' | 'READ';

/** What the database keeps of an opaque integration token: its SHA-256 (hex) and the last characters, for lists. */
export interface StoredToken {
  tokenHash: string;
  tokenHint: string;
}

export type WebhookDeliveryStatus = 'PENDING' | 'RETRYING' | 'DELIVERED' | 'DEAD';

export interface Webhook {
  id: number;
  accountId: number;
  url: string;
  events: string[];
  secret: string;
  active: boolean;
  description: string | null;
  createdById: number | null;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

export interface WebhookDelivery {
  id: number;
  accountId: number;
  webhookId: number;
  eventId: number;
  eventType: string;
  orderingKey: string | null;
  body: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  responseStatus: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

/** A domain event as recorded in the outbox, inside the transaction that caused it. */
export interface OutboxEvent {
  id: number;
  accountId: number;
  type: string;
  payload: Record<string, unknown>;
  occurredAt: Date;
}

export type NewUser = Omit<UserWithSecret, 'id' | 'createdAt' | 'updatedAt' | 'statusChangedAt' | 'pauseReasonId' | 'canViewUnsectored' | 'externalId'> & {
  canViewUnsectored?: boolean;
  externalId?: string | null;
};
export type UserChanges = Partial<Omit<UserWithSecret, 'id' | 'accountId' | 'createdAt'>>;
export type NewSector = Omit<Sector, 'id' | 'createdAt' | 'lastAssignedUserId'>;
export type SectorChanges = Partial<Omit<Sector, 'id' | 'accountId' | 'createdAt'>>;
export type NewChannel = Omit<Channel, 'id' | 'createdAt' | 'businessHours' | 'outOfHoursReply' | 'offerCallback' | 'menu' | 'locale' | 'autoTexts'> & Partial<Channel>;

/** Automatic texts a channel replaces (absent: its language's default). */
export interface AutoTexts {
  menuRetry?: string;
  callbackQuestion?: string;
  /** {{colleague}} is filled in. */
  absenceSuggestion?: string;
}
export type ChannelChanges = Partial<Omit<Channel, 'id' | 'accountId' | 'createdAt' | 'isDefault'>>;

export type TicketStatus = 'WAITING' | 'OPEN' | 'CLOSED';
export type MessageDirection = 'IN' | 'OUT';
export type MessageAuthor = 'CONTACT' | 'AGENT' | 'BOT' | 'SYSTEM';
export type MessageKind = 'TEXT' | 'AUDIO' | 'IMAGE' | 'DOCUMENT' | 'TEMPLATE' | 'NOTE';
export type ClosedBy = 'AGENT' | 'ADMIN' | 'CONTACT' | 'SYSTEM';
export type TicketHistoryKind = 'CREATED' | 'ACCEPTED' | 'TRANSFERRED' | 'CLOSED' | 'REOPENED' | 'TAGGED' | 'ERASED';
export type ActorKind = 'USER' | 'INTEGRATION' | 'SYSTEM';

export interface Attachment {
  url: string;
  mime: string;
  name: string | null;
  /** Set for files uploaded to Deskgraph (served at /attachments/<id>); absent for a channel's own links. */
  id?: string;
  size?: number;
}

/** An uploaded file's record: its bytes are in the attachment storage under `storageKey`. */
export interface StoredAttachment {
  id: string;
  accountId: number;
  ticketId: number;
  messageId: number;
  storageKey: string;
  mime: string;
  name: string | null;
  size: number;
  createdAt: Date;
}

export interface Contact {
  id: number;
  accountId: number;
  name: string | null;
  phone: string | null;
  email: string | null;
  city: string | null;
  document: string | null;
  externalId: string | null;
  notes: string | null;
  lastInteractionAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** When an ADMIN erased the personal data (eraseContact); the row stays for the tickets' statistics. */
  erasedAt: Date | null;
}

export interface Ticket {
  id: number;
  accountId: number;
  protocol: number;
  contactId: number;
  channelId: number;
  sectorId: number | null;
  assigneeId: number | null;
  status: TicketStatus;
  lastMessageId: number | null;
  outOfHours: boolean;
  callbackRequested: boolean | null;
  closedBy: ClosedBy | null;
  closedById: number | null;
  createdAt: Date;
  queuedAt: Date | null;
  acceptedAt: Date | null;
  firstResponseAt: Date | null;
  closedAt: Date | null;
  lastActivityAt: Date;
  pendingInboundSince: Date | null;
}

export interface Message {
  id: number;
  accountId: number;
  ticketId: number;
  direction: MessageDirection;
  author: MessageAuthor;
  authorUserId: number | null;
  kind: MessageKind;
  body: string | null;
  attachments: Attachment[];
  /** The message's id at the channel, when the channel gave one. */
  externalId: string | null;
  createdAt: Date;
}

export interface TicketHistoryEntry {
  id: number;
  ticketId: number;
  kind: TicketHistoryKind;
  actorKind: ActorKind;
  actorId: number | null;
  data: Record<string, unknown>;
  createdAt: Date;
}

/**
 * Whose tickets a read may return: the one visibility rule as data. `account`: every ticket of the
 * account (ADMIN, integrations). `agent`: tickets of the agent's sectors plus those assigned to them.
 */
export type TicketScope =
  | { kind: 'account'; accountId: number; userId: number | null }
  | {
      kind: 'agent';
      accountId: number;
      userId: number;
      sectorIds: readonly number[];
      /** canViewUnsectored: also WAITING tickets without a sector (the potentials); absent is false. */
      potentials?: boolean;
    };

export interface TicketCounts {
  waiting: number;
  open: number;
  closed: number;
}

/**
 * Which way a page reads from its cursor: forward to older rows (first/after), backward to newer ones
 * (last/before). Either way the page comes newest first, and `hasMore` says whether rows follow that way.
 */
export type PageDirection = 'forward' | 'backward';

export interface TicketPageCursor {
  lastActivityAt: number;
  id: number;
}

export interface Template {
  id: number;
  accountId: number;
  name: string;
  language: string;
  body: string;
  createdAt: Date;
}

export interface ReadyReplyCategory {
  id: number;
  accountId: number;
  name: string;
  position: number;
  createdAt: Date;
}

export interface ReadyReply {
  id: number;
  accountId: number;
  categoryId: number;
  title: string;
  body: string;
  position: number;
  /** Empty: for every sector. */
  sectorIds: number[];
  createdAt: Date;
  updatedAt: Date;
}

export interface TicketRating {
  ticketId: number;
  accountId: number;
  agentId: number | null;
  sectorId: number | null;
  channelId: number;
  rating: number;
  comment: string | null;
  ratedAt: Date;
}

/** What a tab page's statement read beside its tickets, by id; decoded on first use (a client may not ask). */
export interface PageRelations {
  contact(id: number): Contact | undefined;
  sector(id: number): Sector | undefined;
  message(id: number): Message | undefined;
  /** Read beside the page only when its query asks for them (TabRowReads' consoleParts) and the engine has round trips to save. */
  assignee?(id: number): User | undefined;
  channel?(id: number): Channel | undefined;
  /** A page ticket's tags, or a page contact's ([] when none). */
  ticketTags?(ticketId: number): string[] | undefined;
  contactTags?(contactId: number): string[] | undefined;
}

// What the Store's reads take and return beyond the rows above (db/store.ts declares the reads).

export type NewContact = Omit<Contact, 'id' | 'createdAt' | 'updatedAt' | 'erasedAt'>;

export type ContactChanges = Partial<Omit<Contact, 'id' | 'accountId' | 'createdAt' | 'updatedAt'>>;

export interface ContactFilter {
  /** Name or phone: trigram search from 3 characters, prefix below. */
  search?: string | undefined;
  name?: string | undefined;
  email?: string | undefined;
  phone?: string | undefined;
  city?: string | undefined;
  document?: string | undefined;
  id?: number | undefined;
  /** Last interaction at or after this instant (inclusive). */
  lastInteractionFrom?: Date | undefined;
  /** Last interaction at or before this instant (inclusive). */
  lastInteractionTo?: Date | undefined;
}

export interface ContactCursor {
  lastInteractionAt: number;
  id: number;
}

export interface AfterHoursRow {
  id: number;
  wroteAt: Date;
  contactId: number;
  contactName: string | null;
  contactPhone: string | null;
  channelId: number;
  ticketId: number;
  callbackRequested: boolean | null;
  /** The call-back question was sent on this ticket. */
  callbackAsked: boolean;
  activeMessageSentAt: Date | null;
}

export type NewMessage = Omit<Message, 'id' | 'externalId'> & { externalId?: string | null };

export type NewTicketHistoryEntry = Omit<TicketHistoryEntry, 'id'>;

/** Which tickets a monitor looks at: the account (every sector) or some sectors, maybe one channel. */
export interface MonitorScope {
  accountId: number;
  sectorIds: readonly number[] | 'all';
  channelId: number | null;
}

export interface TodayFigures {
  inQueue: number;
  oldestQueuedAt: Date | null;
  inService: number;
  openTickets: number;
  firstResponse: { count: number; averageMs: number | null; maxMs: number | null };
  response: { count: number; averageMs: number | null };
  handling: { count: number; averageMs: number | null };
  opened: number;
  closed: number;
  attended: number;
  lost: number;
  abandoned: number;
  ratings: { count: number; satisfied: number };
}

export type NewOutboxEvent = Omit<OutboxEvent, 'id'>;

/** An outbox event with the id of its transaction's first event: events sharing it committed together. */
export interface CommittedEvent extends OutboxEvent {
  commitId: number;
}

/** Who runs a one-instance job (the outbox relay) and until when; see LeaseQueries in db/store.ts. */
export interface Lease {
  name: string;
  holder: string;
  /** When this holder took it; renewals keep it. */
  takenAt: Date;
  expiresAt: Date;
}

export interface OutboxFailure {
  consumer: string;
  eventId: number;
  attempts: number;
  lastError: string;
  failedAt: Date;
}

export interface ReplyFilter {
  /** Only replies for every sector or for one of these; 'all' for an ADMIN. */
  sectorIds: readonly number[] | 'all';
  search?: string | undefined;
}

export interface TicketTab {
  status: TicketStatus;
  /** Only tickets assigned to the viewer (the OPEN tab); otherwise every visible one. */
  assignedOnly: boolean;
  sectorId?: number | undefined;
  /** Matches contact name or phone, or message text. */
  search?: string | undefined;
  /** Only tickets with activity since then (for CLOSED: closed since then, as closing is the last activity). */
  since?: Date | undefined;
  assigneeId?: number | undefined;
  channelId?: number | undefined;
}

export interface TicketPage {
  tickets: Ticket[];
  hasMore: boolean;
  /** The page's contacts, sectors and last messages, read by the same statement. */
  related?: PageRelations;
  /** The tab's totalCount, read by the same statement when asked for (TicketPageOptions.withTotal). */
  total?: number;
}

/** A read's answer beside the user `userId` as users.withSectors reads them: one statement where the engine has round trips. */
export interface ReadingUser<T> {
  answer: T;
  user: UserWithSectors | null;
}

export interface TicketPageOptions {
  /** Also count the whole tab in the page's statement: the caller knows totalCount is asked for. */
  withTotal?: boolean;
  /** How much of each row the caller will read (every field when absent); a store may fill more than asked. */
  reads?: TabRowReads;
}

/**
 * How much a page read fills of its tickets and of their contacts and last messages: `tabRow` only the
 * fields tabRowFields (db/pages.ts) lists, `whole` every field, `none` not read at all. A row filled to
 * `tabRow` lacks the other fields: it must reach only what asked for no more (the page's own fields).
 */
export type TabRowReach = 'tabRow' | 'whole' | 'none';

export interface TabRowReads {
  ticket: Exclude<TabRowReach, 'none'>;
  contact: TabRowReach;
  message: TabRowReach;
  /** What a console's row shows beyond them, each asked or not: the store may read them with the page. */
  consoleParts?: ConsoleParts;
}

export interface ConsoleParts {
  assignee: boolean;
  channel: boolean;
  ticketTags: boolean;
  contactTags: boolean;
}

export interface MessagePage {
  messages: Message[];
  hasMore: boolean;
}

/** ticket(id) read whole: the ticket, its contact, sector and newest messages, for the fields to take first. */
export interface TicketView {
  ticket: Ticket;
  /** The contact, the sector and the messages read (one of which is the last message). */
  related: PageRelations;
  /** The newest messages, when they were asked for (`messagesSize`). */
  messages?: MessagePage;
}

export type TicketChanges = Partial<Omit<Ticket, 'id' | 'accountId' | 'protocol' | 'contactId' | 'createdAt'>>;

export type NewTicket = Omit<Ticket, 'id' | 'protocol'>;

export type NewWebhook = Omit<Webhook, 'id' | 'createdAt' | 'updatedAt' | 'deletedAt'>;

export type WebhookChanges = Partial<Pick<Webhook, 'url' | 'events' | 'secret' | 'active' | 'description'>>;

export type NewWebhookDelivery = Pick<WebhookDelivery, 'accountId' | 'webhookId' | 'eventId' | 'eventType' | 'orderingKey' | 'body'>;

export type DeliveryOutcome = Pick<WebhookDelivery, 'status' | 'attempts' | 'nextAttemptAt' | 'lastAttemptAt' | 'responseStatus' | 'lastError' | 'deliveredAt'>;

/** One refresh token handed out: a login starts a family, each refresh rotates to the next. Only its hash is kept. */
export interface RefreshToken {
  id: number;
  userId: number;
  family: string;
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date;
  rotatedAt: Date | null;
  revokedAt: Date | null;
}

export type NewRefreshToken = Omit<RefreshToken, 'id' | 'rotatedAt' | 'revokedAt'>;
export interface PauseReason {
  id: number;
  accountId: number;
  name: string;
  active: boolean;
  createdAt: Date;
}

/** Time spent PAUSED since an instant, per agent and per reason (null: paused without a reason). */
export interface PausedTime {
  userId: number;
  pauseReasonId: number | null;
  pausedMs: number;
}

export type NotificationKind = 'MENTION';

export interface Notification {
  id: number;
  accountId: number;
  userId: number;
  kind: NotificationKind;
  ticketId: number;
  messageId: number | null;
  byUserId: number | null;
  createdAt: Date;
  readAt: Date | null;
}

export type NewNotification = Omit<Notification, 'id' | 'readAt'>;

/** Why routing passed an agent over; null for the one chosen. */
export type RoutingSkipReason =
  | 'NOT_IN_SECTOR' | 'OFFLINE' | 'PAUSED' | 'ABSENT' | 'OUTSIDE_WORKING_HOURS' | 'AT_CAPACITY' | 'NOT_NEXT_IN_TURN' | 'MORE_OPEN_TICKETS';

export interface RoutingCandidate {
  userId: number;
  skipped: RoutingSkipReason | null;
  openTickets: number;
}

export interface RoutingDecision {
  ticketId: number;
  accountId: number;
  sectorId: number;
  mode: RoutingMode;
  chosenUserId: number | null;
  candidates: RoutingCandidate[];
  decidedAt: Date;
}

/** A trusted document an ADMIN registered: a persisted-only server runs it for the account's users by its hash. */
export interface PersistedOperation {
  accountId: number;
  /** Lowercase hex sha256 of the document. */
  hash: string;
  document: string;
  createdByUserId: number;
  createdAt: Date;
}

/** What an erasure removed beyond the rows themselves: files to delete once it committed. */
export interface ContactErasure {
  contact: Contact;
  ticketIds: number[];
  attachmentKeys: string[];
}

/** Everything stored about one contact, as the export hands it over (tickets oldest first). */
export interface ContactRecord {
  contact: Contact;
  tags: string[];
  tickets: {
    ticket: Ticket;
    tags: string[];
    messages: Message[];
    history: TicketHistoryEntry[];
    rating: { rating: number; comment: string | null; ratedAt: Date } | null;
  }[];
}
