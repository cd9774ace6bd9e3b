import type { TestApp } from './app.js';

// Files for upload tests, and the GraphQL multipart request (spec) sent as a browser would: FormData over fetch.

export interface Upload {
  name: string;
  bytes: Uint8Array;
  /** What the client claims: never trusted, the content decides. */
  type: string;
}

/** Ogg pages with an OpusHead: a voice note as WhatsApp sends it (header enough for the magic bytes). */
export function oggOpus(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + 7) % 251;
  bytes.set(new TextEncoder().encode('OggS'), 0);
  bytes.set(new TextEncoder().encode('OpusHead'), 28);
  return bytes;
}

export function pdf(size: number): Uint8Array {
  const bytes = new Uint8Array(size).fill(0x20);
  bytes.set(new TextEncoder().encode('%PDF-1.4\n%\u00e2\u00e3\n1 0 obj << /Type /Catalog >> endobj\n'), 0);
  bytes[size - 1] = 0x0a;
  return bytes;
}

/** A Windows executable (MZ header) dressed up as a PDF by name and claimed type. */
export function executable(): Uint8Array {
  const bytes = new Uint8Array(2048);
  bytes.set([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0xff, 0xff], 0);
  return bytes;
}

/** One multipart request per the spec: `operations`, `map`, then one part per file. */
export async function multipart(app: TestApp, token: string, query: string, variables: Record<string, unknown>, files: Upload[]) {
  const form = new FormData();
  form.set('operations', JSON.stringify({ query, variables: { ...variables, files: files.map(() => null) } }));
  form.set('map', JSON.stringify(Object.fromEntries(files.map((_, i) => [String(i), [`variables.files.${i}`]]))));
  files.forEach((file, i) => form.set(String(i), new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name));
  const response = await fetch(app.url, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  return (await response.json()) as { data?: Record<string, any> | null; errors?: { message: string; extensions: Record<string, unknown> }[] };
}

