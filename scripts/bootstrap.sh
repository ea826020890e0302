# Sourced by ./quell: idempotent installers for a fresh Debian machine with Node 20.
# Each step is skipped when what it provides is already there.

PNPM_VERSION=10.34.9
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 TURBO_TELEMETRY_DISABLED=1 npm_config_nodedir="${npm_config_nodedir:-/usr}"

log() { printf '\033[2m[quell]\033[0m %s\n' "$*" >&2; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  if [ -z "${QUELL_APT_UPDATED:-}" ]; then
    as_root apt-get update -qq >/dev/null
    QUELL_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

ensure_pnpm() {
  if ! command -v node >/dev/null; then
    echo "Quell needs Node.js 20 or newer (node was not found)." >&2
    exit 1
  fi
  if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
    log "installing pnpm $PNPM_VERSION"
    as_root npm install -g --silent "pnpm@$PNPM_VERSION" >/dev/null
  fi
}

ensure_deps() {
  # The lockfile hash tells whether node_modules is current; pnpm itself is fast when it is.
  local stamp=node_modules/.quell-lock-hash
  local want
  want=$(sha256sum pnpm-lock.yaml | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    log "installing dependencies (the first run compiles better-sqlite3: about two minutes)"
    pnpm install --frozen-lockfile --reporter=silent
    echo "$want" >"$stamp"
  fi
}

mariadb_up() { mariadb-admin --protocol=tcp -h127.0.0.1 -uroot ping >/dev/null 2>&1 || mariadb-admin ping >/dev/null 2>&1; }

ensure_mariadb() {
  if [ -n "${QUELL_MYSQL_URL:-}" ]; then return; fi
  if mariadb_up; then return; fi
  if ! command -v mariadbd >/dev/null && [ ! -x /usr/sbin/mariadbd ]; then
    log "installing MariaDB from Debian's packages"
    apt_install mariadb-server mariadb-client
  fi
  log "starting MariaDB"
  as_root mkdir -p /run/mysqld
  as_root chown mysql:mysql /run/mysqld
  as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql
  for _ in $(seq 120); do mariadb_up && break; sleep 0.25; done
  if ! mariadb_up; then
    echo "MariaDB did not start; see its error log under /var/lib/mysql." >&2
    exit 1
  fi
}

# ListMetadataLocks in das-local reads information_schema.METADATA_LOCK_INFO. Debian ships the plugin
# but does not load it; installing it writes mysql.plugin, so it takes the admin account. Idempotent.
# Without it Quell still runs and das-local answers that endpoint with an error naming the plugin.
mariadb_admin_sql() { mariadb --protocol=tcp -h127.0.0.1 -uroot -N -B -e "$1" 2>/dev/null || mariadb -uroot -N -B -e "$1" 2>/dev/null; }

ensure_metadata_lock_info() {
  if [ -n "${QUELL_MYSQL_URL:-}" ]; then return; fi
  local status
  status=$(mariadb_admin_sql "SELECT PLUGIN_STATUS FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'METADATA_LOCK_INFO'" || true)
  if [ "$status" = "ACTIVE" ]; then return; fi
  log "installing the MariaDB plugin metadata_lock_info"
  if ! mariadb_admin_sql "INSTALL SONAME 'metadata_lock_info'" >/dev/null; then
    log "could not install metadata_lock_info (needs an administrative account): metadata locks will be unavailable"
  fi
}

# PostgreSQL and Redis back the several-replicas path (QUELL_DATABASE_URL / QUELL_REDIS_URL) and its
# tests: loopback only, trust auth for local connections as Debian sets it up, no persistence for Redis.
pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 >/dev/null 2>&1; }

ensure_postgres() {
  if pg_up; then return; fi
  if [ ! -x /usr/bin/pg_ctlcluster ]; then
    log "installing PostgreSQL from Debian's packages"
    apt_install postgresql
  fi
  local version
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
  if [ -z "$version" ]; then
    echo "PostgreSQL is installed but has no cluster under /etc/postgresql." >&2
    exit 1
  fi
  log "starting PostgreSQL $version"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 120); do pg_up && break; sleep 0.25; done
  if ! pg_up; then
    echo "PostgreSQL did not start; see /var/log/postgresql." >&2
    exit 1
  fi
}

redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; }

ensure_redis() {
  if redis_up; then return; fi
  if ! command -v redis-server >/dev/null; then
    log "installing Redis from Debian's packages"
    apt_install redis-server
  fi
  log "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in $(seq 120); do redis_up && break; sleep 0.25; done
  if ! redis_up; then
    echo "Redis did not start." >&2
    exit 1
  fi
}

ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then return; fi
  log "installing Chromium from Debian's packages (about a minute)"
  apt_install chromium
}
