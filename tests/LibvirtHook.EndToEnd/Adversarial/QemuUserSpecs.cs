using LibvirtHook.EndToEnd.Support;
using static LibvirtHook.Logging.LogCatalog;

namespace LibvirtHook.EndToEnd.Adversarial;

/// <summary>
/// Issue 15, defects 3 and 4: QEMU's user (libvirt-qemu), which owns the overlay's bytes for the
/// run, header included, and which every VM's QEMU runs as under DAC. Root writes into the
/// overlay here, with the VM paused, as that user could; the commit at release must refuse what
/// it finds, and no image may be left to that user.
/// </summary>
[Collection(PrivateLibvirtCollection.Name)]
public sealed class QemuUserSpecs(PrivateLibvirt libvirt) : IDisposable
{
    private readonly TestVms _vms = new(libvirt);

    public void Dispose() => _vms.Dispose();

    /// <summary>What QEMU's user does to the overlay's header.</summary>
    public enum Tamper
    {
        BackingNamesTheVictim,
        BackingFormatChanged,
        ExternalDataFileNamesTheVictim,
        NotQcow2,
        Truncated,
    }

    [Theory]
    [InlineData(Tamper.BackingNamesTheVictim)]
    [InlineData(Tamper.BackingFormatChanged)]
    [InlineData(Tamper.ExternalDataFileNamesTheVictim)]
    [InlineData(Tamper.NotQcow2)]
    [InlineData(Tamper.Truncated)]
    public void A_tampered_overlay_is_not_committed_the_other_disk_reverts_and_the_next_start_boots_from_the_base(Tamper tamper)
    {
        // Arrange: hda commits once, hdb is stateless without a commit.
        var name = "e2e-tamper-" + tamper.ToString().ToLowerInvariant();
        var vm = _vms.Create(
            name, GuestEnding.Halt, """{"disks": [{"target": "hda", "one-shot-commit": true}, {"target": "hdb"}]}""", extraDisks: ("hdb", "data.qcow2"));
        var data = Path.Combine(vm.Directory, "data.qcow2");
        using var victim = Victim.File(libvirt.Root);
        var (baseHash, dataHash) = (TestVms.Hash(vm.Image), TestVms.Hash(data));
        libvirt.Virsh("start", "--domain", name);
        PrivateLibvirt.WaitFor(() => TinyGuest.CountFinishedBoots(vm.Serial) == 1, "the guest's first boot");
        // The guest's counter reaches the overlay's file, so a wrong commit would change the base.
        libvirt.Virsh("qemu-monitor-command", "--domain", name, "--hmp", "qemu-io -d ide0-0-0 \"flush\"");
        libvirt.Virsh("suspend", "--domain", name);

        // Act
        TamperWith(vm.Image, tamper, victim);
        libvirt.Virsh("destroy", "--domain", name);
        libvirt.WaitForReleases(name, 1);
        libvirt.WaitForState(name, "shut off");
        var baseAfterRelease = TestVms.Hash(BaseOf(vm.Image));
        var dataAfterRelease = (BaseLeftBeside: FileFacts.Of(data + ".stateless-base").Kind, Hash: TestVms.Hash(data));
        victim.ShouldBeUnchanged("after the release");
        libvirt.Virsh("start", "--domain", name);
        PrivateLibvirt.WaitFor(() => TinyGuest.CountFinishedBoots(vm.Serial) == 2, "the guest's second boot");
        libvirt.Virsh("destroy", "--domain", name);
        libvirt.WaitForReleases(name, 2);

        // Assert
        baseAfterRelease.Should().Be(baseHash, "the base must not be committed into from a tampered overlay");
        dataAfterRelease.Should().Be((FileFacts.Missing, dataHash), "the other disk must still be reverted to its base");
        victim.ShouldBeUnchanged("after the next start and stop");
        libvirt.LogLines(name).Should().Contain(
            l => l.ErrorAbout("release", "hda", vm.Image),
            "the release must say which disk was not committed, and why");
        TinyGuest.ReadSerial(vm.Serial).Where(b => b.Drive == 0x80).Select(b => b.Seen)
            .Should().Equal([0u, 0u], "the next start must boot from the base, not from the tampered overlay");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_golden_image_gets_back_its_owner_and_mode_after_a_start_and_stop(bool commit)
    {
        // Arrange: root:root 0600 in a root-owned directory.
        var name = "e2e-golden-owner" + (commit ? "-commit" : "");
        var vm = _vms.Create(name, GuestEnding.PowerOff, $$"""{"disks": [{"target": "hda", "one-shot-commit": {{(commit ? "true" : "false")}}}]}""");
        File.SetUnixFileMode(vm.Image, (UnixFileMode)0b110_000_000);
        var before = FileFacts.Of(vm.Image);

        // Act
        libvirt.Virsh("start", "--domain", name);
        libvirt.WaitForReleases(name, 1);
        libvirt.WaitForState(name, "shut off");

        // Assert
        before.Should().Be(new FileFacts("regular file", 0, 0, 0b110_000_000));
        FileFacts.Of(vm.Image).Should().Be(before, "QEMU's user must not keep the golden image after the VM stopped");
        libvirt.LogLines(name).Should().Contain(l => l.Ended("release", Outcomes.Ok));
    }

    /// <summary>The base is wherever the original file is: beside the overlay while one exists.</summary>
    private static string BaseOf(string image) => File.Exists(image + ".stateless-base") ? image + ".stateless-base" : image;

    private static void TamperWith(string overlay, Tamper tamper, Victim victim)
    {
        var backing = Qcow2Tamper.BackingFileOf(overlay);
        switch (tamper)
        {
            case Tamper.BackingNamesTheVictim:
                Qcow2Tamper.Rewrite(overlay, new Qcow2Tamper.Chain(victim.Path, "raw", null));
                break;
            case Tamper.BackingFormatChanged:
                Qcow2Tamper.Rewrite(overlay, new Qcow2Tamper.Chain(backing, "raw", null));
                break;
            case Tamper.ExternalDataFileNamesTheVictim:
                Qcow2Tamper.Rewrite(overlay, new Qcow2Tamper.Chain(backing, "qcow2", victim.Path));
                break;
            case Tamper.NotQcow2:
                Qcow2Tamper.BreakMagic(overlay);
                break;
            case Tamper.Truncated:
                Qcow2Tamper.Truncate(overlay, 72);
                break;
        }
    }
}
