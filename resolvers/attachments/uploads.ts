import { randomUUID } from 'node:crypto';
import type { Attachment, MessageKind, StoredAttachment } from '../../db/types.js';
import type { StorageFailureReason } from '../../db/store.js';
import { BadUserInputError, DomainError } from '../errors.js';
import type { Services } from '../services.js';

/** What the GraphQL multipart request hands over (a WHATWG File). */
export interface UploadedFile {
  name: string;
  size: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** A file that passed the limits, with the type read from its bytes and the key it will be stored under. */
export interface AcceptedFile {
  id: string;
  storageKey: string;
  bytes: Uint8Array;
  mime: string;
  name: string | null;
}

const field = 'attachments';

/** Plain text has no magic bytes: UTF-8 that decodes, with no control characters but tabs, line and page breaks. */
function looksLikeText(bytes: Uint8Array): boolean {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return !/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text);
  } catch {
    return false;
  }
}

/** The MIME type the content says (file-type reads the magic bytes); the file name and the client's claim are ignored. */
async function sniffedTypeOf(bytes: Uint8Array): Promise<string> {
  const { fileTypeFromBuffer } = await import('file-type');
  const found = await fileTypeFromBuffer(bytes);
  if (found) return found.mime;
  return looksLikeText(bytes) ? 'text/plain' : 'application/octet-stream';
}

function essenceOf(mime: string): string {
  return mime.split(';')[0]!.trim().toLowerCase();
}

/** Only the last path segment, at most 255 characters, no control characters: it is shown and sent as a file name. */
function cleanNameOf(name: string): string | null {
  const base = name.split(/[\\/]/).pop()?.replace(/[\u0000-\u001f\u007f"]/g, '').trim().slice(0, 255);
  return base ? base : null;
}

/**
 * Checks every file against the configured limits before anything is stored, so a refused upload
 * leaves nothing behind: BAD_USER_INPUT on `attachments` with `reason` TOO_LARGE, TOO_MANY or TYPE_NOT_ALLOWED.
 */
export async function acceptUploads(services: Services, accountId: number, files: readonly UploadedFile[]): Promise<AcceptedFile[]> {
  const { limits } = services.attachments;
  if (files.length > limits.maxFiles) throw new BadUserInputError(field, `At most ${limits.maxFiles} attachments`, { reason: 'TOO_MANY' });
  const accepted: AcceptedFile[] = [];
  for (const [index, file] of files.entries()) {
    const at = `${field}.${index}`;
    if (typeof file?.arrayBuffer !== 'function') throw new BadUserInputError(at, 'Not an uploaded file (send it as multipart)', { reason: 'NOT_A_FILE' });
    // The size the request declared is checked before the bytes are read; the bytes once more after.
    if (file.size > limits.maxBytes) throw new BadUserInputError(at, `A file is at most ${limits.maxBytes} bytes`, { reason: 'TOO_LARGE', maxBytes: limits.maxBytes });
    const bytes = new Uint8Array(await file.arrayBuffer());
    if (bytes.length > limits.maxBytes) throw new BadUserInputError(at, `A file is at most ${limits.maxBytes} bytes`, { reason: 'TOO_LARGE', maxBytes: limits.maxBytes });
    if (bytes.length === 0) throw new BadUserInputError(at, 'The file is empty', { reason: 'EMPTY' });
    const mime = await sniffedTypeOf(bytes);
    if (!limits.allowedTypes.includes(essenceOf(mime))) {
      throw new BadUserInputError(at, `Files of type ${essenceOf(mime)} are not allowed`, { reason: 'TYPE_NOT_ALLOWED', mime: essenceOf(mime) });
    }
    const id = randomUUID();
    accepted.push({ id, storageKey: `${accountId}/${id}`, bytes, mime, name: cleanNameOf(file.name) });
  }
  return accepted;
}

/** System error codes of a storage that cannot take files now, as the database's own (README: STORAGE_UNAVAILABLE). */
const unavailableReasons: Record<string, StorageFailureReason> = { ENOSPC: 'DISK_FULL', EDQUOT: 'DISK_FULL', EROFS: 'READ_ONLY', EIO: 'IO_ERROR' };

function storageErrorOf(error: unknown, at: Date): unknown {
  const reason = unavailableReasons[(error as NodeJS.ErrnoException | null)?.code ?? ''];
  if (!reason) return error;
  return new DomainError('STORAGE_UNAVAILABLE', 'The attachment storage cannot take files right now; nothing was changed. Try again later.', { reason, since: at.toISOString() });
}

/** Puts the bytes in storage; `undo` removes them again when the transaction recording them fails. */
export async function storeUploads(services: Services, files: readonly AcceptedFile[]): Promise<{ undo(): Promise<void> }> {
  const { storage } = services.attachments;
  const stored: string[] = [];
  const undo = async () => {
    await Promise.all(stored.map((key) => storage.delete(key).catch((err: unknown) => services.log.error({ err, key }, 'attachment left in storage'))));
  };
  try {
    for (const file of files) {
      await storage.put(file.storageKey, file.bytes, { mime: file.mime });
      stored.push(file.storageKey);
    }
  } catch (error) {
    await undo();
    throw storageErrorOf(error, services.clock.now());
  }
  return { undo };
}

export function attachmentPathOf(id: string): string {
  return `/attachments/${id}`;
}

/** How the message shows its files (url relative to this server), and the rows that serve them. */
export function recordsOf(files: readonly AcceptedFile[], message: { accountId: number; ticketId: number; id: number; createdAt: Date }): StoredAttachment[] {
  return files.map((file) => ({
    id: file.id, accountId: message.accountId, ticketId: message.ticketId, messageId: message.id,
    storageKey: file.storageKey, mime: file.mime, name: file.name, size: file.bytes.length, createdAt: message.createdAt,
  }));
}

export function messageAttachmentsOf(files: readonly AcceptedFile[]): Attachment[] {
  return files.map((file) => ({ id: file.id, url: attachmentPathOf(file.id), mime: file.mime, name: file.name, size: file.bytes.length }));
}

/** A message's kind from its first file: the console shows a player, a picture or a document. */
export function kindOfFiles(files: readonly AcceptedFile[]): MessageKind {
  const mime = files[0] ? essenceOf(files[0].mime) : '';
  if (mime.startsWith('audio/')) return 'AUDIO';
  if (mime.startsWith('image/')) return 'IMAGE';
  return files.length > 0 ? 'DOCUMENT' : 'TEXT';
}
