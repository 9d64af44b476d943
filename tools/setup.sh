#!/usr/bin/env bash
# Installs what building and running autonomics needs, when it is missing: the two C libraries (librdkafka, libcurl)
# with pkg-config, and kcat for poking at topics. Needs a Swift 6 toolchain on PATH (or at /opt/swift).
set -euo pipefail

needed=(librdkafka-dev libcurl4-openssl-dev pkg-config kcat curl)
missing=()
for package in "${needed[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
    if [ -x /opt/swift/usr/bin/swift ]; then
        echo "setup: add /opt/swift/usr/bin to PATH" >&2
    else
        echo "setup: a Swift 6 toolchain is required (https://www.swift.org/install/)" >&2
        exit 1
    fi
fi
