#!/usr/bin/env bash
# `npm test` runs the reference server against a real redis-server and the failover
# drill against a real HAProxy. On a fresh Debian machine (root, as here and in CI)
# this installs them; elsewhere it says what to install.
set -euo pipefail
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages the tests need: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi
echo "The tests need ${missing[*]} (Debian/Ubuntu: sudo apt-get install -y ${missing[*]})." >&2
exit 1
