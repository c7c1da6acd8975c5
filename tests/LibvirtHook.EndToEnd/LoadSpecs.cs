using System.Text.RegularExpressions;
using LibvirtHook.EndToEnd.Support;

namespace LibvirtHook.EndToEnd;

/// <summary>Many managed VMs started and stopped at once: every disk reverts, the log stays whole.</summary>
[Collection(PrivateLibvirtCollection.Name)]
public sealed partial class LoadSpecs(PrivateLibvirt libvirt) : IDisposable
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

        // Assert: the log
        var lines = libvirt.ReadHooksLog().Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(linesBefore).ToList();
        lines.Should().AllSatisfy(l => l.Should().MatchRegex(WholeLine()));
        foreach (var vm in vms)
        {
            var own = lines.Where(l => l.Contains($"vm=\"{vm.Name}\" ")).ToList();
            // Per cycle: prepare (disk + outcome), start, started, stopped, release (disk + outcome).
            own.Should().HaveCount(7 * Rounds, $"no line of {vm.Name} may be lost");
            foreach (var operation in new[] { "prepare", "start", "started", "stopped", "release" })
                own.Count(l => l.Contains($" op={operation} outcome=ok")).Should().Be(Rounds);
            // One call's lines for a VM are never split by another call's for the same VM.
            var pids = own.Select(l => Pid().Match(l).Groups[1].Value).ToList();
            pids.Where((pid, i) => i == 0 || pid != pids[i - 1]).Should().OnlyHaveUniqueItems("a call's lines must be contiguous");
        }
    }

    private static string Hash(string path) => TestVms.Hash(path);

    [GeneratedRegex("""^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d \[\d+\] vm="[^"]*" op=[a-z]+ .*(ms=\d+|image="[^"]*")( .*)?$""")]
    private static partial Regex WholeLine();

    [GeneratedRegex(@"\[(\d+)\]")]
    private static partial Regex Pid();
}
