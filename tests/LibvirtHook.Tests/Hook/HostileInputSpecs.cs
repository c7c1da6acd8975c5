using System.Diagnostics;
using LibvirtHook.Tests.Support;

namespace LibvirtHook.Tests.Hook;

/// <summary>Issue 4's hostile and broken inputs that need no libvirtd: each is refused or handled, and no file changes.</summary>
public sealed class HostileInputSpecs : IDisposable
{
    private readonly HookSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    private void ShouldBeRefusedWithoutTouchingAnything(string domain, string xml, string expected)
    {
        var before = Directory.GetFiles(_sandbox.Images).ToDictionary(f => f, HookSandbox.Hash);

        var (code, stderr) = _sandbox.Run(domain, "prepare", xml);

        code.Should().Be(1);
        stderr.Should().Contain(expected);
        stderr.TrimEnd().Should().NotContain("\n");
        Directory.GetFiles(_sandbox.Images).ToDictionary(f => f, HookSandbox.Hash).Should().Equal(before);
        File.Exists(_sandbox.Paths.JournalFile(domain)).Should().BeFalse();
    }

    [Theory]
    [InlineData("my vm")]
    [InlineData("it's \"quoted\"")]
    [InlineData("$(touch pwned)")]
    [InlineData("a;touch pwned")]
    [InlineData("`touch pwned`")]
    [InlineData("-rf")]
    [InlineData("--help")]
    [InlineData("ünïcødé-вм")]
    [InlineData("12345")]
    [InlineData("..")]
    public void Any_domain_name_libvirt_allows_gets_a_full_stateless_cycle(string name)
    {
        // Arrange
        var image = _sandbox.CreateImage("vm.qcow2");
        var before = HookSandbox.Hash(image);
        _sandbox.WriteConfig(name, """{"disks": [{"target": "vda"}]}""");
        var xml = HookSandbox.DomainXml(name, ("vda", image));

        // Act
        var prepared = _sandbox.Run(name, "prepare", xml);
        var journalWhileRunning = File.Exists(_sandbox.Paths.JournalFile(name));
        HookSandbox.WritePattern(image, 0x99);
        var released = _sandbox.Run(name, "release", xml);

        // Assert
        prepared.ExitCode.Should().Be(0, prepared.Stderr);
        released.ExitCode.Should().Be(0, released.Stderr);
        journalWhileRunning.Should().BeTrue();
        HookSandbox.Hash(image).Should().Be(before);
        Directory.GetFiles(_sandbox.Paths.StateDirectory).Select(Path.GetFileName).Should().OnlyContain(f => !f!.StartsWith('.') && !f.StartsWith('-'));
        File.ReadAllText(_sandbox.Paths.LogFile).Should().Contain($"vm={LibvirtHook.Logging.LogCatalog.Quote(name)} op=release outcome=ok");
        Directory.GetFiles(_sandbox.Root, "pwned*", SearchOption.AllDirectories).Should().BeEmpty();
    }

    [Fact]
    public void An_empty_disk_list_is_valid_and_does_nothing()
    {
        var image = _sandbox.CreateImage("vm.qcow2");
        _sandbox.WriteConfig("vm", """{"disks": []}""");

        var (code, _) = _sandbox.Run("vm", "prepare", HookSandbox.DomainXml("vm", ("vda", image)));

        code.Should().Be(0);
        Directory.GetFiles(_sandbox.Images).Should().BeEquivalentTo([image]);
    }

    [Fact]
    public void A_block_disk_is_refused()
    {
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda"}]}""");
        const string xml = """
            <domain><name>vm</name><devices>
              <disk type='block' device='disk'><driver name='qemu' type='raw'/><source dev='/dev/sda'/><target dev='vda'/></disk>
            </devices></domain>
            """;

