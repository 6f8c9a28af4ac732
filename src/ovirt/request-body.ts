import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { OvirtFault } from './faults';
import { requestFormat, sendFault } from './negotiation';
import { BodyError, DecodeMode, readBody, RootSchema } from './representation';

/** Request bodies larger than this are refused with 413 before they are read further. */
export const MAX_BODY_BYTES = 1 << 20;

/**
 * Only these methods have their body read; a GET, HEAD or DELETE body (no route reads one) is never read, so it
 * cannot fail a request; unreadBodyMiddleware closes the connection after it.
 */
export const METHODS_WITH_BODY: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Options for express's raw body parser: every body of a method that carries one is kept as a Buffer,
 * whatever its Content-Type, so that the route that reads it decides (415 for a type it cannot read).
 */
export const RAW_BODY_OPTIONS = {
  type: (req: { method?: string }) => METHODS_WITH_BODY.has(req.method ?? ''),
  limit: MAX_BODY_BYTES,
};

interface BodyParserError extends Error {
  status?: number;
  type?: string;
}

/** Express error handler right after the body parser: its errors become faults (413, 415, 400). */
export function bodyParserErrorHandler(error: BodyParserError, req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) {
    next(error);
    return;
  }
  if (error.type === 'entity.too.large' || error.status === 413) {
    sendFault(req, res, 413, OvirtFault.payloadTooLarge(MAX_BODY_BYTES).toFault());
  } else if (error.type === 'encoding.unsupported' || error.status === 415) {
    sendFault(
      req,
      res,
      415,
      OvirtFault.unsupportedMediaType('the body must not be compressed other than with gzip or deflate').toFault(),
    );
  } else {
    sendFault(req, res, 400, { reason: 'Malformed request body', detail: 'the request body could not be read' });
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Reads the body of this request against a schema: Content-Type decides the format (XML or JSON, else
 * 415), then the hardened parser and decoder of the representation layer (BodyError: 400).
 * An action may have no body at all (oVirt's `<action/>`).
 */
export function readRequestBody(req: Request, schema: RootSchema, mode: DecodeMode): unknown {
  const raw: unknown = req.body;
  const bytes = Buffer.isBuffer(raw) ? raw : Buffer.alloc(0);
  if (bytes.length === 0 && mode === 'action') {
    return readBody(schema, '{}', { mode, format: 'json' });
  }
  const format = requestFormat(req.header('content-type'));
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new BodyError('the body is not valid UTF-8', 'syntax');
  }
  return readBody(schema, text, { mode, format });
}

interface BodySpec {
  readonly schema: RootSchema;
  readonly mode: DecodeMode;
}

const BodyParam = createParamDecorator((spec: BodySpec, ctx: ExecutionContext) =>
  readRequestBody(ctx.switchToHttp().getRequest<Request>(), spec.schema, spec.mode),
);

/**
 * The decoded request body: `@OvirtBody(ClusterSchema, 'create') body: CreateInputOf<typeof ClusterSchema>`.
 * 'create' and 'action' require the required fields; 'update' takes any subset.
 */
export function OvirtBody(schema: RootSchema, mode: DecodeMode): ParameterDecorator {
  return BodyParam({ schema, mode });
}
