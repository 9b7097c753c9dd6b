#!/usr/bin/env bash
# The install guide, followed as a newcomer follows it (README, "Installing on a server"),
# on this Debian machine as root: the README's own command block is read out of the
# README and run line by line, then nginx is set up from deploy/nginx-jifen.conf and the
# two instances must answer through it. .ci/run calls this after `make test`.
#
# What a person does by hand is done here, and only that:
#   - `createuser -P` asks for a password: it is typed on stdin (no terminal here);
#   - `sudoedit /etc/jifen/jifen.env`: the values are filled in with sed;
#   - `systemctl enable --now jifen@…` (no systemd in this sandbox): each unit's ExecStart
#     is started as the unit says (User, WorkingDirectory, EnvironmentFile, Environment);
#   - Telegram is the project's emulator (`jifen emulator`), a staging setup.
# It takes over /opt/jifen, /etc/jifen, the database `jifen` and nginx; run it on a
# throw-away machine (CI's) only.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin   # Debian root's own
WORK=$(mktemp -d)
TOKEN="7000000123:install-test-token_0123456789abcdef"
EMULATOR_PORT=8089
pids=()

say() { printf '\n== %s\n' "$*"; }
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  pkill -f '/opt/jifen/.venv/bin/' 2>/dev/null || true   # runuser's children, the emulator
  nginx -s stop 2>/dev/null || true
  rm -f /etc/nginx/conf.d/jifen.conf
  rm -rf "$WORK"
}
trap cleanup EXIT

say "a clean slate (an earlier run's install, database and role)"
pkill -f '/opt/jifen/.venv/bin/jifen' 2>/dev/null || true
rm -rf /opt/jifen /etc/jifen /usr/local/bin/jifen /etc/systemd/system/jifen@.service
runuser -u postgres -- dropdb --if-exists jifen
runuser -u postgres -- dropuser --if-exists jifen
for tool in nginx sudo; do
  command -v "$tool" >/dev/null || { echo "install-test: $tool is missing (.ci/run installs it)"; exit 1; }
done

say "the README's install block, line by line"
awk '/^Installing on a server/{found=1} found && /^```sh/{inside=1; next} inside && /^```/{exit} inside' \
  README.md | sed 's/[[:space:]]*#.*$//' | grep -v '^[[:space:]]*$' > "$WORK/guide.sh"
cat "$WORK/guide.sh"
[ "$(wc -l < "$WORK/guide.sh")" -ge 5 ] || { echo "install-test: the README's block is gone"; exit 1; }

fill_env() {  # what the newcomer types into /etc/jifen/jifen.env
  local env=/etc/jifen/jifen.env
  sed -i \
    -e "s|^JIFEN_BOT__TOKEN=.*|JIFEN_BOT__TOKEN=$TOKEN|" \
    -e "s|^JIFEN_BOT__WEBHOOK_SECRET=.*|JIFEN_BOT__WEBHOOK_SECRET=$(openssl rand -hex 32)|" \
    -e "s|^JIFEN_DATABASE__URL=.*|JIFEN_DATABASE__URL=postgres://jifen:install-test-pw@127.0.0.1:5432/jifen|" \
    "$env"
  # staging: Telegram is the emulator (README, "Staging without Telegram")
  printf 'JIFEN_BOT__API_URL=http://127.0.0.1:%s/bot\nJIFEN_BOT__FILE_URL=http://127.0.0.1:%s/file/bot\n' \
    "$EMULATOR_PORT" "$EMULATOR_PORT" >> "$env"
}

