#!/usr/bin/env bash
# Real PostgreSQL, Redis and Kafka on this machine, without Docker (see deploy/local/README.md).
#   servers.sh up     install what is missing, start the three servers, wait until ready
#   servers.sh down   stop them
#   servers.sh env    print the variables the tests read
set -euo pipefail

DIR="${MARELLE_SERVERS_DIR:-$HOME/.cache/marelle/servers}"
PG_PORT="${MARELLE_PG_PORT:-55432}"
REDIS_PORT="${MARELLE_REDIS_PORT:-56379}"
KAFKA_PORT="${MARELLE_KAFKA_PORT:-59092}"
KAFKA_CONTROLLER_PORT=$((KAFKA_PORT + 1))
KAFKA_VERSION="${MARELLE_KAFKA_VERSION:-4.1.1}"
LOG4J_VERSION=2.24.3
# Any fixed 22-character base64 id: the broker's data is formatted once with it.
KAFKA_CLUSTER_ID="bWFyZWxsZS1sb2NhbC1rYQ"

log() { printf '[servers] %s\n' "$*" >&2; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# True when process $1 is alive and its command line contains $2 (a pid file left by a previous
# boot may name an unrelated process by now).
pid_runs() {
  local pid=$1 pattern=$2
  [[ "$pid" =~ ^[0-9]+$ ]] && [ -r "/proc/$pid/cmdline" ] \
    && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$pattern"
}

show_logs() { # files...
  local f
  for f in "$@"; do
    [ -s "$f" ] || continue
    log "last lines of $f:"; tail -n 40 "$f" >&2 || true
  done
}

wait_for() { # name seconds "logfile [logfile...]" pid|- command...
  local name=$1 limit=$2 logfiles=$3 pid=$4; shift 4
  local start=$SECONDS
  until "$@" >/dev/null 2>&1; do
    if [ "$pid" != - ] && ! kill -0 "$pid" 2>/dev/null; then
      log "$name exited before it was ready"
      # shellcheck disable=SC2086
      show_logs $logfiles
      exit 1
    fi
    if (( SECONDS - start > limit )); then
      log "$name not ready after ${limit}s"
      # shellcheck disable=SC2086
      show_logs $logfiles
      exit 1
    fi
    sleep 0.5
  done
  log "$name ready on 127.0.0.1 ($((SECONDS - start))s)"
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

postgres_up() {
  apt_install postgresql postgresql-client
  local bin data="$DIR/postgres/data" logfile="$DIR/postgres/postgres.log"
  bin=$(pg_bin)
  mkdir -p "$DIR/postgres"
  chown -R postgres:postgres "$DIR/postgres" 2>/dev/null || true
  # The postgres user must be able to reach its data directory.
  local parent="$DIR"; while [ "$parent" != "/" ]; do chmod o+x "$parent" 2>/dev/null || true; parent=$(dirname "$parent"); done
  if port_open "$PG_PORT"; then log "PostgreSQL already answers on $PG_PORT"; return; fi
  if [ ! -s "$data/PG_VERSION" ]; then
    log "initialising a PostgreSQL cluster in $data"
    local pwfile; pwfile=$(mktemp); echo marelle > "$pwfile"; chmod 644 "$pwfile"
    runuser -u postgres -- "$bin/initdb" -D "$data" -U marelle --pwfile="$pwfile" \
      --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$pwfile"
  fi
  # After a reboot or a kill, lock files may name a pid now used by another process: PostgreSQL
  # would then refuse to start. Nothing answers on the port, so drop them unless a postgres runs.
  local lock
  for lock in "$data/postmaster.pid" "$DIR/postgres/.s.PGSQL.$PG_PORT.lock"; do
    if [ -f "$lock" ] && ! pid_runs "$(head -n 1 "$lock")" postgres; then
      log "removing stale $lock"; rm -f "$lock"
    fi
  done
  log "starting PostgreSQL"
  if ! runuser -u postgres -- "$bin/pg_ctl" -D "$data" -l "$logfile" -w -t 60 start -o \
    "-c listen_addresses=127.0.0.1 -c port=$PG_PORT -c unix_socket_directories=$DIR/postgres \
     -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" >/dev/null; then
    log "PostgreSQL did not start"; show_logs "$logfile"; exit 1
  fi
  wait_for PostgreSQL 60 "$logfile" - "$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"
}

postgres_down() {
  local bin data="$DIR/postgres/data"; bin=$(pg_bin)
  [ -n "$bin" ] && [ -s "$data/PG_VERSION" ] && runuser -u postgres -- "$bin/pg_ctl" -D "$data" -m fast stop >/dev/null 2>&1 || true
}

redis_up() {
  apt_install redis-server
  mkdir -p "$DIR/redis"
  if port_open "$REDIS_PORT"; then log "Redis already answers on $REDIS_PORT"; return; fi
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --save "" --appendonly no \
    --dir "$DIR/redis" --pidfile "$DIR/redis/redis.pid" --logfile "$DIR/redis/redis.log"
  wait_for Redis 20 "$DIR/redis/redis.log" - redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping
}

redis_down() {
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  rm -f "$DIR/redis/redis.pid"
}

kafka_libs() {
  local libs="$DIR/kafka/libs-$KAFKA_VERSION"
  if [ -f "$libs/.complete" ]; then echo "$libs"; return; fi
  command -v mvn >/dev/null || apt_install maven
  command -v java >/dev/null || apt_install openjdk-17-jre-headless
  mkdir -p "$DIR/kafka"
  cat > "$DIR/kafka/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.marelle</groupId><artifactId>kafka-broker</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>$LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>$LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-api</artifactId><version>$LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>1.7.36</version></dependency>
  </dependencies>
</project>
POM
  log "collecting the Kafka $KAFKA_VERSION broker from Maven Central (cached in ~/.m2)"
  rm -rf "$libs"
  if ! mvn -q -B -f "$DIR/kafka/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$libs" >"$DIR/kafka/mvn.log" 2>&1; then
    log "Maven could not collect the broker"; show_logs "$DIR/kafka/mvn.log"; exit 1
  fi
  touch "$libs/.complete"
  echo "$libs"
}

kafka_up() {
  local libs data="$DIR/kafka/data" logfile="$DIR/kafka/kafka.log" props="$DIR/kafka/server.properties"
  libs=$(kafka_libs)
  if port_open "$KAFKA_PORT"; then log "Kafka already answers on $KAFKA_PORT"; return; fi
  mkdir -p "$data"
  local pid=""; [ -f "$DIR/kafka/kafka.pid" ] && pid=$(cat "$DIR/kafka/kafka.pid")
  if pid_runs "$pid" "kafka.Kafka $props"; then
    # Still starting (or stuck): wait for it rather than start a second broker on the same data.
    log "Kafka (pid $pid) is running but not answering yet; waiting"
    wait_for Kafka 120 "$logfile $DIR/kafka/stdout.log" "$pid" port_open "$KAFKA_PORT"
    return
  fi
  cat > "$props" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$data
num.partitions=4
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
num.network.threads=2
num.io.threads=2
PROPS
  cat > "$DIR/kafka/log4j2.properties" <<LOG
status = error
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = $logfile
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.kafka.name = kafka
logger.kafka.level = WARN
logger.server.name = kafka.server.KafkaRaftServer
logger.server.level = INFO
logger.broker.name = kafka.server.BrokerServer
logger.broker.level = INFO
LOG
  local java_opts=(-Xms512m -Xmx512m -Dlog4j2.configurationFile="$DIR/kafka/log4j2.properties")
  if [ ! -f "$data/meta.properties" ]; then
    log "formatting Kafka storage"
    java "${java_opts[@]}" -cp "$libs/*" kafka.tools.StorageTool format \
      --cluster-id="$KAFKA_CLUSTER_ID" -c "$props" --ignore-formatted >&2
  fi
  log "starting Kafka"
  nohup java "${java_opts[@]}" -cp "$libs/*" kafka.Kafka "$props" >"$DIR/kafka/stdout.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" > "$DIR/kafka/kafka.pid"
  wait_for Kafka 120 "$logfile $DIR/kafka/stdout.log" "$pid" port_open "$KAFKA_PORT"
}

kafka_down() {
  local pidfile="$DIR/kafka/kafka.pid" props="$DIR/kafka/server.properties" pid=""
  [ -f "$pidfile" ] && pid=$(cat "$pidfile")
  # Only a broker started from this directory's properties (a stale pid may belong to another process).
  pid_runs "$pid" "kafka.Kafka $props" || pid=$(pgrep -f -x "java .*kafka\.Kafka $props" | head -n 1 || true)
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

print_env() {
  cat <<ENV
export MARELLE_TEST_POSTGRES_URL=postgresql://marelle:marelle@127.0.0.1:$PG_PORT/postgres
export MARELLE_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
export MARELLE_TEST_KAFKA_BOOTSTRAP=127.0.0.1:$KAFKA_PORT
ENV
}

case "${1:-}" in
  up) mkdir -p "$DIR"; postgres_up; redis_up; kafka_up ;;
  down) kafka_down; redis_down; postgres_down ;;
  env) print_env ;;
  *) echo "usage: $0 up|down|env" >&2; exit 2 ;;
esac
