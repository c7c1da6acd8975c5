using LibvirtHook.Admin.Onboarding;
using LibvirtHook.Domain;

namespace LibvirtHook.Tests.Admin.Onboarding;

public sealed class OnRebootEditorSpecs
{
    private const string Definition = """
        <domain type='kvm'>
          <name>kiosk</name>
          <metadata>
            <app:policy xmlns:app="http://example.com/app">
              <on_reboot>restart</on_reboot>
            </app:policy>
          </metadata>
          <on_poweroff>destroy</on_poweroff>
          <on_reboot>restart</on_reboot>
          <on_crash>destroy</on_crash>
          <devices>
            <graphics type='vnc' port='-1' passwd='s3cret'/>
          </devices>
        </domain>
        """;

    [Fact]
    public void It_changes_only_the_domains_own_on_reboot_and_keeps_every_other_byte()
    {
        // Act
        var edited = OnRebootEditor.SetDestroy(Definition);

        // Assert
        edited.Should().Be(Definition.Replace("  <on_reboot>restart</on_reboot>\n  <on_crash>", "  <on_reboot>destroy</on_reboot>\n  <on_crash>"));
        DomainXml.Parse(edited!).OnReboot.Should().Be("destroy");
    }

    [Fact]
    public void A_domain_that_already_destroys_on_reboot_needs_no_edit()
    {
        OnRebootEditor.SetDestroy(Definition.Replace("  <on_reboot>restart</on_reboot>\n  <on_crash>", "  <on_reboot>destroy</on_reboot>\n  <on_crash>")).Should().BeNull();
    }

    [Fact]
    public void A_definition_without_on_reboot_gets_one_after_on_poweroff()
    {
        // Arrange
        var without = Definition.Replace("  <on_reboot>restart</on_reboot>\n  <on_crash>", "  <on_crash>");

        // Act
        var edited = OnRebootEditor.SetDestroy(without);

        // Assert
        edited.Should().Contain("<on_poweroff>destroy</on_poweroff>\n  <on_reboot>destroy</on_reboot>\n  <on_crash>");
        DomainXml.Parse(edited!).OnReboot.Should().Be("destroy");
    }

    [Fact]
    public void Without_on_reboot_libvirts_default_restart_counts()
    {
        DomainXml.Parse("<domain><name>x</name></domain>").OnReboot.Should().Be("restart");
    }
}
