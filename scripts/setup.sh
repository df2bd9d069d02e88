#!/usr/bin/env bash
# Installs what the tests and the demo need, only when missing: npm packages (npm ci when
# node_modules is absent or older than the lockfile) and Debian packages (python3-winrm for the
# independent WinRM client, openssh-server for the lab's SSH endpoint, chromium for the HTML report
# test, openssl and ssh-keygen for the lab's certificates and keys). Safe to run repeatedly; quiet when there is nothing to do.
set -euo pipefail
cd "$(dirname "$0")/.."

need_npm_ci() {
  [ ! -d node_modules ] && return 0
  [ ! -f node_modules/.package-lock.json ] && return 0
  [ package-lock.json -nt node_modules/.package-lock.json ] && return 0
  return 1
}
if need_npm_ci; then
  echo "setup: npm ci"
  # The registry sometimes drops a slow download: retry, reusing what the cache already holds.
  for attempt in 1 2 3; do
    npm ci --no-audit --no-fund --prefer-offline --loglevel=error && break
    [ "$attempt" -eq 3 ] && { echo "setup: npm ci failed 3 times" >&2; exit 1; }
    echo "setup: npm ci failed (attempt $attempt); retrying in $((attempt * 5)) s" >&2
    sleep $((attempt * 5))
  done
fi

# Debian packages: name of package -> a file that proves it is installed.
declare -A debs=(
  [python3-winrm]=/usr/lib/python3/dist-packages/winrm/__init__.py
  [openssh-server]=/usr/sbin/sshd
  [chromium]=/usr/bin/chromium
  [openssl]=/usr/bin/openssl
  [openssh-client]=/usr/bin/ssh-keygen
)
missing=()
for pkg in "${!debs[@]}"; do
  [ -e "${debs[$pkg]}" ] || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install -y ${missing[*]})" >&2
    exit 1
  fi
  echo "setup: apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
