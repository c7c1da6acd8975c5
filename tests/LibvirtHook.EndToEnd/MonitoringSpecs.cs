using System.Text.Json;
using LibvirtHook.EndToEnd.Support;
using LibvirtHook.Tools;
using static LibvirtHook.Logging.LogCatalog;

namespace LibvirtHook.EndToEnd;

/// <summary>Issue 11: libvirt-hook check and metrics on the private libvirtd.</summary>
[Collection(PrivateLibvirtCollection.Name)]
public sealed class MonitoringSpecs(PrivateLibvirt libvirt) : IDisposable
{
    private readonly TestVms _vms = new(libvirt);

    public void Dispose() => _vms.Dispose();

    [Fact]
    public void Check_goes_from_ok_to_critical_after_a_crash_loop_give_up()
    {
        // Arrange
        const string name = "e2e-check-loop";
        _vms.Create(name, GuestEnding.Reset, """{"disks": [{"target": "hda"}], "restart": {"max-restarts": 2}}""");
        var before = libvirt.Admin("check", name);

        // Act
        libvirt.Virsh("start", name);
        PrivateLibvirt.WaitFor(() => libvirt.CountLogLines(name, IsCrashLoopGiveUp) == 1, "the crash-loop guard to give up", 60);
        libvirt.WaitForState(name, "shut off");
        var after = libvirt.Admin("check", name);
        var metrics = libvirt.Admin("metrics", name);

        // Assert
        before.ExitCode.Should().Be(0, before.StandardOutput);
        before.StandardOutput.Should().StartWith("LIBVIRT-HOOK OK - 1 managed VM, 0 on overlays (0 B), no problem | managed_vms=1;;;0 vms_on_overlays=0;;;0 overlay_bytes=0B;;;0 restarts_in_window=0;;;0\n");
        after.ExitCode.Should().Be(2, after.StandardOutput);
        after.StandardOutput.Should().StartWith($"LIBVIRT-HOOK CRITICAL - \"{name}\": the crash-loop guard gave up at ")
            .And.Contain("after 2 restarts in 600 s and left it off; start it by hand once it is fixed. | managed_vms=1;;;0 vms_on_overlays=0;;;0 overlay_bytes=0B;;;0 restarts_in_window=2;;;0\n");
        Samples(metrics.StandardOutput).Should().Contain(new Sample("libvirt_hook_vm_crash_loop_gave_up", name, null, 1));
    }

    [Fact]
    public void Check_goes_from_ok_to_critical_after_a_forced_revert_failure()
    {
        // Arrange
        const string name = "e2e-check-revert";
        var vm = _vms.Create(name, GuestEnding.Halt, """{"disks": [{"target": "hda"}]}""");
        libvirt.Virsh("start", name);
        PrivateLibvirt.WaitFor(() => TinyGuest.CountFinishedBoots(vm.Serial) == 1, "the boot");
        var before = libvirt.Admin("check", name);
        // The base's name is taken by a directory: release sees it is not the base it set aside and leaves the disk.
        var baseFile = vm.Image + ".stateless-base";
        File.Move(baseFile, baseFile + ".aside");
        Directory.CreateDirectory(baseFile);
        var xmlFile = Path.Combine(vm.Directory, "live.xml");
        File.WriteAllText(xmlFile, libvirt.Virsh("dumpxml", "--domain", name).StandardOutput);

        try
        {
            // Act
            libvirt.Virsh("destroy", name);
            libvirt.WaitForReleases(name, 1);
            var after = libvirt.Admin("check", name);

            // Assert
            before.ExitCode.Should().Be(0, before.StandardOutput);
            libvirt.LogLines(name).Should().Contain(l => l.Ended("release", Outcomes.Error));
            after.ExitCode.Should().Be(2, after.StandardOutput);
            after.StandardOutput.Should().StartWith($"LIBVIRT-HOOK CRITICAL - \"{name}\": 1 failed hook call in hooks.log in the last 1 h, the last at ")
                .And.Contain("(op=release): Disk \"hda\": ").And.Contain(".stateless-base\" is no longer the base prepare set aside");
        }
        finally
        {
            Directory.Delete(baseFile);
            File.Move(baseFile + ".aside", baseFile);
            libvirt.RunHook(libvirt.HookPath, name, "release", xmlFile);
        }
    }

