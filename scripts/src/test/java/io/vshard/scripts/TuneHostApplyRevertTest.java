package io.vshard.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TuneHostApplyRevertTest
{
    private static final int ROOT = 0;
    private static final int USER = 1000;
    private static final String DEFAULT_STATE = "/run/vshard/tune-host.state";

    @TempDir
    Path dir;

    @Test
    void shouldRestoreEveryFileByteForByteWhenRevertFollowsApply()
    {
        final FakeHost host = FakeHost.untuned(dir);
        final String state = dir.resolve("tune-host.state").toString();
        final Map<String, String> before = host.snapshot();

        final ScriptRun apply = host.tuneHost(ROOT, "apply", "--cpus", FakeHost.LANES, "--state", state);

        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        assertThat(apply.stdout())
            .contains("did write 'performance' to /sys/devices/system/cpu/cpu3/cpufreq/scaling_governor " +
                "(was 'powersave')")
            .contains("did write '1' to /sys/devices/system/cpu/cpu0/cpuidle/state3/disable (was '0')")
            .contains("did write 'madvise' to /sys/kernel/mm/transparent_hugepage/enabled " +
                "(was '[always] madvise never')")
            .contains("did systemctl stop irqbalance (was 'active')")
            .contains("did write '3' to /proc/irq/default_smp_affinity (was 'f')")
            .contains("did write '0-1' to /proc/irq/41/smp_affinity_list (was '0-3')")
            .contains("did write '16777216' to /proc/sys/net/core/rmem_max (was '212992')")
            .contains("did ethtool -K eth0 gso on (was 'off')")
            .contains("26 changes made")
            .contains("5 MANUAL items are left to you; 'tune-host.sh check' lists them.");
        assertThat(host.read("/proc/sys/vm/swappiness")).isEqualTo("1\n");
        assertThat(host.read("/proc/irq/24/smp_affinity_list")).as("not the NIC's").isEqualTo("0-3\n");
        assertThat(host.read("/fake/units/irqbalance")).isEqualTo("inactive\n");
        assertThat(host.snapshot()).isNotEqualTo(before);
        final CheckReport afterApply = CheckReport.parse(host.tuneHost(USER, "--cpus", FakeHost.LANES).stdout());
        assertThat(afterApply.knobs("CHANGE")).isEmpty();

        final ScriptRun revert = host.tuneHost(ROOT, "revert", "--state", state);

        assertThat(revert.exitCode()).as(revert.toString()).isZero();
        assertThat(revert.stdout()).contains("26 values restored, 0 already as saved; removed " + state);
        assertThat(host.snapshot()).isEqualTo(before);
        assertThat(Path.of(state)).doesNotExist();
    }

    @Test
    void shouldKeepTheValuesFromBeforeTheFirstApplyWhenAppliedTwice()
    {
        final FakeHost host = FakeHost.untuned(dir);
        final Map<String, String> before = host.snapshot();

        final ScriptRun first = host.tuneHost(ROOT, "apply", "--cpus", FakeHost.LANES);
        final String stateAfterFirst = host.read(DEFAULT_STATE);
        final ScriptRun second = host.tuneHost(ROOT, "apply", "--cpus", FakeHost.LANES);

        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(second.stdout()).contains("nothing to change").doesNotContain("did ");
        assertThat(host.read(DEFAULT_STATE)).isEqualTo(stateAfterFirst);

        final ScriptRun revert = host.tuneHost(ROOT, "revert");

        assertThat(revert.exitCode()).as(revert.toString()).isZero();
        assertThat(host.exists(DEFAULT_STATE)).isFalse();
        host.delete("/run");
        assertThat(host.snapshot()).isEqualTo(before);
    }

    @Test
    void shouldRestoreTheOriginalValueWhenTheHostDriftedBetweenTwoApplies() throws IOException
    {
        final FakeHost host = FakeHost.untuned(dir);
        final String state = dir.resolve("tune-host.state").toString();
        final Map<String, String> before = host.snapshot();

        host.tuneHost(ROOT, "apply", "--cpus", FakeHost.LANES, "--state", state);
        host.file("/proc/sys/vm/swappiness", "30").file("/fake/units/irqbalance", "active");
        final ScriptRun second = host.tuneHost(ROOT, "apply", "--cpus", FakeHost.LANES, "--state", state);

        assertThat(second.stdout()).contains("did write '1' to /proc/sys/vm/swappiness (was '30')");
        assertThat(Files.readString(Path.of(state)))
            .contains("file\t/proc/sys/vm/swappiness\t60\n", "service\tirqbalance\tactive\n")
            .doesNotContain("\t30\n");

        host.tuneHost(ROOT, "revert", "--state", state);

        assertThat(host.read("/proc/sys/vm/swappiness")).isEqualTo("60\n");
        assertThat(host.snapshot()).isEqualTo(before);
    }

    @Test
    void shouldRefuseToApplyOrRevertWithoutRoot()
    {
        final FakeHost host = FakeHost.untuned(dir);
        final Map<String, String> before = host.snapshot();

        final ScriptRun apply = host.tuneHost(USER, "apply", "--cpus", FakeHost.LANES);
        final ScriptRun revert = host.tuneHost(USER, "revert");

        assertThat(apply.exitCode()).isNotZero();
        assertThat(apply.stdout()).isEmpty();
        assertThat(apply.stderr()).startsWith("tune-host.sh: apply needs root:").contains("sudo", "--dry-run");
        assertThat(revert.exitCode()).isNotZero();
        assertThat(revert.stderr()).startsWith("tune-host.sh: revert needs root:");
        assertThat(host.snapshot()).isEqualTo(before);
        assertThat(host.calls()).doesNotContain("ethtool -K", "systemctl stop", "systemctl start");
    }

    @Test
    void shouldWriteNothingOnDryRun()
    {
        final FakeHost host = FakeHost.untuned(dir);
        final Map<String, String> before = host.snapshot();

        final ScriptRun apply = host.tuneHost(USER, "apply", "--dry-run", "--cpus", FakeHost.LANES);

        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        assertThat(apply.stdout())
            .startsWith("vshard host apply (dry run): lane CPUs 2-3, housekeeping CPUs 0-1, NIC eth0\n")
            .contains("would write '1' to /proc/sys/vm/swappiness (now '60')")
            .contains("would systemctl stop irqbalance (now 'active')")
            .contains("would ethtool -K eth0 gso on (now 'off')")
            .contains("would write '0-1' to /proc/irq/40/smp_affinity_list (now '0-3')")
            .endsWith("dry run: nothing was changed\n")
            .doesNotContain("did ");
        assertThat(host.snapshot()).isEqualTo(before);
        assertThat(host.calls()).doesNotContain("ethtool -K", "systemctl stop");
    }

    @Test
    void shouldWriteNothingOnDryRunRevert()
    {
        final FakeHost host = FakeHost.untuned(dir);
        host.tuneHost(ROOT, "apply", "--cpus", FakeHost.LANES);
        final Map<String, String> applied = host.snapshot();

        final ScriptRun revert = host.tuneHost(ROOT, "revert", "--dry-run");

        assertThat(revert.exitCode()).as(revert.toString()).isZero();
        assertThat(revert.stdout())
            .contains("would write '60' to /proc/sys/vm/swappiness (now '1')")
            .contains("would systemctl start irqbalance (now 'inactive')")
            .contains("would write '[always] madvise never' to /sys/kernel/mm/transparent_hugepage/enabled")
            .endsWith("dry run: nothing was changed; would remove " + host.root() + DEFAULT_STATE + "\n");
        assertThat(host.snapshot()).isEqualTo(applied);
    }

    @Test
    void shouldSaveEveryPreviousValueBeforeChangingIt()
    {
        final FakeHost host = FakeHost.untuned(dir);

        host.tuneHost(ROOT, "apply", "--cpus", FakeHost.LANES);

        assertThat(host.read(DEFAULT_STATE).lines())
            .hasSize(27)
            .first().asString().startsWith("# vshard tune-host.sh: values before apply");
        assertThat(host.read(DEFAULT_STATE))
            .contains("file\t/proc/sys/vm/swappiness\t60\n")
            .contains("file\t/sys/kernel/mm/transparent_hugepage/enabled\t[always] madvise never\n")
            .contains("service\tirqbalance\tactive\n")
            .contains("ethtool\teth0/gso\toff\n");
    }

    @Test
    void shouldGoOnPastAFailedChangeReportItAndStillRevertTheRest()
    {
        final FakeHost host = FakeHost.untuned(dir).failEthtool("gso");
        final Map<String, String> before = host.snapshot();

        final ScriptRun apply = host.tuneHost(ROOT, "apply", "--cpus", FakeHost.LANES);

        assertThat(apply.exitCode()).isNotZero();
        assertThat(apply.stderr())
            .contains("could not ethtool -K eth0 gso on: Could not change any device features")
            .contains("1 changes failed");
        assertThat(apply.stdout()).contains("25 changes made");
        assertThat(host.read("/proc/sys/net/core/busy_read")).as("changes after the failed one").isEqualTo("50\n");

        final ScriptRun revert = host.tuneHost(ROOT, "revert");

        assertThat(revert.exitCode()).as(revert.toString()).isZero();
        assertThat(revert.stdout()).contains("25 values restored, 1 already as saved");
        host.delete("/run");
        assertThat(host.snapshot()).isEqualTo(before);
    }

    @Test
    void shouldHaveNothingToRevertWithoutSavedState()
    {
        final FakeHost host = FakeHost.untuned(dir);
        final Map<String, String> before = host.snapshot();

        final ScriptRun revert = host.tuneHost(ROOT, "revert");

        assertThat(revert.exitCode()).as(revert.toString()).isZero();
        assertThat(revert.stdout()).isEqualTo(
            "nothing to revert: no saved state at " + host.root() + DEFAULT_STATE + "\n");
        assertThat(host.snapshot()).isEqualTo(before);
    }

    @Test
    void shouldChangeNothingOnATunedHost()
    {
        final FakeHost host = FakeHost.tuned(dir);
        final Map<String, String> before = host.snapshot();

        final ScriptRun apply = host.tuneHost(ROOT, "apply", "--cpus", FakeHost.LANES);

        assertThat(apply.exitCode()).as(apply.toString()).isZero();
        assertThat(apply.stdout()).contains("nothing to change");
        assertThat(host.snapshot()).isEqualTo(before);
        assertThat(host.exists(DEFAULT_STATE)).isFalse();
    }
}
