import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { SessionCheckUnavailableError } from '../../src/index';
import { APP, asUser, rejectionOf, startServer, until, useHarness } from '../core/fixtures';

/** A GenAuth stand-in on 127.0.0.1 that answers every signed check with `active: true` and counts connections. */
async function countingGenAuth(answer?: (body: string, res: import('node:http').ServerResponse) => void) {
  const sockets: Socket[] = [];
  let requests = 0;
  const server = await startServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      requests++;
      if (answer) return answer(body, res);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ statusCode: 200, apiCode: 0, message: 'ok', data: { active: true } }));
    });
  });
  server.server.on('connection', (socket: Socket) => sockets.push(socket));
  return {
    ...server,
    get connections() {
      return sockets.length;
    },
    get open() {
      return sockets.filter((socket) => !socket.destroyed).length;
    },
    get requests() {
      return requests;
    },
  };
}

describe('the default transport (Node http with a keep-alive agent)', () => {
  const h = useHarness();

  it('makes 50 calls one after another over one connection', async () => {
    const genauth = await countingGenAuth();
    h().defer(() => genauth.close());
    const guard = h().guard({ host: genauth.url, auth: 'signature', cache: false });
    for (let i = 0; i < 50; i++) await guard.authenticate(asUser(`user-${i}`), APP);
    expect(genauth.requests).toBe(50);
    expect(genauth.connections).toBe(1);
  });

  it('opens at most as many connections as calls at once, and reuses them', async () => {
    const genauth = await countingGenAuth();
    h().defer(() => genauth.close());
    const guard = h().guard({ host: genauth.url, auth: 'signature', cache: false });
    for (let round = 0; round < 5; round++) {
      await Promise.all(Array.from({ length: 8 }, (_, i) => guard.authenticate(asUser(`user-${round}-${i}`), APP)));
    }
    expect(genauth.requests).toBe(40);
    expect(genauth.connections).toBeLessThanOrEqual(8);
  });

  it('close() lets its idle connections go', async () => {
    const genauth = await countingGenAuth();
    h().defer(() => genauth.close());
    const guard = h().guard({ host: genauth.url, auth: 'signature', cache: false });
    await guard.authenticate(asUser('alice'), APP);
    expect(genauth.open).toBe(1);
    await guard.close();
    await until(() => genauth.open === 0, 'the idle connection closed');
  });

  it('an answer cut off in its body is a 503 (network), not a hang or a pass', async () => {
    const genauth = await countingGenAuth((_body, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '200' });
      res.write('{"statusCode":200,"data":{"act');
      setTimeout(() => res.socket?.destroy(), 5);
    });
    h().defer(() => genauth.close());
    const guard = h().guard({ host: genauth.url, auth: 'signature', cache: false, retries: 0, circuitBreaker: false });
    const error = await rejectionOf(guard.authenticate(asUser('alice'), APP));
    expect(error).toBeInstanceOf(SessionCheckUnavailableError);
    expect(genauth.requests).toBe(1);
  });

  it('an unasked-for 101 upgrade is a 503, not a call that never settles', async () => {
    const raw = createTcpServer((socket) => {
      socket.once('data', () => socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n'));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    h().defer(() => new Promise<void>((resolve) => raw.close(() => resolve())));
    const { port } = raw.address() as AddressInfo;
    const guard = h().guard({ host: `http://127.0.0.1:${port}`, auth: 'signature', cache: false, retries: 0, circuitBreaker: false });
    const error = await rejectionOf(guard.authenticate(asUser('alice'), APP));
    expect(error).toBeInstanceOf(SessionCheckUnavailableError);
  });

  it('a redirect with an endless body is a 503 and its connection is dropped, not read on', async () => {
    let timer: NodeJS.Timeout | undefined;
    const genauth = await countingGenAuth((_body, res) => {
      res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' });
      timer = setInterval(() => res.write('x'.repeat(1024)), 1);
      res.on('close', () => clearInterval(timer));
    });
    h().defer(() => {
      clearInterval(timer);
      return genauth.close();
    });
    const guard = h().guard({ host: genauth.url, auth: 'signature', cache: false, retries: 0, circuitBreaker: false });
    const error = await rejectionOf(guard.authenticate(asUser('alice'), APP));
    expect(error).toBeInstanceOf(SessionCheckUnavailableError);
    await until(() => genauth.open === 0, 'the redirect connection dropped');
  });

  it('a `fetch` of your own is used instead, for every call', async () => {
    const genauth = await countingGenAuth();
    h().defer(() => genauth.close());
    let viaFetch = 0;
    const guard = h().guard({
      host: genauth.url,
      auth: 'signature',
      cache: false,
      fetch: (input: string | URL, init?: RequestInit) => {
        viaFetch++;
        return fetch(input, init);
      },
    });
    for (let i = 0; i < 3; i++) await guard.authenticate(asUser(`user-${i}`), APP);
    expect(viaFetch).toBe(3);
    expect(genauth.requests).toBe(3);
  });
});
