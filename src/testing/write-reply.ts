import type { ServerResponse } from 'node:http';
import type { Reply } from './envelope';
import type { Timers } from './timers';

/** Writes a reply at once, with its `content-length`. */
export function writeReply(res: ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed) return;
  const body = Buffer.from(reply.body, 'utf8');
  res.writeHead(reply.status, { ...reply.headers, 'content-length': String(body.length) });
  res.end(body);
}

/** Writes a reply's headers at once, then its body one byte every `ms` milliseconds. */
export function dripReply(res: ServerResponse, reply: Reply, ms: number, timers: Timers): void {
  if (res.headersSent || res.destroyed) return;
  const body = Buffer.from(reply.body, 'utf8');
  res.writeHead(reply.status, { ...reply.headers, 'content-length': String(body.length) });
  res.flushHeaders();
  let sent = 0;
  const stop = timers.every(Math.max(1, ms), () => {
    if (res.destroyed || sent >= body.length) {
      stop();
      if (!res.destroyed) res.end();
      return;
    }
    res.write(body.subarray(sent, sent + 1));
    sent += 1;
  });
  res.on('close', stop);
}

/** Resolves true on `drain`, false if the response closes first. */
function drained(res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const onDrain = (): void => {
      res.off('close', onClose);
      resolve(true);
    };
    const onClose = (): void => {
      res.off('drain', onDrain);
      resolve(false);
    };
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}

/** Streams a success envelope padded to `bytes` bytes, honouring back-pressure and stopping if the client leaves. */
export async function streamHugeReply(res: ServerResponse, bytes: number, chunked: boolean): Promise<void> {
  const head = '{"statusCode":200,"message":"success","data":{"active":true,"padding":"';
  const tail = '"}}';
  const padding = Math.max(0, Math.floor(bytes) - head.length - tail.length);
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  if (!chunked) headers['content-length'] = String(head.length + padding + tail.length);
  res.writeHead(200, headers);
  if (!res.write(head) && !(await drained(res))) return;
  const chunk = Buffer.alloc(64 * 1024, 'x');
  let left = padding;
  while (left > 0) {
    if (res.destroyed) return;
    const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
    left -= piece.length;
    if (!res.write(piece) && !(await drained(res))) return;
  }
  if (!res.destroyed) res.end(tail);
}
