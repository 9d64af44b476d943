#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, and runs every test suite (unit and integration,
# against librdkafka's mock cluster), then the end-to-end demo as a smoke test.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
tools/setup.sh

swift build --build-tests
swift test --skip-build
tools/demo.sh --check
