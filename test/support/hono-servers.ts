import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';

/** `@hono/node-server`, as a Node app serves Hono: the guard reads Node's request from `c.env.incoming`. */
export function viaNodeServer(app: Hono<any>): RequestListener {
  return getRequestListener(app.fetch);
}

async function toRequest(req: IncomingMessage): Promise<Request> {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.concat(chunks);
  return new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, { method: req.method, headers, body });
}

async function send(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  res.writeHead(response.status, headers);
  res.end(Buffer.from(await response.arrayBuffer()));
}

/**
 * A Node server for a Web-standard handler `(request) => Response` (a Next.js route handler, `Bun.serve`'s `fetch`):
 * each Node request becomes a Web `Request` (repeated headers joined by `Headers`, as in Bun, Deno and edge
 * runtimes). Whatever the handler throws or rejects with is a 500 `{ escaped: true }`.
 */
export function viaFetch(handle: (request: Request) => Response | Promise<Response>): RequestListener {
  return (req, res) => {
    toRequest(req)
      .then((request) => handle(request))
      .then((response) => send(response, res))
      .catch(() => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ escaped: true }));
      });
  };
}

/** `app.request()`, with no server of Hono's: the guard reads the Web `Request`. */
export function viaAppRequest(app: Hono<any>): RequestListener {
  return viaFetch((request) => app.request(request));
}
