using LibvirtHook.EndToEnd.Support;
using LibvirtHook.Logging;
using static LibvirtHook.Logging.LogCatalog;

namespace LibvirtHook.EndToEnd;

/// <summary>Many managed VMs started and stopped at once: every disk reverts, the log stays whole.</summary>
[Collection(PrivateLibvirtCollection.Name)]
public sealed class LoadSpecs(PrivateLibvirt libvirt) : IDisposable
{
    private const int Vms = 20;
    private const int Rounds = 5;
    private readonly TestVms _vms = new(libvirt);

    public void Dispose() => _vms.Dispose();

    [Fact]
    public void Twenty_managed_vms_started_and_stopped_together_five_times_all_revert_and_every_log_line_is_whole()
    {
        // Arrange
        var vms = Enumerable.Range(1, Vms).Select(i =>
        {
            var vm = _vms.Create($"e2e-load-{i:D2}", GuestEnding.Halt, """{"disks": [{"target": "hda"}]}""");
            return (vm.Name, vm.Image, vm.Serial, Original: Hash(vm.Image));
        }).ToList();
        var linesBefore = libvirt.ReadHooksLog().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;

        // Act & Assert, round by round
        for (var round = 1; round <= Rounds; round++)
        {
            Parallel.ForEach(vms, new ParallelOptions { MaxDegreeOfParallelism = Vms }, vm => libvirt.Virsh("start", vm.Name));
            foreach (var vm in vms)
                PrivateLibvirt.WaitFor(() => TinyGuest.CountFinishedBoots(vm.Serial) == round, $"boot {round} of {vm.Name}", 120);
            Parallel.ForEach(vms, new ParallelOptions { MaxDegreeOfParallelism = Vms }, vm => libvirt.Virsh("destroy", vm.Name));
            foreach (var vm in vms)
                libvirt.WaitForReleases(vm.Name, round, 60);

            foreach (var vm in vms)
            {
                Hash(vm.Image).Should().Be(vm.Original, $"{vm.Name} must revert after round {round}");
                TinyGuest.ReadSerial(vm.Serial).Should().HaveCount(round).And.AllSatisfy(b => b.Should().Be(new BootRecord(0x80, 0)));
            }
        }

        // Assert: the log. Every raw line must read back whole through the log's own catalogue.
        var raw = libvirt.ReadHooksLog().Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(linesBefore).ToList();
        var lines = raw.Select(l => LogLine.TryParse(l, out var line) ? line : null).ToList();
        lines.Should().AllSatisfy(l => l.Should().NotBeNull("every line must be whole"));
        foreach (var vm in vms)
        {
            var own = lines.OfType<LogLine>().Where(l => l.Vm == vm.Name).ToList();
            // Per cycle: prepare (disk + outcome), start, started, stopped, release (disk + outcome).
            own.Should().HaveCount(7 * Rounds, $"no line of {vm.Name} may be lost");
            foreach (var operation in new[] { "prepare", "start", "started", "stopped", "release" })
                own.Count(l => l.Ended(operation, Outcomes.Ok)).Should().Be(Rounds);
            // One call's lines for a VM are never split by another call's for the same VM.
            var pids = own.Select(l => l.Pid).ToList();
            pids.Where((pid, i) => i == 0 || pid != pids[i - 1]).Should().OnlyHaveUniqueItems("a call's lines must be contiguous");
        }
    }

    private static string Hash(string path) => TestVms.Hash(path);
}
