import { authenticate, bearerToken, type ViewerToConfirm } from '../resolvers/auth/authenticate.js';
import type { PlatformCaller } from '../resolvers/auth/platform.js';
import { DomainError } from '../resolvers/errors.js';
import type { Services } from '../resolvers/services.js';
import type { IntegrationViewer, UserViewer, Viewer } from '../resolvers/viewer.js';
import type { DomainPubSub } from './pubsub.js';

/** What every resolver receives; built by one factory for HTTP, SSE and graphql-ws alike. */
export interface Context {
  services: Services;
  pubsub: DomainPubSub;
  viewer: Viewer | null;
  /** The host platform, when its credential signed the request; then `viewer` is null (it is no account's member). */
  platform: PlatformCaller | null;
  /** Why a presented token was refused; scope checks report it instead of a generic error. */
  authError: DomainError | null;
  /** `viewer` is a recent read of the user, not yet confirmed: viewer-confirmation.ts confirms it before anything depends on it. */
  viewerToConfirm: ViewerToConfirm | null;
  clientIp: string;
}

export type AgentContext = Context & { viewer: UserViewer };
export type IntegrationContext = Context & { viewer: IntegrationViewer };
export type PlatformContext = Context & { platform: PlatformCaller };

export interface ContextSource {
  /** The Authorization header, or connectionParams.authorization / .token on a socket. */
  authorization: unknown;
  clientIp: string;
  /** The operation runs through yoga's envelop, whose useViewerConfirmation confirms a recent read of the user. */
  confirmedByEnvelop?: boolean;
}

export async function createContext(services: Services, pubsub: DomainPubSub, source: ContextSource): Promise<Context> {
  const token = bearerToken(source.authorization);
  const base = { services, pubsub, clientIp: source.clientIp, platform: null, viewerToConfirm: null };
  if (source.authorization === undefined || source.authorization === null || source.authorization === '') {
    return { ...base, viewer: null, authError: null };
  }
  if (!token) return { ...base, viewer: null, authError: new DomainError('UNAUTHENTICATED', 'Malformed Authorization header') };
  try {
    const { caller, toConfirm } = await authenticate(services, token, source.confirmedByEnvelop === true);
    if (caller.kind === 'platform') return { ...base, viewer: null, platform: caller, authError: null };
    return { ...base, viewer: caller, authError: null, viewerToConfirm: toConfirm ?? null };
  } catch (error) {
    if (error instanceof DomainError) return { ...base, viewer: null, authError: error };
    throw error;
  }
}
