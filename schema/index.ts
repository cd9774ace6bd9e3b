import { builder } from './builder.js';
import './types/user.js';
import './types/sector.js';
import './types/channel.js';
import './types/integration.js';
import './types/contact.js';
import './types/message.js';
import './types/ticket.js';
import './types/ticket-events.js';
import './types/absence.js';
import './types/template.js';
import './types/ready-reply.js';
import './types/contact-list.js';
import './types/monitoring.js';

export const schema = builder.toSchema({ sortSchema: true });
