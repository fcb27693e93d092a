#!/usr/bin/env bash
# Installs the servers chatfork-bench compares ChatFork with: socat (a fork-per-connection echo server) and ncat
# (a chat broker). Idempotent: does nothing when both are already on PATH. Runs apt-get update only if the install
# fails, since a fresh machine's package lists may be missing or stale.
set -euo pipefail

if command -v socat >/dev/null 2>&1 && command -v ncat >/dev/null 2>&1; then
    echo "socat and ncat are already installed."
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-peers.sh: apt-get was not found; install socat and ncat with this system's package manager." >&2
    exit 1
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "install-peers.sh: run this as root (or install sudo) to install socat and ncat." >&2
        exit 1
    fi
    as_root=(sudo)
fi

export DEBIAN_FRONTEND=noninteractive
if ! ${as_root[@]+"${as_root[@]}"} apt-get install -y socat ncat; then
    echo "install-peers.sh: the install failed; updating the package lists and trying again." >&2
    ${as_root[@]+"${as_root[@]}"} apt-get update
    ${as_root[@]+"${as_root[@]}"} apt-get install -y socat ncat
fi

socat -V | grep -m1 'socat version' || true
ncat --version 2>&1 | grep -m1 'Version' || true