    [Fact]
    public void Check_warns_for_a_hold_and_for_a_large_overlay()
    {
        // Arrange: the tiny guest's 1 MiB disk gets a 384 KiB overlay, 37% of its virtual size.
        const string name = "e2e-check-warn";
        var vm = _vms.Create(name, GuestEnding.Halt, """{"disks": [{"target": "hda"}], "restart": {}}""");
        libvirt.Virsh("start", name);
        PrivateLibvirt.WaitFor(() => TinyGuest.CountFinishedBoots(vm.Serial) == 1, "the boot");

        // Act
        var defaults = libvirt.Admin("check", name);
        var overlay = libvirt.Admin("check", "--overlay-warn", "30", name);
        libvirt.Admin("hold", name);
        var held = libvirt.Admin("check", name);

        // Assert
        defaults.ExitCode.Should().Be(0, defaults.StandardOutput);
        defaults.StandardOutput.Should().StartWith("LIBVIRT-HOOK OK - 1 managed VM, 1 on overlays (");
        overlay.ExitCode.Should().Be(1, overlay.StandardOutput);
        overlay.StandardOutput.Should().MatchRegex($"^LIBVIRT-HOOK WARNING - \"{name}\" disk hda: its overlay is 3[0-9]% of the disk's virtual size \\(384 KiB of 1.0 MiB, --overlay-warn 30%\\); a stop discards it\\. \\| ");
        held.ExitCode.Should().Be(1, held.StandardOutput);
        held.StandardOutput.Should().StartWith($"LIBVIRT-HOOK WARNING - \"{name}\" is held: it is not restarted automatically until libvirt-hook unhold.");
    }

    [Fact]
    public void Check_is_unknown_when_libvirtd_does_not_answer_and_metrics_say_so()
    {
        // Arrange
        const string name = "e2e-check-unknown";
        _vms.Create(name, GuestEnding.Halt, """{"disks": [{"target": "hda"}]}""");
        var before = libvirt.Admin("check", name);

        // Act
        libvirt.KillLibvirtd();
        ProcessResult check, metrics;
        try
        {
            check = libvirt.Admin("check", name);
            metrics = libvirt.Admin("metrics", name);
        }
        finally
        {
            libvirt.StartLibvirtd();
        }

        // Assert
        before.ExitCode.Should().Be(0, before.StandardOutput);
        check.ExitCode.Should().Be(3, check.StandardOutput);
        check.StandardOutput.Should().StartWith("LIBVIRT-HOOK UNKNOWN - libvirtd does not answer, so domain states are unknown: ");
        metrics.ExitCode.Should().Be(0, metrics.StandardError);
        var samples = Samples(metrics.StandardOutput);
        samples.Should().Contain(new Sample("libvirt_hook_libvirt_up", null, null, 0));
        samples.Should().NotContain(s => s.Name == "libvirt_hook_vm_running");
    }

    [Fact]
    public void Metrics_parse_with_prometheus_client_for_any_domain_name()
    {
        // Arrange
        var names = new[] { "e2e-metrics plain", "e2e-metrics \"quoted\" \\back\\slash", "e2e-metrics-вм-$(x)" };
        var vms = names.Select(n => _vms.Create(n, GuestEnding.Halt, """{"disks": [{"target": "hda"}]}""")).ToList();
        foreach (var vm in vms)
        {
            libvirt.Virsh("start", "--domain", vm.Name);
            PrivateLibvirt.WaitFor(() => TinyGuest.CountFinishedBoots(vm.Serial) == 1, "the boot");
        }

        // One more, off, with a base-named file nobody journaled: its image is known only from libvirt.
        const string stopped = "e2e-metrics-stray";
        var stray = _vms.Create(stopped, GuestEnding.Halt, """{"disks": [{"target": "hda"}]}""");
        File.Copy(stray.Image, stray.Image + ".stateless-base");

        // Act
        var metrics = libvirt.Admin(["metrics", .. names, stopped]);
        var check = libvirt.Admin(["check", .. names, stopped]);
        var written = libvirt.Admin(["metrics", "--output", "/var/lib/libvirt/e2e.prom", .. names, stopped]);

        // Assert
        metrics.ExitCode.Should().Be(0, metrics.StandardError);
        written.ExitCode.Should().Be(0, written.StandardError);
        written.StandardOutput.Should().BeEmpty();
        var samples = Samples(metrics.StandardOutput);
        Samples(File.ReadAllText(Path.Combine(libvirt.Root, "lib", "e2e.prom"))).Select(s => s.Name).Should().BeEquivalentTo(samples.Select(s => s.Name));
        samples.Should().Contain(new Sample("libvirt_hook_disk_stray_files", stopped, "hda", 1))
            .And.Contain(new Sample("libvirt_hook_vm_running", stopped, null, 0))
            .And.Contain(new Sample("libvirt_hook_disk_virtual_size_bytes", stopped, "hda", 1024 * 1024));
        check.ExitCode.Should().Be(2, check.StandardOutput);
        check.StandardOutput.Should().Contain($"CRITICAL: \"{stopped}\" disk hda: \"{stray.Image}.stateless-base\" exists but the hook has no record of it");
        samples.Should().Contain(new Sample("libvirt_hook_managed_vms", null, null, 4)).And.Contain(new Sample("libvirt_hook_libvirt_up", null, null, 1));
        foreach (var vm in vms)
        {
            samples.Should().Contain(new Sample("libvirt_hook_vm_running", vm.Name, null, 1));
            samples.Should().Contain(new Sample("libvirt_hook_overlay_bytes", vm.Name, "hda", new FileInfo(vm.Image).Length));
            samples.Should().Contain(new Sample("libvirt_hook_disk_virtual_size_bytes", vm.Name, "hda", 1024 * 1024));
            samples.Should().Contain(new Sample("libvirt_hook_disk_stray_files", vm.Name, "hda", 0));
        }
    }

