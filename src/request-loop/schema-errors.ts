/**
 * Messages for request-schema failures (`400 FST_ERR_VALIDATION`) that name the field and the
 * fault without echoing the schema: Ajv's own message for a pattern quotes the regular expression.
 */
import type { FastifySchemaValidationError } from 'fastify/types/schema.js';

export function formatSchemaErrors(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const messages = errors.map((error) => {
    const field = dataVar + (error.instancePath || '');
    switch (error.keyword) {
      case 'pattern':
      case 'format':
        return `${field} is not in the expected form`;
      case 'additionalProperties': {
        const name = (error.params as { additionalProperty?: unknown }).additionalProperty;
        return `${field} has an unknown property "${String(name).slice(0, 100)}"`;
      }
      default:
        return `${field} ${error.message ?? 'is not valid'}`;
    }
  });
  return new Error(messages.join(', '));
}
