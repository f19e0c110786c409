import { describe, expect, it } from 'vitest';
import {
  hostMatches,
  parseHost,
  parseHostPattern,
  refuseHost,
} from '../../../src/server/allowed-hosts.ts';

describe('parseHost', () => {
  it.each([
    ['example.org', { hostname: 'example.org', port: undefined }],
    ['Maps.Example.ORG:8080', { hostname: 'maps.example.org', port: 8080 }],
    ['example.org.', { hostname: 'example.org', port: undefined }],
    ['localhost:80', { hostname: 'localhost', port: 80 }],
    ['my_host-1', { hostname: 'my_host-1', port: undefined }],
    ['192.0.2.1:65535', { hostname: '192.0.2.1', port: 65535 }],
    ['[2001:db8::1]', { hostname: '2001:db8::1', port: undefined }],
    ['[::1]:8080', { hostname: '::1', port: 8080 }],
    ['[::ffff:192.0.2.1]:1', { hostname: '::ffff:192.0.2.1', port: 1 }],
  ])('accepts %s', (value, expected) => {
    expect(parseHost(value)).toEqual(expected);
  });

  it.each([
    ['', 'empty'],
    ['evil.example/phish?', 'a path'],
    ['evil.example?x', 'a query'],
    ['evil.example#x', 'a fragment'],
    ['user@evil.example', 'user info'],
    ['evil example', 'a space'],
    ['evil.example:', 'an empty port'],
    ['evil.example:0', 'port 0'],
    ['evil.example:65536', 'a port out of range'],
    ['evil.example:80:80', 'two ports'],
    ['evil.example:+80', 'a signed port'],
    ['a..b', 'an empty label'],
    ['.example.org', 'a leading dot'],
    ['-a.example', 'a label starting with a hyphen'],
    ['a-.example', 'a label ending with a hyphen'],
    [`${'a'.repeat(64)}.example`, 'a label over 63 characters'],
    ['1.2.3.999', 'a bad IPv4 address'],
    ['1.2.3', 'a short numeric name'],
    ['[::1', 'an unclosed IPv6 literal'],
    ['[::1]x', 'junk after an IPv6 literal'],
    ['[example.org]', 'a name in brackets'],
    ['[fe80::1%25eth0]', 'an IPv6 zone'],
    ['exa%6dple.org', 'a percent escape'],
    ["evil'.example", 'a sub-delimiter'],
    ['évil.example', 'a non-ASCII name (IDNs arrive as punycode)'],
  ])('refuses %s (%s)', (value) => {
    expect(parseHost(value)).toBeUndefined();
  });
});

describe('allowed host patterns', () => {
  const allows = (pattern: string, host: string) =>
    hostMatches(parseHost(host)!, parseHostPattern(pattern)!);

  it('matches a name on any port unless the pattern names one', () => {
    expect(allows('example.org', 'example.org')).toBe(true);
    expect(allows('example.org', 'EXAMPLE.org:8443')).toBe(true);
    expect(allows('example.org:8080', 'example.org:8080')).toBe(true);
    expect(allows('example.org:8080', 'example.org')).toBe(false);
    expect(allows('example.org:8080', 'example.org:9090')).toBe(false);
    expect(allows('example.org', 'www.example.org')).toBe(false);
  });

  it('matches a leading-dot pattern for the name and its subdomains only', () => {
    expect(allows('.example.org', 'example.org')).toBe(true);
    expect(allows('.example.org', 'a.b.example.org:81')).toBe(true);
    expect(allows('.example.org', 'badexample.org')).toBe(false);
    expect(allows('.example.org', 'example.org.evil.example')).toBe(false);
  });

  it('matches IP literals exactly', () => {
    expect(allows('10.0.0.5', '10.0.0.5:8080')).toBe(true);
    expect(allows('[::1]', '[0:0:0:0:0:0:0:1]')).toBe(false);
    expect(allows('[::1]:8080', '[::1]:8080')).toBe(true);
  });

  it('refuses malformed patterns', () => {
    for (const pattern of ['', '*', '*.example.org', 'http://example.org', '..example.org']) {
      expect(parseHostPattern(pattern), pattern).toBeUndefined();
    }
  });
});

describe('refuseHost', () => {
  const allowed = ['maps.example.org', '.example.net'].map((p) => parseHostPattern(p)!);

  it('says why a host is refused', () => {
    expect(refuseHost('', undefined)).toBe('The request names no host; send a Host header');
    expect(refuseHost('evil.example/x', undefined)).toBe(
      'The Host header is not a valid host name or address',
    );
    expect(refuseHost('evil.example', allowed)).toBe('Host evil.example is not served here');
  });

  it('accepts any well-formed host without a list, and listed ones with it', () => {
    expect(refuseHost('evil.example', undefined)).toBeUndefined();
    expect(refuseHost('maps.example.org:8080', allowed)).toBeUndefined();
    expect(refuseHost('tiles.example.net', allowed)).toBeUndefined();
  });
});
