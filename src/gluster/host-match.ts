/** What identifies a gluster peer: its glusterd UUID, address and name. */
export interface KnownPeer {
  address: string;
  name: string;
  peerUuid: string | null;
}

export function sameHostName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** The known host gluster means by a brick's server name: same glusterd UUID, else the same address or name. */
export function matchHost<H extends KnownPeer>(
  hosts: readonly H[],
  serverName: string,
  peerUuid: string | null,
): H | undefined {
  return (
    (peerUuid
      ? hosts.find((h) => h.peerUuid !== null && h.peerUuid.toLowerCase() === peerUuid.toLowerCase())
      : undefined) ??
    hosts.find((h) => sameHostName(h.address, serverName)) ??
    hosts.find((h) => sameHostName(h.name, serverName))
  );
}
