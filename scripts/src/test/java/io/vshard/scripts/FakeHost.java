package io.vshard.scripts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A fabricated shard host for the scripts, all inside one scratch directory:
 * <ul>
 *     <li>{@code root/}: the host's {@code /proc}, {@code /sys} and {@code /run}, handed to the scripts as
 *     {@code TUNE_ROOT};</li>
 *     <li>{@code bin/}: stand-ins for {@code ethtool}, {@code systemctl}, {@code numactl} and {@code taskset},
 *     handed over as {@code TUNE_BIN} and first on {@code PATH}. The first two keep their state in files below
 *     {@code root/fake}, so a snapshot of the root covers NIC features and service state as well; every call is
 *     appended to {@code work/calls.log};</li>
 *     <li>{@code work/}: the working directory of the scripts and where their output is kept.</li>
 * </ul>
 * Nothing the scripts do through it reaches the real host.
 */
final class FakeHost
{
    /** The lane CPUs used by most tests: the upper half of the default four-CPU host. */
    static final String LANES = "2-3";

    private static final String ETHTOOL = """
        #!/usr/bin/env bash
        # Stand-in for ethtool: the features of IFACE are files in $TUNE_ROOT/fake/nic/IFACE.
        set -euo pipefail
        printf 'ethtool %s\\n' "$*" >>"$FAKE_CALLS"
        dir=$TUNE_ROOT/fake/nic
        case $1 in
          -k)
            [[ -d $dir/$2 ]] || { echo "Cannot get device feature names: No such device" >&2; exit 1; }
            echo "Features for $2:"
            for feature in "$dir/$2"/*; do
              echo "${feature##*/}: $(<"$feature")"
            done
            ;;
          -K)
            iface=$2
            shift 2
            while (($# > 0)); do
              case $1 in
                gso) feature=generic-segmentation-offload ;;
                gro) feature=generic-receive-offload ;;
                *) feature=$1 ;;
              esac
              if [[ -e $TUNE_ROOT/fake/fail/ethtool-$1 || $(<"$dir/$iface/$feature") == *fixed* ]]; then
                echo "Could not change any device features" >&2
                exit 1
              fi
              echo "$2" >"$dir/$iface/$feature"
              shift 2
            done
            ;;
          *) echo "fake ethtool: unsupported: $*" >&2; exit 64 ;;
        esac
        """;

    private static final String SYSTEMCTL = """
        #!/usr/bin/env bash
        # Stand-in for systemctl: the state of UNIT is the file $TUNE_ROOT/fake/units/UNIT.
        set -euo pipefail
        printf 'systemctl %s\\n' "$*" >>"$FAKE_CALLS"
        state=$TUNE_ROOT/fake/units/${2%.service}
        case $1 in
          is-active)
            if [[ ! -f $state ]]; then echo inactive; exit 3; fi
            cat "$state"
            [[ $(<"$state") == active ]] || exit 3
            ;;
          stop)
            [[ -f $state ]] || { echo "Unit $2 not loaded." >&2; exit 5; }
            echo inactive >"$state"
            ;;
          start)
            [[ -f $state ]] || { echo "Unit $2 not found." >&2; exit 5; }
            echo active >"$state"
            ;;
          *) echo "fake systemctl: unsupported: $*" >&2; exit 64 ;;
        esac
        """;

    private static final String NUMACTL = """
        #!/usr/bin/env bash
        # Stand-in for numactl: drops its options and runs the command.
        set -euo pipefail
        printf 'numactl %s\\n' "$*" >>"$FAKE_CALLS"
        while [[ $1 == -* ]]; do shift; done
        exec "$@"
        """;

    private static final String TASKSET = """
        #!/usr/bin/env bash
        # Stand-in for taskset: drops -c LIST and runs the command.
        set -euo pipefail
        printf 'taskset %s\\n' "$*" >>"$FAKE_CALLS"
        [[ $1 == -c ]] && shift 2
        exec "$@"
        """;

    private final Path root;
    private final Path bin;
    private final Path work;

    private FakeHost(final Path dir)
    {
        root = dir.resolve("root");
        bin = dir.resolve("bin");
        work = dir.resolve("work");
    }

    /**
     * A host with four CPUs on one NUMA node, NIC eth0 on the default route with IRQs 40-42, and every knob at a
     * typical distribution default: the check should find a lot to change.
     *
     * @param dir an empty scratch directory.
     * @return the host.
     */
    static FakeHost untuned(final Path dir)
    {
        return untuned(dir, 4, 1);
    }

