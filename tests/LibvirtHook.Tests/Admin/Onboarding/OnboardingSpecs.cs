using LibvirtHook.Admin;
using LibvirtHook.Config;
using LibvirtHook.Tests.Support;
using LibvirtHook.Tools;

namespace LibvirtHook.Tests.Admin.Onboarding;

/// <summary>
/// enable and disable decisions, with the fake virsh answering from a domain XML (the real virsh
/// is exercised by the end-to-end AdminSpecs); images are made by the real qemu-img.
/// </summary>
public sealed class OnboardingSpecs : IDisposable
{
    private readonly HookSandbox _sandbox = new();
    private readonly FakeVirsh _virsh;

    public OnboardingSpecs() => _virsh = new FakeVirsh(_sandbox.Root);

    public void Dispose() => _sandbox.Dispose();

    private IReadOnlyList<string> Calls => _virsh.Lines;

    /// <summary>The definitions virsh define was given, in order.</summary>
    private IReadOnlyList<string> Defined => [.. _virsh.Calls.Where(c => c.Subcommand == "define").Select(c => c.KeptFile!)];

    /// <summary>A shut-off domain <paramref name="name"/> whose persistent definition is <paramref name="domainXml"/>; define keeps the file it is given.</summary>
    private ToolPaths Virsh(string domainXml, bool persistent = true, string name = "kiosk")
    {
        _virsh.On(["dumpxml", "--inactive", "--domain", name], new VirshAnswer { Stdout = domainXml })
            .On(["dumpxml", "--inactive", "--security-info", "--domain", name], new VirshAnswer { Stdout = domainXml })
            .On(["dominfo", "--domain", name], VirshAnswer.Prints($"Persistent:     {(persistent ? "yes" : "no")}"))
            .On(["domstate", "--reason", "--domain", name], VirshAnswer.Prints("shut off (shutdown)"))
            .On(["define", "--file", FakeVirsh.AnyArgument], VirshAnswer.Nothing with { KeepsFileAfter = "--file" });
        return _virsh.Tools;
    }

    private string Domain(string onReboot = "restart", params string[] disks) => $"""
        <domain type='qemu'>
          <name>kiosk</name>
          <uuid>8d3c6a2e-0000-4000-8000-000000000001</uuid>
          <on_poweroff>destroy</on_poweroff>
          <on_reboot>{onReboot}</on_reboot>
          <devices>
        {string.Concat(disks)}
          </devices>
        </domain>
        """;

    private static string Disk(string target, string source, string device = "disk", string driver = "qcow2") => $"""
            <disk type='file' device='{device}'>
              <driver name='qemu' type='{driver}'/>
              <source file='{source}'/>
              <target dev='{target}' bus='virtio'/>
            </disk>

        """;

