using LibvirtHook.Hook;
using LibvirtHook.Tests.Support;

namespace LibvirtHook.Tests.Hook;

public sealed class HookRunnerSpecs : IDisposable
{
    private readonly HookSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Theory]
    [InlineData("prepare")]
    [InlineData("release")]
    [InlineData("migrate")]
    [InlineData("started")]
    public void An_unmanaged_vm_is_left_alone_and_leaves_no_trace(string operation)
    {
        // Arrange
        var image = _sandbox.CreateImage("vm.qcow2");
        var before = HookSandbox.Hash(image);

        // Act
        var (code, stderr) = _sandbox.Run("other", operation, HookSandbox.DomainXml("other", ("vda", image)));

        // Assert
        code.Should().Be(0);
        stderr.Should().BeEmpty();
        HookSandbox.Hash(image).Should().Be(before);
        Directory.GetFiles(_sandbox.Images).Should().BeEquivalentTo([image]);
        File.Exists(_sandbox.Paths.LogFile).Should().BeFalse();
        Directory.Exists(_sandbox.Paths.StateDirectory).Should().BeFalse();
    }

    [Theory]
    [InlineData("""{"disks": [{"target": "vda", "one-shot-comit": true}]}""", "did you mean \"one-shot-commit\"")]
    [InlineData("""{"disks": [{"target": "vdz"}]}""", "has no disk with <target dev='vdz'/> (it has: vda, hdc)")]
    [InlineData("""{"disks": [{"target": "hdc"}]}""", "is device='cdrom' type='file'")]
    [InlineData("""{"disks": [{"target": "vda"}""", "is not valid JSON")]
    public void Prepare_refuses_a_broken_config_with_one_line_and_touches_no_file(string json, string expected)
    {
        // Arrange
        var image = _sandbox.CreateImage("vm.qcow2");
        var before = HookSandbox.Hash(image);
        _sandbox.WriteConfig("vm", json);
        var configBefore = HookSandbox.Hash(_sandbox.Paths.ConfigFile("vm"));
        var xml = HookSandbox.DomainXml("vm", ("vda", image)).Replace("</devices>", """
            <disk type='file' device='cdrom'><source file='/tmp/x.iso'/><target dev='hdc' bus='ide'/><readonly/></disk>
            </devices>
            """);

        // Act
        var (code, stderr) = _sandbox.Run("vm", "prepare", xml);

        // Assert
        code.Should().Be(1);
        stderr.Should().StartWith("libvirt-hook: ").And.Contain(expected);
        stderr.TrimEnd().Should().NotContain("\n");
        HookSandbox.Hash(image).Should().Be(before);
        HookSandbox.Hash(_sandbox.Paths.ConfigFile("vm")).Should().Be(configBefore);
        Directory.GetFiles(_sandbox.Images).Should().BeEquivalentTo([image]);
        File.Exists(_sandbox.Paths.JournalFile("vm")).Should().BeFalse();
        File.ReadAllText(_sandbox.Paths.LogFile).Should().Contain("op=prepare outcome=error");
    }

    [Fact]
    public void Prepare_refuses_a_disk_whose_domain_xml_driver_is_not_qcow2()
    {
        var image = _sandbox.CreateImage("vm.img", format: "raw");
        var before = HookSandbox.Hash(image);
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda"}]}""");
        var xml = HookSandbox.DomainXml("vm", ("vda", image)).Replace("type='qcow2'", "type='raw'");

        var (code, stderr) = _sandbox.Run("vm", "prepare", xml);

        code.Should().Be(1);
        stderr.Should().Contain("<driver type='raw'/>").And.Contain("set <driver name='qemu' type='qcow2'/>");
        HookSandbox.Hash(image).Should().Be(before);
    }

    [Fact]
    public void Prepare_refuses_a_missing_image()
    {
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda"}]}""");

        var (code, stderr) = _sandbox.Run("vm", "prepare", HookSandbox.DomainXml("vm", ("vda", _sandbox.Image("gone.qcow2"))));

        code.Should().Be(1);
        stderr.Should().Contain("gone.qcow2\" does not exist");
    }

    [Fact]
    public void Prepare_refuses_a_config_that_others_can_write()
    {
        var image = _sandbox.CreateImage("vm.qcow2");
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda"}]}""");
        File.SetUnixFileMode(_sandbox.Paths.ConfigFile("vm"), (UnixFileMode)0b110_110_110);

        var (code, stderr) = _sandbox.Run("vm", "prepare", HookSandbox.DomainXml("vm", ("vda", image)));

        code.Should().Be(1);
        stderr.Should().Contain("writable by group or others (mode 666); run: chmod go-w");
        Directory.GetFiles(_sandbox.Images).Should().BeEquivalentTo([image]);
    }

    [Fact]
    public void Prepare_refuses_two_disks_on_one_image()
    {
        var image = _sandbox.CreateImage("vm.qcow2");
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda"}, {"target": "vdb"}]}""");

        var (code, stderr) = _sandbox.Run("vm", "prepare", HookSandbox.DomainXml("vm", ("vda", image), ("vdb", image)));

        code.Should().Be(1);
        stderr.Should().Contain("Disks \"vda\" and \"vdb\"").And.Contain("use the same image");
        Directory.GetFiles(_sandbox.Images).Should().BeEquivalentTo([image]);
    }

    [Fact]
    public void Migrate_refuses_an_incoming_vm_with_stateless_disks()
    {
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda"}]}""");

        var (code, stderr) = _sandbox.Run("vm", "migrate", "<domain><name>vm</name></domain>");

        code.Should().Be(1);
        stderr.Should().Contain("incoming migration would give the running guest an empty overlay");
    }

    [Fact]
    public void Every_call_for_a_managed_vm_logs_one_line_with_its_outcome_and_duration()
    {
        // Arrange
        var image = _sandbox.CreateImage("vm.qcow2");
        const string name = "my \"vm\" $(x)";
        _sandbox.WriteConfig(name, """{"disks": [{"target": "vda"}]}""");
        var xml = HookSandbox.DomainXml(name, ("vda", image));

        // Act
        _sandbox.Run(name, "prepare", xml);
        _sandbox.Run(name, "started", xml);
        _sandbox.Run(name, "release", xml);

        // Assert
        var lines = File.ReadAllLines(_sandbox.Paths.LogFile);
        lines.Should().Contain(l => l.Contains("vm=\"my \\\"vm\\\" $(x)\" op=prepare disk=vda action=overlay"));
        lines.Should().Contain(l => l.Contains("op=prepare outcome=ok action=prepared disks=1 ms="));
        lines.Should().Contain(l => l.Contains("op=started outcome=ok action=none ms="));
        lines.Should().Contain(l => l.Contains("op=release outcome=ok action=released shutoff-reason=not-known-yet reason-from=none ms="));
        lines.Should().AllSatisfy(l => l.Should().MatchRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d \[\d+\] vm="));
    }

    [Fact]
    public void An_operation_this_build_does_not_know_does_nothing_and_is_logged_in_libvirts_own_words()
    {
        // Arrange: libvirt adds operations; a newer libvirtd may send one.
        var image = _sandbox.CreateImage("vm.qcow2");
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda"}]}""");
        var before = HookSandbox.Hash(image);

        // Act
        var (code, stderr) = _sandbox.Run("vm", "some-new-op", HookSandbox.DomainXml("vm", ("vda", image)));

        // Assert
        code.Should().Be(0, stderr);
        HookSandbox.Hash(image).Should().Be(before);
        File.ReadAllLines(_sandbox.Paths.LogFile).Should().ContainSingle().Which.Should().Contain("vm=\"vm\" op=some-new-op outcome=ok action=none ms=");
    }

    [Theory]
    [InlineData("prepare", nameof(HookOperation.Prepare))]
    [InlineData("release", nameof(HookOperation.Release))]
    [InlineData("started", nameof(HookOperation.Started))]
    [InlineData("migrate", nameof(HookOperation.Migrate))]
    [InlineData("Prepare", nameof(HookOperation.Other))]
    [InlineData("some-new-op", nameof(HookOperation.Other))]
    public void A_call_decides_on_libvirts_exact_word_for_its_operation(string word, string operation)
    {
        var call = HookCall.FromArguments(["vm", word, "begin", "-"]);

        call.Kind.Should().Be(Enum.Parse<HookOperation>(operation));
        call.Operation.Should().Be(word);
    }

    [Fact]
    public void A_release_hands_the_restart_to_the_worker_program_it_was_given()
    {
        // Arrange: the worker program only records how it was started.
        _sandbox.WriteConfig("vm", """{"restart": {"on": ["shutdown"]}}""");
        var record = Path.Combine(_sandbox.Root, "worker-called");
        var worker = Path.Combine(_sandbox.Root, "recording-worker");
        Executable.Write(worker, $"""
            #!/bin/sh
            printf '%s\n' "$LIBVIRT_HOOK_WORKER" "$@" > '{record}.tmp' && mv '{record}.tmp' '{record}'
            """);

        // Act
        var (code, stderr) = _sandbox.Run("vm", "release", HookSandbox.DomainXml("vm"), extra: "shutdown", worker: worker);

        // Assert
        code.Should().Be(0, stderr);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!File.Exists(record) && DateTime.UtcNow < deadline)
            Thread.Sleep(20);
        File.ReadAllLines(record).Should().Equal("restart", "vm", "8d3c6a2e-0000-4000-8000-000000000001", "shutdown");
        File.ReadAllText(_sandbox.Paths.LogFile).Should().MatchRegex(@"op=release outcome=ok action=released shutoff-reason=shutdown reason-from=argument restart=scheduled worker-pid=\d+ ms=");
    }

    [Fact]
    public void A_release_with_no_worker_program_decides_the_restart_and_starts_no_process()
    {
        // Arrange: in-process, this process is the test host; it must never be started as a worker.
        _sandbox.WriteConfig("vm", """{"restart": {"on": ["shutdown"]}}""");

        // Act
        var (code, stderr) = _sandbox.Run("vm", "release", HookSandbox.DomainXml("vm"), extra: "shutdown");

        // Assert
        code.Should().Be(0, stderr);
        var line = File.ReadAllLines(_sandbox.Paths.LogFile).Should().ContainSingle().Subject;
        line.Should().Contain("op=release outcome=ok action=released shutoff-reason=shutdown reason-from=argument restart=scheduled ms=");
        line.Should().NotContain("worker-pid");
    }
}