        ShouldBeRefusedWithoutTouchingAnything("vm", xml, "is device='disk' type='block' without a source file; only a file-backed device='disk' can be stateless");
    }

    [Fact]
    public void A_network_disk_is_refused()
    {
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda"}]}""");
        const string xml = """
            <domain><name>vm</name><devices>
              <disk type='network' device='disk'><driver name='qemu' type='qcow2'/>
                <source protocol='nbd' name='export'><host name='192.0.2.1' port='10809'/></source><target dev='vda'/></disk>
            </devices></domain>
            """;

        ShouldBeRefusedWithoutTouchingAnything("vm", xml, "type='network'");
    }

    [Fact]
    public void A_file_disk_whose_source_is_a_device_node_is_refused()
    {
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda"}]}""");

        ShouldBeRefusedWithoutTouchingAnything("vm", HookSandbox.DomainXml("vm", ("vda", "/dev/null")), "\"/dev/null\" is a device, not an image file");
    }

    [Fact]
    public void An_image_reached_through_a_symlink_works_and_the_symlink_is_put_back()
    {
        // Arrange
        var store = Directory.CreateDirectory(Path.Combine(_sandbox.Root, "store")).FullName;
        var real = Path.Combine(store, "real.qcow2");
        File.Move(_sandbox.CreateImage("real.qcow2"), real);
        var before = HookSandbox.Hash(real);
        var link = _sandbox.Image("vm.qcow2");
        File.CreateSymbolicLink(link, "../store/real.qcow2");
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda"}]}""");
        var xml = HookSandbox.DomainXml("vm", ("vda", link));

        // Act
        _sandbox.Run("vm", "prepare", xml).ExitCode.Should().Be(0);
        var seen = HookSandbox.ReadPattern(link);
        HookSandbox.WritePattern(link, 0x12);
        var released = _sandbox.Run("vm", "release", xml);

        // Assert
        released.ExitCode.Should().Be(0, released.Stderr);
        seen.Should().Be(0xB0);
        new FileInfo(link).LinkTarget.Should().Be("../store/real.qcow2");
        HookSandbox.Hash(real).Should().Be(before);
        Directory.GetFileSystemEntries(_sandbox.Images).Should().BeEquivalentTo([link]);
    }

    [Fact]
    public void An_image_another_process_holds_open_is_refused()
    {
        // Arrange: qemu-io keeps the image open read-write (and locked) while it sleeps.
        var image = _sandbox.CreateImage("vm.qcow2");
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda"}]}""");
        using var holder = HoldOpen(image);

        try
        {
            // Act & Assert
            ShouldBeRefusedWithoutTouchingAnything("vm", HookSandbox.DomainXml("vm", ("vda", image)), "is in use by another process");
        }
        finally
        {
            holder.Kill();
            holder.WaitForExit(10_000);
        }
    }

    [Fact]
    public void An_image_qemu_img_cannot_open_is_reported_as_what_qemu_img_said_even_when_its_path_says_lock()
    {
        // Arrange: a qcow2 header qemu-img refuses, in a directory whose name contains "lock".
        var directory = Directory.CreateDirectory(Path.Combine(_sandbox.Images, "blockstore")).FullName;
        var image = Path.Combine(directory, "vm.qcow2");
        File.WriteAllBytes(image, [(byte)'Q', (byte)'F', (byte)'I', 0xFB, 0, 0, 0, 99, .. new byte[504]]);
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda"}]}""");
        var hash = HookSandbox.Hash(image);

        // Act
        var (code, stderr) = _sandbox.Run("vm", "prepare", HookSandbox.DomainXml("vm", ("vda", image)));

        // Assert
        code.Should().Be(1);
        stderr.Should().Contain("qcow2 version 99").And.NotContain("in use by another process");
        HookSandbox.Hash(image).Should().Be(hash);
        Directory.GetFiles(directory).Should().Equal(image);
    }

    /// <summary>
    /// Starts qemu-io holding the image. Checking for its lock with qemu-img while qemu-io starts
    /// would race it (qemu-io gives up if it cannot lock), so look once, after it settled.
    /// </summary>
    private static Process HoldOpen(string image)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var holder = Process.Start(new ProcessStartInfo("qemu-io", ["-f", "qcow2", "-c", "sleep 120000", image]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            Thread.Sleep(500);
            if (!holder.HasExited && LibvirtHook.Tools.ProcessRunner.RunUnchecked("qemu-img", ["info", image]).ExitCode != 0)
                return holder;
            holder.Kill();
            holder.Dispose();
        }

        throw new InvalidOperationException($"qemu-io could not be made to hold \"{image}\" open.");
    }

    [Fact]
    public void A_config_not_owned_by_root_is_refused()
    {
        var image = _sandbox.CreateImage("vm.qcow2");
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda"}]}""");
        LibvirtHook.Tools.ProcessRunner.Run("chown", ["65534", _sandbox.Paths.ConfigFile("vm")]);

        ShouldBeRefusedWithoutTouchingAnything("vm", HookSandbox.DomainXml("vm", ("vda", image)), "is owned by uid 65534, not root; run: chown root");
    }

    [Fact]
    public void A_config_directory_writable_by_others_is_refused()
    {
        var image = _sandbox.CreateImage("vm.qcow2");
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda"}]}""");
        File.SetUnixFileMode(_sandbox.Paths.ConfigDirectory, (UnixFileMode)0b111_111_111);

        ShouldBeRefusedWithoutTouchingAnything("vm", HookSandbox.DomainXml("vm", ("vda", image)), "Config directory");
    }

    [Fact]
    public void A_ten_megabyte_config_is_refused_without_being_parsed()
    {
        var image = _sandbox.CreateImage("vm.qcow2");
        _sandbox.WriteConfig("vm", "{\"disks\": [" + string.Concat(Enumerable.Repeat("{\"target\": \"vda\"},", 400_000)) + "]}");

        ShouldBeRefusedWithoutTouchingAnything("vm", HookSandbox.DomainXml("vm", ("vda", image)), "more than the 1048576 a config may have");
    }

    [Fact]
    public void Domain_xml_with_a_doctype_and_entities_is_refused()
    {
        var image = _sandbox.CreateImage("vm.qcow2");
        _sandbox.WriteConfig("vm", """{"disks": [{"target": "vda"}]}""");
        var xml = """<!DOCTYPE domain [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>""" + HookSandbox.DomainXml("vm", ("vda", image)).Replace("<name>vm</name>", "<name>vm&b;</name>");

        ShouldBeRefusedWithoutTouchingAnything("vm", xml, "not valid XML");
    }
}
