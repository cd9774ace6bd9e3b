import type { Logger } from 'pino';
import type { Store } from '../db/store.js';
import type { UploadLimits } from './attachments/limits.js';
import type { AttachmentStorage } from './attachments/storage.js';
import type { AccountLimits } from './account-limits.js';
import type { LoginThrottle } from './auth/login-throttle.js';
import type { Passwords } from './auth/passwords.js';
import type { PlatformSettings } from './auth/platform.js';
import type { TokenService } from './auth/tokens.js';
import type { DomainEvents } from './events.js';
import type { WebhookSettings } from './webhooks/index.js';

/** What every domain function may use; built once at start-up, shared by all requests. */
export interface Services {
  store: Store;
  events: DomainEvents;
  /** Injectable so time rules (working hours, absence windows) are tested at exact instants. */
  clock: { now(): Date };
  tokens: TokenService;
  /** The host platform's credential and whether sign-on provisions users on first sight. */
  platform: PlatformSettings;
  passwords: Passwords;
  loginThrottle: LoginThrottle;
  /** Each account's budget of requests and ingested messages. */
  accountLimits: AccountLimits;
  log: Logger;
  webhooks: WebhookSettings;
  /** Each loaded plugin's validated config, by plugin name (plugin fields read theirs per request). */
  plugins: Map<string, { config: unknown }>;
  /** Where uploaded files go (a plugin may swap the storage at start-up) and what an upload may be. */
  attachments: { storage: AttachmentStorage; limits: UploadLimits };
}
