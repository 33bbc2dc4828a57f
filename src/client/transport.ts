import http from 'node:http';
import https from 'node:https';
import type { FetchLike } from '../core/types';
import { readCapped } from '../core/read-capped';
import { UpstreamError } from './upstream-error';

/** One POST to GenAuth, as the client makes it. */
export interface UpstreamRequest {
  headers: Record<string, string>;
  body: string;
  /** Aborts the request, including while its body is being read. */
  signal: AbortSignal;
}

/** GenAuth's answer, its body not read yet. */
export interface UpstreamResponse {
  readonly status: number;
  /** A response header, or `null`. */
  header(name: string): string | null;
  /** The body as text; longer than `maxBytes`: an `UpstreamError` (`malformed`), and the rest is not downloaded. */
  text(maxBytes: number, endpoint: string): Promise<string>;
  /** Drops the body unread. */
  discard(): void;
}

/** How the client reaches GenAuth. */
export interface Transport {
  post(url: string, request: UpstreamRequest): Promise<UpstreamResponse>;
  /** Releases what it holds (idle keep-alive connections). */
  close(): void;
}

function tooLarge(endpoint: string, maxBytes: number, httpStatus: number): UpstreamError {
  return new UpstreamError('malformed', `${endpoint}: the answer is larger than ${maxBytes} bytes`, { httpStatus });
}

/**
 * The default: Node's `http`/`https` with a keep-alive agent per guard. About a third of the CPU per call of the
 * global `fetch` (undici's WHATWG streams and request objects), measured on this project's bench; each call of a
 * cache miss or a background refresh pays it. Redirects are not followed (the client refuses them), TLS is verified
 * as by every Node client (`NODE_EXTRA_CA_CERTS` for a private CA).
 */
export function nodeTransport(): Transport {
  // An idle connection is closed after 4 s (Node's agent destroys a pooled socket on its timeout), as undici does:
  // before a server's own keep-alive timeout closes it under a request being written.
  const options = { keepAlive: true, scheduling: 'lifo' as const, timeout: 4_000 };
  const agents = { 'http:': new http.Agent(options), 'https:': new https.Agent(options) };
  return {
    post(url, { headers, body, signal }) {
      return new Promise<UpstreamResponse>((resolve, reject) => {
        const target = new URL(url);
        const secure = target.protocol === 'https:';
        const request = (secure ? https : http).request(target, {
          method: 'POST',
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
          agent: agents[secure ? 'https:' : 'http:'],
          signal,
        }, (response) => resolve(nodeResponse(response)));
        request.on('error', reject);
        // Closed with no answer: an unasked-for upgrade (101: Node drops the socket and emits neither a response nor
        // an error), or anything else that ends it silently. No-op once resolved.
        request.once('close', () => reject(new Error('the connection closed without an answer')));
        request.end(body);
      });
    },
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

function nodeResponse(response: http.IncomingMessage): UpstreamResponse {
  const status = response.statusCode ?? 0;
  // An error after the answer began (the request aborted by its signal, the connection reset) must not go
  // unhandled while nobody reads the body; text() reports it.
  let failure: Error | undefined;
  response.once('error', (error) => {
    failure = error;
  });
  return {
    status,
    header(name) {
      const value = response.headers[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    },
    text(maxBytes, endpoint) {
      const declared = Number(response.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes) {
        response.destroy();
        return Promise.reject(tooLarge(endpoint, maxBytes, status));
      }
      return new Promise<string>((resolve, reject) => {
        if (failure) return reject(failure);
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            response.destroy();
            reject(tooLarge(endpoint, maxBytes, status));
          } else {
            chunks.push(chunk);
          }
        });
        response.once('end', () => resolve(Buffer.concat(chunks, size).toString('utf8')));
        response.once('error', reject);
        // Closed before its end (aborted, reset): settles a body that would otherwise never end.
        response.once('close', () => {
          if (!response.complete) reject(failure ?? new Error('the answer was cut off'));
        });
      });
    },
    discard() {
      // Not resume(): that would read a body of any size, for any time, after the attempt's timeout is gone.
      response.destroy();
    },
  };
}

/** A `fetch` of the caller's own (the `fetch` option): redirects refused, the body read with the same cap. */
export function fetchTransport(fetchImpl: FetchLike): Transport {
  return {
    async post(url, { headers, body, signal }) {
      const response = await fetchImpl(url, { method: 'POST', headers, body, signal, redirect: 'error' });
      return {
        status: response.status,
        header: (name) => response.headers.get(name),
        text: (maxBytes, endpoint) => readAnswer(response, maxBytes, endpoint),
        discard() {
          response.body?.cancel().catch(() => undefined);
        },
      };
    },
    close() {},
  };
}

async function readAnswer(response: Response, maxBytes: number, endpoint: string): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(endpoint, maxBytes, response.status);
  }
  if (!response.body) return '';
  const bytes = await readCapped(response.body, maxBytes);
  if (bytes === undefined) throw tooLarge(endpoint, maxBytes, response.status);
  return bytes.toString('utf8');
}
