using LibvirtHook.Admin.Inventory;
using LibvirtHook.Admin.Monitoring;
using LibvirtHook.Stateless;
using LibvirtHook.Logging;

namespace LibvirtHook.Tests.Admin.Monitoring;

public sealed class CheckVerdictSpecs
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static ManagedVm Vm(string name = "kiosk", params ManagedDisk[] disks) => new()
    {
        Name = name, Uuid = "8d3c6a2e-0000-4000-8000-000000000001", Running = true, Disks = disks, WindowSeconds = 600,
    };

    private static ManagedDisk Overlay(long used, long size = 1000, long available = 500, long total = 1000) => new()
    {
        Target = "vda", Mode = DiskMode.Stateless, Image = "/img/kiosk.qcow2", OnOverlay = true, OverlayBytes = used, VirtualBytes = size,
        FilesystemAvailableBytes = available, FilesystemSizeBytes = total,
    };

    private static CheckResult Evaluate(params ManagedVm[] vms) => Evaluate(null, vms);

    private static CheckResult Evaluate(string? libvirtError, params ManagedVm[] vms) =>
        CheckVerdict.Evaluate(new HostInventory { At = Now, Vms = vms, Since = TimeSpan.FromHours(1), LibvirtError = libvirtError }, new CheckThresholds());

    [Fact]
    public void A_healthy_fleet_is_ok_with_one_line_and_performance_data()
    {
        var result = Evaluate(Vm("a", Overlay(100)), Vm("b", Overlay(200)) with { RestartsInWindow = 2 });

        result.State.Should().Be(CheckState.Ok);
        result.Render().Should().Be("LIBVIRT-HOOK OK - 2 managed VMs, 2 on overlays (300 B), no problem | managed_vms=2;;;0 vms_on_overlays=2;;;0 overlay_bytes=300B;;;0 restarts_in_window=2;;;0\n");
    }

    [Fact]
    public void A_crash_loop_give_up_is_critical_and_says_what_to_do()
    {
        var result = Evaluate(Vm() with { GaveUpAt = Now.AddMinutes(-2), RestartsInWindow = 5, Running = false });

        result.State.Should().Be(CheckState.Critical);
        result.Summary.Should().Contain("\"kiosk\": the crash-loop guard gave up at").And.Contain("after 5 restarts in 600 s and left it off; start it by hand once it is fixed.");
    }

    [Fact]
    public void A_failed_hook_call_is_critical_with_its_message()
    {
        LogLine.TryParse("""2026-11-25T11:59:00.000+00:00 [1] vm="kiosk" op=release outcome=error ms=3 message="Cannot rename \"a\" to \"b\": Permission denied." """.TrimEnd(), out var error).Should().BeTrue();

        var result = Evaluate(Vm() with { Errors = [error] });

        result.State.Should().Be(CheckState.Critical);
        result.Summary.Should().Contain("1 failed hook call in hooks.log in the last 1 h").And.Contain("(op=release): Cannot rename \"a\" to \"b\": Permission denied.");
    }

    [Fact]
    public void Strays_configs_that_do_not_parse_and_damaged_journals_are_critical()
    {
        var result = Evaluate(Vm("a", new ManagedDisk { Target = "vda", Mode = DiskMode.Stateless, Image = "/img/a.qcow2", Strays = [new StrayFile { Image = "/img/a.qcow2", Path = "/img/a.qcow2.stateless-base", JournalPath = "/state/a.journal.json" }] }), Vm("b") with { ConfigError = "Config \"b.json\" is not valid JSON." }, Vm("c") with { JournalError = "The state journal is damaged." });

        result.State.Should().Be(CheckState.Critical);
        result.Findings.Should().HaveCount(3).And.OnlyContain(f => f.State == CheckState.Critical);
        result.Render().Should().Contain("CRITICAL: \"a\" disk vda: \"/img/a.qcow2.stateless-base\" exists but the hook has no record of it (was its state in \"/state/a.journal.json\" lost?)");
    }

    [Fact]
    public void An_overlay_the_discard_worker_left_behind_is_a_warning_that_says_what_it_frees()
    {
        var leftover = new LeftoverDiscard { Path = "/img/kiosk.qcow2.stateless-discard", AllocatedBytes = 3L * 1024 * 1024 * 1024, Since = Now.AddMinutes(-10) };

        var result = Evaluate(Vm("kiosk", Overlay(100) with { LeftoverDiscard = leftover }));

        result.State.Should().Be(CheckState.Warning);
        result.Render().Should().Contain("WARNING: \"kiosk\" disk vda: \"/img/kiosk.qcow2.stateless-discard\" (3.0 GiB) is an overlay the hook threw away at ")
            .And.Contain("but did not remove (hooks.log op=discard says why); it holds nothing of value: remove it to free the space.");
    }

    [Theory]
    [InlineData(501, 500, 1000, true)]
    [InlineData(500, 500, 1000, false)]
    [InlineData(100, 99, 1000, true)]
    [InlineData(100, 100, 1000, false)]
    public void A_large_overlay_or_a_filesystem_low_on_space_is_a_warning(long used, long available, long total, bool warning)
    {
        var result = Evaluate(Vm("a", Overlay(used, available: available, total: total)));

        result.State.Should().Be(warning ? CheckState.Warning : CheckState.Ok);
    }

    [Fact]
    public void A_held_vm_is_a_warning()
    {
        var result = Evaluate(Vm() with { Held = true });

        result.State.Should().Be(CheckState.Warning);
        result.Summary.Should().Be("\"kiosk\" is held: it is not restarted automatically until libvirt-hook unhold.");
    }

    [Fact]
    public void Libvirtd_not_answering_is_unknown_but_a_critical_finding_still_wins()
    {
        var unknown = Evaluate("error: failed to connect to the hypervisor", Vm() with { Running = null });
        var critical = Evaluate("error: failed to connect to the hypervisor", Vm() with { Running = null, ConfigError = "broken" });

        unknown.State.Should().Be(CheckState.Unknown);
        unknown.Summary.Should().StartWith("libvirtd does not answer");
        critical.State.Should().Be(CheckState.Critical);
        critical.Findings.Select(f => f.State).Should().Equal(CheckState.Critical, CheckState.Unknown);
    }
}
