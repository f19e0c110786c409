/**
 * What the router knows about a path beyond one method: which methods it answers (for `405` and
 * `Allow`) and whether it is an OWS endpoint (so errors outside its routes, such as a wrong
 * method on /ows, still answer with an OGC exception).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RequestKind } from './request-context.ts';

export class RouteIndex {
  readonly #app: FastifyInstance;
  readonly #methods = new Set<string>();
  readonly #owsPaths = new Set<string>();

  /** Must be created before routes are added: it learns them from Fastify's onRoute hook. */
  constructor(app: FastifyInstance) {
    this.#app = app;
    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) this.#methods.add(method.toUpperCase());
      if (route.config?.requestKind === 'ows') this.#owsPaths.add(route.url);
    });
  }

  kindOf(request: FastifyRequest): RequestKind {
    // Requests failing before routing (bad URL) have no route options.
    const kind = request.routeOptions?.config?.requestKind;
    if (kind !== undefined) return kind;
    const url = request.url;
    const q = url.indexOf('?');
    return this.#owsPaths.has(q === -1 ? url : url.slice(0, q)) ? 'ows' : 'rest';
  }

  /**
   * The methods some route answers at `path`, in registration order. A catch-all `/*` would make
   * every unknown path "allow" GET, so the server registers none (its static files are one route
   * each); wildcards under a prefix (a plugin's `/elevation/tiles/*`) own that prefix and count.
   */
  methodsAt(path: string): string[] {
    const allowed: string[] = [];
    for (const method of this.#methods) {
      const route = this.#app.findRoute({ method: method as 'GET', url: path });
      if (route !== null && (route.params as Record<string, string>)['*'] !== path.slice(1)) {
        allowed.push(method);
      }
    }
    return allowed;
  }
}
