#!/usr/bin/env bash
# The distributed mode as plain local processes, against running PostgreSQL, Kafka and Redis
# (e.g. from deploy/local/servers.sh): one database per service, then per service a migration
# step, the demo data unless MARELLE_DEMO=0, an API process, a worker process (outbox relay +
# Kafka consumer) and a jobs process (Celery worker with beat: the service's background jobs),
# then the gateway and the back office (its own process).
#
#   MARELLE_PG_ADMIN_URL=postgresql://marelle:marelle@127.0.0.1:55432/postgres \
#   MARELLE_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:59092 MARELLE_REDIS_URL=redis://127.0.0.1:56379/0 \
#   bash deploy/distributed/start.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

: "${MARELLE_PG_ADMIN_URL:?PostgreSQL admin URL, e.g. postgresql://marelle:marelle@127.0.0.1:55432/postgres}"
: "${MARELLE_KAFKA_BOOTSTRAP_SERVERS:?Kafka bootstrap servers, e.g. 127.0.0.1:59092}"
: "${MARELLE_REDIS_URL:?Redis URL, e.g. redis://127.0.0.1:56379/0}"
RUN_DIR="${MARELLE_RUN_DIR:-var/distributed}"
BASE="${MARELLE_PORT_BASE:-8000}"
UV="${UV:-uv}"
SERVICES=(auth family booking billing mailing)
declare -A OFFSET=([auth]=101 [family]=102 [booking]=103 [billing]=104 [mailing]=105)

mkdir -p "$RUN_DIR"
export MARELLE_MODE=distributed
export MARELLE_JWKS_URL="http://127.0.0.1:$((BASE + OFFSET[auth]))/.well-known/jwks.json"
export MARELLE_GATEWAY_SECRET_KEY="${MARELLE_GATEWAY_SECRET_KEY:-$(head -c 32 /dev/urandom | base64 | tr -d '=+/')}"
export MARELLE_GATEWAY_DEFAULT_TENANT_SLUG="${MARELLE_GATEWAY_DEFAULT_TENANT_SLUG:-demo}"
export MARELLE_MAILING_PORTAL_URL="${MARELLE_MAILING_PORTAL_URL:-http://127.0.0.1:$BASE}"
export MARELLE_BILLING_PUBLIC_URL="${MARELLE_BILLING_PUBLIC_URL:-http://127.0.0.1:$BASE/api/billing}"
export MARELLE_BILLING_PORTAL_RETURN_URL="${MARELLE_BILLING_PORTAL_RETURN_URL:-http://127.0.0.1:$BASE/factures/paiement/{id}}"
# The payment providers' secret options are encrypted with this key (kept in the run dir).
if [ -z "${MARELLE_BILLING_SECRETS_KEY:-}" ]; then
  mkdir -p "$RUN_DIR"
  [ -s "$RUN_DIR/billing-secrets.key" ] || "$UV" run --quiet python -c \
    'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())' >"$RUN_DIR/billing-secrets.key"
  export MARELLE_BILLING_SECRETS_KEY="$(cat "$RUN_DIR/billing-secrets.key")"
fi
# Password-link tokens are sealed to the mailing-service's key (its JWKS).
export MARELLE_AUTH_LINK_KEYS_URL="http://127.0.0.1:$((BASE + OFFSET[mailing]))/.well-known/link-keys.json"
export MARELLE_AUTH_PUBLIC_URL="${MARELLE_AUTH_PUBLIC_URL:-http://127.0.0.1:$BASE/api/auth}"
export MARELLE_AUTH_PORTAL_REDIRECT_URIS="${MARELLE_AUTH_PORTAL_REDIRECT_URIS:-[\"http://127.0.0.1:$BASE/auth/callback\", \"http://127.0.0.1:$((BASE + 1))/admin/connexion/retour\"]}"

database_url() { # service -> URL of marelle_<service> on the admin URL's server
  "$UV" run --quiet python -c "
import sys
from sqlalchemy.engine import make_url
print(make_url(sys.argv[1]).set(database=sys.argv[2]).render_as_string(hide_password=False))
" "$MARELLE_PG_ADMIN_URL" "marelle_$1"
}

