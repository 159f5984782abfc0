#!/usr/bin/env bash
# Run the JMH suite and write a results directory: JMH JSON, latency .hgrm files, SUMMARY.md (tables, ratios to
# the baselines, the bars of issue #3) and PNG plots. Builds bench/target/benchmarks.jar first when it is missing or
# older than the sources.
#   scripts/bench.sh [quick|full] [JMH regex] [--cpus LIST] [--wait busy-spin|yielding] [-- extra JMH options]
#     quick   2 forks of 0.5 s warm-up + 2 x 1 s, 64-byte payloads, one QUIC stream, latency at 100k and 1M/s for
#             0.5 s, a 256 MiB heap not pre-touched: about 5 minutes on 2 quiet cores
#     full    the iterations of the annotations, every parameter, 3 forks: for a quiet bare-metal host
#     regex   which benchmarks (default: all), e.g. 'PipelineThroughput|Baseline'
#     --cpus  pin the benchmark JVMs to these CPUs (taskset -c LIST), e.g. --cpus 2-5
#     --wait  lane and baseline consumer wait strategy; yielding suits a machine shared with other work
# Environment: JAVA (default java), VSHARD_BENCH_RESULTS (default bench/results/<date>-<host>).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/bench/target/benchmarks.jar"
java_cmd="${JAVA:-java}"

mode="quick"
regex=""
cpus=""
wait_strategy=""
extra=()
while (($# > 0)); do
  case "$1" in
    quick | full) mode="$1" ;;
    --cpus) cpus="${2:?--cpus needs a CPU list}"; shift ;;
    --wait) wait_strategy="${2:?--wait needs a strategy}"; shift ;;
    --) shift; extra=("$@"); break ;;
    -h | --help) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    *) regex="$1" ;;
  esac
  shift
done

if [[ ! -f "$jar" ]] || [[ -n "$(find "$root/core/src/main" "$root/transport/src/main" "$root/examples/src/main" \
    "$root/cli/src/main" "$root/bench/src/main" "$root/pom.xml" "$root/core/pom.xml" "$root/transport/pom.xml" \
    "$root/examples/pom.xml" "$root/cli/pom.xml" "$root/bench/pom.xml" \
    -newer "$jar" -type f -print -quit)" ]]; then
  echo "building benchmarks.jar..." >&2
  (cd "$root" && ./mvnw -B -q -pl bench -am package -DskipTests)
fi

host="$(hostname -s 2>/dev/null || hostname)"
out="${VSHARD_BENCH_RESULTS:-$root/bench/results/$(date -u +%Y%m%d-%H%M%S)-$host}"
mkdir -p "$out"

jmh=(-rf json -rff "$out/jmh.json" -prof gc -jvmArgsPrepend "-Dvshard.bench.results=$out")
case "$mode" in
  quick)
    # The benchmarks' @Fork flags (io.vshard.bench.BenchJvm) pre-touch a 1 GiB heap: on a VM whose page faults go
    # to the host (8-10 us per 4 KiB page measured here) that alone took 6-10 s per fork, most of quick's time. The
    # command line's -jvmArgsAppend replaces the annotations', so quick repeats them with a 256 MiB heap, not
    # pre-touched (the warm-up touches what the young generation uses). full keeps the annotations' flags.
    quick_jvm="--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED"
    quick_jvm+=" --add-opens=java.base/sun.nio.ch=ALL-UNNAMED -Xms256m -Xmx256m -Dio.netty.leakDetection.level=disabled"
    jmh+=(-f 2 -wi 1 -w 500ms -i 2 -r 1s -jvmArgsAppend "$quick_jvm"
      -p payloadBytes=64 -p payload=64 -p streams=1 -p "ratePerSecond=100000,1000000" -p durationMs=500) ;;
  full) jmh+=(-f 3) ;;
esac
if [[ -n "$wait_strategy" ]]; then
  jmh+=(-p "waitStrategy=$wait_strategy")
fi

pin=()
if [[ -n "$cpus" ]]; then
  if command -v taskset >/dev/null 2>&1; then
    pin=(taskset -c "$cpus")
  else
    echo "taskset not found: running unpinned" >&2
  fi
fi

command_line="scripts/bench.sh $mode"
[[ -n "$regex" ]] && command_line+=" \"$regex\""
[[ -n "$cpus" ]] && command_line+=" --cpus $cpus"
[[ -n "$wait_strategy" ]] && command_line+=" --wait $wait_strategy"
{
  echo "command: $command_line${extra[*]:+ -- ${extra[*]}}"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || echo unknown)"
  echo "cores: $(nproc 2>/dev/null || echo unknown)${cpus:+ (pinned to $cpus)}"
  echo "kernel: $(uname -sr)"
  echo "jdk: $("$java_cmd" -version 2>&1 | head -n 2 | tr '\n' ' ')"
  echo "started: $(date -u +%Y-%m-%dT%H:%M:%SZ), load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
} >"$out/machine.txt"

"${pin[@]}" "$java_cmd" -jar "$jar" ${regex:+"$regex"} "${jmh[@]}" "${extra[@]}" | tee "$out/jmh.log"

echo "finished: $(date -u +%Y-%m-%dT%H:%M:%SZ), load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)" \
  >>"$out/machine.txt"
"$java_cmd" -Djava.awt.headless=true -cp "$jar" io.vshard.bench.report.Report "$out" "vshard benchmarks ($mode)"
