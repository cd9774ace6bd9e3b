# syntax=docker/dockerfile:1
# Build stage: production dependencies only, native modules (better-sqlite3, argon2) compiled here.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# Run stage: no compilers, no dev dependencies, not root.
FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=4000 DATABASE_URL=/data/deskgraph.sqlite
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
RUN node bin/build.mjs
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 4000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:' + process.env.PORT + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# node is PID 1 and receives SIGTERM itself (no npm or shell in between to swallow it).
CMD ["node", "--enable-source-maps", "dist/deskgraph.mjs"]