"$UV" run --quiet python - "$MARELLE_PG_ADMIN_URL" "${SERVICES[@]}" <<'PY'
import asyncio, sys
import asyncpg

async def main(admin: str, services: list[str]) -> None:
    connection = await asyncpg.connect(admin)
    try:
        for service in services:
            name = f"marelle_{service}"
            if not await connection.fetchval("SELECT 1 FROM pg_database WHERE datname=$1", name):
                await connection.execute(f'CREATE DATABASE "{name}"')
                print(f"created database {name}")
    finally:
        await connection.close()

asyncio.run(main(sys.argv[1], sys.argv[2:]))
PY

start() { # name command...
  local name=$1; shift
  nohup "$@" >"$RUN_DIR/$name.log" 2>&1 &
  echo $! >"$RUN_DIR/$name.pid"
}

# No SMTP server given: a local catcher (aiosmtpd) prints every mail to its log.
if [ -z "${MARELLE_MAILING_SMTP_HOST:-}" ]; then
  export MARELLE_MAILING_SMTP_HOST=127.0.0.1 MARELLE_MAILING_SMTP_PORT=$((BASE + 25))
  start smtp "$UV" run --quiet python -m aiosmtpd -n -l "127.0.0.1:$MARELLE_MAILING_SMTP_PORT"
fi

for service in "${SERVICES[@]}"; do
  upper=${service^^}
  export "MARELLE_${upper}_DATABASE_URL=$(database_url "$service")"
  export "MARELLE_${upper}_PORT=$((BASE + OFFSET[$service]))"
  export "MARELLE_GATEWAY_${upper}_URL=http://127.0.0.1:$((BASE + OFFSET[$service]))"
  "$UV" run --quiet python -m "marelle_$service" migrate
  if [ "${MARELLE_DEMO:-1}" = 1 ]; then "$UV" run --quiet python -m "marelle_$service" seed; fi
  start "$service-api" "$UV" run --quiet python -m "marelle_$service" api
  start "$service-worker" "$UV" run --quiet python -m "marelle_$service" worker
  # The background jobs (marelle_kit.jobs) on Celery, Redis as broker; beat in the same process
  # (one per service).
  start "$service-jobs" "$UV" run --quiet python -m "marelle_$service" jobs worker --beat \
    --concurrency=2
done
# The portal on $BASE, the staff's back office as its own process on $BASE+1 (same /admin
# pages, sessions shared through Redis); the auth-service knows both callbacks.
export MARELLE_GATEWAY_PORT="$BASE"
export MARELLE_GATEWAY_PUBLIC_URL="${MARELLE_GATEWAY_PUBLIC_URL:-http://127.0.0.1:$BASE}"
export MARELLE_GATEWAY_BACKOFFICE_PORT=$((BASE + 1))
export MARELLE_GATEWAY_BACKOFFICE_URL="${MARELLE_GATEWAY_BACKOFFICE_URL:-http://127.0.0.1:$((BASE + 1))}"
export MARELLE_GATEWAY_SERVE_BACKOFFICE=false
start gateway "$UV" run --quiet python -m marelle_gateway
start backoffice "$UV" run --quiet python -m marelle_gateway backoffice

wait_ready() { # url
  for _ in $(seq 1 120); do
    if "$UV" run --quiet python -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" "$1" 2>/dev/null; then
      return 0
    fi
    sleep 0.5
  done
  echo "not ready: $1 (logs in $RUN_DIR)" >&2
  return 1
}
for service in "${SERVICES[@]}"; do wait_ready "http://127.0.0.1:$((BASE + OFFSET[$service]))/readyz"; done
wait_ready "http://127.0.0.1:$BASE/readyz"
wait_ready "http://127.0.0.1:$((BASE + 1))/readyz"
echo "Marelle (mode distribué) : portail http://127.0.0.1:$BASE/   espace agents http://127.0.0.1:$((BASE + 1))/admin   journaux : $RUN_DIR/"
