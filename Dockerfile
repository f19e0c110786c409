# Relief production image. Build:  docker build -t relief .
# See docs/deployment.md for running, volumes, configuration and health checks.

# ---- build: install production dependencies (native addons compile here) ----
FROM node:24-bookworm-slim AS build

# Toolchain for node-gyp, for native addons without a prebuilt binary for this platform.
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependency layer first: it is rebuilt only when package.json or package-lock.json change.
# tsx loads the server's TypeScript at run time; the only build step is the web page's bundle
# (esbuild and OpenLayers are dev dependencies), after which dev dependencies are pruned.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY web ./web
RUN npm run build:web \
    && npm prune --omit=dev --no-audit --no-fund \
    && npm cache clean --force

# ---- runtime ----
# The same Node 24 on the same Debian as the build stage: better-sqlite3 is compiled there, against
# that Node's ABI and that Debian's C library.
FROM node:24-bookworm-slim AS runtime

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    RELIEF_DATA_DIR=/data

WORKDIR /app

# Application files stay owned by root (read-only to the server); /data belongs to `node`.
RUN mkdir -p /data /app/plugins && chown node:node /data

COPY --from=build /app/node_modules ./node_modules
# The context is an allow-list (.dockerignore): package.json, package-lock.json, tsconfig.json,
# src/, plugins/, public/ and web/ (the page's source; its bundle comes from the build stage).
COPY . .
COPY --from=build /app/public/app ./public/app

USER node
VOLUME ["/data"]
EXPOSE 8080

# No curl in slim images: Node's fetch. Exits 0 only on a 2xx from /health.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# Node is PID 1 and handles SIGTERM/SIGINT itself (src/server/main.ts): graceful close, exit 0.
# No npm here: npm does not forward signals reliably.
STOPSIGNAL SIGTERM
CMD ["node", "--import", "tsx", "src/server/main.ts"]
