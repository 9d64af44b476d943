#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, and runs every test suite (unit and integration,
# against librdkafka's mock cluster) and a minute of fuzzing, then two end-to-end smoke tests: the demo on the
# embedded broker, and the worker against a separately started broker (noida-db from PyPI) fed by kcat.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
tools/setup.sh

swift build --build-tests
# Unit suites first (pure, seconds), then the integration suites against librdkafka's mock cluster.
unit='AutonomicsCoreTests|KafkaTests\.KafkaErrorTests|AutonomicsWorkerTests\.(ConfigurationTests|OffsetTrackerTests|OperationsServerTests|JSONLogHandlerTests|TimingTests|ShardTests)'
swift test --skip-build --filter "$unit"
swift test --skip-build --skip "$unit"
# A minute of libFuzzer over the core's untrusted inputs; the corpus carries over between runs in .build/fuzz.
tools/fuzz.sh 60
export WORKER_BINARY="$(swift build --show-bin-path)/autonomics"
tools/demo.sh --check
tools/smoke-external-broker.sh