    /**
     * Like {@link #untuned(Path)} with {@code cpus} CPUs split evenly over {@code nodes} NUMA nodes; eth0 sits on
     * node 0.
     *
     * @param dir   an empty scratch directory.
     * @param cpus  number of CPUs, numbered from 0.
     * @param nodes number of NUMA nodes, each holding a contiguous range of CPUs.
     * @return the host.
     */
    static FakeHost untuned(final Path dir, final int cpus, final int nodes)
    {
        final FakeHost host = new FakeHost(dir);
        host.commands();
        host.file("/sys/devices/system/cpu/online", "0-" + (cpus - 1));
        for (int cpu = 0; cpu < cpus; cpu++)
        {
            final String cpuDir = "/sys/devices/system/cpu/cpu" + cpu;
            host.file(cpuDir + "/cpufreq/scaling_governor", "powersave")
                .file(cpuDir + "/cpufreq/scaling_available_governors", "performance powersave")
                .file(cpuDir + "/topology/thread_siblings_list", Integer.toString(cpu))
                .idleState(cpu, 0, "POLL", 0)
                .idleState(cpu, 1, "C1", 2)
                .idleState(cpu, 2, "C1E", 10)
                .idleState(cpu, 3, "C6", 133);
        }
        final int perNode = cpus / nodes;
        for (int node = 0; node < nodes; node++)
        {
            host.file("/sys/devices/system/node/node" + node + "/cpulist",
                (node * perNode) + "-" + ((node + 1) * perNode - 1));
        }
        host.file("/sys/kernel/mm/transparent_hugepage/enabled", "[always] madvise never")
            .file("/sys/kernel/mm/transparent_hugepage/defrag", "always defer defer+madvise [madvise] never")
            .file("/proc/cmdline", "BOOT_IMAGE=/boot/vmlinuz-6.1.0-18-amd64 root=UUID=0b7c6b3e ro quiet")
            .file("/proc/sys/vm/swappiness", "60")
            .file("/proc/sys/kernel/numa_balancing", nodes > 1 ? "1" : "0")
            .file("/proc/sys/net/core/rmem_max", "212992")
            .file("/proc/sys/net/core/wmem_max", "212992")
            .file("/proc/sys/net/core/rmem_default", "212992")
            .file("/proc/sys/net/core/netdev_max_backlog", "1000")
            .file("/proc/sys/net/core/busy_read", "0")
            .file("/proc/sys/net/core/busy_poll", "0")
            .file("/proc/irq/default_smp_affinity", Integer.toHexString((1 << cpus) - 1))
            .file("/proc/net/route",
                "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n" +
                "eth0\t00000000\t0102A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n" +
                "eth0\t0002A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0")
            .file("/sys/class/net/eth0/device/numa_node", "0")
            .file("/sys/class/net/lo/mtu", "65536");
        for (int irq = 40; irq <= 42; irq++)
        {
            host.file("/sys/class/net/eth0/device/msi_irqs/" + irq, "msix")
                .file("/proc/irq/" + irq + "/smp_affinity_list", "0-" + (cpus - 1));
        }
        // An IRQ of another device, which the scripts must leave alone.
        host.file("/proc/irq/24/smp_affinity_list", "0-" + (cpus - 1))
            .file("/fake/nic/eth0/generic-receive-offload", "on")
            .file("/fake/nic/eth0/generic-segmentation-offload", "off")
            .file("/fake/nic/eth0/rx-checksumming", "on")
            .file("/fake/nic/eth0/tx-udp-segmentation", "off [fixed]")
            .file("/fake/units/irqbalance", "active");
        return host;
    }

    /**
     * A four-CPU host tuned as {@code tune-host.sh} recommends for lane CPUs {@value #LANES}, reboot included.
     *
     * @param dir an empty scratch directory.
     * @return the host.
     */
    static FakeHost tuned(final Path dir)
    {
        final FakeHost host = untuned(dir);
        host.file("/proc/cmdline", "BOOT_IMAGE=/boot/vmlinuz-6.1.0-18-amd64 root=UUID=0b7c6b3e ro quiet " +
            "isolcpus=managed_irq,domain,2-3 nohz_full=2-3 rcu_nocbs=2-3 irqaffinity=0-1");
        for (int cpu = 0; cpu < 4; cpu++)
        {
            host.file("/sys/devices/system/cpu/cpu" + cpu + "/cpufreq/scaling_governor", "performance")
                .file("/sys/devices/system/cpu/cpu" + cpu + "/cpuidle/state2/disable", "1")
                .file("/sys/devices/system/cpu/cpu" + cpu + "/cpuidle/state3/disable", "1");
        }
        host.file("/sys/kernel/mm/transparent_hugepage/enabled", "always [madvise] never")
            .file("/proc/sys/vm/swappiness", "1")
            .file("/proc/sys/net/core/rmem_max", "33554432")
            .file("/proc/sys/net/core/wmem_max", "16777216")
            .file("/proc/sys/net/core/rmem_default", "4194304")
            .file("/proc/sys/net/core/netdev_max_backlog", "16384")
            .file("/proc/sys/net/core/busy_read", "50")
            .file("/proc/sys/net/core/busy_poll", "50")
            .file("/proc/irq/default_smp_affinity", "3")
            .file("/fake/nic/eth0/generic-segmentation-offload", "on")
            .file("/fake/nic/eth0/tx-udp-segmentation", "on")
            .file("/fake/units/irqbalance", "inactive");
        for (int irq = 40; irq <= 42; irq++)
        {
            host.file("/proc/irq/" + irq + "/smp_affinity_list", "0-1");
        }
        return host;
    }

