import { builder } from './builder.js';
import './types/user.js';
import './types/sector.js';
import './types/channel.js';
import './types/integration.js';

export const schema = builder.toSchema({ sortSchema: true });
