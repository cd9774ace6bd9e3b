export * from './accounts.js';
export * from './users.js';
export * from './sectors.js';
export * from './user-sectors.js';
export * from './channels.js';
export * from './integrations.js';
export * from './outbox.js';
