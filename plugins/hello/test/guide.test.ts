/** docs/plugins.md shows this plugin as its complete example: keep the two identical. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFile(new URL(path, import.meta.url), 'utf8');

describe('plugin author guide', () => {
  it('quotes plugins/hello/index.ts and plugin.json exactly', async () => {
    const guide = await read('../../../docs/plugins.md');
    const blocks = [...guide.matchAll(/```(?:ts|json)\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks).toContain(await read('../index.ts'));
    expect(blocks).toContain(await read('../plugin.json'));
  });
});
