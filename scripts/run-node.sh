#!/usr/bin/env bash
#
# run-node.sh: starts a vshard node with the JVM flags and CPU placement for
# low latency: lane threads pin themselves to the lane CPUs, everything else
# in the JVM stays off them. TUNING.md beside this script covers the host.
#
set -euo pipefail

PROG=${0##*/}
SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/host.sh
source "$SCRIPT_DIR/lib/host.sh"

readonly DEFAULT_HEAP=2g
readonly DEFAULT_GC=zgc
readonly DEFAULT_LOG_DIR=logs
# Agrona on Java 17 needs these wherever the node's JVM starts; they match
# vshard.jvm.opens in the parent pom.
readonly -a ADD_OPENS=(
  --add-opens java.base/jdk.internal.misc=ALL-UNNAMED
  --add-opens java.base/java.nio=ALL-UNNAMED
  --add-opens java.base/sun.nio.ch=ALL-UNNAMED
)

usage() {
  cat <<EOF
Usage: $PROG [options] [-- NODE_ARGS...]

Starts 'java ... -jar vshard.jar node NODE_ARGS...' tuned for latency: fixed,
pre-touched heap; the chosen GC; safepoint log; lane CPUs left to the lane
threads (taskset keeps the JVM's other threads on the remaining CPUs); memory
bound to the lanes' NUMA node with numactl when the host has several nodes.

Options:
  --cpus LIST     lane CPUs, e.g. 2-3 (default: the @N CPUs in the node's
                  --lanes); every @N in --lanes must be one of them
  --heap SIZE     heap size for both -Xms and -Xmx (default: $DEFAULT_HEAP)
  --gc NAME       zgc, g1, parallel, shenandoah or epsilon (default: $DEFAULT_GC)
  --log-dir DIR   where safepoint.log goes (default: ./$DEFAULT_LOG_DIR)
  --jvm-opt FLAG  one more JVM flag, after the ones above; repeatable
  --dry-run       print the command line and exit
  -h, --help      print this help

Example:
  $PROG --cpus 2-3 --heap 4g -- --lanes 'TimeseriesScan,TimeseriesRetention@2;VectorSearch@3;*'

Environment:
  VSHARD_JAR  the node jar (default: cli/target/vshard.jar in this repository)
  JAVA_HOME   the JDK to use (default: java on PATH)
  TUNE_ROOT   prefix of the /sys paths read, for tests
  TUNE_BIN    directory put first on PATH, for tests
EOF
}

# Sets JAVA and JAVA_MAJOR.
find_java() {
  local home line version=''
  if [[ -n ${JAVA_HOME:-} ]]; then
    JAVA=$JAVA_HOME/bin/java
    [[ -x $JAVA ]] || die "JAVA_HOME=$JAVA_HOME has no bin/java"
  else
    JAVA=$(command -v java) || die "java not found; install a JDK 17 or later, or set JAVA_HOME"
  fi
  home=$(readlink -f -- "$JAVA")
  home=${home%/bin/java}
  if [[ -r $home/release ]]; then
    while IFS= read -r line; do
      if [[ $line =~ ^JAVA_VERSION=\"([^\"]+)\" ]]; then
        version=${BASH_REMATCH[1]}
        break
      fi
    done <"$home/release"
  fi
  if [[ -z $version ]]; then
    # No release file: ask the JVM itself, which costs a start-up.
    line=$("$JAVA" -version 2>&1) || die "$JAVA -version failed"
    if [[ $line =~ version\ \"([^\"]+)\" ]]; then
      version=${BASH_REMATCH[1]}
    fi
  fi
  if [[ $version =~ ^1\.([0-9]+) || $version =~ ^([0-9]+) ]]; then
    JAVA_MAJOR=${BASH_REMATCH[1]}
  else
    die "cannot tell the version of $JAVA"
  fi
  ((JAVA_MAJOR >= 17)) || die "$JAVA is Java $JAVA_MAJOR; the node needs 17 or later"
}

# lane_cpus_of_spec SPEC ARRAY: the @N CPUs of a --lanes value, ascending.
# shellcheck disable=SC2034 # lanes_out is a nameref
lane_cpus_of_spec() {
  local spec=$1
  local -n lanes_out=$2
  local -a seen=()
  while [[ $spec =~ @([0-9]+)(.*)$ ]]; do
    seen[10#${BASH_REMATCH[1]}]=1
    spec=${BASH_REMATCH[2]}
  done
  lanes_out=("${!seen[@]}")
}

# shellcheck disable=SC2034 # arrays handed to helpers by name
resolve_placement() {
  local -a online spec_cpus stray node_cpus near
  local arg next=0 spec='' cpu node
  for arg in "${NODE_ARGS[@]}"; do
    if ((next)); then
      spec=$arg
      next=0
    elif [[ $arg == --lanes ]]; then
      next=1
    elif [[ $arg == --lanes=* ]]; then
      spec=${arg#*=}
    fi
  done
  lane_cpus_of_spec "$spec" spec_cpus
  if [[ -n $OPT_CPUS ]]; then
    cpulist_parse "$OPT_CPUS" LANES || usage_error "--cpus: not a CPU list: '$OPT_CPUS'"
    cpus_minus spec_cpus LANES stray
    if ((${#stray[@]} > 0)); then
      cpulist_format stray
      die "--lanes pins a lane to CPU $REPLY, which is not in --cpus $OPT_CPUS"
    fi
  else
    LANES=("${spec_cpus[@]}")
  fi
  JVM_CPUS_LIST='' MEM_NODE=''
  ((${#LANES[@]} > 0)) || return 0

  host_online_cpus online
  cpus_minus LANES online stray
  if ((${#stray[@]} > 0)); then
    cpulist_format stray
    die "lane CPU $REPLY is not online"
  fi
  cpus_minus online LANES JVM_CPUS
  ((${#JVM_CPUS[@]} > 0)) || die "--cpus: leave at least one CPU for the JVM's other threads"

  host_numa_nodes
  if ((${#NODE_CPUS[@]} > 1)); then
    local -A lane_nodes=()
    for cpu in "${LANES[@]}"; do
      lane_nodes[${CPU_NODE[$cpu]:-?}]=1
    done
    if ((${#lane_nodes[@]} == 1)) && [[ -z ${lane_nodes['?']:-} ]]; then
      node=${CPU_NODE[${LANES[0]}]}
      MEM_NODE=$node
      # I/O threads feed the lanes: keep them on the lanes' node when it has room.
      cpulist_parse "${NODE_CPUS[$node]}" node_cpus
      cpus_intersect JVM_CPUS node_cpus near
      if ((${#near[@]} > 0)); then
        JVM_CPUS=("${near[@]}")
      fi
    else
      warn "lane CPUs span NUMA nodes; memory is not bound to a node"
    fi
  fi
  cpulist_format LANES
  LANES_LIST=$REPLY
  cpulist_format JVM_CPUS
  JVM_CPUS_LIST=$REPLY
}

jvm_flags() {
  JVM_FLAGS=("-Xms$HEAP" "-Xmx$HEAP" -XX:+AlwaysPreTouch -XX:+UseTransparentHugePages)
  case $GC in
    zgc) JVM_FLAGS+=(-XX:+UseZGC) ;;
    g1) JVM_FLAGS+=(-XX:+UseG1GC -XX:MaxGCPauseMillis=10) ;;
    parallel) JVM_FLAGS+=(-XX:+UseParallelGC) ;;
    shenandoah) JVM_FLAGS+=(-XX:+UseShenandoahGC) ;;
    epsilon) JVM_FLAGS+=(-XX:+UnlockExperimentalVMOptions -XX:+UseEpsilonGC) ;;
  esac
  # Removed in JDK 18; up to 17 it exists (off by default since 15) and
  # saying so pins it against a JAVA_TOOL_OPTIONS that turns it on.
  if ((JAVA_MAJOR <= 17)); then
    JVM_FLAGS+=(-XX:-UseBiasedLocking)
  fi
  JVM_FLAGS+=("-Xlog:safepoint=info:file=$LOG_DIR/safepoint.log:time,uptime,level,tags:filecount=5,filesize=20m")
  JVM_FLAGS+=("${EXTRA_JVM_FLAGS[@]}")
}

main() {
  local jar
  local -a cmd
  OPT_CPUS='' HEAP=$DEFAULT_HEAP GC=$DEFAULT_GC LOG_DIR=$DEFAULT_LOG_DIR DRY_RUN=0
  EXTRA_JVM_FLAGS=() NODE_ARGS=() LANES=()
  while (($# > 0)); do
    case $1 in
      --cpus) (($# > 1)) || usage_error "--cpus needs a CPU list"; OPT_CPUS=$2; shift ;;
      --cpus=*) OPT_CPUS=${1#*=} ;;
      --heap) (($# > 1)) || usage_error "--heap needs a size"; HEAP=$2; shift ;;
      --heap=*) HEAP=${1#*=} ;;
      --gc) (($# > 1)) || usage_error "--gc needs a name"; GC=$2; shift ;;
      --gc=*) GC=${1#*=} ;;
      --log-dir) (($# > 1)) || usage_error "--log-dir needs a directory"; LOG_DIR=$2; shift ;;
      --log-dir=*) LOG_DIR=${1#*=} ;;
      --jvm-opt) (($# > 1)) || usage_error "--jvm-opt needs a flag"; EXTRA_JVM_FLAGS+=("$2"); shift ;;
      --jvm-opt=*) EXTRA_JVM_FLAGS+=("${1#*=}") ;;
      --dry-run) DRY_RUN=1 ;;
      -h | --help) usage; return 0 ;;
      --) shift; NODE_ARGS=("$@"); break ;;
      *) usage_error "unknown argument: $1 (node arguments go after --)" ;;
    esac
    shift
  done
  [[ $HEAP =~ ^[1-9][0-9]*[kKmMgG]?$ ]] || usage_error "--heap: not a size: '$HEAP' (e.g. 2g, 512m)"
  case $GC in
    zgc | g1 | parallel | shenandoah | epsilon) ;;
    *) usage_error "--gc: unknown collector '$GC'" ;;
  esac
  [[ $LOG_DIR == /* ]] || LOG_DIR=$PWD/$LOG_DIR
  # -Xlog separates its fields with ':' and its options with ','.
  [[ $LOG_DIR != *[:,]* ]] || usage_error "--log-dir: -Xlog cannot take a path with ':' or ',': $LOG_DIR"

  jar=${VSHARD_JAR:-${SCRIPT_DIR%/*}/cli/target/vshard.jar}
  find_java
  resolve_placement
  jvm_flags

  cmd=()
  if [[ -n $MEM_NODE ]]; then
    if command -v numactl >/dev/null; then
      cmd+=(numactl "--membind=$MEM_NODE")
    else
      warn "numactl not found; the heap is not bound to the lanes' node $MEM_NODE"
    fi
  fi
  if [[ -n $JVM_CPUS_LIST ]]; then
    cmd+=(taskset -c "$JVM_CPUS_LIST")
  fi
  cmd+=("$JAVA" "${JVM_FLAGS[@]}" "${ADD_OPENS[@]}" -jar "$jar" node "${NODE_ARGS[@]}")

  if ((DRY_RUN)); then
    shell_quote "${cmd[@]}"
    printf '%s\n' "$REPLY"
    return 0
  fi
  [[ -f $jar ]] || die "no node jar at $jar; build it (./mvnw -B package -DskipTests) or set VSHARD_JAR"
  if [[ -n $JVM_CPUS_LIST ]]; then
    command -v taskset >/dev/null || die "taskset not found (package util-linux); it keeps the JVM off the lane CPUs"
    printf '%s: lanes on CPUs %s, other JVM threads on %s\n' "$PROG" "$LANES_LIST" "$JVM_CPUS_LIST" >&2
  fi
  mkdir -p -- "$LOG_DIR"
  exec "${cmd[@]}"
}

main "$@"
