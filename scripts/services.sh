#!/usr/bin/env bash
# scripts/services.sh - install and run the real services the Huanxin test suite needs.
#
# Target: Debian 12, running as root, no Docker, no systemd. Everything listens on 127.0.0.1 only.
# Reaches only Debian apt, Maven Central (through mvn) and the Go module proxy (through go).
#
#   scripts/services.sh [up] [SERVICE...]     install if missing, start if down, verify (default: all)
#   scripts/services.sh stop [SERVICE...]     stop what this script started
#   scripts/services.sh restart [SERVICE...]  stop, then up
#   scripts/services.sh status [SERVICE...]   report up/down for each (exit 0 only if all are up)
#   scripts/services.sh env                   print the environment lines only
#
# SERVICE is one of: pg redis es stripe chromium   (aliases: postgres, elasticsearch, stripe-mock)
#
# Progress goes to stderr; the environment lines (KEY=value) go to stdout, so
#   eval "$(scripts/services.sh up | sed 's/^/export /')"
# works. It is idempotent: a second run only checks that each service answers.
set -euo pipefail

# ---- pinned versions -----------------------------------------------------------------------------
# Elasticsearch 8.19.21: the newest 8.19.x integ-test zip on Maven Central when this was written
# (8.19.22 is not published there). 8.x needs Java >= 17, so it runs on Debian's own OpenJDK 17
# (package openjdk-17-jre-headless, installable from apt on any fresh Debian 12). ES 9.x would need
# Java >= 21, i.e. the Temurin JDK that only some machine images carry and that apt cannot provide.
# Python client to match: elasticsearch>=8.19,<9.
ES_VERSION=${ES_VERSION:-8.19.21}
STRIPE_MOCK_VERSION=${STRIPE_MOCK_VERSION:-v0.203.0}   # newest the Go module proxy listed when written
PG_VERSION=15
PG_CLUSTER=main

HOST=127.0.0.1
PG_PORT=5432
PG_DB=huanxin_test
PG_ROLE=huanxin
REDIS_PORT=6379
ES_PORT=9200
STRIPE_HTTP_PORT=12111
STRIPE_HTTPS_PORT=12112

BASE=${HUANXIN_SERVICES_DIR:-/opt/huanxin}            # project-independent cache/run dir
RUN_DIR=$BASE/run
ES_HOME=$BASE/es-$ES_VERSION
ES_USER=elastic
ES_PID=$ES_HOME/es.pid
ES_HEAP=512m
REDIS_DIR=$BASE/redis
STRIPE_PID=$RUN_DIR/stripe-mock.pid
STRIPE_LOG=$RUN_DIR/stripe-mock.log
MVN_DEP_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1

ES_START_TIMEOUT=${ES_START_TIMEOUT:-180}   # seconds
PG_START_TIMEOUT=30
REDIS_START_TIMEOUT=15
STRIPE_START_TIMEOUT=30
STOP_TIMEOUT=30
LOCK_TIMEOUT=1200                          # a cold run of another caller may hold the lock this long

ALL_SERVICES=(pg redis es stripe chromium)
export PATH="/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH"
export DEBIAN_FRONTEND=noninteractive

log()  { printf '[services] %s\n' "$*" >&2; }
die()  { printf '[services] ERROR: %s\n' "$*" >&2; exit 1; }

# ---- helpers -------------------------------------------------------------------------------------
APT_UPDATED=0
apt_install() {   # apt_install PKG...  (runs 'apt-get update' once, only when something is installed)
  if [ "$APT_UPDATED" = 0 ]; then
    log "apt-get update"
    apt-get -o DPkg::Lock::Timeout=300 update -qq >&2
    APT_UPDATED=1
  fi
  log "apt-get install $*"
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "$@" >&2
}
pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
ensure_pkgs() {   # ensure_pkgs PKG...  installs only the missing ones
  local missing=() p
  for p in "$@"; do pkg_installed "$p" || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}
