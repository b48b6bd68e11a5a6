#!/usr/bin/env bash
# Installs Debian's nodejs for the playground's JavaScript tests (tests/js/, run by
# tests/test_playground_node.py with `node --test`) when Node is missing (needs root, as here
# and in CI). Any Node >= 18 works; nothing is installed from npm.
set -euo pipefail
if command -v node >/dev/null 2>&1 || command -v nodejs >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "node is missing and this user cannot apt-get install it; the playground's Node tests will skip" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq nodejs >/dev/null
node --version
