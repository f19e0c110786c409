/**
 * Numeric query parameters of the REST routes, read strictly. Fastify's schema coercion turns
 * `Infinity`, `1e300`, `0x10`, ` 5` and `-0` into numbers that pass `type: 'integer'` and even
 * `maximum` (Infinity does), and a value beyond 2^53 silently loses digits. So the schema only
 * admits plain decimal digits (a repeated parameter arrives as an array and fails `type:
 * 'string'`), and `readQueryNumber` checks the bounds and names the parameter in the 400.
 */
import { ServiceException } from '../errors/service-exception.ts';

export interface QueryNumberBounds {
  minimum: number;
  maximum: number;
  /** Whether a decimal fraction (`1.5`) is allowed; integers only otherwise. */
  fraction?: boolean;
  description?: string;
}

const INTEGER = '^[0-9]{1,16}$';
const DECIMAL = '^[0-9]{1,16}(\\.[0-9]{1,6})?$';

/** The querystring schema of a numeric parameter: digits only, the bounds stated. */
export function queryNumberSchema(bounds: QueryNumberBounds) {
  const kind = bounds.fraction === true ? 'a decimal number' : 'an integer';
  return {
    type: 'string',
    pattern: bounds.fraction === true ? DECIMAL : INTEGER,
    description: `${bounds.description ?? ''}${bounds.description === undefined ? '' : ': '}${kind} from ${bounds.minimum} to ${bounds.maximum}`,
  } as const;
}

/**
 * The parameter's value, `fallback` when absent; a 400 naming the parameter when it is not a
 * plain decimal number within the bounds.
 */
export function readQueryNumber(
  raw: unknown,
  name: string,
  bounds: QueryNumberBounds,
  fallback: number,
): number;
export function readQueryNumber(
  raw: unknown,
  name: string,
  bounds: QueryNumberBounds,
): number | undefined;
export function readQueryNumber(
  raw: unknown,
  name: string,
  bounds: QueryNumberBounds,
  fallback?: number,
): number | undefined {
  if (raw === undefined) return fallback;
  const pattern = new RegExp(bounds.fraction === true ? DECIMAL : INTEGER);
  const value = typeof raw === 'string' && pattern.test(raw) ? Number(raw) : NaN;
  if (!(value >= bounds.minimum && value <= bounds.maximum)) {
    const kind = bounds.fraction === true ? 'a decimal number' : 'an integer';
    throw new ServiceException(
      'InvalidParameterValue',
      `${name} must be ${kind} from ${bounds.minimum} to ${bounds.maximum} written in plain digits, once; got ${JSON.stringify(raw).slice(0, 40)}`,
      name,
      400,
    );
  }
  return value;
}
