using LibvirtHook.Admin.Inventory;
using LibvirtHook.Admin.Monitoring;
using LibvirtHook.Tools;

namespace LibvirtHook.Tests.Admin.Monitoring;

public sealed class PrometheusTextSpecs
{
    [Fact]
    public void Label_values_escape_backslash_quote_and_line_feed()
    {
        PrometheusText.Escape("a\\b\"c\nd").Should().Be("a\\\\b\\\"c\\nd");
    }

    [Fact]
    public void Every_family_has_help_and_type_before_its_samples_and_labels_name_vm_and_disk()
    {
        // Arrange
        var health = new HostInventory
        {
            At = DateTimeOffset.Now,
            Since = TimeSpan.FromHours(1),
            Vms = [new ManagedVm { Name = "k\"1", Uuid = "8d3c6a2e-0000-4000-8000-000000000001", Running = true, WindowSeconds = 600, Disks = [new ManagedDisk { Target = "vda", Mode = DiskMode.Stateless, OnOverlay = true, OverlayBytes = 4096, VirtualBytes = 1L << 40 }] }],
        };

        // Act
        var text = PrometheusText.Render(health, TimeSpan.FromMilliseconds(12));

        // Assert
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var families = lines.Where(l => !l.StartsWith('#')).Select(l => l[..l.IndexOfAny(['{', ' '])]).Distinct().ToList();
        families.Should().OnlyContain(f => f.StartsWith("libvirt_hook_", StringComparison.Ordinal));
        foreach (var family in families)
        {
            var help = Array.IndexOf(lines, lines.First(l => l.StartsWith($"# HELP {family} ", StringComparison.Ordinal)));
            lines[help + 1].Should().Be($"# TYPE {family} gauge");
        }

        text.Should().Contain("libvirt_hook_overlay_bytes{vm=\"k\\\"1\",disk=\"vda\"} 4096\n")
            .And.Contain("libvirt_hook_disk_virtual_size_bytes{vm=\"k\\\"1\",disk=\"vda\"} 1099511627776\n")
            .And.Contain("libvirt_hook_libvirt_up 1\n");
    }

    [Fact]
    public void Virsh_lists_of_uuid_and_name_keep_names_with_spaces_whole()
    {
        var list = Virsh.ParseUuidNameList("f19b248a-2b3a-4b53-9b3c-13426aa0145f --help\na9631ca1-fe9c-4b5d-95b2-a398809060a9 a b \n\n");

        list.Should().Equal(("f19b248a-2b3a-4b53-9b3c-13426aa0145f", "--help"), ("a9631ca1-fe9c-4b5d-95b2-a398809060a9", "a b "));
    }
}
