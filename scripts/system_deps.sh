#!/usr/bin/env bash
# Install the Debian packages Muster's local run and test suite need, when missing.
# Usage: scripts/system_deps.sh [redis] [postgres] [compose] [browser] [k8s] [promtool]
set -euo pipefail

missing=()
for need in "$@"; do
  case "$need" in
    redis) command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || missing+=(redis-server) ;;
    postgres) ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || missing+=(postgresql) ;;
    compose) command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose) ;;
    # The dashboard's browser test (tests/dashboard/test_browser.py) drives Debian's Chromium.
    browser) [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] || missing+=(chromium chromium-driver) ;;
    # The Kubernetes manifests are rendered offline with kubectl's kustomize (tests/deploy).
    k8s) command -v kubectl >/dev/null 2>&1 || missing+=(kubernetes-client) ;;
    # The Prometheus alert rules are checked with promtool (tests/observability).
    promtool) command -v promtool >/dev/null 2>&1 || missing+=(prometheus) ;;
    *) echo "system_deps.sh: unknown dependency '$need'" >&2; exit 2 ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "muster: missing system packages: ${missing[*]} (install them with your package manager, e.g. sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "muster: installing ${missing[*]} with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
