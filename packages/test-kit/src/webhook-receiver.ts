// A real HTTP receiver on loopback for notification tests: records every request (raw body and headers,
// so a signature can be verified), answers from a script (statuses, or `hang` until released), and can
// go down and come back on the same port.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

export interface ReceivedRequest {
  method: string;
  path: string;
  /** Lower-case names, as Node hands them over. */
  headers: Record<string, string>;
  body: string;
  /** How the receiver answered: a status, or `hang` (not answered until released). */
  answer: number | 'hang';
}

export type Answer = number | 'hang';

export interface WebhookReceiver {
  /** The receiver's URL (a random path, as a real webhook URL has). */
  url: string;
  /** Every request that reached it, in order, failed ones included. */
  received: ReceivedRequest[];
  /** The answers of the next requests, in order; after them, the default answer. */
  answerNext(...answers: Answer[]): void;
  /** The answer once the scripted ones are used (default 200). */
  answerByDefault(answer: Answer): void;
  /** Answers every hanging request with `status`. */
  release(status?: number): void;
  /** How many requests hang right now. */
  hanging(): number;
  /** Stops listening and drops open connections: the receiver is down. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Starts a receiver on 127.0.0.1 (a free port unless `port` is given). */
export async function startWebhookReceiver(options: { port?: number } = {}): Promise<WebhookReceiver> {
  const path = `/hooks/${randomBytes(8).toString('hex')}`;
  const received: ReceivedRequest[] = [];
  const script: Answer[] = [];
  let byDefault: Answer = 200;
  const hung = new Set<ServerResponse>();
  const onRequest = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const answer = script.shift() ?? byDefault;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    received.push({ method: req.method ?? '', path: req.url ?? '', headers, body, answer });
    if (answer === 'hang') {
      hung.add(res);
      res.on('close', () => hung.delete(res));
      return;
    }
    res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer < 300 ? 'ok' : 'receiver error');
  };
  let server: Server = createServer((req, res) => void onRequest(req, res));
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
  const port = await listen(options.port ?? 0);
  const down = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    answerNext: (...answers) => void script.push(...answers),
    answerByDefault: (answer) => void (byDefault = answer),
    release(status = 200) {
      for (const res of [...hung]) res.writeHead(status).end();
      hung.clear();
    },
    hanging: () => hung.size,
    down,
    async up() {
      server = createServer((req, res) => void onRequest(req, res));
      await listen(port);
    },
    async close() {
      for (const res of [...hung]) res.destroy();
      await down();
    },
  };
}
