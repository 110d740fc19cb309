# Rounds API image: one process serving the API, the web app and (unless turned off) the workers.
# Build: docker build -t rounds .   Run: see deploy/compose.yaml and README.md, "Operating Rounds".

# --- build: every dependency, the web app (fingerprinted, pre-compressed), the server bundle
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# scripts off: `prepare` builds, and the sources are not here yet
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf web test bench docs scripts .wireit

# --- runtime: production dependencies and the build, as an unprivileged user
FROM node:20-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    ROUNDS_DATA_DIR=/var/lib/rounds \
    ROUNDS_AUDIT_CHECKPOINTS=/var/lib/rounds/audit-checkpoints
WORKDIR /app
COPY --from=build /app /app
RUN mkdir -p /var/lib/rounds/audit-checkpoints && chown -R node:node /var/lib/rounds
USER node
EXPOSE 3000
VOLUME ["/var/lib/rounds"]
# liveness only: /healthz never touches the database (readiness is /readyz, for the balancer)
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node as PID 1 receives SIGTERM itself: the server drains within 9 s (ARCHITECTURE.md, "Scaling out")
STOPSIGNAL SIGTERM
CMD ["node", "--enable-source-maps", "dist/server/cli.js", "serve"]
