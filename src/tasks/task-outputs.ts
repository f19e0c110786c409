/**
 * A task's result against the outputs its type declares (TaskTypeDefinition.outputs), the same
 * description `/processes/{id}` publishes. A successful run() must return an object whose keys
 * are declared outputs, with every required one present (`minOccurs` 0 makes one optional) and
 * each value valid against its JSON Schema. Returning nothing (undefined or null) is an empty
 * result. Schemas are compiled once, when the type is registered, so that a schema Ajv cannot
 * compile is the plugin author's error at load, not a job's at run time. `format` is an
 * annotation here, not checked: a link is stored as a path and made absolute only when served.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { ProblemItem } from './task-errors.ts';
import type { ParameterDescription } from './task-types.ts';

// One instance for every type: schemas are kept out of it (addUsedSchema), so two types may
// use the same `$id`, and a type registered again after its plugin was unloaded compiles anew.
// Not strict: process descriptions carry annotations (contentMediaType, OpenAPI's nullable…).
const ajv = new Ajv({ strict: false, validateFormats: false, addUsedSchema: false });

/** The shown name of an output or key, bounded: a runaway key must not flood a job document. */
const MAX_NAME = 100;
/** Problems named in the detail; all of them (up to the item limit) are in `items`. */
const MAX_NAMED = 5;

export type ResultCheck =
  | { ok: true; result: Record<string, unknown> }
  | { ok: false; detail: string; items: ProblemItem[] };

export type ResultChecker = (result: unknown) => ResultCheck;

interface CompiledOutput {
  name: string;
  required: boolean;
  validate: ValidateFunction;
}

/**
 * Compiles the outputs of a task type into a checker of its results; throws a TypeError naming
 * the output when a description has no usable schema.
 */
export function resultChecker(
  typeId: string,
  outputs: Readonly<Record<string, ParameterDescription>> | undefined,
): ResultChecker {
  if (outputs === null || typeof outputs !== 'object' || Array.isArray(outputs)) {
    throw new TypeError(`Task type ${typeId}: outputs must be an object of output descriptions`);
  }
  const compiled: CompiledOutput[] = Object.entries(outputs).map(([name, description]) => {
    const schema: unknown = description?.schema;
    if (typeof schema === 'boolean') {
      return { name, required: isRequired(description), validate: ajv.compile(schema) };
    }
    if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
      throw new TypeError(
        `Task type ${typeId}: output "${name}" needs a schema (a JSON Schema object)`,
      );
    }
    let validate: ValidateFunction;
    try {
      validate = ajv.compile(schema);
    } catch (error) {
      throw new TypeError(
        `Task type ${typeId}: the schema of output "${name}" is not a valid JSON Schema: ${(error as Error).message}`,
        { cause: error },
      );
    }
    return { name, required: isRequired(description), validate };
  });
  const declared = new Set(compiled.map((output) => output.name));
  const listed = compiled.length === 0 ? 'none' : [...declared].map(quote).join(', ');

  return (raw) => {
    const result = raw ?? {};
    if (!isPlainObject(result)) {
      return {
        ok: false,
        detail: `the result must be an object of the declared outputs (${listed}), not ${kindOf(result)}`,
        items: [],
      };
    }
    const items: ProblemItem[] = [];
    for (const [key, value] of Object.entries(result)) {
      // A key set to undefined is no output: JSON drops it.
      if (value !== undefined && !declared.has(key))
        items.push({ item: shorten(key), detail: 'not a declared output' });
    }
    for (const { name, required, validate } of compiled) {
      const value = result[name];
      if (value === undefined) {
        if (required) items.push({ item: shorten(name), detail: 'required output missing' });
      } else if (!validate(value)) {
        items.push({ item: shorten(name), detail: describeSchemaError(validate.errors) });
      }
    }
    if (items.length === 0) return { ok: true, result };
    const named = items.slice(0, MAX_NAMED).map(({ item, detail }) => `${quote(item)} ${detail}`);
    const more = items.length > MAX_NAMED ? ` and ${items.length - MAX_NAMED} more` : '';
    return {
      ok: false,
      detail: `${named.join('; ')}${more} (declared outputs: ${listed})`,
      items,
    };
  };
}

/** Outputs are required unless described with `minOccurs: 0`. */
function isRequired(description: ParameterDescription | undefined): boolean {
  return description?.minOccurs !== 0;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null || typeof value !== 'object') return `a ${typeof value}`;
  return `a ${(value as object).constructor?.name ?? 'non-plain'} object`;
}

function describeSchemaError(errors: ErrorObject[] | null | undefined): string {
  const first = errors?.[0];
  if (first === undefined) return 'does not match its schema';
  const where = first.instancePath === '' ? '' : ` at ${shorten(first.instancePath)}`;
  return `does not match its schema${where}: ${first.message ?? 'invalid'}`;
}

function shorten(text: string): string {
  return text.length > MAX_NAME ? `${text.slice(0, MAX_NAME)}…` : text;
}

function quote(text: string): string {
  return JSON.stringify(shorten(text));
}
