using System.Diagnostics;
using LibvirtHook.EndToEnd.Support;
using LibvirtHook.Tools;
using Xunit.Abstractions;

namespace LibvirtHook.EndToEnd.Adversarial;

/// <summary>
/// Issue 15, defects 1 and 3 (base swapped): an unprivileged user (uid 4242, no groups) who owns
/// the VM's image directory, and the image in it, as a virt-manager user with images under their
/// home does. They may create, rename and remove entries there at any moment; they must never get
/// the root hook to create, truncate, write, chmod, chown, rename or remove anything but the
/// disk's own files.
/// </summary>
[Collection(PrivateLibvirtCollection.Name)]
public sealed class ImageDirectoryOwnerSpecs(PrivateLibvirt libvirt, ITestOutputHelper output) : IDisposable
{
    private const int Tries = 20;

    private readonly TestVms _vms = new(libvirt);

    public void Dispose() => _vms.Dispose();

    /// <summary>Every name the hook creates beside the image.</summary>
    public static TheoryData<string, Adversary.Plant> NamesAndPlants()
    {
        var data = new TheoryData<string, Adversary.Plant>();
        foreach (var suffix in new[] { ".stateless-base", ".stateless-new", ".stateless-discard" })
        {
            foreach (var plant in Enum.GetValues<Adversary.Plant>())
                data.Add(suffix, plant);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(NamesAndPlants))]
    public void A_directory_owner_racing_a_name_the_hook_creates_never_gets_root_to_touch_another_file(string suffix, Adversary.Plant plant)
    {
        // Arrange: the directory and the image belong to the adversary.
        var name = $"e2e-race{suffix.Replace(".stateless", "")}-{plant}".ToLowerInvariant();
        var vm = _vms.Create(name, GuestEnding.Halt, """{"disks": [{"target": "hda"}]}""");
        using var victim = Victim.File(libvirt.Root);
        FileFacts.Chown(vm.Directory, Adversary.Uid, Adversary.Uid);
        FileFacts.Chown(vm.Image, Adversary.Uid, Adversary.Uid);
        var imageFacts = FileFacts.Of(vm.Image);
        var original = TestVms.Hash(vm.Image);
        var target = vm.Image + suffix;
        var (started, refused) = (0, 0);
        var watch = Stopwatch.StartNew();

        for (var attempt = 1; attempt <= Tries; attempt++)
        {
            // Act: the base's name is the first the hook makes, so it can only be taken before the
            // start; the others are taken before it on even tries, raced on odd ones.
            var when = $"after try {attempt} of {Tries} ({plant} at \"{target}\")";
            RemovePlanted(vm.Image);
            var releases = libvirt.CountLogLines(name, l => l.Ended("release"));
            var errors = libvirt.CountLogLines(name, l => l.ErrorAbout("release", "hda", vm.Image));
            Process? racer = null;
            if (suffix == ".stateless-base" || attempt % 2 == 0)
                Adversary.PlantNow(plant, target, victim);
            else
                racer = Adversary.StartRace(vm.Image + ".stateless-base", plant, target, victim);
            ProcessResult start;
            try
            {
                start = BoundedStart(name);
                if (start.ExitCode == 0)
                {
                    started++;
                    racer?.WaitForExit(30_000);
                    libvirt.Virsh("destroy", "--domain", name);
                }
                else
                {
                    refused++;
                }
            }
            finally
            {
                if (racer is not null)
                    Adversary.Stop(racer);
            }

            libvirt.WaitForReleases(name, releases + 1);
            libvirt.WaitForState(name, "shut off");
            WaitForDiscardWorker(vm.Image);

            // Assert
            victim.ShouldBeUnchanged(when);
            if (start.ExitCode != 0)
                start.StandardError.Should().Contain(vm.Directory, $"a refused start must name the path to fix ({when})");
            ImageShouldHoldTheBase(name, vm.Image, original, errors, when);
            FileFacts.Of(vm.Image).Should().Be(imageFacts, $"the image must keep its owner and mode {when}");
        }

        output.WriteLine($"{Tries} tries of {plant} at \"{suffix}\": {started} started, {refused} refused, {watch.ElapsedMilliseconds} ms in all");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_base_swapped_for_a_symlink_during_the_run_is_neither_committed_into_nor_put_back_and_the_admin_is_told(bool commit)
    {
        // Arrange: the victim is another VM's golden image, which a commit would happily write into.
        var name = "e2e-swapped-base" + (commit ? "-commit" : "");
        var vm = _vms.Create(name, GuestEnding.Halt, $$"""{"disks": [{"target": "hda", "one-shot-commit": {{(commit ? "true" : "false")}}}]}""");
        using var victim = Victim.QcowImage(libvirt.Root);
        FileFacts.Chown(vm.Directory, Adversary.Uid, Adversary.Uid);
        FileFacts.Chown(vm.Image, Adversary.Uid, Adversary.Uid);
        var original = TestVms.Hash(vm.Image);
        var aside = vm.Image + ".mine";
        libvirt.Virsh("start", "--domain", name);
        PrivateLibvirt.WaitFor(() => TinyGuest.CountFinishedBoots(vm.Serial) == 1, "the guest's boot");

        // Act: the owner moves the real base aside and links its name to the victim, then the VM stops.
        Adversary.SwapForSymlink(vm.Image + ".stateless-base", aside, victim.Path);
        libvirt.Virsh("destroy", "--domain", name);
        libvirt.WaitForReleases(name, 1);
        libvirt.WaitForState(name, "shut off");

        // Assert
        victim.ShouldBeUnchanged("after the release");
        FileFacts.Of(vm.Image).IsRegularFile.Should().BeTrue("the hook must not rename the owner's symlink to the image's name");
        TestVms.Hash(aside).Should().Be(original, "the real base, moved aside by its owner, must be untouched");
        libvirt.LogLines(name).Should().Contain(
            l => l.ErrorAbout("release", "hda", vm.Image + ".stateless-base"),
            "the admin must be told which disk was left as it is, and why");
    }

    /// <summary>A start bounded in time: a hook stuck on a FIFO fails the spec instead of blocking the suite.</summary>
    private ProcessResult BoundedStart(string name)
    {
        var result = libvirt.InNamespaceUnchecked("timeout", "30", "virsh", "-q", "-c", "qemu:///system", "start", "--domain", name);
        result.ExitCode.Should().NotBe(124, $"\"virsh start {name}\" must not hang (a FIFO must never be opened for writing)");
        return result;
    }

    /// <summary>
    /// Nothing lost: the base's bytes are at the image's name; or, where the hook found a name
    /// taken and left the disk as it was, still at the base's name, and the release said so.
    /// Then the admin's repair, so the next try starts from a clean directory.
    /// </summary>
    private void ImageShouldHoldTheBase(string name, string image, string original, int errorsBefore, string when)
    {
        FileFacts.Of(image).IsRegularFile.Should().BeTrue($"the image's name must hold a regular file {when}");
        if (TestVms.Hash(image) == original)
            return;
        var baseName = image + ".stateless-base";
        FileFacts.Of(baseName).IsRegularFile.Should().BeTrue($"the base's bytes are not at \"{image}\" {when}, so they must still be at \"{baseName}\"");
        TestVms.Hash(baseName).Should().Be(original, $"the base must be byte-identical {when}");
        libvirt.CountLogLines(name, l => l.ErrorAbout("release", "hda", image))
            .Should().BeGreaterThan(errorsBefore, $"a release that left the disk on its overlay must log an error about it {when}");
        File.Move(baseName, image, overwrite: true);
        File.Delete(libvirt.Paths.JournalFile(name));
    }

    /// <summary>Removes, as root, whatever the adversary left at the hook's names (never a regular file: those are the hook's).</summary>
    private static void RemovePlanted(string image)
    {
        foreach (var suffix in new[] { ".stateless-base", ".stateless-new", ".stateless-discard" })
        {
            var path = image + suffix;
            var facts = FileFacts.Of(path);
            if (facts.Kind == "directory")
                Directory.Delete(path, recursive: true);
            else if (facts.Kind != FileFacts.Missing && !facts.IsRegularFile)
                File.Delete(path);
        }
    }

    private static void WaitForDiscardWorker(string image) =>
        PrivateLibvirt.WaitFor(() => !FileFacts.Of(image + ".stateless-discard").IsRegularFile, $"the discard worker to remove \"{image}.stateless-discard\"");
}