    private (int Code, string Output, string Error) Run(ToolPaths tools, params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var code = new AdminCli(_sandbox.Paths, tools, output, error).Run(args);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void Enable_takes_every_file_backed_qcow2_disk_and_writes_a_root_owned_0644_config_the_hook_accepts()
    {
        // Arrange
        var tools = Virsh(Domain("restart",
            Disk("vda", _sandbox.CreateImage("a.qcow2")),
            Disk("vdb", _sandbox.CreateImage("b.raw", "raw"), driver: "raw"),
            Disk("hdc", "/srv/install.iso", device: "cdrom", driver: "raw")));

        // Act
        var (code, output, error) = Run(tools, "enable", "kiosk", "--restart");

        // Assert
        code.Should().Be(0, error);
        var path = _sandbox.Paths.ConfigFile("kiosk");
        var config = ConfigFile.Load(path)!;
        config.Disks.Select(d => d.Target).Should().Equal("vda");
        config.Restart.Should().BeEquivalentTo(new RestartPolicy());
        var status = LibvirtHook.Platform.FileSystem.Stat(path);
        status.Owner.Should().Be(0u);
        status.Permissions.Should().Be(0b110_100_100);
        output.Should().Contain("Left alone: vdb (driver raw; a stateless disk needs <driver type='qcow2'/>), hdc (a cdrom).")
            .And.Contain("Next start: vda (").And.Contain("Next stop: the overlay is discarded")
            .And.Contain("Warning: \"kiosk\" has stateless disks but <on_reboot>restart</on_reboot>");
    }

    [Fact]
    public void Validate_config_checks_a_file_not_yet_in_place_against_the_domain_whatever_its_owner_and_mode()
    {
        // Arrange: a configuration manager's temp file, group- and world-writable, outside the config directory.
        var tools = Virsh(Domain("restart", Disk("vda", _sandbox.CreateImage("a.qcow2"))));
        var good = Path.Combine(_sandbox.Root, "good.json");
        var bad = Path.Combine(_sandbox.Root, "bad.json");
        File.WriteAllText(good, """{"disks": [{"target": "vda"}], "restart": {}}""");
        File.WriteAllText(bad, """{"disks": [{"target": "vdz"}]}""");
        File.SetUnixFileMode(good, (UnixFileMode)0b110_110_110);

        // Act
        var accepted = Run(tools, "validate", "--config", good, "kiosk");
        var refused = Run(tools, "validate", "--config", bad, "kiosk");
        var missing = Run(tools, "validate", "--config", Path.Combine(_sandbox.Root, "none.json"), "kiosk");
        var withoutVm = Run(tools, "validate", "--config", good);

        // Assert
        accepted.Code.Should().Be(0, accepted.Output + accepted.Error);
        accepted.Output.Should().Contain("OK: 1 VM config(s) checked, no problem found.");
        refused.Code.Should().Be(ExitCodes.Failed);
        refused.Output.Should().Contain("vdz");
        missing.Code.Should().Be(ExitCodes.Failed);
        missing.Output.Should().Contain("none.json\" does not exist; name the config file to check.");
        withoutVm.Code.Should().Be(ExitCodes.Usage);
        withoutVm.Error.Should().Contain("--config FILE checks one VM's config: name the VM too");
        File.Exists(_sandbox.Paths.ConfigFile("kiosk")).Should().BeFalse();
    }

    [Fact]
    public void Enable_refuses_what_prepare_would_refuse_and_writes_nothing()
    {
        // Arrange
        var image = _sandbox.CreateImage("a.qcow2");
        File.Copy(image, image + ".stateless-base");
        var tools = Virsh(Domain("restart", Disk("vda", image), Disk("vdb", _sandbox.Image("missing.qcow2")), Disk("vdc", image, driver: "raw")));

        // Act
        var (code, _, error) = Run(tools, "enable", "kiosk", "--disk", "vda", "--disk", "vdb", "--disk", "vdc", "--disk", "vdz", "--cold-reboot");

        // Assert
        code.Should().Be(ExitCodes.Failed);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(4).And.OnlyContain(l => l.StartsWith("libvirt-hook: ", StringComparison.Ordinal));
        lines.Should().ContainSingle(l => l.Contains("a.qcow2.stateless-base\" exists but the hook has no record of it"));
        lines.Should().ContainSingle(l => l.Contains("missing.qcow2\" does not exist"));
        lines.Should().ContainSingle(l => l.Contains("<driver type='raw'/>"));
        lines.Should().ContainSingle(l => l.Contains("has no disk with <target dev='vdz'/>"));
        File.Exists(_sandbox.Paths.ConfigFile("kiosk")).Should().BeFalse();
        Defined.Should().BeEmpty("nothing is defined when anything is refused");
    }

    [Fact]
    public void Enable_never_overwrites_a_config_without_force_and_keeps_a_backup_with_it()
    {
        // Arrange
        var tools = Virsh(Domain("destroy", Disk("vda", _sandbox.CreateImage("a.qcow2"))));
        const string old = """{"disks": [], "restart": {"on": ["crashed"]}} // mine""";
        _sandbox.WriteConfig("kiosk", old);

        // Act
        var refused = Run(tools, "enable", "kiosk");
        var afterRefusal = File.ReadAllText(_sandbox.Paths.ConfigFile("kiosk"));
        var forced = Run(tools, "enable", "kiosk", "--force", "--restart");

        // Assert
        refused.Code.Should().Be(ExitCodes.Failed);
        refused.Error.Should().Contain("already has a config").And.Contain("add --force");
        afterRefusal.Should().Be(old);
        forced.Code.Should().Be(0, forced.Error);
        File.ReadAllText(_sandbox.Paths.ConfigFile("kiosk") + ".bak").Should().Be(old);
        ConfigFile.Load(_sandbox.Paths.ConfigFile("kiosk"))!.Disks.Should().ContainSingle(d => d.Target == "vda");
        forced.Output.Should().NotContain("Warning");
    }

    [Fact]
    public void Enable_with_cold_reboot_defines_the_edited_xml_implies_restart_and_says_so()
    {
        // Arrange
        var domain = Domain("restart", Disk("vda", _sandbox.CreateImage("a.qcow2")));
        var tools = Virsh(domain);

        // Act
        var (code, output, error) = Run(tools, "enable", "kiosk", "--cold-reboot");

        // Assert
        code.Should().Be(0, error);
        Defined.Single().Should().Be(domain.Replace("<on_reboot>restart</on_reboot>", "<on_reboot>destroy</on_reboot>"));
        Calls.Should().Contain("-c qemu:///system dumpxml --inactive --security-info --domain kiosk");
        ConfigFile.Load(_sandbox.Paths.ConfigFile("kiosk"))!.Restart!.On.Should().Contain(LibvirtHook.Domain.ShutoffReason.Shutdown);
        output.Should().Contain("Set <on_reboot>destroy</on_reboot> in the persistent definition of \"kiosk\" (it was restart)");
    }

    [Fact]
    public void Enable_with_raw_base_names_the_raw_format_in_the_config_and_sets_the_driver_to_qcow2()
    {
        // Arrange
        var raw = _sandbox.CreateImage("b.raw", "raw");
        var before = HookSandbox.Hash(raw);
        var tools = Virsh(Domain("destroy", Disk("vda", _sandbox.CreateImage("a.qcow2")), Disk("vdb", raw, driver: "raw")));

        // Act
        var (code, output, error) = Run(tools, "enable", "kiosk", "--raw-base");

        // Assert
        code.Should().Be(0, error);
        var config = ConfigFile.Load(_sandbox.Paths.ConfigFile("kiosk"))!;
        config.Disks.Select(d => (d.Target, d.BaseFormat)).Should().Equal(("vda", ImageFormat.Qcow2), ("vdb", ImageFormat.Raw));
        var defined = LibvirtHook.Domain.DomainXml.Parse(Defined.Single());
        defined.Disks.Select(d => (d.Target, d.DriverType)).Should().Equal(("vda", "qcow2"), ("vdb", "qcow2"));
        Calls.Should().Contain("-c qemu:///system dumpxml --inactive --security-info --domain kiosk");
        output.Should().Contain("Set <driver type='qcow2'/> for vdb in the persistent definition of \"kiosk\"");
        HookSandbox.Hash(raw).Should().Be(before);

        var (prepared, stderr) = _sandbox.Run("kiosk", "prepare", Defined.Single());
        prepared.Should().Be(0, stderr);
        new QemuImg(ToolPaths.Default).Info(raw, ImageFormat.Qcow2).BackingFormat.Should().Be("raw");
    }

    [Fact]
    public void Enable_without_raw_base_leaves_a_raw_disk_alone_and_says_how_to_take_it()
    {
        // Arrange
        var tools = Virsh(Domain("destroy", Disk("vdb", _sandbox.CreateImage("b.raw", "raw"), driver: "raw")));

        // Act
        var (code, _, error) = Run(tools, "enable", "kiosk");

        // Assert
        code.Should().Be(1);
        error.Should().Contain("take raw ones over their raw image with --raw-base");
        File.Exists(_sandbox.Paths.ConfigFile("kiosk")).Should().BeFalse();
        Defined.Should().BeEmpty();
    }

    [Fact]
    public void Enable_with_cold_reboot_refuses_a_transient_domain()
    {
        var tools = Virsh(Domain("restart", Disk("vda", _sandbox.CreateImage("a.qcow2"))), persistent: false);

        var (code, _, error) = Run(tools, "enable", "kiosk", "--cold-reboot");

        code.Should().Be(ExitCodes.Failed);
        error.Should().Contain("is transient");
        File.Exists(_sandbox.Paths.ConfigFile("kiosk")).Should().BeFalse();
    }

    [Fact]
    public void Enable_a_domain_named_like_an_option_after_double_dash()
    {
        var tools = Virsh(Domain("destroy", Disk("vda", _sandbox.CreateImage("a.qcow2"))), name: "--help");

        var (code, _, error) = Run(tools, "enable", "--restart", "--", "--help");

        code.Should().Be(0, error);
        File.Exists(_sandbox.Paths.ConfigFile("--help")).Should().BeTrue();
        Calls.First().Should().EndWith("--domain --help");
    }

    [Fact]
    public void Disable_moves_the_config_aside_and_says_that_overlays_are_still_reverted_and_on_reboot_still_destroys()
    {
        // Arrange
        var tools = Virsh(Domain("destroy"));
        _sandbox.WriteConfig("kiosk", """{"disks": [{"target": "vda"}], "restart": {}}""");
        Directory.CreateDirectory(_sandbox.Paths.StateDirectory);
        File.WriteAllText(_sandbox.Paths.JournalFile("kiosk"), """
            {"domain": "kiosk", "uuid": "u", "disks": [{"target": "vda", "image": "/i", "base": "/i.stateless-base", "new-overlay": "/i.stateless-new", "base-format": "qcow2", "state": "Prepared"}]}
            """);

        // Act
        var (code, output, error) = Run(tools, "disable", "kiosk");
        var again = Run(tools, "disable", "kiosk");

        // Assert
        code.Should().Be(0, error);
        File.Exists(_sandbox.Paths.ConfigFile("kiosk")).Should().BeFalse();
        File.Exists(_sandbox.Paths.ConfigFile("kiosk") + ".bak").Should().BeTrue();
        output.Should().Contain("It still runs on overlays (vda): they are discarded at its next stop")
            .And.Contain("no longer started again automatically")
            .And.Contain("Its <on_reboot> is still destroy");
        again.Code.Should().Be(ExitCodes.Failed);
        again.Error.Should().Contain("is not managed");
    }
}
