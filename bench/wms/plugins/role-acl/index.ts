/**
 * bench/wms's access-control filter, shaped like a real one: the client's role comes from a
 * request header (as a reverse proxy that authenticated the user would set it), each role may
 * read the layers matching its name patterns, and the role is the cache key, so clients with
 * different rights never share a cached document or image. Unknown or missing roles read nothing.
 *
 * `GET /role-acl/stats` counts the hook calls, so the benchmark can check the filter really ran.
 */
import { definePlugin, type RequestContext } from 'relief';

export const ROLE_HEADER = 'x-relief-role';

/** Role → layer name patterns (`*` matches any run of characters). */
const RULES: Record<string, readonly string[]> = {
  admin: ['*'],
  editor: ['terrain', 'terrain-*', 'lakes', 'roads'],
  viewer: ['terrain', 'terrain-*', 'lakes'],
  guest: ['overview-*'],
};

function compile(patterns: readonly string[]): RegExp {
  const alternatives = patterns.map((p) =>
    p
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*'),
  );
  return new RegExp(`^(?:${alternatives.join('|')})$`);
}

const ALLOWED = new Map(Object.entries(RULES).map(([role, patterns]) => [role, compile(patterns)]));

function roleOf(ctx: RequestContext): string | undefined {
  const value = ctx.headers[ROLE_HEADER];
  const role = (Array.isArray(value) ? value[0] : value)?.trim().toLowerCase();
  return role === undefined || role === '' ? undefined : role;
}

export default definePlugin({
  register(relief) {
    const calls = { canRead: 0, cacheKey: 0, denied: 0 };
    relief.registerAccessControl({
      canRead(ctx, layer) {
        calls.canRead++;
        const role = roleOf(ctx);
        const allowed = role !== undefined && ALLOWED.get(role)?.test(layer.name) === true;
        if (!allowed) calls.denied++;
        return allowed;
      },
      cacheKey(ctx) {
        calls.cacheKey++;
        return roleOf(ctx) ?? 'anonymous';
      },
    });
    relief.registerRoutes(async (app) => {
      app.get('/stats', async () => ({ ...calls }));
    });
  },
});
