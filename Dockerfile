# Relief production image. Build:  docker build -t relief .
# See docs/deployment.md for running, volumes, configuration, health checks and Kubernetes.
#
# The base image, pinned by digest so that a rebuild gets the same base: Docker Hub's
# node:24-bookworm-slim with Node 24.18.0 (the digest other projects pin for that release; this
# file was written without registry access, so it was not pulled here). Move it forward with
# Dependabot or Renovate, or pass another one:
#   docker build --build-arg NODE_IMAGE=node:24-bookworm-slim@sha256:<digest> -t relief .
# (deploy/container/check-image.sh does so with the digest of its local stand-in image).
ARG NODE_IMAGE=node:24-bookworm-slim@sha256:6f7b03f7c2c8e2e784dcf9295400527b9b1270fd37b7e9a7285cf83b6951452d

# ---- build: dependencies (native addons compile here), the server compiled to JavaScript ----
FROM ${NODE_IMAGE} AS build

# Toolchain for node-gyp, for native addons without a prebuilt binary for this platform.
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependency layer first: it is rebuilt only when package.json or package-lock.json change.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# The server and its plugins are compiled once here (npm run build:server: tsc into dist/), so
# the container starts JavaScript: no transpiling at start, no cache to write under /tmp.
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY plugins ./plugins
COPY web ./web
COPY public ./public
RUN npm run build:server \
    && npm run build:web \
    && npm prune --omit=dev --no-audit --no-fund \
    && npm cache clean --force \
    # Build objects of the native addons: only their .node binaries are loaded.
    && rm -rf node_modules/better-sqlite3/build/Release/obj.target \
              node_modules/better-sqlite3/build/Release/.deps \
              node_modules/better-sqlite3/deps node_modules/better-sqlite3/src

# ---- runtime ----
# The same Node on the same Debian as the build stage: better-sqlite3 is compiled there, against
# that Node's ABI and that Debian's C library.
FROM ${NODE_IMAGE} AS runtime

ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="Relief" \
      org.opencontainers.image.description="A plugin-extensible map server: OGC WMS, WCS and WFS, REST APIs and background jobs, with an elevation plugin." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.documentation="docs/deployment.md"

# No HOST, PORT or RELIEF_DATA_DIR here: image ENV would override a mounted config file. The
# image's defaults are in /app/relief.defaults.yaml, below the config file in precedence.
ENV NODE_ENV=production

WORKDIR /app

# /data is the user's and group 0's: the image runs as 1000:0, and platforms that run it under
# an arbitrary UID (OpenShift) keep group 0, so the data dir stays writable either way.
# Application files stay owned by root, read-only to the server.
RUN mkdir -p /data && chown 1000:0 /data && chmod 2775 /data

# jemalloc instead of glibc's malloc. glibc gives each thread its own arena and keeps what it
# once held: under maps and a job at once, a 512 MiB / 1 CPU container's anonymous memory grew to
# 415–504 MiB and one run in three was OOM-killed; with jemalloc it peaked at 367–404 MiB and went
# back down between stages (docs/performance.md). sharp's documentation recommends it for the
# same reason. Costs some map throughput on one CPU; `-e LD_PRELOAD=` turns it off.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libjemalloc2 \
    && rm -rf /var/lib/apt/lists/* \
    && ln -s "$(find /usr/lib -name libjemalloc.so.2 | head -1)" /usr/local/lib/libjemalloc.so.2
ENV LD_PRELOAD=/usr/local/lib/libjemalloc.so.2

COPY --from=build /app/node_modules ./node_modules
# Compiled JavaScript laid out as in the repository (src/, plugins/), plugin manifests included;
# no TypeScript sources, tests or build tools.
COPY --from=build /app/dist/ ./
COPY --from=build /app/public ./public
COPY package.json ./
COPY deploy/container/relief.defaults.yaml ./relief.defaults.yaml

# Numeric, so that Kubernetes can check runAsNonRoot without a runAsUser.
USER 1000:0
VOLUME ["/data"]
EXPOSE 8080

# No curl in slim images: Node's fetch. Exits 0 only on a 2xx from /health.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# Node is PID 1 and handles SIGTERM/SIGINT itself (src/server/main.ts): graceful close, exit 0.
# No npm here: npm does not forward signals reliably.
STOPSIGNAL SIGTERM
CMD ["node", "src/server/main.js"]
