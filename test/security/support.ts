import { connect } from 'node:net';
import { frameworks, type FrameworkUnderTest } from '../support/frameworks';

/** The current majors: the security suites run through Express 5 and Koa 3. */
export const currentFrameworks: FrameworkUnderTest[] = frameworks.filter(
  (framework) => framework.name === 'Express 5' || framework.name === 'Koa 3',
);

/** An answer read off the wire. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The answer came from Node's HTTP parser (400/431 without a body), not from the app. */
  fromParser: boolean;
}

function decodeChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', offset);
    if (lineEnd === -1) break;
    const size = parseInt(body.subarray(offset, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/**
 * Sends `GET path` over a fresh TCP connection with exactly the header bytes given (values are written as UTF-8,
 * so any string can be sent, including bytes `fetch` and `http.request` refuse), then reads the answer until the
 * server closes the connection. Rejects when no complete answer arrives within `timeoutMs` (the time bound).
 */
export function rawGet(url: string, path: string, headers: Array<[string, string]>, timeoutMs = 5000): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  const head = Buffer.concat([
    Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n`, 'latin1'),
    ...headers.map(([name, value]) => Buffer.concat([Buffer.from(`${name}: `, 'latin1'), Buffer.from(value, 'utf8'), Buffer.from('\r\n')])),
    Buffer.from('\r\n'),
  ]);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      socket.destroy();
      reject(new Error(`no complete answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const raw = Buffer.concat(chunks);
      const split = raw.indexOf('\r\n\r\n');
      if (split === -1) {
        reject(new Error(`the connection closed without a complete answer (${raw.length} bytes)`));
        return;
      }
      const lines = raw.subarray(0, split).toString('latin1').split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? NaN);
      const answerHeaders: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0) answerHeaders[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      let body: Buffer = raw.subarray(split + 4);
      if (/chunked/i.test(answerHeaders['transfer-encoding'] ?? '')) body = decodeChunked(body);
      const text = body.toString('utf8');
      resolve({
        status,
        headers: answerHeaders,
        body: text,
        fromParser: (status === 400 || status === 431) && answerHeaders['content-type'] === undefined && text.length === 0,
      });
    };
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', finish);
    socket.on('close', finish);
    // A server that resets after answering (e.g. after a 431) still gave an answer: keep what arrived.
    socket.on('error', () => undefined);
    socket.write(head);
  });
}

/** base64url of a string or bytes. */
export function b64url(value: string | Uint8Array): string {
  return Buffer.from(value).toString('base64url');
}

/** A JWT-shaped string from a header and a payload (any JSON values) and a signature segment. */
export function jwtShaped(header: unknown, payload: unknown, signature = ''): string {
  return `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}.${signature}`;
}

/** A JWKS served on loopback, counting the requests it gets (any path). */
export interface JwksServer {
  readonly url: string;
  readonly requests: number;
  close(): Promise<void>;
}

export async function startJwksServer(jwks: unknown): Promise<JwksServer> {
  const { createServer } = await import('node:http');
  let requests = 0;
  const server = createServer((_req, res) => {
    requests++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/jwks.json`,
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
