/** Issue 13: a task's result against the outputs its type declares (src/tasks/task-outputs.ts). */
import { describe, expect, it } from 'vitest';
import { resultChecker } from '../../../src/tasks/task-outputs.ts';
import type { ParameterDescription } from '../../../src/tasks/task-types.ts';

const described = (
  schemas: Record<string, ParameterDescription['schema'] | boolean>,
  optional: string[] = [],
): Record<string, ParameterDescription> =>
  Object.fromEntries(
    Object.entries(schemas).map(([name, schema]) => [
      name,
      {
        title: name,
        schema: schema as ParameterDescription['schema'],
        ...(optional.includes(name) ? { minOccurs: 0 } : {}),
      },
    ]),
  );

describe('issue 13: resultChecker', () => {
  const check = resultChecker(
    'sample',
    described(
      {
        total: { type: 'integer', minimum: 0 },
        mosaic: { type: 'object', nullable: true, required: ['href'] },
        link: { type: 'string', format: 'uri' },
        anything: true,
      },
      ['mosaic', 'link', 'anything'],
    ),
  );

  it('accepts an object of declared outputs, optional ones left out, null where nullable', () => {
    expect(check({ total: 3 })).toEqual({ ok: true, result: { total: 3 } });
    expect(check({ total: 0, mosaic: null, anything: [1, 'x'] }).ok).toBe(true);
    // `format` is an annotation: links are stored as paths and made absolute when served.
    expect(check({ total: 1, link: '/elevation/jobs/x/mosaic.tif' }).ok).toBe(true);
    // A key set to undefined is no output (JSON drops it).
    expect(check({ total: 1, stray: undefined }).ok).toBe(true);
    expect(check(Object.assign(Object.create(null) as object, { total: 2 })).ok).toBe(true);
  });

  it('takes nothing (undefined, null) as the empty result', () => {
    const none = resultChecker('none', {});
    expect(none(undefined)).toEqual({ ok: true, result: {} });
    expect(none(null)).toEqual({ ok: true, result: {} });
    expect(none({})).toEqual({ ok: true, result: {} });
    // With a required output, the empty result lacks it.
    expect(check(undefined)).toMatchObject({
      ok: false,
      items: [{ item: 'total', detail: 'required output missing' }],
    });
  });

  it('refuses what is not a plain object, saying what it got', () => {
    for (const [value, kind] of [
      [5, 'a number'],
      ['text', 'a string'],
      [true, 'a boolean'],
      [[{ total: 1 }], 'an array'],
      [new Map([['total', 1]]), 'a Map object'],
      [new Date(0), 'a Date object'],
    ] as const) {
      expect(check(value)).toEqual({
        ok: false,
        detail: `the result must be an object of the declared outputs ("total", "mosaic", "link", "anything"), not ${kind}`,
        items: [],
      });
    }
  });

  it('names every undeclared, missing and invalid output, with where a nested value fails', () => {
    const result = check({ mosaic: { width: 3 }, total: -1, debug: 1, layers: [] });
    expect(result).toEqual({
      ok: false,
      detail:
        '"debug" not a declared output; "layers" not a declared output; "total" does not match its schema: must be >= 0; "mosaic" does not match its schema: must have required property \'href\' (declared outputs: "total", "mosaic", "link", "anything")',
      items: [
        { item: 'debug', detail: 'not a declared output' },
        { item: 'layers', detail: 'not a declared output' },
        { item: 'total', detail: 'does not match its schema: must be >= 0' },
        {
          item: 'mosaic',
          detail: "does not match its schema: must have required property 'href'",
        },
      ],
    });
    const nested = resultChecker(
      'nested',
      described({
        tiles: {
          type: 'array',
          items: { type: 'object', properties: { size: { type: 'integer' } } },
        },
      }),
    );
    expect(nested({ tiles: [{ size: 1 }, { size: 'big' }] })).toMatchObject({
      ok: false,
      items: [{ item: 'tiles', detail: 'does not match its schema at /1/size: must be integer' }],
    });
  });

  it('bounds the detail: five problems named, the rest counted, long keys cut', () => {
    const many = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`extra${i}`, i]));
    const result = resultChecker('few', {})(many);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.items).toHaveLength(8);
    expect(result.detail).toMatch(
      /"extra4" not a declared output and 3 more \(declared outputs: none\)$/,
    );
    const long = 'k'.repeat(500);
    const cut = resultChecker('few', {})({ [long]: 1 });
    expect(cut.ok).toBe(false);
    if (!cut.ok) expect(cut.items[0]?.item).toBe(`${'k'.repeat(100)}…`);
  });

  it('refuses at registration outputs it cannot check', () => {
    expect(() => resultChecker('t', undefined)).toThrow(/outputs must be an object/);
    expect(() =>
      resultChecker('t', { x: { title: 'X' } as unknown as ParameterDescription }),
    ).toThrow('Task type t: output "x" needs a schema (a JSON Schema object)');
    expect(() => resultChecker('t', described({ x: { type: 'banana' } }))).toThrow(
      /Task type t: the schema of output "x" is not a valid JSON Schema/,
    );
    expect(() =>
      resultChecker('t', described({ x: { $ref: 'https://example.org/s.json' } })),
    ).toThrow(/schema of output "x" is not a valid JSON Schema/);
    // The same $id in two types is no clash: schemas are not kept by id.
    const a = resultChecker(
      'a',
      described({ x: { $id: 'https://example.org/x.json', type: 'number' } }),
    );
    const b = resultChecker(
      'b',
      described({ x: { $id: 'https://example.org/x.json', type: 'string' } }),
    );
    expect([a({ x: 1 }).ok, b({ x: 's' }).ok]).toEqual([true, true]);
  });
});
