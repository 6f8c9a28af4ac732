import * as net from 'node:net';

/**
 * A TCP link to a real server (here: the test's redis-server) that the test can cut: once cut, what
 * the client sends is dropped, as on a network partition. Redis itself is untouched and keeps
 * serving everyone else.
 */
export interface CuttableLink {
  /** `redis://127.0.0.1:<port>` of the link's own end. */
  url: string;
  /** Drops everything clients send from now on; resolves on the first bytes dropped (what the client tried to send). */
  cut(): Promise<Buffer>;
  /** Forwards again (for connections opened after this: a cut connection has lost bytes). */
  mend(): void;
  /** Resolves once the server has sent a client something containing `text` (e.g. its INFO reply, the end of ioredis's handshake). */
  untilServerSent(text: string): Promise<void>;
  close(): Promise<void>;
}

export async function cuttableLink(targetUrl: string): Promise<CuttableLink> {
  const target = new URL(targetUrl);
  const sockets = new Set<net.Socket>();
  let cut: { firstDrop: (bytes: Buffer) => void } | undefined;
  const watches = new Set<{ text: string; seen: () => void }>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (bytes: Buffer) => {
      if (!cut) {
        upstream.write(bytes);
        return;
      }
      cut.firstDrop(bytes);
    });
    upstream.on('data', (bytes: Buffer) => {
      if (cut) return;
      client.write(bytes);
      const chunk = bytes.toString('latin1');
      for (const w of watches) {
        if (!chunk.includes(w.text)) continue;
        watches.delete(w);
        w.seen();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}`,
    cut: () =>
      new Promise<Buffer>((resolve) => {
        let seen = false;
        cut = {
          firstDrop: (bytes) => {
            if (seen) return;
            seen = true;
            resolve(bytes);
          },
        };
      }),
    mend: () => {
      cut = undefined;
    },
    untilServerSent: (text) => new Promise<void>((seen) => watches.add({ text, seen })),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
