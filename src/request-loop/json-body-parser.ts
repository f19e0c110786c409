/**
 * The JSON body parser for `application/json` and every `+json` type (`application/geo+json`):
 * Fastify's own parser (which refuses `__proto__` and `constructor.prototype` keys, as its default does) behind a nesting-depth bound.
 */
import type { FastifyBodyParser, FastifyInstance } from 'fastify';
import { ServiceException } from '../errors/service-exception.ts';
import { findJsonTooDeep } from './json-depth.ts';

// Any structured-syntax `+json` suffix type (RFC 6839), parameters allowed.
const SUFFIX_JSON = /^application\/[a-z0-9!#$&^_.-]+\+json(?:;|$)/i;

export function installJsonBodyParser(app: FastifyInstance, maxDepth: number): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  const parser: FastifyBodyParser<string> = (request, body, done) => {
    const at = findJsonTooDeep(body, maxDepth);
    if (at >= 0) {
      done(
        new ServiceException(
          'InvalidParameterValue',
          `The JSON body nests arrays and objects deeper than ${maxDepth} levels (at character ${at})`,
          'body',
          400,
        ),
        undefined,
      );
      return;
    }
    parseJson(request, body, done);
  };
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parser);
  app.addContentTypeParser(SUFFIX_JSON, { parseAs: 'string' }, parser);
}
