import type { Request } from 'express';

export class FormError extends Error {
  override readonly name = 'FormError';
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The fields of an `application/x-www-form-urlencoded` body. The app keeps every body as a raw Buffer
 * (RAW_BODY_OPTIONS), so it is decoded here. A field given twice is refused (which one would count?).
 */
export function readForm(req: Request): Map<string, string> {
  const type = (req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new FormError('the body must be application/x-www-form-urlencoded');
  }
  const raw: unknown = req.body;
  const bytes = Buffer.isBuffer(raw) ? raw : Buffer.alloc(0);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new FormError('the body is not valid UTF-8');
  }
  const fields = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(text)) {
    if (fields.has(name))
      throw new FormError(`the field ${/^[a-z_]{1,40}$/.test(name) ? name : '(unnamed)'} is given more than once`);
    fields.set(name, value);
  }
  return fields;
}
