import type { Server } from 'node:http';
import * as net from 'node:net';
import { AddressInfo } from 'node:net';
import { startTestApp, TEST_ADMIN, TestApp } from '../support/test-app';
import { API } from './api-helpers';

/**
 * Requests written byte by byte on raw sockets (node:net), as broken or unusual clients send them: every
 * answer is an oVirt fault with a Correlation-Id, whoever gives it (Node's parser, express or the app), and
 * a body the server does not read never poisons the next request on the connection.
 */
interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

interface Exchange {
  readonly responses: RawResponse[];
  /** The server closed the connection. */
  readonly closed: boolean;
}

/** Complete responses at the start of `data` (Content-Length framing: all this server sends). */
function parseResponses(data: Buffer, head = false): RawResponse[] {
  const responses: RawResponse[] = [];
  let at = 0;
  for (;;) {
    const headEnd = data.indexOf('\r\n\r\n', at);
    if (headEnd === -1) return responses;
    const [statusLine, ...lines] = data.subarray(at, headEnd).toString('latin1').split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = head ? 0 : Number(headers['content-length'] ?? 0);
    if (data.length < headEnd + 4 + length) return responses;
    responses.push({
      status: Number(statusLine.split(' ')[1]),
      headers,
      body: data.subarray(headEnd + 4, headEnd + 4 + length).toString('utf8'),
    });
    at = headEnd + 4 + length;
  }
}