write_if_changed() {   # write_if_changed FILE  (content on stdin); returns 0 if the file changed
  local f=$1 tmp
  tmp=$(mktemp)
  cat >"$tmp"
  if [ -f "$f" ] && cmp -s "$tmp" "$f"; then rm -f "$tmp"; return 1; fi
  mv "$tmp" "$f"; chmod 644 "$f"; return 0
}
pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
kill_pidfile() {   # kill_pidfile PIDFILE NAME: TERM, bounded wait, then KILL
  local pf=$1 name=$2 pid i
  if ! pid_alive "$pf"; then rm -f "$pf"; log "$name: not running"; return 0; fi
  pid=$(cat "$pf")
  log "$name: stopping pid $pid"
  kill "$pid" 2>/dev/null || true
  for ((i = 0; i < STOP_TIMEOUT * 2; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then log "$name: still alive after ${STOP_TIMEOUT}s, sending KILL"; kill -9 "$pid" 2>/dev/null || true; fi
  rm -f "$pf"
}

# ==== PostgreSQL 15 (apt) =========================================================================
pg_online() { pg_lsclusters -h 2>/dev/null | awk -v v=$PG_VERSION -v c=$PG_CLUSTER '$1==v && $2==c {print $4}' | grep -q '^online'; }
pg_check() { psql "postgresql://$PG_ROLE@$HOST:$PG_PORT/$PG_DB" -qAtc 'select 1' 2>/dev/null | grep -qx 1; }
pg_up() {
  ensure_pkgs postgresql-$PG_VERSION postgresql-client-$PG_VERSION
  if ! pg_lsclusters -h | awk '{print $1"/"$2}' | grep -qx "$PG_VERSION/$PG_CLUSTER"; then
    log "pg: creating cluster $PG_VERSION/$PG_CLUSTER"
    pg_createcluster $PG_VERSION $PG_CLUSTER -p $PG_PORT >&2
  fi
  local conf=/etc/postgresql/$PG_VERSION/$PG_CLUSTER changed=0
  # listen_addresses etc. go into conf.d (Debian's postgresql.conf has include_dir = 'conf.d'):
  # pg_conftool / pg_createcluster -o quote 127.0.0.1 wrongly and the server then fails to start.
  mkdir -p "$conf/conf.d"
  write_if_changed "$conf/conf.d/zz-huanxin-test.conf" <<EOF && changed=1
# written by huanxin scripts/services.sh: test-only settings, never for production
listen_addresses = '$HOST'
port = $PG_PORT
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  write_if_changed "$conf/pg_hba.conf" <<EOF && changed=1
# written by huanxin scripts/services.sh: trust auth, loopback only (test machine)
local   all all               trust
host    all all 127.0.0.1/32  trust
host    all all ::1/128       trust
EOF
  chown postgres:postgres "$conf/pg_hba.conf" "$conf/conf.d/zz-huanxin-test.conf"
  if pg_online; then
    if [ $changed = 1 ]; then log "pg: config changed, restarting"; pg_ctlcluster $PG_VERSION $PG_CLUSTER restart >&2 9>&-; fi
  else
    log "pg: starting cluster $PG_VERSION/$PG_CLUSTER"
    pg_ctlcluster $PG_VERSION $PG_CLUSTER start >&2 9>&- || true   # readiness is checked below
  fi
  local deadline=$((SECONDS + PG_START_TIMEOUT))
  until pg_isready -q -h $HOST -p $PG_PORT; do
    if [ $SECONDS -ge $deadline ]; then
      tail -n 30 /var/log/postgresql/postgresql-$PG_VERSION-$PG_CLUSTER.log >&2 || true
      die "pg: not accepting connections on $HOST:$PG_PORT after ${PG_START_TIMEOUT}s"
    fi
    sleep 1
  done
  local su=(psql -h "$HOST" -p "$PG_PORT" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1)
  "${su[@]}" -c "select 1 from pg_roles where rolname='$PG_ROLE'" | grep -qx 1 \
    || "${su[@]}" -c "create role $PG_ROLE login superuser" >&2
  "${su[@]}" -c "select 1 from pg_database where datname='$PG_DB'" | grep -qx 1 \
    || "${su[@]}" -c "create database $PG_DB owner $PG_ROLE" >&2
  pg_check || die "pg: 'select 1' as $PG_ROLE on $PG_DB failed"
  log "pg: up ($("${su[@]}" -c 'show server_version'), fsync=$("${su[@]}" -c 'show fsync'), listen=$("${su[@]}" -c 'show listen_addresses'))"
}
pg_stop() {
  if command -v pg_ctlcluster >/dev/null && pg_online; then log "pg: stopping"; pg_ctlcluster $PG_VERSION $PG_CLUSTER stop -m fast >&2
  else log "pg: not running"; fi
}
pg_env() { echo "DATABASE_URL=postgresql+psycopg://$PG_ROLE@$HOST:$PG_PORT/$PG_DB"; }

# ==== Redis (apt) =================================================================================
redis_check() { redis-cli -h $HOST -p $REDIS_PORT ping 2>/dev/null | grep -qx PONG; }
redis_up() {
  ensure_pkgs redis-server redis-tools
  if redis_check; then log "redis: already up"; return 0; fi
  mkdir -p "$REDIS_DIR"
  chown redis:redis "$REDIS_DIR" 2>/dev/null || true
  log "redis: starting on $HOST:$REDIS_PORT (no persistence)"
  redis-server --daemonize yes --bind $HOST --port $REDIS_PORT --protected-mode yes \
    --save '' --appendonly no --dir "$REDIS_DIR" \
    --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" >&2 9>&-
  local deadline=$((SECONDS + REDIS_START_TIMEOUT))
  until redis_check; do
    if [ $SECONDS -ge $deadline ]; then
      tail -n 30 "$REDIS_DIR/redis.log" >&2 || true
      die "redis: no PONG on $HOST:$REDIS_PORT after ${REDIS_START_TIMEOUT}s"
    fi
    sleep 0.5
  done
  log "redis: up ($(redis-server --version | awk '{print $3}' | sed 's/^v=//'))"
}
redis_stop() {
  if redis_check; then log "redis: stopping"; redis-cli -h $HOST -p $REDIS_PORT shutdown nosave >/dev/null 2>&1 || true
  else log "redis: not running"; fi
  rm -f "$REDIS_DIR/redis.pid"
}
redis_env() { echo "REDIS_URL=redis://$HOST:$REDIS_PORT/0"; }

# ==== Elasticsearch (integ-test zip from Maven Central) ============================================
# Profile found on the first run of 8.19.21 (integ-test zip, OpenJDK 17.0.15):
#   - _nodes/plugins: modules = apm, transport-netty4, x-pack-core, x-pack-security; plugins = none.
#     No analysis-common, lang-painless, reindex, rest-root, mapper-extras, parent-join, percolator,
#     ingest-common, aggregations, data-streams, lang-mustache, ILM/ML/watcher.
#   - POST _analyze {"analyzer":"cjk"} -> 400 illegal_argument_exception "failed to find global
#     analyzer [cjk]": the cjk analyzer is NOT available (it lives in analysis-common). The
#     standard analyzer splits Han text into single characters (二手手机 -> 二/手/手/机). A custom
#     analyzer {tokenizer: standard, filter: [lowercase, shingle(min=max=2, output_unigrams=false,
#     output_unigrams_if_no_shingles=true, token_separator="")]} works in an index and gives
#     二手/手手/手机 (checked: a match query for 手机 finds 九成新二手手机).
#   - GET / answers 405 Method Not Allowed (no rest-root module): use _cluster/health for readiness,
#     not ping()/info().
#     Every response carries X-Elastic-Product: Elasticsearch, so elasticsearch-py's product check passes.
#   - Checked: no painless (script_score -> "script_lang not supported [painless]"), no
#     _delete_by_query (405/no handler; _update_by_query and _reindex live in the same absent module),
#     no ingest processors ("No processor type exists with name [set]").
#   - In development mode (single-node, loopback) the bootstrap checks only warn (file descriptors,
#     vm.max_map_count); no sysctl is needed.
# Security is in the zip and on by default: xpack.security.enabled=false is required.
es_java_home() {
  local arch; arch=$(dpkg --print-architecture)
  echo "${ES_JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-$arch}"
}
port_busy() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }
es_fail() {   # es_fail MESSAGE: show the lines that name the cause, not 40 lines of stack trace
  { grep -hE '\]\[(ERROR|FATAL)|Exception: |^Caused by' "$ES_HOME/logs/huanxin-test.log" 2>/dev/null | tail -n 8
    grep -vE '^[[:space:]]+at |^[[:space:]]*$' "$ES_HOME/logs/launcher.out" 2>/dev/null | tail -n 8; } >&2 || true
  die "$1 (full logs: $ES_HOME/logs/huanxin-test.log, $ES_HOME/logs/launcher.out)"
}
es_check() { curl -fsS -m 5 "http://$HOST:$ES_PORT/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null 2>&1; }
es_fetch() {
  local zip=$HOME/.m2/repository/org/elasticsearch/distribution/integ-test-zip/elasticsearch/$ES_VERSION/elasticsearch-$ES_VERSION.zip
  if [ ! -f "$zip" ]; then
    ensure_pkgs maven
    log "es: fetching org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip through Maven"
    mvn -B -q "$MVN_DEP_PLUGIN:get" -Dtransitive=false \
      -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip" >&2 \
      || die "es: mvn could not fetch the integ-test zip for $ES_VERSION"
  fi
  [ -f "$zip" ] || die "es: $zip missing after mvn dependency:get"
  local tmp; tmp=$(mktemp -d "$BASE/.es-unpack.XXXXXX")
  log "es: unpacking into $ES_HOME"
  unzip -q "$zip" -d "$tmp"
  mv "$tmp/elasticsearch-$ES_VERSION" "$ES_HOME"
  rmdir "$tmp"
}
es_up() {
  local jh; jh=$(es_java_home)
  [ -x "$jh/bin/java" ] || ensure_pkgs openjdk-17-jre-headless
  [ -x "$jh/bin/java" ] || die "es: no Java 17 at $jh (set ES_JAVA_HOME)"
  ensure_pkgs unzip curl
  id -u $ES_USER >/dev/null 2>&1 || {
    log "es: creating system user $ES_USER"
    useradd --system --user-group --no-create-home --home-dir "$BASE" --shell /usr/sbin/nologin $ES_USER
  }
  mkdir -p "$BASE"
  [ -d "$ES_HOME" ] || es_fetch
  local changed=0
  mkdir -p "$ES_HOME/config/jvm.options.d" "$ES_HOME/logs"
  write_if_changed "$ES_HOME/config/elasticsearch.yml" <<EOF && changed=1
# written by huanxin scripts/services.sh: single-node test cluster, loopback only
cluster.name: huanxin-test
node.name: node-1
discovery.type: single-node
network.host: $HOST
http.port: $ES_PORT
transport.port: 9300-9400
xpack.security.enabled: false
action.destructive_requires_name: false
cluster.routing.allocation.disk.threshold_enabled: false
EOF
  write_if_changed "$ES_HOME/config/jvm.options.d/heap.options" <<EOF && changed=1
-Xms$ES_HEAP
-Xmx$ES_HEAP
EOF
  chown -R $ES_USER:$ES_USER "$ES_HOME"
  if es_check && pid_alive "$ES_PID"; then
    if [ $changed = 0 ]; then log "es: already up"; return 0; fi
    log "es: config changed, restarting"; kill_pidfile "$ES_PID" es
  elif es_check; then
    die "es: something not started by this script already answers on $HOST:$ES_PORT"
  elif pid_alive "$ES_PID"; then
    log "es: process $(cat "$ES_PID") alive but not healthy; waiting for it"
  fi
  if ! pid_alive "$ES_PID"; then
    rm -f "$ES_PID"
    port_busy $ES_PORT && die "es: port $ES_PORT is taken by another process: $(ss -Hltnp "sport = :$ES_PORT" | head -1)"
    : >"$ES_HOME/logs/huanxin-test.log"   # so a failure report shows this start's lines only
    log "es: starting $ES_VERSION (Java $jh, heap $ES_HEAP)"
    # -d: the launcher returns once the node has started (or failed); setsid detaches it from the caller.
    if ! setsid runuser -u $ES_USER -- env -i PATH=/usr/bin:/bin HOME="$BASE" LANG=C.UTF-8 \
        ES_JAVA_HOME="$jh" "$ES_HOME/bin/elasticsearch" -d -p "$ES_PID" </dev/null >"$ES_HOME/logs/launcher.out" 2>&1 9>&-; then
      es_fail "es: Elasticsearch $ES_VERSION failed to start"
    fi
  fi
  local deadline=$((SECONDS + ES_START_TIMEOUT))
  until es_check; do
    if [ $SECONDS -ge $deadline ] || ! pid_alive "$ES_PID"; then
      es_fail "es: cluster health not yellow/green on $HOST:$ES_PORT within ${ES_START_TIMEOUT}s"
    fi
    sleep 1
  done
  log "es: up ($(curl -fsS -m 5 "http://$HOST:$ES_PORT/_cluster/health?filter_path=status"))"
}
es_stop() { kill_pidfile "$ES_PID" es; }
es_env() { echo "ELASTICSEARCH_URL=http://$HOST:$ES_PORT"; }

# ==== stripe-mock (go install) ====================================================================
stripe_check() {
  curl -fsS -m 5 -H 'Authorization: Bearer sk_test_123' "http://$HOST:$STRIPE_HTTP_PORT/v1/customers" 2>/dev/null | grep -q '"object"'
}
stripe_up() {
  local bin=/usr/local/bin/stripe-mock
  if ! { [ -x $bin ] && go version -m $bin 2>/dev/null | grep -q "mod.*github.com/stripe/stripe-mock.*$STRIPE_MOCK_VERSION"; }; then
    command -v go >/dev/null || die "stripe: Go (>= 1.22) is required to build stripe-mock and was not found"
    log "stripe: go install github.com/stripe/stripe-mock@$STRIPE_MOCK_VERSION"
    GOBIN=/usr/local/bin go install "github.com/stripe/stripe-mock@$STRIPE_MOCK_VERSION" >&2 \
      || die "stripe: go install failed"
  fi
  mkdir -p "$RUN_DIR"
  if stripe_check && pid_alive "$STRIPE_PID"; then log "stripe: already up"; return 0; fi
  stripe_check && die "stripe: something not started by this script already answers on $HOST:$STRIPE_HTTP_PORT"
  pid_alive "$STRIPE_PID" && kill_pidfile "$STRIPE_PID" stripe
  local p; for p in $STRIPE_HTTP_PORT $STRIPE_HTTPS_PORT; do
    port_busy "$p" && die "stripe: port $p is taken by another process: $(ss -Hltnp "sport = :$p" | head -1)"
  done
  log "stripe: starting on $HOST:$STRIPE_HTTP_PORT (http) and $HOST:$STRIPE_HTTPS_PORT (https)"
  # Both addresses must be given: -http-addr alone leaves the default https listener on all interfaces.
  nohup setsid $bin -http-addr $HOST:$STRIPE_HTTP_PORT -https-addr $HOST:$STRIPE_HTTPS_PORT \
    </dev/null >"$STRIPE_LOG" 2>&1 9>&- &
  echo $! >"$STRIPE_PID"
  local deadline=$((SECONDS + STRIPE_START_TIMEOUT))
  until stripe_check; do
    if [ $SECONDS -ge $deadline ] || ! pid_alive "$STRIPE_PID"; then
      tail -n 30 "$STRIPE_LOG" >&2 || true
      die "stripe: stripe-mock not answering on $HOST:$STRIPE_HTTP_PORT after ${STRIPE_START_TIMEOUT}s"
    fi
    sleep 0.5
  done
  log "stripe: up (stripe-mock $STRIPE_MOCK_VERSION, pid $(cat "$STRIPE_PID"))"
}
stripe_stop() { kill_pidfile "$STRIPE_PID" stripe; }
stripe_env() { echo "STRIPE_API_BASE=http://$HOST:$STRIPE_HTTP_PORT"; }

# ==== Chromium (apt; nothing to start) ============================================================
chromium_check() { [ -x /usr/bin/chromium ] && /usr/bin/chromium --version >/dev/null 2>&1; }
chromium_up() {
  [ -x /usr/bin/chromium ] || apt_install chromium
  chromium_check || die "chromium: /usr/bin/chromium --version failed"
  log "chromium: $(/usr/bin/chromium --version 2>/dev/null)"
}
chromium_stop() { :; }
chromium_env() { :; }

# ==== main ========================================================================================
canon() {
  case "$1" in
    pg|postgres|postgresql) echo pg ;;
    redis) echo redis ;;
    es|elasticsearch) echo es ;;
    stripe|stripe-mock) echo stripe ;;
    chromium|chrome) echo chromium ;;
    *) die "unknown service '$1' (expected: ${ALL_SERVICES[*]})" ;;
  esac
}
with_lock() {   # serialise concurrent callers (several engineers share one machine).
  # Every daemon start above closes fd 9 (9>&-): a service that inherited it would hold the lock forever.
  mkdir -p "$BASE"
  exec 9>"$BASE/.services.lock"
  flock -w $LOCK_TIMEOUT 9 || die "another scripts/services.sh run held $BASE/.services.lock for ${LOCK_TIMEOUT}s"
}

