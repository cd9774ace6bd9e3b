import { authenticate, bearerToken } from '../resolvers/auth/authenticate.js';
import { DomainError } from '../resolvers/errors.js';
import type { Services } from '../resolvers/services.js';
import type { IntegrationViewer, UserViewer, Viewer } from '../resolvers/viewer.js';
import type { DomainPubSub } from './pubsub.js';

/** What every resolver receives; built by one factory for HTTP, SSE and graphql-ws alike. */
export interface Context {
  services: Services;
  pubsub: DomainPubSub;
  viewer: Viewer | null;
  /** Why a presented token was refused; scope checks report it instead of a generic error. */
  authError: DomainError | null;
  clientIp: string;
}

export type AgentContext = Context & { viewer: UserViewer };
export type IntegrationContext = Context & { viewer: IntegrationViewer };

export interface ContextSource {
  /** The Authorization header, or connectionParams.authorization / .token on a socket. */
  authorization: unknown;
  clientIp: string;
}

export async function createContext(services: Services, pubsub: DomainPubSub, source: ContextSource): Promise<Context> {
  const token = bearerToken(source.authorization);
  const base = { services, pubsub, clientIp: source.clientIp };
  if (source.authorization === undefined || source.authorization === null || source.authorization === '') {
    return { ...base, viewer: null, authError: null };
  }
  if (!token) return { ...base, viewer: null, authError: new DomainError('UNAUTHENTICATED', 'Malformed Authorization header') };
  try {
    return { ...base, viewer: await authenticate(services, token), authError: null };
  } catch (error) {
    if (error instanceof DomainError) return { ...base, viewer: null, authError: error };
    throw error;
  }
}
