import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export function wsUrl(httpUrl: string): string {
  return httpUrl.replace(/^http/, 'ws');
}

/** A graphql-ws client on a real socket, without retries. */
export function wsClient(httpUrl: string, connectionParams: Record<string, unknown> | undefined): Client {
  return createClient({
    url: wsUrl(httpUrl),
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: true,
  });
}

/** Runs one query or mutation over the socket and resolves with its result. */
export function wsExecute<T = Record<string, any>>(client: Client, query: string, variables?: Record<string, unknown>) {
  return new Promise<{ data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] }>((resolve, reject) => {
    let result: { data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] } = {};
    client.subscribe<T>(
      { query, variables },
      {
        next: (value) => {
          result = value as typeof result;
        },
        error: (error) => (Array.isArray(error) ? resolve({ errors: error as never }) : reject(error)),
        complete: () => resolve(result),
      },
    );
  });
}
