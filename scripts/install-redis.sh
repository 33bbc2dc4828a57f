#!/usr/bin/env bash
# Makes sure redis-server is on this machine (Debian/Ubuntu package). The Redis-tier tests start their own
# server from it on 127.0.0.1 at a free port, so nothing needs to be running; the Cluster and Sentinel topologies
# (test/redis/topologies.ts) need redis-cli too (Debian's redis-tools, which redis-server depends on). Idempotent.
set -euo pipefail
if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
  as_root=()
  [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  "${as_root[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq redis-server redis-tools >/dev/null
fi
redis-server --version
redis-cli --version
