# shellcheck shell=bash
#
# Helpers shared by the vshard host scripts: messages, reading host files
# below TUNE_ROOT, and kernel CPU lists ("0-3,8"). Sourced, never run; the
# caller sets PROG first. Globs that match nothing expand to nothing here.

shopt -s nullglob

# Every host path goes through HOST_ROOT so that tests can fabricate /proc and
# /sys in a scratch directory instead of touching the machine.
HOST_ROOT=${TUNE_ROOT:-}
HOST_ROOT=${HOST_ROOT%/}

if [[ -n ${TUNE_BIN:-} ]]; then
  PATH=$TUNE_BIN:$PATH
fi

die() {
  printf '%s: %s\n' "$PROG" "$*" >&2
  exit 1
}

warn() {
  printf '%s: warning: %s\n' "$PROG" "$*" >&2
}

usage_error() {
  printf '%s: %s\n' "$PROG" "$*" >&2
  printf "Try '%s -h'.\n" "$PROG" >&2
  exit 2
}

# host_read PATH: reads the first line of the host file PATH into REPLY.
# Returns 1, with REPLY empty, when the file is absent or unreadable.
host_read() {
  local file=$HOST_ROOT$1
  REPLY=
  [[ -f $file && -r $file ]] || return 1
  IFS= read -r REPLY 2>/dev/null <"$file" || [[ -n $REPLY ]]
}

# cpulist_parse LIST ARRAY: expands a kernel CPU list into ARRAY, ascending and
# without duplicates. Returns 1 when LIST is not a plain list of CPUs and ranges.
# shellcheck disable=SC2034 # cpulist_out is a nameref
cpulist_parse() {
  local -n cpulist_out=$2
  local part lo hi cpu
  local -a seen=()
  cpulist_out=()
  [[ $1 =~ ^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$ ]] || return 1
  local IFS=,
  for part in $1; do
    if [[ $part =~ ^([0-9]+)-([0-9]+)$ ]]; then
      lo=$((10#${BASH_REMATCH[1]}))
      hi=$((10#${BASH_REMATCH[2]}))
    else
      lo=$((10#$part))
      hi=$lo
    fi
    ((lo <= hi)) || return 1
    for ((cpu = lo; cpu <= hi; cpu++)); do
      seen[cpu]=1
    done
  done
  cpulist_out=("${!seen[@]}")
}

# cpulist_format ARRAY: sets REPLY to the kernel CPU list of the ascending ARRAY.
cpulist_format() {
  local -n cpulist_in=$1
  local cpu first=-1 last=-1 list=
  for cpu in "${cpulist_in[@]}"; do
    if ((first >= 0 && cpu == last + 1)); then
      last=$cpu
      continue
    fi
    if ((first >= 0)); then
      list+=${list:+,}$first
      ((last == first)) || list+=-$last
    fi
    first=$cpu
    last=$cpu
  done
  if ((first >= 0)); then
    list+=${list:+,}$first
    ((last == first)) || list+=-$last
  fi
  REPLY=$list
}

# cpus_minus A B OUT: OUT = A without the CPUs of B, ascending.
# shellcheck disable=SC2034 # minus_out is a nameref
cpus_minus() {
  local -n minus_a=$1 minus_b=$2 minus_out=$3
  local cpu
  local -a drop=() keep=()
  for cpu in "${minus_b[@]}"; do
    drop[cpu]=1
  done
  for cpu in "${minus_a[@]}"; do
    [[ -n ${drop[cpu]:-} ]] || keep+=("$cpu")
  done
  minus_out=("${keep[@]}")
}

# cpus_intersect A B OUT: OUT = the CPUs in both A and B, ascending.
# shellcheck disable=SC2034 # inter_out is a nameref
cpus_intersect() {
  local -n inter_a=$1 inter_b=$2 inter_out=$3
  local cpu
  local -a in_b=() both=()
  for cpu in "${inter_b[@]}"; do
    in_b[cpu]=1
  done
  for cpu in "${inter_a[@]}"; do
    [[ -z ${in_b[cpu]:-} ]] || both+=("$cpu")
  done
  inter_out=("${both[@]}")
}

# host_online_cpus ARRAY: the online CPUs, from sysfs. Dies when the host
# shows no CPUs at all, which means TUNE_ROOT points at the wrong place.
# shellcheck disable=SC2034 # online_out is a nameref
host_online_cpus() {
  local -n online_out=$1
  local dir
  local -a found=()
  if host_read /sys/devices/system/cpu/online && cpulist_parse "$REPLY" online_out; then
    return 0
  fi
  for dir in "$HOST_ROOT"/sys/devices/system/cpu/cpu[0-9]*; do
    found[${dir##*/cpu}]=1
  done
  ((${#found[@]} > 0)) || die "no CPUs under ${HOST_ROOT}/sys/devices/system/cpu (is TUNE_ROOT right?)"
  online_out=("${!found[@]}")
}

# host_numa_nodes: fills CPU_NODE (CPU -> NUMA node) and NODE_CPUS (node ->
# CPU list) from sysfs; both stay empty on a kernel without NUMA.
# shellcheck disable=SC2034 # read by the caller
host_numa_nodes() {
  local dir node cpu
  local -a cpus
  declare -gA CPU_NODE=() NODE_CPUS=()
  for dir in "$HOST_ROOT"/sys/devices/system/node/node[0-9]*; do
    node=${dir##*/node}
    host_read "${dir#"$HOST_ROOT"}/cpulist" || continue
    cpulist_parse "$REPLY" cpus || continue
    NODE_CPUS[$node]=$REPLY
    for cpu in "${cpus[@]}"; do
      CPU_NODE[$cpu]=$node
    done
  done
}

# shell_quote WORD...: sets REPLY to the words joined by spaces, each quoted
# only when the shell would otherwise split or expand it.
shell_quote() {
  local word quoted=
  for word in "$@"; do
    if [[ $word =~ ^[A-Za-z0-9_./:=@%+,-]+$ ]]; then
      quoted+=${quoted:+ }$word
    else
      quoted+=${quoted:+ }\'${word//\'/\'\\\'\'}\'
    fi
  done
  REPLY=$quoted
}