cmd=up
case "${1:-}" in up|start|stop|restart|status|env) cmd=$1; shift ;; esac
services=()
for s in "$@"; do services+=("$(canon "$s")"); done
[ ${#services[@]} -gt 0 ] || services=("${ALL_SERVICES[@]}")

case $cmd in
  up|start)
    [ "$(id -u)" = 0 ] || die "run as root (it installs packages and creates users)"
    with_lock
    start=$SECONDS
    for s in "${services[@]}"; do "${s}_up"; done
    log "all requested services up in $((SECONDS - start))s"
    for s in "${services[@]}"; do "${s}_env"; done
    ;;
  stop)
    with_lock
    for s in "${services[@]}"; do "${s}_stop"; done
    ;;
  restart)
    with_lock
    for s in "${services[@]}"; do "${s}_stop"; done
    for s in "${services[@]}"; do "${s}_up"; done
    for s in "${services[@]}"; do "${s}_env"; done
    ;;
  status)
    rc=0
    for s in "${services[@]}"; do
      if "${s}_check"; then printf '%-9s up\n' "$s"; else printf '%-9s DOWN\n' "$s"; rc=3; fi
    done
    exit $rc
    ;;
  env)
    for s in "${ALL_SERVICES[@]}"; do "${s}_env"; done
    ;;
esac
