#!/usr/bin/env bash
# Fuzzes AutonomicsCore for a bounded time: tools/fuzz.sh [seconds, default 60]
#
# Tests/Fuzz/FuzzTarget.swift feeds every input to intake normalization, tenant-event parsing and receipt restore,
# and checks the JSON parser against JSONSerialization. SwiftPM cannot link a target against libFuzzer's main, so
# SwiftPM builds AutonomicsCore's dependencies (swift-crypto, swift-collections) as usual, and swiftc compiles the
# AutonomicsCore sources with the target as one module (so that it reaches internal API) with
# -sanitize=fuzzer,address, and links them with the dependencies' objects, found in SwiftPM's build description.
#
# The corpus grows in .build/fuzz/corpus from the seeds the target writes (the sample events, their tenant events
# and receipts). Exits non-zero on a crash, a broken check, a timeout or running out of memory, naming the input.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
seconds="${1:-60}"
work=.build/fuzz
mkdir -p "$work/corpus"

swift build --target AutonomicsCore
bin="$(swift build --show-bin-path)"
# NUL-separated: the compiler flags SwiftPM gives AutonomicsCore for its C dependencies' module maps, its sources,
# then every object file of its dependencies.
python3 - "$bin" >"$work/inputs" <<'PY'
import json, os, sys
bin_path = sys.argv[1]
plan = json.load(open(os.path.join(bin_path, "description.json")))
core = next(c for c in plan["swiftCommands"].values() if c["moduleName"] == "AutonomicsCore")
arguments = core["otherArguments"]
flags = [flag for i, flag in enumerate(arguments) if flag == "-Xcc" or (i > 0 and arguments[i - 1] == "-Xcc")]
objects = []
for target in plan["targetDependencyMap"]["AutonomicsCore"]:
    for directory, _, files in os.walk(os.path.join(bin_path, target + ".build")):
        objects += [os.path.join(directory, name) for name in files if name.endswith(".o")]
sys.stdout.write("\0".join(flags + core["sources"] + sorted(objects)) + "\0")
PY
mapfile -d '' inputs <"$work/inputs"
# The seeds come from AutonomicsSamples, compiled into the same module: without its import of AutonomicsCore.
sed '/^import AutonomicsCore$/d' Sources/AutonomicsSamples/SampleEvents.swift >"$work/SampleEvents.swift"
echo "fuzz: compiling the fuzz target" >&2
swiftc -sanitize=fuzzer,address -parse-as-library -O -g -swift-version 6 -module-name AutonomicsFuzz -use-ld=lld \
    -I "$bin/Modules" -module-cache-path "$bin/ModuleCache" \
    "${inputs[@]}" "$work/SampleEvents.swift" Tests/Fuzz/FuzzTarget.swift -o "$work/autonomics-fuzz"

echo "fuzz: running for $seconds s (log: $work/fuzz.log)" >&2
status=0
# Leak checking is off: the Swift runtime keeps metadata caches for the life of the process. Swift's backtracer
# is off: after a trap it trips AddressSanitizer, and libFuzzer prints the stack itself.
AUTONOMICS_FUZZ_SEEDS="$work/corpus" SWIFT_BACKTRACE=enable=no "$work/autonomics-fuzz" -max_total_time="$seconds" \
    -max_len=65536 -timeout=10 -rss_limit_mb=2048 -detect_leaks=0 -print_final_stats=1 -artifact_prefix="$work/" \
    "$work/corpus" >"$work/fuzz.log" 2>&1 || status=$?
if ((status != 0)); then
    grep -E "Fatal error|ERROR: (libFuzzer|AddressSanitizer)" "$work/fuzz.log" | head -5 >&2 || true
    input="$(grep -o 'Test unit written to .*' "$work/fuzz.log" | cut -d' ' -f5-)" || true
    echo "fuzz: failed (exit $status); the input: $input" >&2
    echo "fuzz: replay it with $work/autonomics-fuzz <input>; full log in $work/fuzz.log" >&2
    exit "$status"
fi
executed="$(grep -o 'number_of_executed_units: [0-9]*' "$work/fuzz.log" | cut -d' ' -f2)"
echo "fuzz: $executed inputs in $seconds s, no crash" >&2
