/** What an upload may be: size per file, files per message, and the MIME types allowed (read from the content). */
export interface UploadLimits {
  maxBytes: number;
  maxFiles: number;
  allowedTypes: readonly string[];
}

/** Voice notes and audio (WhatsApp sends Ogg/Opus), pictures, PDF, office documents and plain text. */
export const defaultAllowedTypes: readonly string[] = [
  'audio/ogg', 'audio/opus', 'audio/mpeg', 'audio/mp4', 'audio/x-m4a', 'audio/aac', 'audio/webm', 'audio/wav', 'video/webm', 'video/mp4',
  'image/jpeg', 'image/png', 'image/webp', 'image/gif',
  'application/pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text', 'application/vnd.oasis.opendocument.spreadsheet', 'application/vnd.oasis.opendocument.presentation',
  'application/x-cfb', // legacy .doc/.xls/.ppt (a compound file, which is all the content says)
  'text/plain',
];

export const defaultUploadLimits: UploadLimits = { maxBytes: 16 * 1024 * 1024, maxFiles: 10, allowedTypes: defaultAllowedTypes };
