using System.Text.Json;
using LibvirtHook.EndToEnd.Support;
using static LibvirtHook.Logging.LogCatalog;
using LibvirtHook.Tools;

namespace LibvirtHook.EndToEnd;

/// <summary>Issue 5: the admin command against the private libvirtd.</summary>
[Collection(PrivateLibvirtCollection.Name)]
public sealed class AdminSpecs(PrivateLibvirt libvirt) : IDisposable
{
    private readonly TestVms _vms = new(libvirt);

    public void Dispose() => _vms.Dispose();

    private (string Directory, string Image, string Serial) NewVm(string name, GuestEnding ending, string? config, string driver = "qcow2")
    {
        var vm = _vms.Create(name, ending, config, driver);
        return (vm.Directory, vm.Image, vm.Serial);
    }

    [Fact]
    public void Status_shows_a_running_stateless_vm_with_its_overlay_pending_commit_and_restart_policy_in_stable_json()
    {
        // Arrange
        const string name = "e2e-status";
        var (_, image, serial) = NewVm(name, GuestEnding.Halt,
            """{"disks": [{"target": "hda", "one-shot-commit": true}], "restart": {"on": ["crashed"], "max-restarts": 2}}""");
        libvirt.Virsh("start", name);
        PrivateLibvirt.WaitFor(() => TinyGuest.CountFinishedBoots(serial) == 1, "the boot");

        // Act
        var json = libvirt.Admin("status", name, "--json");
        var text = libvirt.Admin("status");

        // Assert
        json.ExitCode.Should().Be(0, json.StandardError);
        using var document = JsonDocument.Parse(json.StandardOutput);
        var vm = document.RootElement.GetProperty("vms").EnumerateArray().Single();
        vm.GetProperty("name").GetString().Should().Be(name);
        vm.GetProperty("state").GetString().Should().Be("running");
        vm.GetProperty("state-reason").GetString().Should().Be("booted");
        vm.GetProperty("held").GetBoolean().Should().BeFalse();
        vm.GetProperty("restarts-in-window").GetInt32().Should().Be(0);
        vm.GetProperty("restart").GetProperty("on").EnumerateArray().Select(e => e.GetString()).Should().Equal("crashed");
        vm.GetProperty("restart").GetProperty("max-restarts").GetInt32().Should().Be(2);
        vm.GetProperty("last-action").GetString().Should().Contain("op=started outcome=ok");
        var disk = vm.GetProperty("disks").EnumerateArray().Single();
        disk.GetProperty("target").GetString().Should().Be("hda");
        disk.GetProperty("mode").GetString().Should().Be("stateless");
        disk.GetProperty("one-shot-commit").GetBoolean().Should().BeTrue();
        disk.GetProperty("image").GetString().Should().Be(image);
        disk.GetProperty("on-overlay").GetBoolean().Should().BeTrue();
        disk.GetProperty("overlay-bytes").GetInt64().Should().BeGreaterThan(0);
        text.ExitCode.Should().Be(0);
        text.StandardOutput.Should().Contain($"{name}: running (booted)").And.Contain("disk hda   stateless, on overlay (").And.Contain("one-shot-commit pending");
    }

    [Fact]
    public void Validate_reports_each_kind_of_problem_on_its_own_line_and_passes_a_good_config()
    {
        // Arrange
        NewVm("e2e-valid-good", GuestEnding.Halt, """{"disks": [{"target": "hda"}]}""");
        NewVm("e2e-valid-key", GuestEnding.Halt, """{"disks": [{"target": "hda", "one-shot-comit": true}]}""");
        NewVm("e2e-valid-target", GuestEnding.Halt, """{"disks": [{"target": "vdz"}]}""");
        NewVm("e2e-valid-driver", GuestEnding.Halt, """{"disks": [{"target": "hda"}]}""", driver: "raw");
        var (_, missingImage, _) = NewVm("e2e-valid-missing", GuestEnding.Halt, """{"disks": [{"target": "hda"}]}""");
        File.Delete(missingImage);
        NewVm("e2e-valid-mode", GuestEnding.Halt, """{"disks": [{"target": "hda"}]}""");
        File.SetUnixFileMode(libvirt.ConfigPath("e2e-valid-mode"), (UnixFileMode)0b110_110_110);
        var (_, leftoverImage, _) = NewVm("e2e-valid-leftover", GuestEnding.Halt, """{"disks": [{"target": "hda"}]}""");
        File.Copy(leftoverImage, leftoverImage + ".stateless-base");
        _vms.Prepare("e2e-valid-undefined", GuestEnding.Halt);
        libvirt.WriteConfig("e2e-valid-undefined", """{"disks": [{"target": "hda"}]}""");

        // Act
        var good = libvirt.Admin("validate", "e2e-valid-good");
        var all = libvirt.Admin("validate");

        // Assert
        good.ExitCode.Should().Be(0, good.StandardOutput);
        good.StandardOutput.Should().Contain("OK: 1 VM config(s) checked, no problem found.");
        all.ExitCode.Should().Be(1);
        var lines = all.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().ContainSingle(l => l.Contains("e2e-valid-key.json") && l.Contains("did you mean \"one-shot-commit\""));
        lines.Should().ContainSingle(l => l.Contains("has no disk with <target dev='vdz'/>"));
        lines.Should().ContainSingle(l => l.Contains("\"e2e-valid-driver\" has <driver type='raw'/>"));
        lines.Should().ContainSingle(l => l.Contains("e2e-valid-missing") && l.Contains("does not exist"));
        lines.Should().ContainSingle(l => l.Contains("e2e-valid-mode.json") && l.Contains("writable by group or others"));
        lines.Should().ContainSingle(l => l.Contains("disk.qcow2.stateless-base\" exists but the hook has no record of it"));
        lines.Should().ContainSingle(l => l.Contains("Cannot read domain \"e2e-valid-undefined\" from libvirt"));
        lines.Should().NotContain(l => l.Contains("e2e-valid-good"));
    }