start_unit() {  # systemctl start jifen@PORT, as deploy/jifen@.service describes it
  local port=$1 unit=/etc/systemd/system/jifen@.service
  local user dir envfile exec
  user=$(sed -n 's/^User=//p' "$unit")
  dir=$(sed -n 's/^WorkingDirectory=//p' "$unit")
  envfile=$(sed -n 's/^EnvironmentFile=//p' "$unit")
  exec=$(sed -n 's/^ExecStart=//p' "$unit")
  local assignments=()
  while IFS= read -r line; do
    line=${line//%i/$port}; line=${line//%H/$(hostname)}
    assignments+=("$line")
  done < <(sed -n 's/^Environment=//p' "$unit")
  mkdir -p /var/cache/jifen && chown "$user" /var/cache/jifen   # CacheDirectory=jifen
  # the environment goes in as the environment (never on a command line `ps` shows)
  (cd "$dir" && set -a && . "$envfile" && export "${assignments[@]}" && set +a \
     && exec runuser -u "$user" -- $exec) > "$WORK/jifen@$port.log" 2>&1 &
  pids+=($!)
}

while IFS= read -r line; do
  echo "\$ $line"
  case "$line" in
    *createuser\ -P*) printf 'install-test-pw\ninstall-test-pw\n' | sh -c "$line" ;;
    sudoedit\ /etc/jifen/jifen.env*) fill_env ;;
    systemctl\ enable\ --now*)
      say "the bot API (the emulator, from the installed jifen)"
      /usr/local/bin/jifen emulator --port "$EMULATOR_PORT" --token "$TOKEN" > "$WORK/emulator.log" 2>&1 &
      pids+=($!)
      for unit in ${line#systemctl enable --now }; do start_unit "${unit#jifen@}"; done ;;
    *) sh -c "$line" < /dev/null ;;
  esac
done < "$WORK/guide.sh"

say "nginx from deploy/nginx-jifen.conf: a certificate, the two instances upstream"
install -d -m 0700 /etc/ssl/jifen
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=loyalty.example.com \
  -keyout /etc/ssl/jifen/privkey.pem -out /etc/ssl/jifen/fullchain.pem 2>/dev/null
grep -v 'server 127.0.0.1:8083' deploy/nginx-jifen.conf > /etc/nginx/conf.d/jifen.conf
nginx -t
nginx -s stop 2>/dev/null || true
sleep 0.5
nginx

say "two instances answer through nginx"
through() { curl -sk --max-time 5 --resolve loyalty.example.com:443:127.0.0.1 "$@"; }
seen=""
for _ in $(seq 1 120); do
  answer=$(through https://loyalty.example.com/healthz || true)
  case "$answer" in *'"instance"'*) seen="$seen $(echo "$answer" | sed 's/.*"instance": *"\([^"]*\)".*/\1/')" ;; esac
  if echo "$seen" | grep -q ':8081' && echo "$seen" | grep -q ':8082'; then break; fi
  sleep 0.5
done
echo "healthz answered by:$(echo "$seen" | tr ' ' '\n' | sort -u | tr '\n' ' ')"
echo "$seen" | grep -q ':8081' && echo "$seen" | grep -q ':8082' || {
  for log in "$WORK"/*.log; do echo "--- $log"; tail -n 30 "$log"; done; exit 1; }

say "a key from the CLI with the service's environment, a purchase through nginx"
key=$(sudo -u jifen sh -c 'set -a; . /etc/jifen/jifen.env; set +a; jifen apikey create "POS till 1"' | tail -n 1)
code=$(through -X POST https://loyalty.example.com/api/v1/members \
  -H "Authorization: Bearer $key" -H 'Content-Type: application/json' -H 'Idempotency-Key: m-1' \
  -d '{"external_id": "shop-1", "name": "Alice"}' | sed 's/.*"code": *"\([^"]*\)".*/\1/')
status=$(through -o /dev/null -w '%{http_code}' -X POST https://loyalty.example.com/api/v1/purchases \
  -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
  -d "{\"member\": {\"code\": \"$code\"}, \"amount_minor\": 12850, \"currency\": \"CNY\", \"order_id\": \"A-1\"}")
echo "purchase for $code: $status"
[ "$status" = 201 ]
app=$(through -o /dev/null -w '%{http_code}' https://loyalty.example.com/app/)
echo "Mini App /app/: $app"
[ "$app" = 200 ]
sudo -u jifen sh -c 'set -a; . /etc/jifen/jifen.env; set +a; jifen doctor'
say "install guide: ok"
