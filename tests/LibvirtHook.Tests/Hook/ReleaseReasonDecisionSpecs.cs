using LibvirtHook.Config;
using LibvirtHook.Domain;
using LibvirtHook.Hook;
using LibvirtHook.Restart;
using LibvirtHook.Tests.Support;

namespace LibvirtHook.Tests.Hook;

/// <summary>Issue 15: what release believes of the domain log (QEMU writes it too), and what it lets decide a restart.</summary>
public sealed class ReleaseReasonDecisionSpecs : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string DomainLog(string reason)
    {
        var path = _temp.File("vm.log");
        File.WriteAllText(path, $"2026-12-01 10:00:00.000+0000: shutting down, reason={reason}\n");
        return path;
    }

    private string SaveImage(bool exists)
    {
        var path = _temp.File("vm.save");
        if (exists)
            File.WriteAllText(path, "LibvirtQemudSave");
        return path;
    }

    private static HookCall Release(string extra) => new() { Domain = "vm", Operation = "release", Extra = extra };

    [Theory]
    [InlineData("saved", false, ShutoffReason.NotKnownYet, "domain-log-not-believed")]
    [InlineData("saved", true, ShutoffReason.Saved, "domain-log")]
    [InlineData("destroyed", true, ShutoffReason.Saved, "managed-save-image")]
    [InlineData("crashed", false, ShutoffReason.Crashed, "domain-log")]
    [InlineData("shutdown", false, ShutoffReason.Shutdown, "domain-log")]
    public void Before_libvirt_10_5_saved_is_what_libvirts_managed_save_image_says_not_what_the_log_claims(string logged, bool saveImage, ShutoffReason reason, string source)
    {
        var found = ReleaseReason.Find(Release("-"), DomainLog(logged), SaveImage(saveImage));

        found.Reason.Should().Be(reason);
        LibvirtHook.Logging.LogCatalog.Name(found.Source).Should().Be(source);
        found.TrustedForRestart.Should().BeFalse();
    }

    [Fact]
    public void Releases_argument_wins_over_the_log_and_the_save_image_and_is_trusted()
    {
        var found = ReleaseReason.Find(Release("destroyed"), DomainLog("crashed"), SaveImage(true));

        found.Should().Be(new ReleaseReason(ShutoffReason.Destroyed, ReasonSource.Argument));
        found.TrustedForRestart.Should().BeTrue();
    }

    [Fact]
    public void A_crash_the_log_claims_hands_the_restart_to_the_worker_without_a_reason_so_libvirts_own_decides()
    {
        var policy = new RestartPolicy { On = [ShutoffReason.Crashed] };

        var untrusted = RestartPlanner.AtRelease(policy, ShutoffReason.Crashed, trusted: false);
        var trusted = RestartPlanner.AtRelease(policy, ShutoffReason.Crashed, trusted: true);

        untrusted.Should().Be(RestartDecision.Yes("the domain log says \"crashed\", but QEMU writes that log too; the worker restarts it only if libvirt says so once the VM is off"));
        trusted.Should().Be(RestartDecision.Yes("reason \"crashed\" is in restart.on"));
        // The worker given no reason reads virsh domstate --reason and restarts only for a reason in restart.on.
        RestartPlanner.ForReason(policy, ShutoffReason.Destroyed).Restart.Should().BeFalse();
    }

    [Fact]
    public void A_log_reason_that_would_not_restart_says_no_at_once()
    {
        var policy = new RestartPolicy { On = [ShutoffReason.Crashed] };

        RestartPlanner.AtRelease(policy, ShutoffReason.Destroyed, trusted: false)
            .Should().Be(RestartDecision.No("reason \"destroyed\" is not in restart.on [crashed]"));
    }
}
