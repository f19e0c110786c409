import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loggerOptions } from '../../../src/server/logger.ts';

function capture(): { log: pino.Logger; lines: () => Array<Record<string, unknown>> } {
  const written: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      written.push(...chunk.toString().split('\n').filter(Boolean));
      callback();
    },
  });
  return {
    log: pino(loggerOptions('debug'), sink),
    lines: () => written.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('loggerOptions', () => {
  it('writes level names', () => {
    const { log, lines } = capture();
    log.debug('a');
    log.warn('b');
    log.fatal('c');
    expect(lines().map((l) => l.level)).toEqual(['debug', 'warn', 'fatal']);
  });

  it('censors credential headers wherever a headers object is logged', () => {
    const { log, lines } = capture();
    const headers = {
      authorization: 'Bearer t0k',
      'proxy-authorization': 'Basic eDp5',
      cookie: 'session=abc',
      'set-cookie': 'session=abc',
      'x-api-key': 'k3y',
      accept: 'image/png',
    };
    log.info({ headers }, 'top level');
    log.info({ upstream: { headers } }, 'nested');
    for (const line of lines()) {
      const logged = (line.headers ?? (line.upstream as { headers: unknown }).headers) as object;
      expect(logged).toEqual({
        authorization: '***',
        'proxy-authorization': '***',
        cookie: '***',
        'set-cookie': '***',
        'x-api-key': '***',
        accept: 'image/png',
      });
    }
    expect(headers.authorization).toBe('Bearer t0k'); // the caller's object is left alone
  });

  it('redacts URLs in error messages and stacks', () => {
    const { log, lines } = capture();
    const error = new TypeError(
      'Request cannot be constructed from a URL that includes credentials: https://u:pw@h/x?token=t0k',
    );
    log.error({ err: error }, 'failed');
    const err = lines()[0]?.err as { type: string; message: string; stack: string };
    expect(err.type).toBe('TypeError');
    expect(err.message).toBe(
      'Request cannot be constructed from a URL that includes credentials: https://***:***@h/x?token=***',
    );
    expect(err.stack).toContain('https://***:***@h/x?token=***');
    expect(JSON.stringify(lines())).not.toMatch(/pw@|t0k/);
  });

  it('leaves a value under err that is not an error as it is', () => {
    const { log, lines } = capture();
    log.warn({ err: 'plain text' }, 'odd');
    expect(lines()[0]?.err).toBe('plain text');
  });
});
