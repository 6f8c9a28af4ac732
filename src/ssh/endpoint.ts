/** Where a command runs: one pooled connection is kept per distinct endpoint. */
export interface SshEndpoint {
  host: string;
  port: number;
  username: string;
}

/**
 * An endpoint plus the host key the caller trusts for it. `null` means first contact: the connection
 * is accepted and the presented fingerprint is returned so the caller can record (pin) it.
 */
export interface SshTarget extends SshEndpoint {
  pinnedFingerprint: string | null;
}

export function endpointOf(target: SshEndpoint): SshEndpoint {
  return { host: target.host, port: target.port, username: target.username };
}

export function endpointKey(endpoint: SshEndpoint): string {
  return `${endpoint.username}@${endpoint.host.toLowerCase()}:${endpoint.port}`;
}

/** `root@host:22`, or `root@[::1]:22` for an IPv6 address. */
export function describeEndpoint(endpoint: SshEndpoint): string {
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  return `${endpoint.username}@${host}:${endpoint.port}`;
}

/** Rejects values that could only be programming errors before any socket is opened. */
export function assertValidEndpoint(endpoint: SshEndpoint): void {
  if (
    typeof endpoint.host !== 'string' ||
    endpoint.host.length === 0 ||
    endpoint.host.length > 255 ||
    /[\s/@]/.test(endpoint.host)
  ) {
    throw new TypeError('SSH endpoint: host must be a host name or an IP address');
  }
  if (!Number.isInteger(endpoint.port) || endpoint.port < 1 || endpoint.port > 65535) {
    throw new TypeError('SSH endpoint: port must be an integer between 1 and 65535');
  }
  if (typeof endpoint.username !== 'string' || !/^[A-Za-z0-9._][A-Za-z0-9._-]{0,31}$/.test(endpoint.username)) {
    throw new TypeError('SSH endpoint: username must be a plain user name');
  }
}
