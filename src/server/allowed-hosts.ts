/**
 * Which Host (or X-Forwarded-Host) values a request may carry. The host ends up in every URL the
 * server writes when RELIEF_PUBLIC_URL is not set (capabilities, Location, job links), so a
 * malformed one is never accepted, and RELIEF_ALLOWED_HOSTS narrows the well-formed ones.
 *
 * Well-formed is a strict subset of RFC 3986's `host [":" port]`: a DNS name (letters, digits,
 * `-` and `_` in dot-separated labels), an IPv4 address or a bracketed IPv6 address, then an
 * optional port. RFC 3986 reg-names may also hold sub-delimiters and percent escapes, which no
 * real host name uses and which would change the meaning of a URL built from them.
 */
import { isIPv4, isIPv6 } from 'node:net';

export interface HostName {
  /** Lower case, without brackets for IPv6 and without a trailing dot. */
  hostname: string;
  port: number | undefined;
}

export interface HostPattern {
  hostname: string;
  /** `.example.org`: the name itself and every subdomain. */
  subdomains: boolean;
  port: number | undefined;
}

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
const PORT = /^[0-9]{1,5}$/;

/** Parses a Host header value; undefined when it is not a well-formed host[:port]. */
export function parseHost(value: string): HostName | undefined {
  if (value.length === 0 || value.length > 262) return undefined;
  let host: string;
  let portText: string | undefined;
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    if (end < 0) return undefined;
    host = value.slice(1, end);
    const rest = value.slice(end + 1);
    if (rest !== '' && !rest.startsWith(':')) return undefined;
    portText = rest === '' ? undefined : rest.slice(1);
    // A zone (`%25eth0`) names an interface of the client's host, never this server.
    if (host.includes('%') || !isIPv6(host)) return undefined;
  } else {
    const colon = value.indexOf(':');
    host = colon < 0 ? value : value.slice(0, colon);
    portText = colon < 0 ? undefined : value.slice(colon + 1);
    if (!isDnsName(host) && !isIPv4(host)) return undefined;
  }
  const port = parsePort(portText);
  if (port === null) return undefined;
  return { hostname: host.toLowerCase().replace(/\.$/, ''), port };
}

/** Parses one RELIEF_ALLOWED_HOSTS entry: `example.org`, `example.org:8080`, `.example.org`. */
export function parseHostPattern(pattern: string): HostPattern | undefined {
  const subdomains = pattern.startsWith('.');
  const parsed = parseHost(subdomains ? pattern.slice(1) : pattern);
  if (parsed === undefined) return undefined;
  return { hostname: parsed.hostname, subdomains, port: parsed.port };
}

export function hostMatches(host: HostName, pattern: HostPattern): boolean {
  if (pattern.port !== undefined && host.port !== pattern.port) return false;
  if (host.hostname === pattern.hostname) return true;
  return pattern.subdomains && host.hostname.endsWith(`.${pattern.hostname}`);
}

/**
 * Why a request's host is refused, or undefined when it is accepted. `allowed` undefined means
 * any well-formed host.
 */
export function refuseHost(
  value: string,
  allowed: readonly HostPattern[] | undefined,
): string | undefined {
  if (value === '') return 'The request names no host; send a Host header';
  const host = parseHost(value);
  if (host === undefined) return 'The Host header is not a valid host name or address';
  if (allowed !== undefined && !allowed.some((pattern) => hostMatches(host, pattern))) {
    return `Host ${value} is not served here`;
  }
  return undefined;
}

function isDnsName(host: string): boolean {
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (name.length === 0 || name.length > 253) return false;
  // All-numeric dotted names are IPv4 addresses or nothing (1.2.3.999 is not a name).
  if (/^[0-9.]+$/.test(name)) return false;
  return name
    .toLowerCase()
    .split('.')
    .every((label) => LABEL.test(label));
}

/** undefined when absent, null when malformed. */
function parsePort(text: string | undefined): number | undefined | null {
  if (text === undefined) return undefined;
  if (!PORT.test(text)) return null;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : null;
}
