package io.vshard.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TuneHostCheckTest
{
    @TempDir
    Path dir;

    @Test
    void shouldReportEveryKnobOfAnUntunedHostWithItsVerdict()
    {
        final FakeHost host = FakeHost.untuned(dir);

        final ScriptRun run = host.tuneHost(1000, "check", "--cpus", FakeHost.LANES);

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stdout()).startsWith(
            "vshard host check: lane CPUs 2-3, housekeeping CPUs 0-1, NIC eth0\n");
        final CheckReport report = CheckReport.parse(run.stdout());
        assertThat(report.rows().keySet()).containsExactly(
            "boot isolcpus", "boot nohz_full", "boot rcu_nocbs", "boot irqaffinity",
            "cpu governor", "cpu idle >2us", "thp enabled", "thp defrag",
            "vm.swappiness", "kernel.numa_balancing", "irqbalance",
            "irq default affinity", "irq affinity eth0",
            "net.core.rmem_max", "net.core.wmem_max", "net.core.rmem_default",
            "net.core.netdev_max_backlog", "net.core.busy_read", "net.core.busy_poll",
            "eth0 gso", "eth0 gro", "eth0 tx-udp-segmentation", "numa locality eth0");

        assertThat(report.row("boot isolcpus")).isEqualTo(row("-", "managed_irq,domain,2-3", "MANUAL"));
        assertThat(report.row("boot irqaffinity")).isEqualTo(row("-", "0-1", "MANUAL"));
        assertThat(report.row("cpu governor")).isEqualTo(row("powersave", "performance", "CHANGE"));
        assertThat(report.row("cpu idle >2us")).isEqualTo(row("on: C1E,C6", "off", "CHANGE"));
        assertThat(report.row("thp enabled")).isEqualTo(row("always", "madvise", "CHANGE"));
        assertThat(report.row("thp defrag")).isEqualTo(row("madvise", "madvise", "OK"));
        assertThat(report.row("vm.swappiness")).isEqualTo(row("60", "<= 1", "CHANGE"));
        assertThat(report.row("kernel.numa_balancing")).isEqualTo(row("0", "0", "OK"));
        assertThat(report.row("irqbalance")).isEqualTo(row("active", "inactive", "CHANGE"));
        assertThat(report.row("irq default affinity")).isEqualTo(row("0-3", "0-1", "CHANGE"));
        assertThat(report.row("irq affinity eth0")).isEqualTo(row("3/3 on lanes", "0-1", "CHANGE"));
        assertThat(report.row("net.core.rmem_max")).isEqualTo(row("212992", ">= 16777216", "CHANGE"));
        assertThat(report.row("net.core.netdev_max_backlog")).isEqualTo(row("1000", ">= 16384", "CHANGE"));
        assertThat(report.row("net.core.busy_poll")).isEqualTo(row("0", ">= 50", "CHANGE"));
        assertThat(report.row("eth0 gso")).isEqualTo(row("off", "on", "CHANGE"));
        assertThat(report.row("eth0 gro")).isEqualTo(row("on", "on", "OK"));
        assertThat(report.row("eth0 tx-udp-segmentation")).isEqualTo(row("off [fixed]", "on", "MANUAL"));
        assertThat(report.row("numa locality eth0")).isEqualTo(row("one node", "lanes on NIC node", "OK"));

        assertThat(report.tail())
            .contains("isolcpus=managed_irq,domain,2-3 nohz_full=2-3 rcu_nocbs=2-3 irqaffinity=0-1")
            .contains("IRQs on lane CPUs: 40 41 42")
            .contains("IRQBALANCE_BANNED_CPULIST=2-3")
            .contains("4 OK, 14 CHANGE, 5 MANUAL");
        assertThat(host.calls()).doesNotContain("ethtool -K", "systemctl stop");
    }

    @Test
    void shouldReportOkForEveryKnobOfATunedHost()
    {
        final FakeHost host = FakeHost.tuned(dir);

        final ScriptRun run = host.tuneHost(1000, "--cpus", FakeHost.LANES, "--iface", "eth0");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        final CheckReport report = CheckReport.parse(run.stdout());
        assertThat(report.knobs("CHANGE")).isEmpty();
        assertThat(report.knobs("MANUAL")).isEmpty();
        assertThat(report.row("boot isolcpus").current()).isEqualTo("managed_irq,domain,2-3");
        assertThat(report.row("irq affinity eth0").current()).isEqualTo("3 off lanes");
        assertThat(report.row("net.core.rmem_max")).as("a larger buffer than recommended is fine")
            .isEqualTo(row("33554432", ">= 16777216", "OK"));
        assertThat(report.tail()).contains("23 OK, 0 CHANGE, 0 MANUAL").doesNotContain("Notes:");
    }

    @Test
    void shouldSayNotAvailableInsteadOfFailingWhenHostFilesAreAbsent()
    {
        final FakeHost host = FakeHost.untuned(dir);
        for (int cpu = 0; cpu < 4; cpu++)
        {
            host.delete("/sys/devices/system/cpu/cpu" + cpu + "/cpufreq")
                .delete("/sys/devices/system/cpu/cpu" + cpu + "/cpuidle");
        }
        host.delete("/proc/cmdline")
            .delete("/proc/sys/net/core/busy_poll")
            .delete("/sys/kernel/mm/transparent_hugepage")
            .delete("/sys/class/net/eth0/device/msi_irqs")
            .delete("/sys/devices/system/node")
            .delete("/fake/nic/eth0");

        final ScriptRun run = host.tuneHost(1000, "--cpus", FakeHost.LANES);

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stderr()).isEmpty();
        final CheckReport report = CheckReport.parse(run.stdout());
        assertThat(report.row("boot nohz_full")).isEqualTo(row("n/a", "2-3", "MANUAL"));
        assertThat(report.row("cpu governor")).isEqualTo(row("n/a", "performance", "MANUAL"));
        assertThat(report.row("cpu idle >2us")).isEqualTo(row("n/a", "off", "MANUAL"));
        assertThat(report.row("thp enabled")).isEqualTo(row("n/a", "madvise", "OK"));
        assertThat(report.row("net.core.busy_poll")).isEqualTo(row("n/a", ">= 50", "MANUAL"));
        assertThat(report.row("irq affinity eth0")).isEqualTo(row("n/a", "0-1", "MANUAL"));
        assertThat(report.row("eth0 gso")).isEqualTo(row("n/a", "on", "MANUAL"));
        assertThat(report.row("numa locality eth0").verdict()).isEqualTo("MANUAL");
        assertThat(report.tail())
            .contains("/proc/cmdline is unreadable")
            .contains("no cpufreq in sysfs")
            .contains("/dev/cpu_dma_latency")
            .contains("/proc/sys/net/core/busy_poll is absent")
            .contains("no IRQs found for eth0")
            .contains("could not run 'ethtool -k eth0'");
    }

    @Test
    void shouldAcceptIdleLimitsFromTheKernelCommandLineWhenSysfsHasNoStates()
    {
        final FakeHost host = FakeHost.untuned(dir);
        for (int cpu = 0; cpu < 4; cpu++)
        {
            host.delete("/sys/devices/system/cpu/cpu" + cpu + "/cpuidle");
        }
        host.file("/proc/cmdline", "root=/dev/sda1 ro processor.max_cstate=1 quiet");

        final CheckReport report = CheckReport.parse(host.tuneHost(1000, "--cpus", "2-3").stdout());

        assertThat(report.row("cpu idle >2us")).isEqualTo(row("processor.max_cstate=1", "off", "OK"));
    }

    @Test
    void shouldCountOnlyIsolationThatCoversEveryLaneCpu()
    {
        final FakeHost host = FakeHost.untuned(dir, 8, 1)
            .file("/proc/cmdline", "ro isolcpus=domain,2-7 nohz_full=2-3 rcu_nocbs=5 irqaffinity=0-2");

        final CheckReport report = CheckReport.parse(host.tuneHost(1000, "--cpus", "2-5").stdout());

        assertThat(report.row("boot isolcpus")).isEqualTo(row("domain,2-7", "managed_irq,domain,2-5", "OK"));
        assertThat(report.row("boot nohz_full")).isEqualTo(row("2-3", "2-5", "MANUAL"));
        assertThat(report.row("boot rcu_nocbs")).isEqualTo(row("5", "2-5", "MANUAL"));
        assertThat(report.row("boot irqaffinity")).isEqualTo(row("0-2", "0-1,6-7", "MANUAL"));
        assertThat(report.tail())
            .contains("isolcpus=managed_irq,domain,2-5 nohz_full=2-5 rcu_nocbs=2-5 irqaffinity=0-1,6-7");
    }

    @Test
    void shouldDefaultLaneCpusToEveryCpuOutsideTheCoreOfCpu0AndTheNicToTheDefaultRoute()
    {
        final FakeHost host = FakeHost.untuned(dir)
            .file("/sys/devices/system/cpu/cpu0/topology/thread_siblings_list", "0,2")
            .file("/sys/devices/system/cpu/cpu2/topology/thread_siblings_list", "0,2");

        final ScriptRun run = host.tuneHost(1000);

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stdout()).startsWith("vshard host check: lane CPUs 1,3, housekeeping CPUs 0,2, NIC eth0\n");
        assertThat(CheckReport.parse(run.stdout()).row("boot irqaffinity").recommended()).isEqualTo("0,2");
    }

    @Test
    void shouldRecommendNicIrqsOnTheNicNodeAndFlagLanesOnAnotherNode()
    {
        final FakeHost host = FakeHost.untuned(dir, 8, 2)
            .file("/sys/class/net/eth0/device/numa_node", "1");

        final CheckReport report = CheckReport.parse(host.tuneHost(1000, "--cpus", "2-3").stdout());

        assertThat(report.row("irq affinity eth0")).isEqualTo(row("3/3 on lanes", "4-7", "CHANGE"));
        assertThat(report.row("irq default affinity")).isEqualTo(row("0-7", "0-1,4-7", "CHANGE"));
        assertThat(report.row("kernel.numa_balancing")).isEqualTo(row("1", "0", "CHANGE"));
        assertThat(report.row("numa locality eth0")).isEqualTo(row("NIC 1, lanes 0", "lanes on NIC node", "MANUAL"));
        assertThat(report.tail()).contains("eth0 sits on node 1; choose --cpus from its CPUs 4-7");
    }

    @Test
    void shouldFindNicIrqsInProcInterruptsWhenSysfsListsNone()
    {
        final FakeHost host = FakeHost.untuned(dir)
            .delete("/sys/class/net/eth0/device/msi_irqs")
            .file("/proc/interrupts", String.join("\n",
                "           CPU0       CPU1       CPU2       CPU3",
                "  24:          5          0          0          0  IR-PCI-MSI 327680-edge      xhci_hcd",
                "  40:       1200          0        330          0  IR-PCI-MSI 1048576-edge      eth0-TxRx-0",
                "  41:          0        940          0          0  IR-PCI-MSI 1048577-edge      eth0-TxRx-1",
                "  44:          0          0          0          0  IR-PCI-MSI 1048578-edge      eth0"));
        host.file("/proc/irq/44/smp_affinity_list", "0");

        final CheckReport report = CheckReport.parse(host.tuneHost(1000, "--cpus", "2-3").stdout());

        assertThat(report.row("irq affinity eth0")).isEqualTo(row("2/3 on lanes", "0-1", "CHANGE"));
        assertThat(report.tail()).contains("IRQs on lane CPUs: 40 41.");
    }

    @Test
    void shouldRefuseLaneCpusThatAreOfflineOrLeaveNoneForHousekeeping()
    {
        final FakeHost host = FakeHost.untuned(dir);

        final ScriptRun offline = host.tuneHost(1000, "--cpus", "3-5");
        final ScriptRun all = host.tuneHost(1000, "--cpus", "0-3");
        final ScriptRun malformed = host.tuneHost(1000, "--cpus", "2-x");

        assertThat(offline.exitCode()).isNotZero();
        assertThat(offline.stderr()).contains("--cpus: CPU 4-5 is not online (online: 0-3)");
        assertThat(all.exitCode()).isNotZero();
        assertThat(all.stderr()).contains("leave at least one CPU");
        assertThat(malformed.exitCode()).isEqualTo(2);
        assertThat(malformed.stderr()).contains("--cpus: not a CPU list: '2-x'");
    }

    @Test
    void shouldRefuseAnUnknownInterface()
    {
        final ScriptRun run = FakeHost.untuned(dir).tuneHost(1000, "--cpus", "2-3", "--iface", "eth9");

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.stderr()).contains("no network interface 'eth9'");
    }

    @Test
    void shouldPrintUsageOnHelpAndRejectUnknownArguments()
    {
        final FakeHost host = FakeHost.untuned(dir);

        final ScriptRun help = host.tuneHost(1000, "-h");
        final ScriptRun unknown = host.tuneHost(1000, "tune");

        assertThat(help.exitCode()).isZero();
        assertThat(help.stdout()).startsWith("Usage: tune-host.sh [check|apply|revert] [options]")
            .contains("--cpus LIST", "--iface NAME", "--dry-run", "TUNE_ROOT", "TUNE_BIN", "TUNE_EUID");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.stderr()).contains("unknown argument: tune", "Try 'tune-host.sh -h'.");
    }

    @Test
    void shouldPrintTheSameReportEveryTime()
    {
        final FakeHost host = FakeHost.untuned(dir, 8, 2);

        final String first = host.tuneHost(1000, "--cpus", "5-7").stdout();
        final Map<String, String> before = host.snapshot();
        final String second = host.tuneHost(1000, "--cpus", "5-7").stdout();

        assertThat(second).isEqualTo(first);
        assertThat(host.snapshot()).as("check writes nothing").isEqualTo(before);
    }

    private static CheckReport.Row row(final String current, final String recommended, final String verdict)
    {
        return new CheckReport.Row(current, recommended, verdict);
    }
}
