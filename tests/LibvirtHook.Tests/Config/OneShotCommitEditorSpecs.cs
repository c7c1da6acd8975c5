using LibvirtHook.Config;

namespace LibvirtHook.Tests.Config;

public sealed class OneShotCommitEditorSpecs
{
    [Fact]
    public void Set_changes_only_the_flag_of_the_named_disk_and_keeps_comments_and_layout()
    {
        // Arrange
        const string json = """
            // kiosk: the system disk reverts, the data disk too
            {
              "disks": [
                { "target": "vda", "one-shot-commit": true },   /* keep this session */
                { "target": "sdb", "one-shot-commit": true }
              ],
              "restart": { "on": ["shutdown"] }
            }
            """;

        // Act
        var edited = OneShotCommitEditor.Set(json, ["vda"], false);

        // Assert
        edited.Should().Be(json.Replace("\"vda\", \"one-shot-commit\": true", "\"vda\", \"one-shot-commit\": false"));
    }

    [Fact]
    public void Set_adds_the_key_after_the_last_value_when_a_disk_lacks_it()
    {
        const string json = """{"disks": [{"target": "vda"}, {"target": "sdb", "one-shot-commit": false}]}""";

        var edited = OneShotCommitEditor.Set(json, ["vda", "sdb"], true);

        edited.Should().Be("""{"disks": [{"target": "vda", "one-shot-commit": true}, {"target": "sdb", "one-shot-commit": true}]}""");
        ConfigParser.Parse(edited!, "vm.json").Disks.Should().OnlyContain(d => d.OneShotCommit);
    }

    [Fact]
    public void Set_returns_null_when_nothing_changes()
    {
        OneShotCommitEditor.Set("""{"disks": [{"target": "vda", "one-shot-commit": false}]}""", ["vda"], false).Should().BeNull();
        OneShotCommitEditor.Set("""{"disks": [{"target": "vda"}]}""", ["vda"], false).Should().BeNull();
        OneShotCommitEditor.Set("""{"disks": [{"target": "vda", "one-shot-commit": true}]}""", ["sdb"], false).Should().BeNull();
    }

    [Fact]
    public void Set_handles_escaped_strings_and_non_ascii_before_the_flag()
    {
        const string json = "{\"restart\": {\"on\": [\"shutdown\"]}, \"disks\": [{\"target\": \"v\\u0064a\", \"one-shot-commit\": true}], \"x\": \"é\"}";

        var edited = OneShotCommitEditor.Set(json, ["vda"], false);

        edited.Should().Be(json.Replace("true", "false"));
    }
}
