/**
 * Refuses request bodies the server would misread: a body declared with a content coding
 * (`Content-Encoding: gzip`, …), which Relief does not decode, and a text body declared in a
 * charset other than UTF-8, which every parser here assumes. RFC 9110 §15.5.16 answers both with
 * 415; reading them as plain UTF-8 would accept bytes the client did not mean.
 */
import type { FastifyInstance } from 'fastify';
import { ServiceException } from '../errors/service-exception.ts';

const UTF8 = new Set(['utf-8', 'utf8', 'us-ascii']);

/** The charset parameter of a media type, lower case, without quotes; undefined when absent. */
export function charsetOf(contentType: string): string | undefined {
  const match = /;\s*charset\s*=\s*("?)([^";\s]*)\1/i.exec(contentType);
  return match === null ? undefined : (match[2] as string).toLowerCase();
}

export function installBodyGuards(app: FastifyInstance): void {
  app.addHook('preParsing', (request, _reply, payload, done) => {
    const { headers } = request;
    const hasBody =
      headers['transfer-encoding'] !== undefined ||
      (headers['content-length'] !== undefined && headers['content-length'] !== '0');
    if (!hasBody) return done(null, payload);
    const coding = headers['content-encoding']?.trim().toLowerCase();
    if (coding !== undefined && coding !== '' && coding !== 'identity') {
      return done(
        new ServiceException(
          'InvalidParameterValue',
          `Content-Encoding ${coding} is not supported; send the body uncompressed`,
          'Content-Encoding',
          415,
        ),
      );
    }
    const charset = charsetOf(headers['content-type'] ?? '');
    if (charset !== undefined && !UTF8.has(charset)) {
      return done(
        new ServiceException(
          'InvalidParameterValue',
          `The body's charset ${charset} is not supported; send UTF-8`,
          'Content-Type',
          415,
        ),
      );
    }
    done(null, payload);
  });
}
