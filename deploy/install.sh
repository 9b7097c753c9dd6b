#!/bin/sh
# The install guide as commands (README, "Installing on a server"): Debian 12, as root.
# tests/deploy runs this same file, so the guide and the test cannot drift apart.
# Usage: sh deploy/install.sh [SOURCE_DIR]   (default: the checkout this file is in)
set -eu
SRC=${1:-$(cd "$(dirname "$0")/.." && pwd)}
PREFIX=${JIFEN_PREFIX:-/opt/jifen}
ETC=${JIFEN_ETC:-/etc/jifen}

# 1. a user of its own, and the folders the unit expects (ReadWritePaths=/opt/jifen/data)
id jifen >/dev/null 2>&1 || useradd --system --home-dir "$PREFIX" --shell /usr/sbin/nologin jifen
install -d -o jifen -g jifen -m 0750 "$PREFIX"
install -d -o jifen -g jifen -m 0700 "$PREFIX/data"
# /etc/jifen: written by root, read by the jifen group (its commands need the environment
# the service gets: `sudo -u jifen sh -c '. /etc/jifen/jifen.env; …'`), by nobody else
install -d -o root -g jifen -m 0750 "$ETC"

# 2. the program, without the test extras, in its own virtualenv; `jifen` on PATH
python3 -m venv "$PREFIX/.venv"
"$PREFIX/.venv/bin/pip" install --quiet "$SRC"
ln -sf "$PREFIX/.venv/bin/jifen" /usr/local/bin/jifen
# the service runs as jifen: its Python must be one jifen can run (not one under /root)
if ! runuser -u jifen -- "$PREFIX/.venv/bin/python" -c "" 2>/dev/null; then
    echo "install: the user jifen cannot run $(readlink -f "$PREFIX/.venv/bin/python");" >&2
    echo "  use a system-wide Python 3.11+ (Debian 12: apt-get install python3-venv; PATH=/usr/bin:\$PATH)" >&2
    exit 1
fi
# the rules' first version comes from config.toml in the working folder (never secrets)
[ -f "$PREFIX/config.toml" ] || install -o root -g root -m 0644 "$SRC/config.toml" "$PREFIX/config.toml"

# 3. the environment every instance shares (fill it in: token, URLs, secret, database)
if [ ! -f "$ETC/jifen.env" ]; then
    install -o root -g jifen -m 0640 "$SRC/deploy/jifen.env.example" "$ETC/jifen.env"
fi
install -o root -g root -m 0644 "$SRC/deploy/jifen@.service" /etc/systemd/system/jifen@.service
echo "next: edit $ETC/jifen.env, create the database (README), then"
echo "  sudo -u jifen sh -c 'set -a; . $ETC/jifen.env; set +a; jifen migrate'"
echo "  systemctl enable --now jifen@8081 jifen@8082"
