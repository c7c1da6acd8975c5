using System.Text.Json;
using LibvirtHook.EndToEnd.Support;
using LibvirtHook.Tools;

namespace LibvirtHook.EndToEnd.Adversarial;

/// <summary>
/// Issue 15, defect 2: the guest, which chooses every byte of its disk, and whose bytes a one-shot
/// commit keeps. The base's format comes from the admin ("base-format"), never from those bytes.
/// The guest's writes are made through QEMU's own block layer (HMP qemu-io on the guest's disk),
/// exactly where a guest's writes land.
/// </summary>
[Collection(PrivateLibvirtCollection.Name)]
public sealed class GuestSpecs(PrivateLibvirt libvirt) : IDisposable
{
    private readonly TestVms _vms = new(libvirt);

    public void Dispose() => _vms.Dispose();

    [Fact]
    public void A_qcow2_header_a_guest_wrote_into_a_raw_base_is_committed_as_data_and_never_followed()
    {
        // Arrange
        const string name = "e2e-guest-header";
        var vm = _vms.Create(name, GuestEnding.Halt, """{"disks": [{"target": "hda", "one-shot-commit": true, "base-format": "raw"}]}""", diskFile: "disk.img", format: "raw");
        using var victim = Victim.File(libvirt.Root);
        var header = GuestWrittenHeader(victim);
        libvirt.Virsh("start", "--domain", name);
        PrivateLibvirt.WaitFor(() => TinyGuest.CountFinishedBoots(vm.Serial) == 1, "the guest's first boot");

        // Act: the guest writes a qcow2 image whose backing file is the victim over its own disk's start; the release commits it.
        libvirt.Virsh("qemu-monitor-command", "--domain", name, "--hmp", $"qemu-io -d ide0-0-0 \"write -s {header} 0 {new FileInfo(header).Length}\"")
            .StandardOutput.Trim().Should().BeEmpty("qemu-io prints nothing when the write worked");
        libvirt.Virsh("destroy", "--domain", name);
        libvirt.WaitForReleases(name, 1);
        libvirt.WaitForState(name, "shut off");
        var committed = File.ReadAllBytes(vm.Image).AsSpan(0, 4).ToArray();
        libvirt.Virsh("start", "--domain", name);
        var running = JsonDocument.Parse(ProcessRunner.Run("qemu-img", ["info", "-U", "--output=json", vm.Image]).StandardOutput).RootElement;
        victim.ShouldBeUnchanged("while the VM runs on the committed base");
        libvirt.Virsh("destroy", "--domain", name);
        libvirt.WaitForReleases(name, 2);

        // Assert
        committed.Should().Equal([(byte)'Q', (byte)'F', (byte)'I', 0xFB], "the commit must have put the guest's bytes into the raw base (else this spec proves nothing)");
        running.GetProperty("backing-filename-format").GetString().Should().Be("raw", "the base's format comes from the config, not from the guest's bytes");
        victim.ShouldBeUnchanged("after the VM stopped");
    }

    [Fact]
    public void A_raw_base_without_base_format_raw_is_refused_at_prepare_and_nothing_is_touched()
    {
        // Arrange
        const string name = "e2e-raw-unnamed";
        var vm = _vms.Create(name, GuestEnding.PowerOff, """{"disks": [{"target": "hda"}]}""", diskFile: "disk.img", format: "raw");
        var before = Directory.GetFiles(vm.Directory).ToDictionary(f => f, TestVms.Hash);

        // Act
        var result = libvirt.VirshUnchecked("start", "--domain", name);
        libvirt.WaitForReleases(name, 1);

        // Assert
        result.ExitCode.Should().NotBe(0);
        result.StandardError.Should().Contain("base-format");
        libvirt.DomainState(name).Should().Be("shut off");
        Directory.GetFiles(vm.Directory).ToDictionary(f => f, TestVms.Hash).Should().Equal(before);
        TinyGuest.ReadSerial(vm.Serial).Should().BeEmpty();
    }

    /// <summary>A small qcow2 image backed by the victim (raw), padded to whole sectors, readable by QEMU's user.</summary>
    private string GuestWrittenHeader(Victim victim)
    {
        var directory = Directory.CreateDirectory(Path.Combine(libvirt.Root, "guest-bytes")).FullName;
        File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
        var path = Path.Combine(directory, "header.qcow2");
        ProcessRunner.Run("qemu-img", ["create", "-q", "-f", "qcow2", "-u", "-b", victim.Path, "-F", "raw", path, "1M"]);
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Write))
            file.SetLength((file.Length + 511) / 512 * 512);
        File.SetUnixFileMode(path, (UnixFileMode)0b110_100_100);
        return path;
    }
}
