import { createServer, connect, type Server, type Socket } from 'node:net';
import { NodeSubscriber, type LinkEvents, type NodeLink } from '../../src/redis/node-subscriber';

/** A link whose PING is answered through a real socket (an echo server), so that its answer is I/O. */
function echoLink(port: number, onPing: () => void): NodeLink & { socket?: Socket } {
  let socket: Socket | undefined;
  const waiting: Array<() => void> = [];
  return {
    address: `127.0.0.1:${port}`,
    open: () => new Promise<void>((resolve, reject) => {
      socket = connect(port, '127.0.0.1', () => resolve());
      socket.on('error', reject);
      socket.on('data', () => waiting.splice(0).forEach((done) => done()));
    }),
    ping() {
      const answered = new Promise<void>((resolve) => waiting.push(resolve));
      socket!.write('PING');
      onPing();
      return answered;
    },
    close: () => socket?.destroy(),
  };
}

describe('NodeSubscriber', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((socket) => socket.on('data', (data) => socket.write(data)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('a process that stalls for longer than a heartbeat right after a PING does not take its stall for a lost node', async () => {
    const heartbeatMs = 50;
    let pings = 0;
    const lost: unknown[] = [];
    let statuses = 0;
    const subscriber = new NodeSubscriber({
      heartbeatMs,
      next: (_events: LinkEvents) => echoLink(port, () => {
        // The second PING: the process is busy for three heartbeats just after sending it; its answer arrives meanwhile.
        if (++pings === 2) {
          const until = Date.now() + 3 * heartbeatMs;
          while (Date.now() < until) {
            // blocked
          }
        }
      }),
      status: () => statuses++,
      resubscribed: () => lost.push('resubscribed'),
      message: () => undefined,
      error: (error) => lost.push(error),
    });
    try {
      subscriber.start();
      await new Promise((resolve) => setTimeout(resolve, 12 * heartbeatMs));
      expect(pings).toBeGreaterThan(4);
      expect(lost).toEqual([]);
      expect(statuses).toBe(1); // confirmed once, never lost
      expect(subscriber.subscribed).toBe(true);
    } finally {
      subscriber.close();
    }
  });

  it('a PING not answered by the next check loses the link, and the next one is opened and confirmed', async () => {
    const heartbeatMs = 50;
    const held: Socket[] = [];
    const silent = createServer((socket) => held.push(socket)); // accepts, never answers: a frozen node
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const frozenPort = (silent.address() as { port: number }).port;
    const ports = [frozenPort, port];
    let turn = 0;
    const seen: string[] = [];
    const subscriber = new NodeSubscriber({
      heartbeatMs,
      next: () => echoLink(ports[turn++ % 2]!, () => undefined),
      status: (subscribed) => seen.push(subscribed ? 'confirmed' : 'lost'),
      resubscribed: () => seen.push('resubscribed'),
      message: () => undefined,
      error: () => seen.push('error'),
    });
    try {
      subscriber.start();
      await new Promise((resolve) => setTimeout(resolve, 10 * heartbeatMs));
      // On the frozen node: connected (confirmed), PING unanswered, lost; then on the other one: confirmed again.
      expect(seen.slice(0, 5)).toEqual(['confirmed', 'error', 'lost', 'resubscribed', 'confirmed']);
      expect(subscriber.subscribed).toBe(true);
    } finally {
      subscriber.close();
      for (const socket of held) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
