import type { Channel, Contact, Message, Sector, Ticket, User } from '../types.js';

// Raw SQLite rows (arrays, in the order of each column list) -> the plain shapes of types.ts, for
// the hand-written hot reads (db/prepared.ts). Each decodes as the drizzle columns do: timestamp_ms
// -> Date, boolean -> === 1, json -> JSON.parse, null stays null. Lists and mappers change together.

type Row = any[];
const date = (value: number | null): Date | null => (value === null ? null : new Date(value));
const json = (value: string | null) => (value === null ? null : JSON.parse(value));

export const ticketColumns =
  'id, account_id, protocol, contact_id, channel_id, sector_id, assignee_id, status, last_message_id, out_of_hours, callback_requested, closed_by, closed_by_id, created_at, queued_at, accepted_at, first_response_at, closed_at, last_activity_at, pending_inbound_since';

export function ticketOf(row: Row): Ticket {
  const [id, accountId, protocol, contactId, channelId, sectorId, assigneeId, status, lastMessageId, outOfHours, callbackRequested, closedBy, closedById,
    createdAt, queuedAt, acceptedAt, firstResponseAt, closedAt, lastActivityAt, pendingInboundSince] = row;
  return {
    id,
    accountId,
    protocol,
    contactId,
    channelId,
    sectorId,
    assigneeId,
    status,
    lastMessageId,
    outOfHours: outOfHours === 1,
    callbackRequested: callbackRequested === null ? null : callbackRequested === 1,
    closedBy,
    closedById,
    createdAt: new Date(createdAt),
    queuedAt: date(queuedAt),
    acceptedAt: date(acceptedAt),
    firstResponseAt: date(firstResponseAt),
    closedAt: date(closedAt),
    lastActivityAt: new Date(lastActivityAt),
    pendingInboundSince: date(pendingInboundSince),
  };
}

export const contactColumns = 'id, account_id, name, phone, email, city, document, external_id, notes, last_interaction_at, created_at, updated_at';

export function contactOf(row: Row): Contact {
  const [id, accountId, name, phone, email, city, document, externalId, notes, lastInteractionAt, createdAt, updatedAt] = row;
  return {
    id,
    accountId,
    name,
    phone,
    email,
    city,
    document,
    externalId,
    notes,
    lastInteractionAt: date(lastInteractionAt),
    createdAt: new Date(createdAt),
    updatedAt: new Date(updatedAt),
  };
}

export const messageColumns = 'id, account_id, ticket_id, direction, author, author_user_id, kind, body, attachments, external_id, created_at';

export function messageOf(row: Row): Message {
  const [id, accountId, ticketId, direction, author, authorUserId, kind, body, attachments, externalId, createdAt] = row;
  return { id, accountId, ticketId, direction, author, authorUserId, kind, body, attachments: json(attachments), externalId, createdAt: new Date(createdAt) };
}

export const sectorColumns = 'id, account_id, name, color, greeting, routing_mode, last_assigned_user_id, created_at';

export function sectorOf(row: Row): Sector {
  const [id, accountId, name, color, greeting, routingMode, lastAssignedUserId, createdAt] = row;
  return { id, accountId, name, color, greeting, routingMode, lastAssignedUserId, createdAt: new Date(createdAt) };
}

/** Every user column but the password hash, which never leaves db/ on a read. */
export const userColumns =
  'id, account_id, name, email, role, active, avatar_url, phone, status, status_changed_at, can_dismiss_waiting, can_view_all_contacts, can_monitor, max_concurrent_tickets, working_hours, created_at, updated_at';

export function userOf(row: Row): User {
  const [id, accountId, name, email, role, active, avatarUrl, phone, status, statusChangedAt, canDismissWaiting, canViewAllContacts, canMonitor,
    maxConcurrentTickets, workingHours, createdAt, updatedAt] = row;
  return {
    id,
    accountId,
    name,
    email,
    role,
    active: active === 1,
    avatarUrl,
    phone,
    status,
    statusChangedAt: new Date(statusChangedAt),
    canDismissWaiting: canDismissWaiting === 1,
    canViewAllContacts: canViewAllContacts === 1,
    canMonitor: canMonitor === 1,
    maxConcurrentTickets,
    workingHours: json(workingHours),
    createdAt: new Date(createdAt),
    updatedAt: new Date(updatedAt),
  };
}

export const channelColumns = 'id, account_id, name, kind, address, is_default, business_hours, out_of_hours_reply, offer_callback, menu, created_at';

export function channelOf(row: Row): Channel {
  const [id, accountId, name, kind, address, isDefault, businessHours, outOfHoursReply, offerCallback, menu, createdAt] = row;
  return {
    id,
    accountId,
    name,
    kind,
    address,
    isDefault: isDefault === 1,
    businessHours: json(businessHours),
    outOfHoursReply,
    offerCallback: offerCallback === 1,
    menu: json(menu),
    createdAt: new Date(createdAt),
  };
}
