namespace LibvirtHook.Tests;

public sealed class FileNamesSpecs
{
    [Theory]
    [InlineData("kiosk-1.lab", "kiosk-1.lab")]
    [InlineData("my vm", "my%20vm")]
    [InlineData("-rf", "%2Drf")]
    [InlineData("..", "%2E.")]
    [InlineData("a/b", "a%2Fb")]
    [InlineData("$(reboot)", "%24%28reboot%29")]
    [InlineData("é", "%C3%A9")]
    public void Escape_makes_any_domain_name_a_plain_file_name(string name, string expected)
    {
        FileNames.Escape(name).Should().Be(expected);
    }

    [Fact]
    public void A_long_non_ascii_name_becomes_a_readable_prefix_and_a_hash_that_fits_every_state_file()
    {
        // Arrange: 100 Cyrillic letters are 200 bytes, 600 once escaped.
        var name = string.Concat(Enumerable.Repeat("вм", 50));
        var other = name[..^1] + "x";

        // Act
        var escaped = FileNames.Escape(name);

        // Assert
        escaped.Length.Should().BeLessThanOrEqualTo(FileNames.MaxReadableLength);
        escaped.Should().StartWith("%D0%B2%D0%BC").And.MatchRegex("^(%[0-9A-F]{2})+~[0-9A-F]{32}$");
        FileNames.Escape(other).Should().NotBe(escaped);
        FileNames.Escape(name).Should().Be(escaped, "the same name must always find the same files");
        var paths = HookPaths.Default;
        new[] { paths.JournalFile(name), paths.LockFile(name), paths.RestartHistoryFile(name), paths.RestartLockFile(name), paths.HoldFile(name), paths.RefreshFile(name) }
            .Should().OnlyContain(p => Path.GetFileName(p).Length <= 255, "every state file's name fits in a file name");
    }

    [Fact]
    public void A_name_that_fits_stays_readable()
    {
        var name = new string('a', FileNames.MaxReadableLength);

        FileNames.Escape(name).Should().Be(name);
        FileNames.Escape(name + "b").Should().Contain("~").And.StartWith("aaaa");
    }

    [Fact]
    public void The_hook_runs_a_full_cycle_for_a_long_non_ascii_name()
    {
        // Arrange
        using var sandbox = new Support.HookSandbox();
        var name = string.Concat(Enumerable.Repeat("вм", 50));
        var image = sandbox.CreateImage("vm.qcow2");
        sandbox.WriteConfig(name, """{"disks": [{"target": "vda"}], "restart": {"on": ["destroyed"]}}""");
        var xml = Support.HookSandbox.DomainXml(name, ("vda", image));
        var before = Support.HookSandbox.Hash(image);

        // Act
        var prepared = sandbox.Run(name, "prepare", xml);
        Support.HookSandbox.WritePattern(image, 0x42);
        var released = sandbox.Run(name, "release", xml, extra: "shutdown");

        // Assert
        prepared.ExitCode.Should().Be(0, prepared.Stderr);
        released.ExitCode.Should().Be(0, released.Stderr);
        Support.HookSandbox.Hash(image).Should().Be(before);
        Directory.GetFiles(sandbox.Paths.StateDirectory).Should().OnlyContain(f => Path.GetFileName(f).Length <= 255);
    }
}
