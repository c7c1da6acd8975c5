using LibvirtHook.Config;
using LibvirtHook.Domain;

namespace LibvirtHook.Tests.Config;

public sealed class ConfigParserSpecs
{
    [Fact]
    public void Parse_reads_the_existing_format_unchanged()
    {
        // Arrange
        const string json = """{"disks": [{"target": "vda", "one-shot-commit": false}, {"target": "sdb", "one-shot-commit": true}]}""";

        // Act
        var config = ConfigParser.Parse(json, "vm.json");

        // Assert
        config.Disks.Should().BeEquivalentTo(new[]
        {
            new DiskConfig { Target = "vda", OneShotCommit = false },
            new DiskConfig { Target = "sdb", OneShotCommit = true },
        });
        config.Restart.Should().BeNull();
    }

    [Fact]
    public void Parse_takes_one_shot_commit_as_false_when_it_is_left_out()
    {
        var config = ConfigParser.Parse("""{"disks": [{"target": "vda"}]}""", "vm.json");

        config.Disks.Single().OneShotCommit.Should().BeFalse();
    }

    [Fact]
    public void Parse_takes_the_base_format_as_qcow2_unless_the_admin_says_raw()
    {
        var config = ConfigParser.Parse("""{"disks": [{"target": "vda"}, {"target": "vdb", "base-format": "raw"}, {"target": "vdc", "base-format": "qcow2"}]}""", "vm.json");

        config.Disks.Select(d => d.BaseFormat).Should().Equal(LibvirtHook.Tools.ImageFormat.Qcow2, LibvirtHook.Tools.ImageFormat.Raw, LibvirtHook.Tools.ImageFormat.Qcow2);
    }

    [Fact]
    public void Parse_gives_an_empty_restart_section_the_documented_defaults()
    {
        var config = ConfigParser.Parse("""{"restart": {}}""", "vm.json");

        config.Disks.Should().BeEmpty();
        config.Restart.Should().BeEquivalentTo(new RestartPolicy
        {
            On = [ShutoffReason.Shutdown, ShutoffReason.Crashed],
            DelaySeconds = 0,
            MaxRestarts = 5,
            WindowSeconds = 600,
        });
    }

    [Fact]
    public void Parse_takes_every_reason_as_libvirt_passes_it_to_release()
    {
        const string json = """
            { "restart": { "on": ["shutdown", "destroyed", "crashed", "failed", "unknown", "daemon", "from snapshot", "from-snapshot"] } }
            """;

        var config = ConfigParser.Parse(json, "vm.json");

        config.Restart!.On.Should().Equal(
            ShutoffReason.Shutdown, ShutoffReason.Destroyed, ShutoffReason.Crashed, ShutoffReason.Failed,
            ShutoffReason.Unknown, ShutoffReason.Daemon, ShutoffReason.FromSnapshot);
    }

    [Fact]
    public void Parse_reads_every_restart_key()
    {
        const string json = """
            { "restart": { "on": ["shutdown", "destroyed"], "delay-seconds": 2, "max-restarts": 3, "window-seconds": 60 } }
            """;

        var config = ConfigParser.Parse(json, "vm.json");

        config.Restart.Should().BeEquivalentTo(new RestartPolicy { On = [ShutoffReason.Shutdown, ShutoffReason.Destroyed], DelaySeconds = 2, MaxRestarts = 3, WindowSeconds = 60 });
    }

    [Theory]
    [InlineData("""{"disks": [{"target": "vda", "one-shot-comit": true}]}""", "disks[0] has unknown key \"one-shot-comit\"", "did you mean \"one-shot-commit\"")]
    [InlineData("""{"disk": []}""", "the top level has unknown key \"disk\"", "did you mean \"disks\"")]
    [InlineData("""{"restart": {"delay": 3}}""", "restart has unknown key \"delay\"", "did you mean \"delay-seconds\"")]
    public void Parse_names_the_nearest_known_key_for_an_unknown_one(string json, string problem, string suggestion)
    {
        var act = () => ConfigParser.Parse(json, "/etc/libvirt/hooks/config/vm.json");

        act.Should().Throw<ConfigException>()
            .Which.Message.Should().ContainAll("/etc/libvirt/hooks/config/vm.json", problem, suggestion);
    }

    [Theory]
    [InlineData("""{"disks": [{"target": "vda",}]}""", "is not valid JSON")]
    [InlineData("""[]""", "must hold a JSON object")]
    [InlineData("""{"disks": {"target": "vda"}}""", "\"disks\" must be a list")]
    [InlineData("""{"disks": ["vda"]}""", "disks[0] must be an object")]
    [InlineData("""{"disks": [{"one-shot-commit": true}]}""", "disks[0] has no \"target\"")]
    [InlineData("""{"disks": [{"target": 1}]}""", "disks[0].target must be a disk name string")]
    [InlineData("""{"disks": [{"target": ""}]}""", "disks[0].target must be a disk name string")]
    [InlineData("""{"disks": [{"target": "vda", "one-shot-commit": "true"}]}""", "disks[0].one-shot-commit must be true or false")]
    [InlineData("""{"disks": [{"target": "vda", "base-format": "vmdk"}]}""", "disks[0].base-format must be \"qcow2\" or \"raw\"")]
    [InlineData("""{"disks": [{"target": "vda", "base-format": 2}]}""", "disks[0].base-format must be \"qcow2\" or \"raw\"")]
    [InlineData("""{"disks": [{"target": "vda"}, {"target": "vda"}]}""", "names disk \"vda\" twice")]
    [InlineData("""{"disks": [], "disks": []}""", "has key \"disks\" twice")]
    [InlineData("""{"restart": []}""", "\"restart\" must be an object")]
    [InlineData("""{"restart": {"on": "shutdown"}}""", "restart.on must be a list")]
    [InlineData("""{"restart": {"on": ["reboot"]}}""", "restart.on holds a string (\"reboot\"), which is not a shut-off reason")]
    [InlineData("""{"restart": {"on": ["saved"]}}""", "a saved or migrated VM is never restarted")]
    [InlineData("""{"restart": {"delay-seconds": -1}}""", "restart.delay-seconds must be a whole number from 0 to 3600")]
    [InlineData("""{"restart": {"max-restarts": 1.5}}""", "restart.max-restarts must be a whole number")]
    [InlineData("""{"restart": {"window-seconds": 0}}""", "restart.window-seconds must be a whole number from 1")]
    public void Parse_refuses_a_broken_config_with_a_sentence_that_says_what_is_wrong(string json, string expected)
    {
        var act = () => ConfigParser.Parse(json, "vm.json");

        act.Should().Throw<ConfigException>()
            .Which.Message.Should().StartWith("Config \"vm.json\" ").And.Contain(expected).And.NotContain("\n");
    }
}
