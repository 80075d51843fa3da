# syntax=docker/dockerfile:1
# One image for every DailyDesk process. Pick the process with SERVICE (build arg or runtime env):
#   docker build --build-arg SERVICE=receipts -t dailydesk/receipts .
#   docker run -e SERVICE=appointments dailydesk/platform          # or override the command:
#   docker run dailydesk/platform node -r @swc-node/register tools/platform/simulator-main.ts
# TypeScript runs through @swc-node/register (as in development), so the runtime keeps the dev dependencies
# that provide it; there is no separate compile step whose output could drift from the sources.
ARG NODE_VERSION=20.20

# --- manifests: only package.json files, so the npm ci layer below is rebuilt only when a dependency changes ---
FROM node:${NODE_VERSION}-bookworm-slim AS manifests
WORKDIR /src
COPY . .
RUN find . -type f ! -name package.json ! -name package-lock.json -delete && find . -type d -empty -delete

# --- deps: npm ci exactly from the lock file ---
FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
COPY --from=manifests /src/ ./
RUN npm ci --no-audit --no-fund

# --- build: sources on top of the installed tree (workspace links under node_modules/@dailydesk point into libs/) ---
FROM deps AS build
COPY . .
# Fail the build, not the container, when a source file does not even parse.
RUN node -e "require('@swc-node/register'); require('@dailydesk/contracts'); require('@dailydesk/service-kit')"

# --- runtime ---
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ARG SERVICE=""
ENV NODE_ENV=production \
    SERVICE=${SERVICE} \
    HTTP_HOST=0.0.0.0 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=build --chown=node:node /app /app
RUN mkdir -p /data && chown node:node /data
USER node
# PORT is set per service (defaults: scheduler 3001, appointments 3002, campaigns 3003, sms-dispatch 3004, receipts 3005).
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||'3000')+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["sh", "-c", "case \"$SERVICE\" in scheduler|appointments|campaigns|sms-dispatch|receipts) exec node -r @swc-node/register services/$SERVICE/src/main.ts ;; *) echo \"SERVICE must be one of scheduler, appointments, campaigns, sms-dispatch, receipts (got '$SERVICE')\" >&2; exit 2 ;; esac"]
