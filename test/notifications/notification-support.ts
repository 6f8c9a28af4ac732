import * as http from 'node:http';
import { AddressInfo } from 'node:net';

/** A real HTTP receiver for webhook deliveries, and a poll for what the tests wait on. */

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  answered: number;
}

/** Answers each request with the next status of `statuses` (the last one for ever after). */
export function startReceiver(statuses: number[]): Promise<{ server: http.Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answered = statuses[Math.min(received.length, statuses.length - 1)];
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answered });
      res.writeHead(answered, { 'content-type': 'text/plain' }).end(answered === 200 ? 'ok' : 'try later');
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}/hooks/georep?token=abc`, received });
    });
  });
}

/** Polls until the probe gives a value; the deadline only guards against a hang. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
