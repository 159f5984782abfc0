#!/usr/bin/env bash
# The main job: build vshard if needed (only a JDK 17+ is required), then run the demo: a node and a load generator
# on loopback, printing throughput, latency and the node's counters.
#   scripts/demo.sh [vshard demo options]       e.g. scripts/demo.sh --seconds 5, scripts/demo.sh --nodes 3
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/cli/target/vshard.jar"

if [[ ! -f "$jar" ]] || [[ -n "$(find "$root/core/src/main" "$root/transport/src/main" "$root/examples/src/main" "$root/cli/src/main" -newer "$jar" -type f -print -quit)" ]]; then
  echo "building vshard.jar (first run downloads Maven and the dependencies)..." >&2
  (cd "$root" && ./mvnw -B -q -pl cli -am package -DskipTests)
fi

exec "$root/scripts/vshard" demo "$@"
