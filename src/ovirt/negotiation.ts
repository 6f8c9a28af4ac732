import type { Request, Response } from 'express';
import { OvirtFault } from './faults';
import { CONTENT_TYPES, FaultView, Format, renderFault } from './representation';

const RESPONSE_TYPES = ['application/xml', 'text/xml', 'application/json'];

/** XML unless the client prefers JSON (`Accept: application/json`); also XML when nothing it accepts is offered. */
export function responseFormat(req: Request): Format {
  return req.accepts(RESPONSE_TYPES) === 'application/json' ? 'json' : 'xml';
}

const REQUEST_TYPES: Readonly<Record<string, Format>> = {
  'application/xml': 'xml',
  'text/xml': 'xml',
  'application/json': 'json',
};

/** The format of a request body by its Content-Type; anything but XML or JSON in UTF-8 is a 415. */
export function requestFormat(contentType: string | undefined): Format {
  const [mediaType, ...params] = (contentType ?? '').split(';').map((p) => p.trim().toLowerCase());
  const format = REQUEST_TYPES[mediaType];
  if (format === undefined) {
    const given = mediaType === '' ? 'none was given' : `got ${mediaType.slice(0, 100)}`;
    throw OvirtFault.unsupportedMediaType(
      `the body must be application/xml or application/json (Content-Type: ${given})`,
    );
  }
  const charset = params
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/^"|"$/g, '');
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw OvirtFault.unsupportedMediaType(`the body must be UTF-8 (got charset ${charset.slice(0, 40)})`);
  }
  return format;
}

/** A rendered representation, with the Content-Type of its format. */
export function sendRepresentation(res: Response, format: Format, text: string): void {
  res.type(CONTENT_TYPES[format]).send(text);
}

/** Writes `<fault>` (or `{reason, detail}`) in the format the client asked for. Used by the filter and by the HTTP set-up. */
export function sendFault(req: Request, res: Response, status: number, fault: FaultView): void {
  const format = responseFormat(req);
  if (status === 401) {
    res.setHeader('WWW-Authenticate', 'Basic realm="RESTAPI"');
  }
  res.removeHeader('Location');
  res.status(status);
  sendRepresentation(res, format, renderFault(fault, format));
}