    [Fact]
    public void A_vm_named_with_a_pipe_cannot_add_performance_data_or_lines_to_check()
    {
        // Arrange: libvirt accepts | and ; in a name (not control characters); one cycle puts the
        // name into hooks.log too.
        const string name = "e2e-kiosk|evil=1;2;3";
        var vm = _vms.Create(name, GuestEnding.Halt, """{"disks": [{"target": "hda"}], "restart": {}}""");
        libvirt.Admin("hold", name).ExitCode.Should().Be(0);
        libvirt.Virsh("start", "--domain", name);
        PrivateLibvirt.WaitFor(() => TinyGuest.CountFinishedBoots(vm.Serial) == 1, "the boot");
        libvirt.Virsh("destroy", "--domain", name);
        libvirt.WaitForReleases(name, 1);

        // Act
        var check = libvirt.Admin("check", name);
        var log = libvirt.Admin("log", name);

        // Assert: Nagios reads everything after the first | as performance data.
        check.ExitCode.Should().Be(1, check.StandardOutput);
        check.StandardOutput.Should().Be(
            "LIBVIRT-HOOK WARNING - \"e2e-kiosk\\x7cevil=1;2;3\" is held: it is not restarted automatically until libvirt-hook unhold."
            + " | managed_vms=1;;;0 vms_on_overlays=0;;;0 overlay_bytes=0B;;;0 restarts_in_window=0;;;0\n"
            + "WARNING: \"e2e-kiosk\\x7cevil=1;2;3\" is held: it is not restarted automatically until libvirt-hook unhold.\n");
        log.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().NotBeEmpty()
            .And.AllSatisfy(l => l.Should().Contain($" vm=\"{name}\" op="));
    }

    /// <summary>A sample as Debian's python3-prometheus-client parses it (the real parser, not ours).</summary>
    private sealed record Sample(string Name, string? Vm, string? Disk, double Value);

    private static List<Sample> Samples(string exposition)
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, exposition);
            var parsed = ProcessRunner.Run(Prerequisites.Python, ["-c", """
                import json, sys
                from prometheus_client.parser import text_string_to_metric_families
                out = []
                for family in text_string_to_metric_families(open(sys.argv[1], encoding="utf-8").read()):
                    assert family.type == "gauge", family.name
                    assert family.documentation, family.name
                    for s in family.samples:
                        out.append({"name": s.name, "vm": s.labels.get("vm"), "disk": s.labels.get("disk"), "value": s.value})
                print(json.dumps(out))
                """, file]);
            using var document = JsonDocument.Parse(parsed.StandardOutput);
            return document.RootElement.EnumerateArray().Select(e => new Sample(
                e.GetProperty("name").GetString()!,
                e.GetProperty("vm").GetString(),
                e.GetProperty("disk").GetString(),
                e.GetProperty("value").GetDouble())).ToList();
        }
        finally
        {
            File.Delete(file);
        }
    }
}
