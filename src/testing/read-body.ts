import type { IncomingMessage } from 'node:http';

/** Bodies larger than this are not kept (the request is answered with statusCode 413). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** What a request body turned out to be. */
export type ParsedBody =
  | { ok: true; value: Record<string, unknown> | undefined; raw: string }
  | { ok: false; statusCode: 400 | 413; message: string };

/** Reads the whole body, keeping at most {@link MAX_BODY_BYTES}. */
function readRaw(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Reads and parses a JSON object body, defensively. An empty body is `undefined`; anything but a JSON object is a
 * 400, a body past the size limit a 413.
 */
export async function readJsonBody(req: IncomingMessage): Promise<ParsedBody> {
  const raw = await readRaw(req);
  if (raw === undefined) return { ok: false, statusCode: 413, message: 'request body too large' };
  if (raw.trim() === '') return { ok: true, value: undefined, raw };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, statusCode: 400, message: 'request body is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, statusCode: 400, message: 'request body must be a JSON object' };
  }
  return { ok: true, value: value as Record<string, unknown>, raw };
}
