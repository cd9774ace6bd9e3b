import { NotFoundError } from '../errors.js';
import { assertTicketReader } from '../permissions.js';
import type { Services } from '../services.js';
import { ticketsByIds } from '../tickets/queries.js';
import type { Viewer } from '../viewer.js';

export interface AttachmentFile {
  bytes: Uint8Array;
  mime: string;
  name: string | null;
}

/** An uploaded file, through the one visibility rule: on a ticket the viewer may not see it is NOT_FOUND like a missing one. */
export async function attachmentFor(services: Services, viewer: Viewer | null, id: string): Promise<AttachmentFile> {
  assertTicketReader(viewer);
  const record = await services.store.messages.attachmentById(viewer.accountId, id);
  const [ticket] = record ? await ticketsByIds(services, viewer, [record.ticketId]) : [];
  if (!record || !ticket) throw new NotFoundError('Attachment');
  const bytes = await services.attachments.storage.get(record.storageKey);
  if (!bytes) throw new NotFoundError('Attachment');
  return { bytes, mime: record.mime, name: record.name };
}

/** For plugins (no viewer): an account's uploaded file by id; null when there is none. */
export async function attachmentOfAccount(services: Services, accountId: number, id: string): Promise<(AttachmentFile & { size: number }) | null> {
  const record = await services.store.messages.attachmentById(accountId, id);
  const bytes = record ? await services.attachments.storage.get(record.storageKey) : null;
  return record && bytes ? { bytes, mime: record.mime, name: record.name, size: record.size } : null;
}
