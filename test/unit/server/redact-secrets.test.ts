import { describe, expect, it } from 'vitest';
import { isSecretName, redactText, redactUrl } from '../../../src/server/redact-secrets.ts';

describe('redactUrl', () => {
  it.each([
    ['https://user:pass@host/skadi/x.hgt.gz', 'https://***:***@host/skadi/x.hgt.gz'],
    ['https://apikey123@host/a', 'https://***@host/a'],
    // An unencoded @ in the password: the userinfo ends at the authority's last @.
    ['http://u:p@ss@127.0.0.1:8080/', 'http://***:***@127.0.0.1:8080/'],
    ['//user:pass@host/a?b=1', '//***:***@host/a?b=1'],
    ['https://user:pass@host', 'https://***:***@host'],
  ])('hides the userinfo of %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it.each([
    'access_token',
    'token',
    'apikey',
    'api_key',
    'api-key',
    'apiKey',
    'key',
    'password',
    'passwd',
    'pwd',
    'secret',
    'client_secret',
    'signature',
    'sig',
    'X-Amz-Signature',
    'x-amz-credential',
    'X-Amz-Security-Token',
    'X-Goog-Signature',
    'X-Goog-Credential',
    'authorization',
    'auth',
    'refresh_token',
    'accessToken',
    'TOKEN',
  ])('hides the value of %s', (name) => {
    expect(redactUrl(`https://host/p?a=1&${name}=s3cr%2Ft&b=2`)).toBe(
      `https://host/p?a=1&${name}=***&b=2`,
    );
  });

  it.each([
    ['access%5Ftoken', 'access_token'],
    ['%74oken', 'token'],
    ['X%2DAmz%2DSignature', 'X-Amz-Signature'],
    ['api+key', 'api key'],
  ])('recognises the encoded name %s (%s)', (encoded) => {
    expect(redactUrl(`/ows?${encoded}=abc&SERVICE=WMS`)).toBe(`/ows?${encoded}=***&SERVICE=WMS`);
  });

  it('keeps the rest of a signed URL readable, template braces included', () => {
    const url =
      'https://user:pass@bucket.s3.amazonaws.com/skadi/{dir}/{name}.hgt.gz?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20240101&X-Amz-Date=20240101T000000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=abcdef&token=secret';
    expect(redactUrl(url)).toBe(
      'https://***:***@bucket.s3.amazonaws.com/skadi/{dir}/{name}.hgt.gz?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=***&X-Amz-Date=20240101T000000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=***&token=***',
    );
  });

  it('marks an empty secret too: its presence is all that shows', () => {
    expect(redactUrl('/ows?token=&a=1')).toBe('/ows?token=***&a=1');
  });

  it('redacts relative request URLs, as Fastify sees them', () => {
    expect(redactUrl('/ows?SERVICE=WMS&access_token=x')).toBe('/ows?SERVICE=WMS&access_token=***');
    expect(redactUrl('/ows?access_token=x&REQUEST=GetMap')).toBe(
      '/ows?access_token=***&REQUEST=GetMap',
    );
  });

  it('redacts secrets in the fragment, and keeps it', () => {
    expect(redactUrl('https://app/cb#access_token=abc&token_type=bearer')).toBe(
      'https://app/cb#access_token=***&token_type=bearer',
    );
    expect(redactUrl('/page?x=1#section-2')).toBe('/page?x=1#section-2');
  });

  it.each([
    '/ows?SERVICE=WMS&REQUEST=GetMap&LAYERS=dem&BBOX=7,46,8,47',
    '/collections/dem/items?limit=10&offset=20',
    'https://host/a?token_type=bearer&X-Amz-Date=1&keyword=relief&monkey=1',
    '/health',
    'https://host/path',
    '/ows?flag&token',
    'not a url at all',
    'bob@example.org',
    '',
  ])('leaves %j unchanged', (url) => {
    expect(redactUrl(url)).toBe(url);
  });
});

describe('isSecretName', () => {
  it.each(['token_type', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'keyword', 'monkey', 'layers', ''])(
    'does not treat %j as a secret',
    (name) => {
      expect(isSecretName(name)).toBe(false);
    },
  );

  it('keeps a malformed encoding as it is', () => {
    expect(isSecretName('%E0%A4%A')).toBe(false);
    expect(isSecretName('bad%ZZ_token')).toBe(true);
  });
});

describe('redactText', () => {
  it('redacts URLs inside an error message and keeps the words around them', () => {
    expect(
      redactText(
        'network error: Request cannot be constructed from a URL that includes credentials: https://user:pass@host/N46/N46E007.hgt.gz?token=secret',
      ),
    ).toBe(
      'network error: Request cannot be constructed from a URL that includes credentials: https://***:***@host/N46/N46E007.hgt.gz?token=***',
    );
  });

  it('redacts several URLs, relative ones too, and leaves closing punctuation outside', () => {
    expect(
      redactText(
        'GET /ows?access_token=abc failed (see https://u:p@h/x?sig=1). Then "//k@h/y?key=2".',
      ),
    ).toBe(
      'GET /ows?access_token=*** failed (see https://***:***@h/x?sig=***). Then "//***@h/y?key=***".',
    );
  });

  it('redacts a URL quoted in JSON, as a configuration error quotes a value', () => {
    expect(redactText('Invalid setting RELIEF_X="https://a:b@h/?token=t": expected …')).toBe(
      'Invalid setting RELIEF_X="https://***:***@h/?token=***": expected …',
    );
  });

  it.each([
    'connect ECONNREFUSED 127.0.0.1:9',
    'password=hunter2 is not a URL',
    'a question? and an answer',
    'mail bob@example.org',
    'path/to/file?',
    'HTTP 503 from upstream',
  ])('leaves %j unchanged', (text) => {
    expect(redactText(text)).toBe(text);
  });
});
