import { ForbiddenError, UnauthenticatedError } from './errors.js';
import type { Services } from './services.js';
import { visibleTicket } from './tickets/queries.js';
import type { Viewer } from './viewer.js';

const maxMessages = 10_000;

function when(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(at);
}

/**
 * A ticket's conversation as a PDF, under the same visibility rule as every read (an invisible
 * ticket is NOT_FOUND). Media become links; internal notes stay out unless asked for.
 */
export async function ticketTranscriptPdf(services: Services, viewer: Viewer | null, ticketId: number, options: { notes: boolean; baseUrl?: string }): Promise<{ pdf: Buffer; filename: string }> {
  if (!viewer) throw new UnauthenticatedError();
  if (viewer.kind !== 'user') throw new ForbiddenError('Transcripts are for agents');
  const ticket = await visibleTicket(services, viewer, ticketId);
  const { store } = services;
  const [contact] = await store.contacts.byIds(viewer.accountId, [ticket.contactId]);
  const channel = await store.channels.byId(viewer.accountId, ticket.channelId);
  const sector = ticket.sectorId ? await store.sectors.byId(viewer.accountId, ticket.sectorId) : null;
  const account = await store.accounts.byId(viewer.accountId);
  const messages = (await store.messages.allOf(ticket.id, maxMessages)).filter((message) => options.notes || message.kind !== 'NOTE');
  const agents = new Map((await store.users.byIds(viewer.accountId, [...new Set(messages.flatMap((m) => (m.authorUserId ? [m.authorUserId] : [])))])).map((user) => [user.id, user.name]));
  const timeZone = account?.timeZone ?? 'UTC';

  // pdfkit is loaded on the first transcript: start-up does not pay for what few requests use.
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `Ticket #${ticket.protocol}`, Creator: 'Deskgraph' } });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));

  doc.fontSize(18).text(`Ticket #${ticket.protocol}`);
  doc.moveDown(0.3).fontSize(10).fillColor('#444');
  doc.text(`Contact: ${contact?.name ?? 'Unknown'} (${contact?.phone ?? 'no phone'})`);
  doc.text(`Channel: ${channel?.name ?? '-'}    Sector: ${sector?.name ?? '-'}    Status: ${ticket.status}`);
  doc.text(`Opened: ${when(ticket.createdAt, timeZone)}${ticket.closedAt ? `    Closed: ${when(ticket.closedAt, timeZone)}` : ''}    Times in ${timeZone}`);
  doc.moveDown();
  for (const message of messages) {
    const author = message.author === 'CONTACT' ? (contact?.name ?? 'Contact') : message.author === 'AGENT' ? (agents.get(message.authorUserId ?? 0) ?? 'Agent') : message.author === 'BOT' ? 'Bot' : 'System';
    const label = message.kind === 'NOTE' ? ' (internal note)' : message.kind === 'TEMPLATE' ? ' (template)' : '';
    doc.fontSize(8).fillColor('#777').text(`${when(message.createdAt, timeZone)} - ${author}${label}`);
    if (message.body) doc.fontSize(11).fillColor('#000').text(message.body);
    for (const attachment of message.attachments) {
      // Uploaded files are served by this server (/attachments/<id>): the link needs its address to work from a PDF reader.
      const link = attachment.url.startsWith('/') && options.baseUrl ? `${options.baseUrl}${attachment.url}` : attachment.url;
      doc.fontSize(10).fillColor('#1a56db').text(`[${attachment.mime}] ${attachment.name ?? link}`, { link, underline: true });
      if (attachment.name) doc.fontSize(8).fillColor('#1a56db').text(link, { link });
    }
    doc.moveDown(0.6);
  }
  doc.end();
  return { pdf: await done, filename: `ticket-${ticket.protocol}.pdf` };
}