describe('raw HTTP on a socket', () => {
  let t: TestApp;
  let port: number;
  const auth = `Basic ${Buffer.from(`${TEST_ADMIN.user}:${TEST_ADMIN.password}`).toString('base64')}`;

  /** Writes `requests` on one connection; resolves once `responses` complete answers arrived or the server closed it. */
  function exchange(requests: string | Buffer, responses = 1): Promise<Exchange> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      let data = Buffer.alloc(0);
      let closed = false;
      const done = () => {
        socket.destroy();
        resolve({ responses: parseResponses(data), closed });
      };
      socket.on('data', (chunk: Buffer) => {
        data = Buffer.concat([data, chunk]);
        if (parseResponses(data).length >= responses) done();
      });
      socket.on('end', () => {
        closed = true;
        done();
      });
      socket.on('error', reject);
      socket.write(requests);
    });
  }

  /** Resolves when the server closes a connection it answered (what `Connection: close` promises). */
  function serverCloses(requests: string): Promise<{ response: RawResponse; closed: true }> {
    const head = requests.startsWith('HEAD ');
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      let data = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => (data = Buffer.concat([data, chunk])));
      socket.on('end', () => {
        socket.destroy();
        const [response] = parseResponses(data, head);
        if (response) resolve({ response, closed: true });
        else reject(new Error(`closed without an answer: ${data.toString('latin1').slice(0, 200)}`));
      });
      socket.on('error', reject);
      socket.write(requests);
    });
  }

  function expectFault(response: RawResponse | undefined, status: number, detail?: RegExp): void {
    expect(response).toBeDefined();
    const r = response as RawResponse;
    expect({ status: r.status, correlation: r.headers['correlation-id'] }).toEqual({
      status,
      correlation: expect.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/),
    });
    expect(r.headers['content-type']).toMatch(/^application\/(xml|json); charset=utf-8$/);
    let fault: { reason?: unknown; detail?: unknown };
    if (r.headers['content-type'].startsWith('application/json')) {
      fault = JSON.parse(r.body) as typeof fault;
      expect(Object.keys(fault).sort()).toEqual(['detail', 'reason']);
    } else {
      const m = /^<\?xml [^>]*\?>\n<fault>\n {4}<reason>(.*)<\/reason>\n {4}<detail>(.*)<\/detail>\n<\/fault>\n$/s.exec(
        r.body,
      );
      expect(m).not.toBeNull();
      fault = { reason: m?.[1], detail: m?.[2] };
    }
    expect(fault.reason).toEqual(expect.any(String));
    expect(fault.detail).toEqual(expect.any(String));
    if (detail) expect(fault.detail).toMatch(detail);
    expect(r.body).not.toMatch(/\bat .*\.(ts|js):\d+|node_modules|Error:/);
  }

  const get = (path: string, extra = '') =>
    `GET ${API}${path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: ${auth}\r\n${extra}\r\n`;

  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
    const server = t.app.getHttpServer() as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('a libsoup client: GETs that declare a body', () => {
    const withBody = `GET ${API}/clusters HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/xml\r\nContent-Length: 17\r\n\r\n<action></action>`;
    const retryWithoutBody = get('/clusters', 'Content-Type: application/xml\r\nContent-Length: 17\r\n');
    const next = get('/clusters');

    it('answers the challenge and closes, so the next two requests never meet the declared body', async () => {
      const all = await exchange(withBody + retryWithoutBody + next, 3);
      expect(all.responses.map((r) => r.status)).toEqual([401]);
      expect(all.closed).toBe(true);
      expectFault(all.responses[0], 401);
      expect(all.responses[0].headers.connection).toBe('close');
    });

    it('answers the retry that declares 17 bytes and sends none, then closes; the next connection is served', async () => {
      const retry = await serverCloses(retryWithoutBody);
      expect(retry.response.status).toBe(200);
      expect(retry.response.headers.connection).toBe('close');
      expect(retry.response.body).toContain('<clusters');
      const fresh = await exchange(next + next, 2);
      expect(fresh.responses.map((r) => r.status)).toEqual([200, 200]);
      expect(fresh.responses[0].headers.connection).not.toBe('close');
    });

    it('closes after a DELETE that declares a body it does not read, and after a HEAD with one', async () => {
      const del = await serverCloses(
        `DELETE ${API}/hosts/0b6a0c4e-3a2e-4f61-9d0e-1f2a3b4c5d6e HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Length: 9\r\n\r\n`,
      );
      expectFault(del.response, 404);
      expect(del.response.headers.connection).toBe('close');
      const head = await serverCloses(
        `HEAD ${API}/clusters HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nTransfer-Encoding: chunked\r\n\r\n`,
      );
      expect(head.response.status).toBe(200);
      expect(head.response.headers.connection).toBe('close');
    });
  });

  describe('keep-alive through a stall', () => {
    /**
     * Sends `first`, then `second` on the same connection the moment the first answer is in, and holds the
     * event loop (this process runs the server too) for `stallMs` right after: a server busy or descheduled
     * while a request waits on an idle keep-alive connection.
     */
    function stallBetween(first: string, second: string, stallMs: number): Promise<Exchange> {
      return new Promise((resolve) => {
        const socket = net.connect(port, '127.0.0.1');
        let data = Buffer.alloc(0);
        let closed = false;
        let secondSent = false;
        const done = () => {
          socket.destroy();
          resolve({ responses: parseResponses(data), closed });
        };
        socket.on('data', (chunk: Buffer) => {
          data = Buffer.concat([data, chunk]);
          const answered = parseResponses(data).length;
          if (answered === 1 && !secondSent) {
            secondSent = true;
            socket.write(second);
            const until = Date.now() + stallMs;
            while (Date.now() < until) {
              // busy: nothing else in this process runs, the server included
            }
          } else if (answered >= 2) done();
        });
        socket.on('end', () => {
          closed = true;
          done();
        });
        socket.on('error', () => {
          closed = true;
          done();
        });
        socket.write(first);
      });
    }

    it("answers a request that waited unread on an idle connection for longer than Node's 5 s keep-alive", async () => {
      const { responses, closed } = await stallBetween(get('/clusters'), get('/clusters'), 6_000);
      expect({ statuses: responses.map((r) => r.status), closed }).toEqual({ statuses: [200, 200], closed: false });
      expect(responses[0].headers['keep-alive']).toBe('timeout=65');
    });
  });

  describe('Expect', () => {
    it('answers an expectation it cannot meet with a 417 fault that carries the Correlation-Id given', async () => {
      const { responses } = await exchange(get('/clusters', 'Expect: something-else\r\nCorrelation-Id: expect-1\r\n'));
      expectFault(responses[0], 417, /202-accepted/);
      expect(responses[0].headers['correlation-id']).toBe('expect-1');
      const json = await exchange(get('/clusters', 'Expect: 202-accepted, x-other\r\nAccept: application/json\r\n'));
      expectFault(json.responses[0], 417);
      expect(json.responses[0].headers['content-type']).toBe('application/json; charset=utf-8');
    });

    it('passes Expect: 202-accepted on to the route', async () => {
      const { responses } = await exchange(get('/clusters', 'Expect: 202-Accepted\r\n'));
      expect(responses[0].status).toBe(200);
      expect(responses[0].body).toContain('<clusters');
    });
  });

  describe("what Node's parser and express refuse", () => {
    it.each([
      ['a request line that is not one', 'GARBAGE\r\n\r\n', 400],
      ['a header line without a colon', `GET ${API} HTTP/1.1\r\nHost: x\r\nnot a header\r\n\r\n`, 400],
      [
        'a Content-Length that is not a number',
        `POST ${API}/clusters HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n`,
        400,
      ],
      [
        'both Content-Length and Transfer-Encoding',
        `POST ${API}/clusters HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
        400,
      ],
      [
        'a malformed chunk',
        `POST ${API}/clusters HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Type: application/xml\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n`,
        400,
      ],
      ['headers larger than the limit', `GET ${API} HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`, 431],
      ['a control character in a header value', `GET ${API} HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0001b\r\n\r\n`, 400],
    ])('%s: a fault, then the connection is closed', async (_name, request, status) => {
      const { response } = await serverCloses(request);
      expectFault(response, status);
      expect(response.headers.connection).toBe('close');
    });

    it.each([
      ['a path with a broken percent-encoding', get('/clusters/%E0%A4%A')],
      ['a query with a broken percent-encoding', get('/clusters?search=%E0%A4%A')],
      [
        'a gzip body that is not gzip',
        `POST ${API}/clusters HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Type: application/xml\r\nContent-Encoding: gzip\r\nContent-Length: 5\r\n\r\nnotgz`,
      ],
    ])('%s: a 4xx fault', async (_name, request) => {
      const { responses } = await exchange(request);
      expect(responses[0].status).toBeGreaterThanOrEqual(400);
      expect(responses[0].status).toBeLessThan(500);
      expectFault(responses[0], responses[0].status);
    });
  });
});