    /**
     * Writes one line, newline-terminated as the kernel prints it, to a host file, creating its directories.
     *
     * @param hostPath absolute path on the host, e.g. {@code /proc/sys/vm/swappiness}.
     * @param content  the file's text without the final newline.
     * @return this host.
     */
    FakeHost file(final String hostPath, final String content)
    {
        final Path path = host(hostPath);
        try
        {
            Files.createDirectories(path.getParent());
            Files.writeString(path, content + "\n", StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return this;
    }

    /**
     * Removes a host file or a whole host directory.
     *
     * @param hostPath absolute path on the host.
     * @return this host.
     */
    FakeHost delete(final String hostPath)
    {
        try (Stream<Path> paths = Files.walk(host(hostPath)))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.delete(path);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return this;
    }

    /**
     * Reads a host file.
     *
     * @param hostPath absolute path on the host.
     * @return its text.
     */
    String read(final String hostPath)
    {
        try
        {
            return Files.readString(host(hostPath), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Whether a host path exists.
     *
     * @param hostPath absolute path on the host.
     * @return true when it does.
     */
    boolean exists(final String hostPath)
    {
        return Files.exists(host(hostPath));
    }

    /**
     * Every directory and file under the root with its exact bytes, ordered by path.
     *
     * @return path relative to the root mapped to the file's bytes as ISO-8859-1 text, or {@code <dir>}.
     */
    Map<String, String> snapshot()
    {
        final Map<String, String> snapshot = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(root))
        {
            for (final Path path : paths.toList())
            {
                final String key = "/" + root.relativize(path);
                snapshot.put(key, Files.isDirectory(path) ?
                    "<dir>" : new String(Files.readAllBytes(path), StandardCharsets.ISO_8859_1));
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return snapshot;
    }

    /**
     * The environment for a script run against this host as a user.
     *
     * @param euid the effective user id the script should assume, 0 for root.
     * @return the whole environment.
     */
    Map<String, String> env(final int euid)
    {
        return Map.of(
            "PATH", bin + ":/usr/bin:/bin",
            "LC_ALL", "C",
            "HOME", work.toString(),
            "TUNE_ROOT", root.toString(),
            "TUNE_BIN", bin.toString(),
            "TUNE_EUID", Integer.toString(euid),
            "FAKE_CALLS", callsLog().toString());
    }

    /**
     * Runs {@code tune-host.sh} against this host.
     *
     * @param euid the effective user id the script should assume, 0 for root.
     * @param args its arguments.
     * @return the finished run.
     */
    ScriptRun tuneHost(final int euid, final String... args)
    {
        return ScriptRun.run("tune-host.sh", work, env(euid), args);
    }

    /**
     * The commands the stand-ins were called with, one a line.
     *
     * @return the log, empty when none was called.
     */
    String calls()
    {
        try
        {
            return Files.exists(callsLog()) ? Files.readString(callsLog(), StandardCharsets.UTF_8) : "";
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Makes the stand-in {@code ethtool -K} fail for one feature, as a driver refusing a change would.
     *
     * @param feature the name given to {@code ethtool -K}, e.g. {@code gso}.
     * @return this host.
     */
    FakeHost failEthtool(final String feature)
    {
        return file("/fake/fail/ethtool-" + feature, "");
    }

    Path root()
    {
        return root;
    }

    Path bin()
    {
        return bin;
    }

    Path work()
    {
        return work;
    }

    private Path callsLog()
    {
        return work.resolve("calls.log");
    }

    private FakeHost idleState(final int cpu, final int state, final String name, final int latencyUs)
    {
        final String dir = "/sys/devices/system/cpu/cpu" + cpu + "/cpuidle/state" + state;
        return file(dir + "/name", name).file(dir + "/latency", Integer.toString(latencyUs)).file(dir + "/disable", "0");
    }

    private void commands()
    {
        try
        {
            Files.createDirectories(root);
            Files.createDirectories(work);
            Files.createDirectories(bin);
            command("ethtool", ETHTOOL);
            command("systemctl", SYSTEMCTL);
            command("numactl", NUMACTL);
            command("taskset", TASKSET);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private void command(final String name, final String script) throws IOException
    {
        final Path path = bin.resolve(name);
        Files.writeString(path, script, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Path host(final String hostPath)
    {
        if (!hostPath.startsWith("/"))
        {
            throw new IllegalArgumentException("hostPath=" + hostPath + " is not absolute");
        }
        return root.resolve(hostPath.substring(1));
    }
}
