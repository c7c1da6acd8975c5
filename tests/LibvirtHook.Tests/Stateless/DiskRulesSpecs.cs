using LibvirtHook.Domain;
using LibvirtHook.Stateless;
using LibvirtHook.Tests.Support;

namespace LibvirtHook.Tests.Stateless;

/// <summary>The one rule for which disks can be stateless and the one sentence about stray files, as prepare, enable and validate use them.</summary>
public sealed class DiskRulesSpecs : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static DomainDisk Disk(string device = "disk", string type = "file", string? source = "/img/a.qcow2", string? driver = "qcow2", bool readOnly = false) =>
        new() { Target = "vda", Device = device, Type = type, SourceFile = source, DriverType = driver, ReadOnly = readOnly };

    [Theory]
    [InlineData("disk", "file", "/img/a.qcow2", "qcow2", false, false, null)]
    [InlineData("cdrom", "file", "/img/a.iso", "raw", false, false, "NotADisk")]
    [InlineData("disk", "block", null, "raw", false, false, "NotAnImageFile")]
    [InlineData("disk", "file", null, "qcow2", false, false, "NotAnImageFile")]
    [InlineData("disk", "file", "/img/a.img", "raw", false, false, "NotQcow2")]
    [InlineData("disk", "file", "/img/a.img", "raw", false, true, null)]
    [InlineData("disk", "file", "/img/a.vmdk", "vmdk", false, true, "NotQcow2")]
    [InlineData("disk", "file", "/img/a.qcow2", "qcow2", true, false, "ReadOnly")]
    // Prepare's order: the driver is named before read-only, so enable's list says what prepare would.
    [InlineData("disk", "file", "/img/a.img", "raw", true, false, "NotQcow2")]
    [InlineData("disk", "file", "/img/a.img", "raw", true, true, "ReadOnly")]
    public void A_disk_is_refused_for_the_first_thing_prepare_checks(string device, string type, string? source, string driver, bool readOnly, bool rawBase, string? expected)
    {
        // Arrange
        var disk = Disk(device, type, source, driver, readOnly);

        // Act
        var refusal = DiskRules.RefusalOf(disk, rawBase);

        // Assert
        refusal?.ToString().Should().Be(expected);
        (refusal is null).Should().Be(expected is null);
    }

    [Fact]
    public void Enable_words_a_refusal_briefly_with_the_disk_s_own_values()
    {
        DiskRules.Briefly(DiskRefusal.NotADisk, Disk(device: "cdrom")).Should().Be("a cdrom");
        DiskRules.Briefly(DiskRefusal.NotAnImageFile, Disk(type: "network", source: null)).Should().Be("a network disk, not an image file");
        DiskRules.Briefly(DiskRefusal.NotQcow2, Disk(driver: "raw")).Should().Be("driver raw; a stateless disk needs <driver type='qcow2'/>");
        DiskRules.Briefly(DiskRefusal.ReadOnly, Disk(readOnly: true)).Should().Be("read-only");
    }

    [Fact]
    public void Stray_files_are_the_base_and_new_names_that_exist_and_say_what_to_do()
    {
        // Arrange
        var image = _temp.File("a.qcow2");
        File.WriteAllText(image + ".stateless-new", "");

        // Act
        var strays = StrayFile.Find(image, "/state/a.journal.json", path => File.Exists(path));

        // Assert
        strays.Should().ContainSingle().Which.Path.Should().Be(image + ".stateless-new");
        strays[0].Problem.Should().Be(
            $"\"{image}.stateless-new\" exists but the hook has no record of it (was its state in \"/state/a.journal.json\" lost?); it may be the real base of \"{image}\": check both, keep the right one at \"{image}\" and remove \"{image}.stateless-new\"; until then prepare refuses to start the VM.");
    }
}
