#!/usr/bin/env bash
# Installs what the tests and the demo need, only when missing: Debian packages first (python3-winrm
# for the independent WinRM client, ansible-core for the Ansible peer test (raw over its winrm
# connection), openssh-server for the lab's SSH endpoint, chromium for the HTML
# report test, openssl and ssh-keygen for the lab's certificates and keys, MIT Kerberos and build
# tools for the kerberos module and the Kerberos tests), then npm packages (npm ci when node_modules
# is absent or older than the lockfile). Safe to run repeatedly; quiet when there is nothing to do.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: name of package -> a file that proves it is installed.
declare -A debs=(
  [python3-winrm]=/usr/lib/python3/dist-packages/winrm/__init__.py
  [openssh-server]=/usr/sbin/sshd
  [chromium]=/usr/bin/chromium
  [openssl]=/usr/bin/openssl
  [openssh-client]=/usr/bin/ssh-keygen
  # GNU time: the benchmarks read a CLI run's peak RSS and CPU from it (scripts/bench/lib/lab.mjs).
  [time]=/usr/bin/time
  [ansible-core]=/usr/bin/ansible
  # Kerberos: headers to build the kerberos npm module, kinit for password logins, a KDC and
  # kadmin.local for the tests' private realm, requests-kerberos for pywinrm's Kerberos transport.
  [libkrb5-dev]=/usr/include/gssapi/gssapi_krb5.h
  [krb5-user]=/usr/bin/kinit
  [krb5-kdc]=/usr/sbin/krb5kdc
  [krb5-admin-server]=/usr/sbin/kadmin.local
  [python3-requests-kerberos]=/usr/lib/python3/dist-packages/requests_kerberos/__init__.py
  # node-gyp builds native modules (kerberos) with these.
  [g++]=/usr/bin/g++
  [make]=/usr/bin/make
  [python3]=/usr/bin/python3
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

# The optional kerberos module compiles against libkrb5-dev at install time; npm drops an optional
# module whose build failed without failing, so check it loads (and rebuild it when node_modules
# predates the headers).
if ! node -e "require('kerberos')" >/dev/null 2>&1; then
  echo "setup: npm rebuild kerberos"
  npm rebuild kerberos --loglevel=error >/dev/null 2>&1 || true
  node -e "require('kerberos')" >/dev/null 2>&1 || { echo "setup: the kerberos module does not load (needs libkrb5-dev, g++, make, python3)" >&2; exit 1; }
fi

# PowerShell 7 and Pester, for the tests that run the scripts under ps1/ for real. Pinned: pwsh through
# the .NET local tool manifest (.config/dotnet-tools.json), Pester through tools/pester/pester.csproj
# (a PackageDownload into .tools/nuget). .tools/bin/pwsh links the tool's own executable, so tests, the
# lab and its SSH endpoint start pwsh without `dotnet tool run` in between.
# Without a .NET SDK (a user's workstation) the product works as before; only those tests need it, and
# under CI=true scripts/test.sh fails without them (scripts/pester.sh, test/helpers/pwsh.ts).
if command -v dotnet >/dev/null 2>&1; then
  stamp=.tools/restored.stamp
  if [ ! -x .tools/bin/pwsh ] || [ ! -f .tools/nuget/pester/5.9.1/tools/Pester.psd1 ] || [ ! -f "$stamp" ] \
    || [ .config/dotnet-tools.json -nt "$stamp" ] || [ tools/pester/pester.csproj -nt "$stamp" ]; then
    echo "setup: dotnet tool restore (pwsh 7.6.9) and Pester 5.9.1"
    export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
    for attempt in 1 2 3; do
      dotnet tool restore >/dev/null && dotnet restore tools/pester/pester.csproj --packages .tools/nuget >/dev/null && break
      [ "$attempt" -eq 3 ] && { echo "setup: dotnet restore failed 3 times" >&2; exit 1; }
      echo "setup: dotnet restore failed (attempt $attempt); retrying in $((attempt * 5)) s" >&2
      sleep $((attempt * 5))
    done
    packages="$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: *//p')"
    tool_dir="${packages%/}/powershell/7.6.9/tools/net10.0/any/unix"
    [ -x "$tool_dir/pwsh" ] || { echo "setup: pwsh not found at $tool_dir after dotnet tool restore" >&2; exit 1; }
    mkdir -p .tools/bin
    ln -sfn "$tool_dir/pwsh" .tools/bin/pwsh
    touch "$stamp"
  fi
else
  echo "setup: no .NET SDK (dotnet): PowerShell tests need pwsh 7.6.9 and Pester (dotnet tool restore); everything else works without them"
fi
