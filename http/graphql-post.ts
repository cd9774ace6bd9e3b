import type { IncomingMessage, ServerResponse } from 'node:http';
import { Kind, type DocumentNode, type ExecutionArgs, type GraphQLError, type GraphQLSchema } from 'graphql';
import { createGraphQLError, createLRUCache, processRegularResult, type CORSOptions, type FetchAPI, type Plugin } from 'graphql-yoga';
import { getCORSHeadersByRequestAndOptions, sendNodeResponse } from '@whatwg-node/server';

// A console's traffic is mostly JSON POSTs of the few documents it was built with. Once yoga has found a
// document valid and has answered a request's Accept value with JSON, such a request runs through yoga's
// own envelop (the same plugins, context, error masking and result processor) without the fetch
// adapter's Request, Response and hook pipeline. Everything else still goes to yoga whole.

/** What a plain JSON POST carries: nothing yoga's params checks, persisted operations or batching act on. */
export interface PlainParams {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

/** The parts of a yoga instance this path uses: its envelop and its fetch API. */
interface Yoga {
  fetchAPI: FetchAPI;
  getEnveloped(initialContext: never): {
    schema: GraphQLSchema;
    parse(source: string): DocumentNode;
    validate(schema: GraphQLSchema, document: DocumentNode): readonly GraphQLError[];
    contextFactory(): unknown;
    execute(args: ExecutionArgs): unknown;
  };
}

const knownDocuments = 1000;
const knownAcceptValues = 100;
const jsonMediaTypes = new Map([
  ['application/json; charset=utf-8', 'application/json'],
  ['application/graphql-response+json; charset=utf-8', 'application/graphql-response+json'],
]);

function hasSubscription(document: DocumentNode): boolean {
  return document.definitions.some((definition) => definition.kind === Kind.OPERATION_DEFINITION && definition.operation === 'subscription');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The body as a plain query, or null when yoga must judge it (extensions, batches, odd shapes). */
function plainParamsOf(body: unknown): PlainParams | null {
  if (!isPlainObject(body) || typeof body['query'] !== 'string') return null;
  for (const key of Object.keys(body)) if (key !== 'query' && key !== 'variables' && key !== 'operationName') return null;
  const { variables, operationName } = body;
  if (variables !== undefined && variables !== null && !isPlainObject(variables)) return null;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return null;
  return body as unknown as PlainParams;
}

/**
 * The headers of a Node request as a fetch Request's `headers.get` reads them: what the context, CORS
 * and the masked error path need, without building a Request.
 */
function requestOf(req: IncomingMessage) {
  return {
    method: req.method ?? 'POST',
    url: `http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`,
    headers: {
      get(name: string): string | null {
        const value = req.headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
      },
    },
  };
}

export function createGraphqlPost(options: {
  endpoint: string;
  /**
   * Off when yoga must see every request: only persisted operations allowed (yoga checks each), or a
   * plugin's yoga plugin, whose request and response hooks this path would skip.
   */
  enabled: boolean;
  cors: (request: Request) => CORSOptions | false;
  maskError: (error: unknown, message: string, isDev?: boolean) => Error;
}) {
  // Validity depends on the schema and the fixed limits alone: a document valid once stays valid.
  const validDocuments = createLRUCache<true>({ max: knownDocuments });
  // For a result that is not a stream, yoga's media type depends on the Accept value alone.
  const mediaTypeOfAccept = createLRUCache<string>({ max: knownAcceptValues });

  const learnFromYoga: Plugin<{ params?: { query?: unknown } }> = {
    // A document holding a subscription is served as a stream: never noted.
    onValidate: ({ context, params }) =>
      ({ result }) => {
        const query = context.params?.query;
        if (result.length === 0 && typeof query === 'string' && !hasSubscription(params.documentAST)) validDocuments.set(query, true);
      },
    onResponse: ({ request, response }) => {
      const mediaType = jsonMediaTypes.get(response.headers.get('content-type') ?? '');
      if (mediaType && request.method === 'POST') mediaTypeOfAccept.set(request.headers.get('accept') ?? '', mediaType);
    },
  };

  let served = 0;

  function unexpected(error: unknown) {
    const masked = options.maskError(error, 'Unexpected error.', false);
    return masked instanceof Error && 'extensions' in masked ? masked : createGraphQLError(masked.message, { originalError: masked });
  }

  return {
    plugin: learnFromYoga as Plugin,
    /** Requests served this way since start (a metric: which path a request took is not visible otherwise). */
    served: () => served,

    /** What this request can skip the fetch adapter with; null sends it to yoga. */
    plainRequest(req: IncomingMessage, body: unknown): { params: PlainParams; mediaType: string } | null {
      if (!options.enabled || req.url !== options.endpoint) return null;
      const mediaType = mediaTypeOfAccept.get(req.headers.accept ?? '');
      const params = plainParamsOf(body);
      return mediaType && params && validDocuments.get(params.query) ? { params, mediaType } : null;
    },

    /** Runs it as yoga's handler would, and answers as yoga's result processor and CORS would. */
    async serve(yoga: Yoga, req: IncomingMessage, res: ServerResponse, { params, mediaType }: { params: PlainParams; mediaType: string }): Promise<void> {
      served += 1;
      const request = requestOf(req);
      let result: unknown;
      try {
        const enveloped = yoga.getEnveloped({ req, res, request, params } as never);
        const document = enveloped.parse(params.query);
        const errors = enveloped.validate(enveloped.schema, document);
        result = errors.length > 0
          ? { errors }
          : await enveloped.execute({
              schema: enveloped.schema,
              document,
              contextValue: await enveloped.contextFactory(),
              variableValues: params.variables,
              operationName: params.operationName,
            });
      } catch (error) {
        result = { errors: [unexpected(error)] };
      }
      try {
        const response = processRegularResult(result as never, yoga.fetchAPI, mediaType);
        const cors = getCORSHeadersByRequestAndOptions(request as unknown as Request, options.cors(request as unknown as Request));
        for (const [name, value] of Object.entries(cors ?? {})) response.headers.set(name, value);
        await sendNodeResponse(response, res, req, true);
      } catch (error) {
        // A result that cannot be written: answered as any unexpected error, never left hanging.
        if (res.headersSent) return void res.destroy();
        res.writeHead(500, { 'content-type': `${mediaType}; charset=utf-8` });
        res.end(JSON.stringify({ errors: [unexpected(error)] }));
      }
    },
  };
}