    [Fact]
    public void Hold_stops_an_automatic_restart_and_unhold_allows_it_again()
    {
        // Arrange
        const string name = "e2e-hold";
        var (_, _, serial) = NewVm(name, GuestEnding.PowerOff, """{"restart": {}}""");

        // Act
        var hold = libvirt.Admin("hold", name);
        libvirt.Virsh("start", name);
        libvirt.WaitForReleases(name, 1);
        Thread.Sleep(TimeSpan.FromSeconds(3));
        var bootsWhileHeld = TinyGuest.CountFinishedBoots(serial);
        var stateWhileHeld = libvirt.DomainState(name);
        var status = libvirt.Admin("status", name);
        var unhold = libvirt.Admin("unhold", name);
        libvirt.Virsh("start", name);
        PrivateLibvirt.WaitFor(() => TinyGuest.CountFinishedBoots(serial) >= 3, "restarts after unhold");
        libvirt.WriteConfig(name, "{}");

        // Assert
        hold.ExitCode.Should().Be(0);
        unhold.ExitCode.Should().Be(0);
        bootsWhileHeld.Should().Be(1);
        stateWhileHeld.Should().Be("shut off");
        status.StandardOutput.Should().Contain("HELD (no automatic restarts)");
        libvirt.LogLines(name).Should().Contain(l => l.Ended("release", Outcomes.Ok) && l.Has(Keys.Action, "released") && l.Has(Keys.ShutoffReason, "shutdown")
            && l.Has(Keys.Restart, RestartValues.No) && l.Has(Keys.Why, $"held by an admin (libvirt-hook unhold {name} to allow restarts again)"));
    }

    [Fact]
    public void Commit_once_sets_the_flag_and_the_next_stop_commits_that_session()
    {
        // Arrange
        const string name = "e2e-commit-once";
        var (_, image, serial) = NewVm(name, GuestEnding.PowerOff, """{"disks": [{"target": "hda", "one-shot-commit": false}]}""");

        // Act
        var result = libvirt.Admin("commit-once", name, "hda");
        var flagAfterCommand = File.ReadAllText(libvirt.ConfigPath(name));
        libvirt.Virsh("start", name);
        libvirt.WaitForReleases(name, 1);
        var wrong = libvirt.Admin("commit-once", name, "vdq");

        // Assert
        result.ExitCode.Should().Be(0, result.StandardError);
        flagAfterCommand.Should().Contain("\"one-shot-commit\": true");
        TinyGuest.ReadCounter(image).Should().Be(1);
        File.ReadAllText(libvirt.ConfigPath(name)).Should().Contain("\"one-shot-commit\": false");
        wrong.ExitCode.Should().Be(1);
        wrong.StandardError.Should().Contain("has no stateless disk \"vdq\"; it has: hda");
        TinyGuest.ReadSerial(serial).Should().Equal(new BootRecord(0x80, 0));
    }

    [Fact]
    public void Installed_as_the_hook_a_vm_named_like_a_command_is_still_a_hook_call()
    {
        // Arrange
        const string name = "status";
        var (_, image, _) = NewVm(name, GuestEnding.PowerOff, """{"disks": [{"target": "hda"}]}""");
        var xmlFile = Path.Combine(libvirt.Root, "status-vm.xml");
        File.WriteAllText(xmlFile, libvirt.Virsh("dumpxml", name).StandardOutput);

        // Act
        var result = libvirt.RunHook(libvirt.HookPath, name, "prepare", xmlFile);
        var info = new QemuImg(ToolPaths.Default).Info(image, LibvirtHook.Tools.ImageFormat.Qcow2, shared: true);
        libvirt.RunHook(libvirt.HookPath, name, "release", xmlFile);

        // Assert
        result.ExitCode.Should().Be(0, result.StandardError);
        result.StandardOutput.Should().BeEmpty();
        info.BackingFilename.Should().Be("disk.qcow2.stateless-base");
    }
}
