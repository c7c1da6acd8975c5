using LibvirtHook.EndToEnd.Support;
using LibvirtHook.Tools;

namespace LibvirtHook.EndToEnd;

/// <summary>
/// The hook is SIGKILLed between every two steps of prepare, release and the one-shot commit
/// (the <c>-c FaultInjection</c> build), driven directly with the domain XML on stdin; then the
/// next real start through libvirtd must boot from the right content and leave no stray file.
/// </summary>
[Collection(PrivateLibvirtCollection.Name)]
public sealed class FaultInjectionSpecs(PrivateLibvirt libvirt) : IDisposable
{
    private readonly TestVms _vms = new(libvirt);

    public void Dispose() => _vms.Dispose();

    private (string Directory, string Image, string Serial, string XmlFile) NewVm(string name, bool commit)
    {
        var vm = _vms.Create(name, GuestEnding.PowerOff, $$"""{"disks": [{"target": "hda", "one-shot-commit": {{(commit ? "true" : "false")}}}]}""");
        var xmlFile = Path.Combine(libvirt.Root, name + ".xml");
        File.WriteAllText(xmlFile, libvirt.Virsh("dumpxml", name).StandardOutput);
        return (vm.Directory, vm.Image, vm.Serial, xmlFile);
    }

    /// <summary>The base is wherever the original file is: beside the overlay while one exists.</summary>
    private static string BaseOf(string image) => File.Exists(image + ".stateless-base") ? image + ".stateless-base" : image;

    private static string Hash(string path) => TestVms.Hash(path);

    private void CleanCycle(string name)
    {
        var before = libvirt.CountLogLines(name, l => l.Ended("release"));
        libvirt.Virsh("start", name);
        libvirt.WaitForReleases(name, before + 1);
        libvirt.WaitForState(name, "shut off");
    }

    private void ShouldLeaveNoStrayFile(string name, string directory)
    {
        TestVms.SettledFileNames(directory).Should().BeEquivalentTo(["disk.qcow2", "serial.log"]);
        File.Exists(libvirt.Paths.JournalFile(name)).Should().BeFalse();
    }

    [Theory]
    [InlineData("prepare:journal-written")]
    [InlineData("prepare:linked")]
    [InlineData("prepare:overlay-created")]
    [InlineData("prepare:renamed")]
    public void A_prepare_killed_at_any_step_loses_nothing_and_the_next_start_boots_from_the_base(string point)
    {
        // Arrange
        var name = "e2e-kill-" + point.Replace(':', '-');
        var (directory, image, serial, xmlFile) = NewVm(name, commit: false);
        var original = Hash(image);

        // Act
        var killed = libvirt.RunHook(libvirt.FaultInjectionHookPath, name, "prepare", xmlFile, killAt: point);
        var baseAfterKill = Hash(BaseOf(image));
        CleanCycle(name);

        // Assert
        killed.ExitCode.Should().Be(137, "the hook must have been killed at the point, not have finished");
        baseAfterKill.Should().Be(original);
        TinyGuest.ReadSerial(serial).Should().Equal(new BootRecord(0x80, 0));
        Hash(image).Should().Be(original);
        ShouldLeaveNoStrayFile(name, directory);
    }

    [Theory]
    [InlineData("commit:journaled", true)]
    [InlineData("commit:committed", true)]
    [InlineData("commit:flag-cleared", true)]
    [InlineData("release:set-aside", true)]
    [InlineData("release:set-aside", false)]
    [InlineData("release:reverted", true)]
    [InlineData("release:reverted", false)]
    public void A_release_or_commit_killed_at_any_step_loses_nothing_and_finishes_a_commit_that_had_begun(string point, bool commit)
    {
        // Arrange: the VM ran and its guest left counter 5 on the overlay.
        var name = "e2e-kill-" + point.Replace(':', '-') + (commit ? "-commit" : "");
        var (directory, image, serial, xmlFile) = NewVm(name, commit);
        var original = Hash(image);
        libvirt.RunHook(libvirt.HookPath, name, "prepare", xmlFile).ExitCode.Should().Be(0);
        ProcessRunner.Run("qemu-io", ["-f", "qcow2", "-c", "write -q -P 5 512 1", image]);

        // Act
        var killed = libvirt.RunHook(libvirt.FaultInjectionHookPath, name, "release", xmlFile, extra: "shutdown", killAt: point);
        var baseCounterAfterKill = TinyGuest.ReadCounter(BaseOf(image));
        var baseHashAfterKill = Hash(BaseOf(image));
        CleanCycle(name);

        // Assert
        killed.ExitCode.Should().Be(137);
        var commitHadBegun = commit && point != "commit:journaled";
        if (commitHadBegun)
            baseCounterAfterKill.Should().Be(5, "a commit that had begun is complete in the base");
        else
            baseHashAfterKill.Should().Be(original);
        TinyGuest.ReadSerial(serial).Should().Equal(new BootRecord(0x80, commit ? 5u : 0u));
        if (commit)
        {
            TinyGuest.ReadCounter(image).Should().Be(5, "the next cycle reverts to the committed base");
            File.ReadAllText(libvirt.ConfigPath(name)).Should().Contain("\"one-shot-commit\": false");
        }
        else
        {
            Hash(image).Should().Be(original);
        }

        ShouldLeaveNoStrayFile(name, directory);
    }

    [Fact]
    public void The_production_binary_has_no_kill_points()
    {
        // Arrange
        const string name = "e2e-kill-production";
        var (directory, image, _, xmlFile) = NewVm(name, commit: false);
        var original = Hash(image);

        // Act
        var prepared = libvirt.RunHook(libvirt.HookPath, name, "prepare", xmlFile, killAt: "prepare:linked");
        var released = libvirt.RunHook(libvirt.HookPath, name, "release", xmlFile, killAt: "release:reverted");

        // Assert
        prepared.ExitCode.Should().Be(0);
        released.ExitCode.Should().Be(0);
        Hash(image).Should().Be(original);
        TestVms.SettledFileNames(directory).Should().BeEquivalentTo(["disk.qcow2"]);
    }
}
