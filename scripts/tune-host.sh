#!/usr/bin/env bash
#
# tune-host.sh: checks, applies and reverts the host tuning that a vshard node
# wants on a bare-metal shard host. TUNING.md beside this script explains the
# knobs and the order of the steps.
#
set -euo pipefail

PROG=${0##*/}
SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/host.sh
source "$SCRIPT_DIR/lib/host.sh"

# Recommendations for a low-latency QUIC shard host. Sizes in bytes.
readonly REC_GOVERNOR=performance
readonly IDLE_MAX_EXIT_LATENCY_US=2
readonly REC_THP_ENABLED=madvise
readonly REC_THP_DEFRAG=madvise
readonly REC_SWAPPINESS=1
readonly REC_NUMA_BALANCING=0
readonly REC_RMEM_MAX=16777216
readonly REC_WMEM_MAX=16777216
readonly REC_RMEM_DEFAULT=4194304
readonly REC_NETDEV_MAX_BACKLOG=16384
readonly REC_BUSY_READ_US=50
readonly REC_BUSY_POLL_US=50

# Boot parameters that keep CPUs out of deep idle states.
readonly IDLE_LIMITED_AT_BOOT='[[:space:]](idle=poll|intel_idle\.max_cstate=[01]|processor\.max_cstate=[01])[[:space:]]'
readonly CPU_DIR=/sys/devices/system/cpu
readonly THP_DIR=/sys/kernel/mm/transparent_hugepage
# In /run, which is emptied at boot just as the runtime changes it records are lost.
readonly DEFAULT_STATE=/run/vshard/tune-host.state
# short name for ethtool -K, then the name ethtool -k prints.
readonly -a OFFLOADS=(
  "gso generic-segmentation-offload"
  "gro generic-receive-offload"
  "tx-udp-segmentation tx-udp-segmentation"
)

usage() {
  cat <<EOF
Usage: $PROG [check|apply|revert] [options]

Tunes a bare-metal host for a vshard node: CPU isolation, frequency and idle
states, huge pages, swap, IRQ placement, UDP buffers, busy polling, NIC
offloads and NUMA locality. (The node's own busy polling, I/O threads that
never sleep in epoll_wait, is vshard.transport.io.busy.poll=true: only with a
spare CPU per I/O thread; see TUNING.md, "Busy-polling I/O threads".)

Commands:
  check    print each knob, its value, the recommendation and a verdict (default)
  apply    make the runtime changes marked CHANGE, saving every previous value
  revert   restore the values saved by apply, then forget them

Options:
  --cpus LIST    lane CPUs in kernel list form, e.g. 2-3,6-7 (default: every
                 online CPU except those of CPU 0's core)
  --iface NAME   NIC that carries the QUIC traffic (default: default-route NIC)
  --state FILE   where apply saves previous values (default: $DEFAULT_STATE)
  --dry-run      apply, revert: print what would be done, change nothing
  -h, --help     print this help

Verdicts: OK as recommended; CHANGE fixed at runtime by apply; MANUAL needs a
reboot, firmware or hardware change, or a decision: see the notes under the table.

apply and revert need root. apply changes runtime state only, which a reboot
loses; TUNING.md shows how to make it permanent.

Environment, for tests and rehearsals:
  TUNE_ROOT   prefix of every /proc, /sys and /run path read or written
  TUNE_BIN    directory put first on PATH (stand-ins for ethtool, systemctl)
  TUNE_EUID   effective user id to assume instead of the real one
EOF
}

declare -a ONLINE=() LANES=() HOUSEKEEPING=() NIC_IRQ_CPUS=()

# The table, its notes, and the runtime changes that would bring CHANGE rows
# to their recommendation. check prints the first two, apply performs the last.
declare -a ROW_KNOB=() ROW_CURRENT=() ROW_RECOMMENDED=() ROW_VERDICT=() NOTES=()
declare -a ACT_KIND=() ACT_TARGET=() ACT_VALUE=() ACT_PREVIOUS=()

row() {
  ROW_KNOB+=("$1")
  ROW_CURRENT+=("$2")
  ROW_RECOMMENDED+=("$3")
  ROW_VERDICT+=("$4")
}

# note LINE...: one note under the table, the lines after the first indented.
note() {
  local text=$1 line
  shift
  for line in "$@"; do
    text+=$'\n  '$line
  done
  NOTES+=("$text")
}

# plan KIND TARGET VALUE PREVIOUS. KIND is file (TARGET a host path), ethtool
# (TARGET iface/feature) or service (TARGET a systemd unit).
plan() {
  ACT_KIND+=("$1")
  ACT_TARGET+=("$2")
  ACT_VALUE+=("$3")
  ACT_PREVIOUS+=("$4")
}

# mask_to_cpus MASK ARRAY: expands a hex CPU mask such as "ff,00000003".
# shellcheck disable=SC2034 # mask_out is a nameref
mask_to_cpus() {
  local -n mask_out=$2
  local hex=${1//,/}
  local i digit bit base
  mask_out=()
  [[ $hex =~ ^[0-9a-fA-F]+$ ]] || return 1
  for ((i = ${#hex} - 1; i >= 0; i--)); do
    digit=$((16#${hex:i:1}))
    base=$(((${#hex} - 1 - i) * 4))
    for ((bit = 0; bit < 4; bit++)); do
      if (((digit >> bit) & 1)); then
        mask_out+=("$((base + bit))")
      fi
    done
  done
}

# cpus_to_mask ARRAY: sets REPLY to the hex mask of the ascending ARRAY, in
# 32-bit groups separated by commas as the kernel prints them.
cpus_to_mask() {
  local -n tomask_in=$1
  local -a groups=()
  local cpu group top=0 mask
  for cpu in "${tomask_in[@]}"; do
    group=$((cpu / 32))
    groups[group]=$((${groups[group]:-0} | 1 << (cpu % 32)))
    top=$group
  done
  printf -v mask '%x' "${groups[top]:-0}"
  for ((group = top - 1; group >= 0; group--)); do
    printf -v mask '%s,%08x' "$mask" "${groups[group]:-0}"
  done
  REPLY=$mask
}

# shellcheck disable=SC2034 # core0 is handed to helpers by name
resolve_cpus() {
  local -a core0 offline
  host_online_cpus ONLINE
  host_numa_nodes
  if [[ -n $OPT_CPUS ]]; then
    cpulist_parse "$OPT_CPUS" LANES || usage_error "--cpus: not a CPU list: '$OPT_CPUS'"
    cpus_minus LANES ONLINE offline
    if ((${#offline[@]} > 0)); then
      cpulist_format offline
      local missing=$REPLY
      cpulist_format ONLINE
      die "--cpus: CPU $missing is not online (online: $REPLY)"
    fi
  else
    core0=("${ONLINE[0]}")
    if ! host_read "$CPU_DIR/cpu${ONLINE[0]}/topology/thread_siblings_list" ||
      ! cpulist_parse "$REPLY" core0; then
      core0=("${ONLINE[0]}")
    fi
    cpus_minus ONLINE core0 LANES
    ((${#LANES[@]} > 0)) || die "every online CPU is in CPU ${ONLINE[0]}'s core: no CPU left for lanes"
  fi
  cpus_minus ONLINE LANES HOUSEKEEPING
  ((${#HOUSEKEEPING[@]} > 0)) ||
    die "--cpus: leave at least one CPU for the kernel, IRQs and the JVM's other threads"
  cpulist_format LANES
  LANES_LIST=$REPLY
  cpulist_format HOUSEKEEPING
  HOUSEKEEPING_LIST=$REPLY
}

resolve_iface() {
  local -a fields
  IFACE=$OPT_IFACE
  if [[ -n $IFACE ]]; then
    [[ $IFACE =~ ^[A-Za-z0-9_.:@-]+$ && -d $HOST_ROOT/sys/class/net/$IFACE ]] ||
      die "--iface: no network interface '$IFACE' in /sys/class/net"
  elif [[ -r $HOST_ROOT/proc/net/route ]]; then
    # Columns: Iface Destination Gateway Flags RefCnt Use Metric Mask ...
    while read -r -a fields; do
      if [[ ${fields[1]:-} == 00000000 && ${fields[7]:-} == 00000000 ]]; then
        IFACE=${fields[0]}
        break
      fi
    done <"$HOST_ROOT/proc/net/route"
  fi
}

# Sets NIC_NODE (empty when unknown) and NIC_IRQ_LIST: the housekeeping CPUs
# on the NIC's node, or all of them when that node has none.
# shellcheck disable=SC2034 # arrays handed to helpers by name
resolve_nic_node() {
  local -a node_cpus near
  NIC_NODE=
  NIC_IRQ_CPUS=("${HOUSEKEEPING[@]}")
  if [[ -n $IFACE ]] && host_read "/sys/class/net/$IFACE/device/numa_node" &&
    [[ $REPLY =~ ^[0-9]+$ && -n ${NODE_CPUS[$REPLY]:-} ]]; then
    NIC_NODE=$REPLY
    cpulist_parse "${NODE_CPUS[$NIC_NODE]}" node_cpus
    cpus_intersect HOUSEKEEPING node_cpus near
    if ((${#near[@]} > 0)); then
      NIC_IRQ_CPUS=("${near[@]}")
    fi
  fi
  cpulist_format NIC_IRQ_CPUS
  NIC_IRQ_LIST=$REPLY
}

check_cmdline() {
  local -A want=(
    [isolcpus]="managed_irq,domain,$LANES_LIST"
    [nohz_full]=$LANES_LIST
    [rcu_nocbs]=$LANES_LIST
    [irqaffinity]=$HOUSEKEEPING_LIST
  )
  local -A have=()
  local -a words cpus outside
  local param word value manual=0
  local boot_line=''
  for param in isolcpus nohz_full rcu_nocbs irqaffinity; do
    boot_line+=${boot_line:+ }$param=${want[$param]}
  done
  CMDLINE=
  if ! host_read /proc/cmdline; then
    for param in isolcpus nohz_full rcu_nocbs irqaffinity; do
      row "boot $param" n/a "${want[$param]}" MANUAL
    done
    note "boot: /proc/cmdline is unreadable; the kernel command line should carry: $boot_line"
    return 0
  fi
  CMDLINE=$REPLY
  read -r -a words <<<"$CMDLINE"
  for word in "${words[@]}"; do
    param=${word%%=*}
    if [[ $word == *=* && -n ${want[$param]:-} ]]; then
      have[$param]=${word#*=}
    fi
  done
  for param in isolcpus nohz_full rcu_nocbs irqaffinity; do
    if [[ -z ${have[$param]+set} ]]; then
      row "boot $param" - "${want[$param]}" MANUAL
      manual=1
      continue
    fi
    value=${have[$param]}
    # isolcpus may lead with flags (nohz, domain, managed_irq) before the CPUs.
    if [[ $param == isolcpus ]]; then
      while [[ $value =~ ^[a-z_]+,(.*)$ ]]; do
        value=${BASH_REMATCH[1]}
      done
    fi
    if cpulist_parse "$value" cpus; then
      if [[ $param == irqaffinity ]]; then
        cpus_intersect cpus LANES outside
      else
        cpus_minus LANES cpus outside
      fi
      if ((${#outside[@]} == 0)); then
        row "boot $param" "${have[$param]}" "${want[$param]}" OK
        continue
      fi
    fi
    row "boot $param" "${have[$param]}" "${want[$param]}" MANUAL
    manual=1
  done
  if ((manual)); then
    note "boot: CPU isolation needs the kernel command line; add to GRUB_CMDLINE_LINUX in" \
      "/etc/default/grub (replacing any of these already there), run update-grub, reboot:" \
      "  $boot_line" \
      "managed_irq needs Linux 5.6 or later, nohz_full a kernel built with NO_HZ_FULL."
  elif [[ ${have[isolcpus]} != *managed_irq* ]]; then
    note "boot: isolcpus without managed_irq lets drivers place managed IRQs on lane CPUs"
  fi
}

check_governor() {
  local cpu path governor shown='' missing=0 unavailable=0 planned=${#ACT_KIND[@]}
  local -A count=()
  local -a seen=()
  for cpu in "${ONLINE[@]}"; do
    path=$CPU_DIR/cpu$cpu/cpufreq/scaling_governor
    if ! host_read "$path"; then
      missing=$((missing + 1))
      continue
    fi
    governor=$REPLY
    if [[ -z ${count[$governor]:-} ]]; then
      seen+=("$governor")
    fi
    count[$governor]=$((${count[$governor]:-0} + 1))
    [[ $governor != "$REC_GOVERNOR" ]] || continue
    if host_read "$CPU_DIR/cpu$cpu/cpufreq/scaling_available_governors" &&
      [[ " $REPLY " != *" $REC_GOVERNOR "* ]]; then
      unavailable=$((unavailable + 1))
    else
      plan file "$path" "$REC_GOVERNOR" "$governor"
    fi
  done
  if ((${#seen[@]} == 0)); then
    row "cpu governor" n/a "$REC_GOVERNOR" MANUAL
    note "cpu governor: no cpufreq in sysfs (a VM, or firmware owns the clock); choose the" \
      "maximum-performance power profile in the BIOS or hypervisor"
    return 0
  fi
  if ((${#seen[@]} == 1 && missing == 0)); then
    shown=${seen[0]}
  else
    for governor in "${seen[@]}"; do
      shown+=${shown:+, }"$governor x${count[$governor]}"
    done
    if ((missing > 0)); then
      shown+=", n/a x$missing"
    fi
  fi
  if ((${#ACT_KIND[@]} > planned)); then
    row "cpu governor" "$shown" "$REC_GOVERNOR" CHANGE
  elif ((unavailable > 0 || missing > 0)); then
    row "cpu governor" "$shown" "$REC_GOVERNOR" MANUAL
  else
    row "cpu governor" "$shown" "$REC_GOVERNOR" OK
  fi
  if ((unavailable > 0)); then
    note "cpu governor: $unavailable CPUs do not offer '$REC_GOVERNOR'; check the cpufreq driver and BIOS"
  fi
  if ((missing > 0)); then
    note "cpu governor: $missing online CPUs have no cpufreq in sysfs"
  fi
}

check_idle() {
  local knob="cpu idle >${IDLE_MAX_EXIT_LATENCY_US}us" cpu dir states=0 deep=
  local -A listed=()
  for cpu in "${ONLINE[@]}"; do
    for dir in "$HOST_ROOT$CPU_DIR/cpu$cpu/cpuidle"/state[0-9]*; do
      dir=${dir#"$HOST_ROOT"}
      host_read "$dir/latency" || continue
      states=$((states + 1))
      if [[ ! $REPLY =~ ^[0-9]+$ ]] || ((REPLY <= IDLE_MAX_EXIT_LATENCY_US)); then
        continue
      fi
      if ! host_read "$dir/disable" || [[ $REPLY != 0 ]]; then
        continue
      fi
      plan file "$dir/disable" 1 0
      host_read "$dir/name" || REPLY=${dir##*/}
      if [[ -z ${listed[$REPLY]:-} ]]; then
        listed[$REPLY]=1
        deep+=${deep:+,}$REPLY
      fi
    done
  done
  if [[ -n $deep ]]; then
    row "$knob" "on: $deep" off CHANGE
  elif ((states > 0)); then
    row "$knob" off off OK
  elif [[ " $CMDLINE " =~ $IDLE_LIMITED_AT_BOOT ]]; then
    row "$knob" "${BASH_REMATCH[1]}" off OK
  else
    row "$knob" n/a off MANUAL
    note "cpu idle: no cpuidle states in sysfs; either boot with processor.max_cstate=1" \
      "intel_idle.max_cstate=1, or have a process hold /dev/cpu_dma_latency open with 0" \
      "for the node's lifetime"
  fi
}

# check_thp KNOB FILE RECOMMENDED
check_thp() {
  local knob=$1 path=$THP_DIR/$2 recommended=$3 current
  if ! host_read "$path"; then
    row "$knob" n/a "$recommended" OK
    note "$knob: $path is absent: the kernel has no transparent huge pages"
    return 0
  fi
  current=$REPLY
  # sysfs shows the choices with the selected one in brackets.
  if [[ $REPLY =~ \[([^]]+)\] ]]; then
    current=${BASH_REMATCH[1]}
  fi
  if [[ $current == "$recommended" ]]; then
    row "$knob" "$current" "$recommended" OK
  else
    row "$knob" "$current" "$recommended" CHANGE
    plan file "$path" "$recommended" "$REPLY"
  fi
}

# check_sysctl NAME VALUE min|max: the current value should be at least (min)
# or at most (max) VALUE.
check_sysctl() {
  local name=$1 recommended=$2 bound=$3 path=/proc/sys/${1//.//} shown ok
  if [[ $bound == min ]]; then
    shown=">= $recommended"
  elif ((recommended == 0)); then
    shown=0
  else
    shown="<= $recommended"
  fi
  if ! host_read "$path"; then
    row "$name" n/a "$shown" MANUAL
    note "$name: $path is absent (kernel built without it?)"
    return 0
  fi
  if [[ ! $REPLY =~ ^-?[0-9]+$ ]]; then
    row "$name" "$REPLY" "$shown" MANUAL
    note "$name: unexpected value '$REPLY' in $path"
    return 0
  fi
  if [[ $bound == min ]]; then
    ok=$((REPLY >= recommended))
  else
    ok=$((REPLY <= recommended))
  fi
  if ((ok)); then
    row "$name" "$REPLY" "$shown" OK
  else
    row "$name" "$REPLY" "$shown" CHANGE
    plan file "$path" "$recommended" "$REPLY"
  fi
}

# irqbalance_state: sets REPLY to the systemd state of irqbalance, or to
# "running"/"not running" from the process table when systemd cannot tell.
irqbalance_state() {
  local comm name
  REPLY=
  if command -v systemctl >/dev/null; then
    REPLY=$(systemctl is-active irqbalance 2>/dev/null) || true
  fi
  case $REPLY in
    active | activating | reloading | inactive | failed | deactivating) return 0 ;;
  esac
  REPLY="not running"
  for comm in "$HOST_ROOT"/proc/[0-9]*/comm; do
    # A process may exit between the glob and the read.
    if read -r name 2>/dev/null <"$comm" && [[ $name == irqbalance ]]; then
      REPLY=running
      return 0
    fi
  done
}

check_irqbalance() {
  irqbalance_state
  case $REPLY in
    active | activating | reloading)
      row irqbalance "$REPLY" inactive CHANGE
      plan service irqbalance inactive "$REPLY"
      note "irqbalance: it would move NIC IRQs back onto lane CPUs, so apply stops it." \
        "To keep it off after reboot: systemctl disable irqbalance; or keep it and set" \
        "IRQBALANCE_BANNED_CPULIST=$LANES_LIST in /etc/default/irqbalance (irqbalance 1.8+)."
      ;;
    running)
      row irqbalance running inactive MANUAL
      note "irqbalance: running outside systemd; stop it with your init system"
      ;;
    *)
      row irqbalance "$REPLY" inactive OK
      ;;
  esac
}

check_default_irq_affinity() {
  local path=/proc/irq/default_smp_affinity
  local -a cpus on_lanes
  if ! host_read "$path"; then
    row "irq default affinity" n/a "$HOUSEKEEPING_LIST" MANUAL
    note "irq default affinity: $path is absent"
    return 0
  fi
  local raw=$REPLY
  if ! mask_to_cpus "$raw" cpus; then
    row "irq default affinity" "$raw" "$HOUSEKEEPING_LIST" MANUAL
    note "irq default affinity: unexpected mask '$raw' in $path"
    return 0
  fi
  cpulist_format cpus
  local shown=$REPLY
  cpus_intersect cpus LANES on_lanes
  if ((${#on_lanes[@]} == 0 && ${#cpus[@]} > 0)); then
    row "irq default affinity" "$shown" "$HOUSEKEEPING_LIST" OK
  else
    row "irq default affinity" "$shown" "$HOUSEKEEPING_LIST" CHANGE
    cpus_to_mask HOUSEKEEPING
    plan file "$path" "$REPLY" "$raw"
  fi
}

# nic_irqs ARRAY: the IRQs of IFACE, ascending: its MSI vectors from sysfs, or
# else the /proc/interrupts lines named after it.
# shellcheck disable=SC2034 # irqs_out is a nameref
nic_irqs() {
  local -n irqs_out=$1
  local -a found=()
  local entry line
  for entry in "$HOST_ROOT/sys/class/net/$IFACE/device/msi_irqs"/*; do
    entry=${entry##*/}
    if [[ $entry =~ ^[0-9]+$ ]]; then
      found[entry]=1
    fi
  done
  if ((${#found[@]} == 0)) && [[ -r $HOST_ROOT/proc/interrupts ]]; then
    while IFS= read -r line; do
      if [[ $line =~ ^[[:space:]]*([0-9]+):.*[[:space:]]$IFACE([-_@][^[:space:]]*)?$ ]]; then
        found[BASH_REMATCH[1]]=1
      fi
    done <"$HOST_ROOT/proc/interrupts"
  fi
  irqs_out=("${!found[@]}")
}

check_nic_irqs() {
  local knob="irq affinity $IFACE" irq path raw missing=0
  local -a irqs cpus overlap on_lanes=()
  nic_irqs irqs
  if ((${#irqs[@]} == 0)); then
    row "$knob" n/a "$NIC_IRQ_LIST" MANUAL
    note "$knob: no IRQs found for $IFACE (no msi_irqs in sysfs, no match in /proc/interrupts)"
    return 0
  fi
  for irq in "${irqs[@]}"; do
    path=/proc/irq/$irq/smp_affinity_list
    if ! host_read "$path" || ! cpulist_parse "$REPLY" cpus; then
      missing=$((missing + 1))
      continue
    fi
    raw=$REPLY
    cpus_intersect cpus LANES overlap
    if ((${#overlap[@]} > 0)); then
      on_lanes+=("$irq")
      plan file "$path" "$NIC_IRQ_LIST" "$raw"
    fi
  done
  if ((${#on_lanes[@]} > 0)); then
    row "$knob" "${#on_lanes[@]}/${#irqs[@]} on lanes" "$NIC_IRQ_LIST" CHANGE
    note "$knob: IRQs on lane CPUs: ${on_lanes[*]}. Drivers with managed IRQs refuse new" \
      "masks; for those, isolcpus=managed_irq on the boot line is the way."
  elif ((missing > 0)); then
    row "$knob" "$missing/${#irqs[@]} unreadable" "$NIC_IRQ_LIST" MANUAL
    note "$knob: $missing IRQs have no readable /proc/irq/N/smp_affinity_list"
  else
    row "$knob" "${#irqs[@]} off lanes" "$NIC_IRQ_LIST" OK
  fi
}

# read_offloads IFACE: fills OFFLOAD (feature -> on|off) and OFFLOAD_FIXED
# from ethtool -k. Returns 1 when ethtool is missing or fails.
read_offloads() {
  local out line
  declare -gA OFFLOAD=() OFFLOAD_FIXED=()
  command -v ethtool >/dev/null || return 1
  out=$(ethtool -k "$1" 2>/dev/null) || return 1
  while IFS= read -r line; do
    if [[ $line =~ ^[[:space:]]*([A-Za-z0-9_-]+):[[:space:]]+(on|off)([[:space:]]+\[([a-z ]+)\])?$ ]]; then
      OFFLOAD[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
      if [[ ${BASH_REMATCH[4]} == fixed ]]; then
        OFFLOAD_FIXED[${BASH_REMATCH[1]}]=1
      fi
    fi
  done <<<"$out"
}

check_offloads() {
  local entry short long knob
  if ! read_offloads "$IFACE"; then
    for entry in "${OFFLOADS[@]}"; do
      row "$IFACE ${entry%% *}" n/a on MANUAL
    done
    note "offloads: could not run 'ethtool -k $IFACE' (is ethtool installed?)"
    return 0
  fi
  for entry in "${OFFLOADS[@]}"; do
    read -r short long <<<"$entry"
    knob="$IFACE $short"
    if [[ -z ${OFFLOAD[$long]:-} ]]; then
      row "$knob" n/a on MANUAL
      note "$knob: ethtool -k shows no $long"
    elif [[ ${OFFLOAD[$long]} == on ]]; then
      row "$knob" on on OK
    elif [[ -n ${OFFLOAD_FIXED[$long]:-} ]]; then
      row "$knob" "off [fixed]" on MANUAL
      note "$knob: the driver cannot turn it on; without it the kernel does the work in" \
        "software (for UDP segmentation: still one send call per batch of QUIC packets)"
    else
      row "$knob" off on CHANGE
      plan ethtool "$IFACE/$short" on off
    fi
  done
}

check_numa() {
  local knob="numa locality $IFACE" cpu node nodes='' unknown=0
  local -a lane_nodes=()
  if ((${#NODE_CPUS[@]} == 0)); then
    row "$knob" n/a "lanes on NIC node" MANUAL
    note "numa: no nodes in /sys/devices/system/node; cannot tell where NIC and lanes sit"
    return 0
  fi
  if ((${#NODE_CPUS[@]} == 1)); then
    row "$knob" "one node" "lanes on NIC node" OK
    return 0
  fi
  for cpu in "${LANES[@]}"; do
    if [[ -n ${CPU_NODE[$cpu]:-} ]]; then
      lane_nodes[${CPU_NODE[$cpu]}]=1
    else
      unknown=1
    fi
  done
  for node in "${!lane_nodes[@]}"; do
    nodes+=${nodes:+,}$node
  done
  if ((unknown)); then
    nodes+="${nodes:+,}?"
  fi
  if [[ -z $NIC_NODE ]]; then
    row "$knob" "NIC ?, lanes $nodes" "lanes on NIC node" MANUAL
    note "numa: $IFACE reports no NUMA node; check the slot in the board manual"
  elif [[ $nodes == "$NIC_NODE" ]]; then
    row "$knob" "NIC $NIC_NODE, lanes $nodes" "lanes on NIC node" OK
  else
    row "$knob" "NIC $NIC_NODE, lanes $nodes" "lanes on NIC node" MANUAL
    note "numa: $IFACE sits on node $NIC_NODE; choose --cpus from its CPUs ${NODE_CPUS[$NIC_NODE]}" \
      "(and the node's --lanes to match), or move the NIC"
  fi
}

plan_all() {
  check_cmdline
  check_governor
  check_idle
  check_thp "thp enabled" enabled "$REC_THP_ENABLED"
  check_thp "thp defrag" defrag "$REC_THP_DEFRAG"
  check_sysctl vm.swappiness "$REC_SWAPPINESS" max
  check_sysctl kernel.numa_balancing "$REC_NUMA_BALANCING" max
  check_irqbalance
  check_default_irq_affinity
  if [[ -n $IFACE ]]; then
    check_nic_irqs
  fi
  check_sysctl net.core.rmem_max "$REC_RMEM_MAX" min
  check_sysctl net.core.wmem_max "$REC_WMEM_MAX" min
  check_sysctl net.core.rmem_default "$REC_RMEM_DEFAULT" min
  check_sysctl net.core.netdev_max_backlog "$REC_NETDEV_MAX_BACKLOG" min
  check_sysctl net.core.busy_read "$REC_BUSY_READ_US" min
  check_sysctl net.core.busy_poll "$REC_BUSY_POLL_US" min
  if [[ -n $IFACE ]]; then
    check_offloads
    check_numa
  else
    row nic n/a "--iface NAME" MANUAL
    note "nic: no default route found; pass --iface to check IRQs, offloads and NUMA"
  fi
}

print_header() {
  printf 'vshard host %s: lane CPUs %s, housekeeping CPUs %s, NIC %s\n' \
    "$1" "$LANES_LIST" "$HOUSEKEEPING_LIST" "${IFACE:-none}"
  if [[ -n $HOST_ROOT ]]; then
    printf 'host root: %s\n' "$HOST_ROOT"
  fi
}

cmd_check() {
  local i w1=4 w2=7 w3=11 ok=0 change=0 manual=0
  plan_all
  print_header check
  for i in "${!ROW_KNOB[@]}"; do
    w1=$((${#ROW_KNOB[i]} > w1 ? ${#ROW_KNOB[i]} : w1))
    w2=$((${#ROW_CURRENT[i]} > w2 ? ${#ROW_CURRENT[i]} : w2))
    w3=$((${#ROW_RECOMMENDED[i]} > w3 ? ${#ROW_RECOMMENDED[i]} : w3))
  done
  printf '\n%-*s  %-*s  %-*s  %s\n' "$w1" KNOB "$w2" CURRENT "$w3" RECOMMENDED VERDICT
  for i in "${!ROW_KNOB[@]}"; do
    printf '%-*s  %-*s  %-*s  %s\n' "$w1" "${ROW_KNOB[i]}" "$w2" "${ROW_CURRENT[i]}" \
      "$w3" "${ROW_RECOMMENDED[i]}" "${ROW_VERDICT[i]}"
    case ${ROW_VERDICT[i]} in
      OK) ok=$((ok + 1)) ;;
      CHANGE) change=$((change + 1)) ;;
      *) manual=$((manual + 1)) ;;
    esac
  done
  if ((${#NOTES[@]} > 0)); then
    printf '\nNotes:\n'
    printf -- '- %s\n' "${NOTES[@]}"
  fi
  printf '\n%d OK, %d CHANGE, %d MANUAL\n' "$ok" "$change" "$manual"
  if ((change > 0)); then
    printf "Run '%s apply' as root to make the CHANGE rows OK until the next reboot.\n" "$PROG"
  fi
}

require_root() {
  local euid=${TUNE_EUID:-$EUID}
  [[ $euid =~ ^[0-9]+$ ]] || die "TUNE_EUID: not a user id: '$euid'"
  ((euid == 0)) || die "$1 needs root: it writes to /proc and /sys, sets IRQ masks and NIC" \
    "features, and stops irqbalance. Run it with sudo, or add --dry-run to see what it would do."
}

# run_quiet COMMAND...: runs COMMAND; on failure sets REPLY to its last line of output.
run_quiet() {
  local output
  if output=$("$@" 2>&1); then
    return 0
  fi
  REPLY=${output##*$'\n'}
  return 1
}

# write_host_file PATH VALUE: on failure REPLY holds the error, which is what
# tells a managed IRQ (I/O error) from a value the kernel rejects.
write_host_file() {
  local error
  if error=$({ printf '%s\n' "$2" >"$HOST_ROOT$1"; } 2>&1); then
    return 0
  fi
  REPLY=${error##*: }
  return 1
}

# perform KIND TARGET VALUE: makes one change; on failure REPLY tells why.
perform() {
  case $1 in
    file) write_host_file "$2" "$3" ;;
    ethtool) run_quiet ethtool -K "${2%%/*}" "${2#*/}" "$3" ;;
    service)
      if [[ $3 == inactive ]]; then
        run_quiet systemctl stop "$2"
      else
        run_quiet systemctl start "$2"
      fi
      ;;
    *)
      REPLY="unknown kind '$1'"
      return 1
      ;;
  esac
}

# describe KIND TARGET VALUE: sets REPLY to a line saying what perform does.
describe() {
  case $1 in
    file) REPLY="write '$3' to $2" ;;
    ethtool) REPLY="ethtool -K ${2%%/*} ${2#*/} $3" ;;
    service)
      if [[ $3 == inactive ]]; then
        REPLY="systemctl stop $2"
      else
        REPLY="systemctl start $2"
      fi
      ;;
  esac
}

# change KIND TARGET VALUE NOW: makes one change and says so, or with --dry-run
# says what it would make. Returns 1, after a warning, when the change fails.
change() {
  local what
  describe "$1" "$2" "$3"
  what=$REPLY
  if ((DRY_RUN)); then
    printf "would %s (now '%s')\n" "$what" "$4"
  elif perform "$1" "$2" "$3"; then
    printf "did %s (was '%s')\n" "$what" "$4"
  else
    warn "could not $what: $REPLY"
    return 1
  fi
}

# save_previous KIND TARGET VALUE: appends to the state file unless TARGET is
# already there, so that a second apply keeps the values from before the first.
save_previous() {
  local key=$1$'\t'$2
  [[ -z ${SAVED[$key]+set} ]] || return 0
  [[ $3 != *$'\t'* ]] || die "cannot save a value containing a tab: $2"
  if [[ ! -e $STATE ]]; then
    mkdir -p -- "$(dirname -- "$STATE")"
    printf '# vshard tune-host.sh: values before apply; "%s revert" restores them.\n' \
      "$PROG" >"$STATE"
  fi
  printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$STATE"
  SAVED[$key]=$3
}

load_state() {
  local kind target value
  declare -gA SAVED=()
  [[ -f $STATE ]] || return 0
  while IFS=$'\t' read -r kind target value; do
    [[ -z $kind || $kind == '#'* ]] && continue
    SAVED[$kind$'\t'$target]=$value
  done <"$STATE"
}

cmd_apply() {
  local i failed=0 made=0 manual
  if ((DRY_RUN)); then
    plan_all
    print_header "apply (dry run)"
  else
    require_root apply
    plan_all
    print_header apply
  fi
  if ((${#ACT_KIND[@]} == 0)); then
    printf 'nothing to change\n'
  fi
  load_state
  for i in "${!ACT_KIND[@]}"; do
    if ((!DRY_RUN)); then
      save_previous "${ACT_KIND[i]}" "${ACT_TARGET[i]}" "${ACT_PREVIOUS[i]}"
    fi
    if change "${ACT_KIND[i]}" "${ACT_TARGET[i]}" "${ACT_VALUE[i]}" "${ACT_PREVIOUS[i]}"; then
      made=$((made + 1))
    else
      failed=$((failed + 1))
    fi
  done
  if ((DRY_RUN)); then
    printf 'dry run: nothing was changed\n'
    return 0
  fi
  if ((made > 0 || failed > 0)); then
    printf "%d changes made; previous values are in %s, '%s revert' restores them\n" \
      "$made" "$STATE" "$PROG"
  fi
  manual=0
  for i in "${!ROW_VERDICT[@]}"; do
    if [[ ${ROW_VERDICT[i]} == MANUAL ]]; then
      manual=$((manual + 1))
    fi
  done
  if ((manual > 0)); then
    printf "%d MANUAL items are left to you; '%s check' lists them.\n" "$manual" "$PROG"
  fi
  ((failed == 0)) || die "$failed changes failed"
}

# current_value KIND TARGET: sets REPLY to the present value, as saved by apply.
current_value() {
  local entry short long
  case $1 in
    file) host_read "$2" ;;
    ethtool)
      read_offloads "${2%%/*}" || return 1
      for entry in "${OFFLOADS[@]}"; do
        read -r short long <<<"$entry"
        if [[ $short == "${2#*/}" ]]; then
          REPLY=${OFFLOAD[$long]:-}
          return 0
        fi
      done
      return 1
      ;;
    service)
      irqbalance_state
      if [[ $REPLY != active ]]; then
        REPLY=inactive
      fi
      ;;
    *) return 1 ;;
  esac
}

# restore_value KIND TARGET SAVED: sets REPLY to what to hand to perform.
restore_value() {
  REPLY=$3
  # sysfs lists a selection as "always [madvise] never" but takes one word; a
  # plain file (a rehearsal under TUNE_ROOT) takes back exactly what it held.
  if [[ $1 == file && $3 =~ \[([^]]+)\] ]]; then
    local word=${BASH_REMATCH[1]}
    if [[ $(stat -f -c %T -- "$HOST_ROOT$2" 2>/dev/null) == sysfs ]]; then
      REPLY=$word
    fi
  fi
}

cmd_revert() {
  local -a lines
  local i kind target saved current restored=0 unchanged=0 failed=0
  if ((!DRY_RUN)); then
    require_root revert
  fi
  if [[ ! -f $STATE ]]; then
    printf 'nothing to revert: no saved state at %s\n' "$STATE"
    return 0
  fi
  mapfile -t lines <"$STATE"
  # Newest first, so that irqbalance starts again only after its IRQs are back.
  for ((i = ${#lines[@]} - 1; i >= 0; i--)); do
    [[ -n ${lines[i]} && ${lines[i]} != '#'* ]] || continue
    IFS=$'\t' read -r kind target saved <<<"${lines[i]}"
    if ! current_value "$kind" "$target"; then
      warn "cannot read $target to restore '$saved'"
      failed=$((failed + 1))
      continue
    fi
    if [[ $REPLY == "$saved" ]]; then
      unchanged=$((unchanged + 1))
      continue
    fi
    current=$REPLY
    restore_value "$kind" "$target" "$saved"
    if change "$kind" "$target" "$REPLY" "$current"; then
      restored=$((restored + 1))
    else
      failed=$((failed + 1))
    fi
  done
  if ((DRY_RUN)); then
    printf 'dry run: nothing was changed; would remove %s\n' "$STATE"
    return 0
  fi
  ((failed == 0)) || die "$failed values not restored; keeping $STATE to retry"
  rm -f -- "$STATE"
  printf '%d values restored, %d already as saved; removed %s\n' "$restored" "$unchanged" "$STATE"
}

main() {
  local command=
  OPT_CPUS='' OPT_IFACE='' DRY_RUN=0
  STATE=$HOST_ROOT$DEFAULT_STATE
  while (($# > 0)); do
    case $1 in
      check | apply | revert)
        [[ -z $command ]] || usage_error "more than one command: $command, $1"
        command=$1
        ;;
      --cpus) (($# > 1)) || usage_error "--cpus needs a CPU list"; OPT_CPUS=$2; shift ;;
      --cpus=*) OPT_CPUS=${1#*=} ;;
      --iface) (($# > 1)) || usage_error "--iface needs a name"; OPT_IFACE=$2; shift ;;
      --iface=*) OPT_IFACE=${1#*=} ;;
      --state) (($# > 1)) || usage_error "--state needs a file"; STATE=$2; shift ;;
      --state=*) STATE=${1#*=} ;;
      --dry-run) DRY_RUN=1 ;;
      -h | --help) usage; return 0 ;;
      *) usage_error "unknown argument: $1" ;;
    esac
    shift
  done
  command=${command:-check}
  if [[ $command == revert ]]; then
    cmd_revert
    return
  fi
  resolve_cpus
  resolve_iface
  resolve_nic_node
  "cmd_$command"
}

main "$@"
