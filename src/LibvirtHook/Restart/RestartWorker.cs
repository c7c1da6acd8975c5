using System.Diagnostics;
using LibvirtHook.Config;
using LibvirtHook.Domain;
using LibvirtHook.Logging;
using LibvirtHook.Platform;
using LibvirtHook.Tools;

namespace LibvirtHook.Restart;

/// <summary>
/// Runs detached from libvirtd (see <see cref="WorkerLaunch"/>): waits until the domain is
/// really off, waits delay-seconds, checks again that a restart is still wanted, then starts it.
/// Calling virsh start from inside the hook would deadlock: libvirt holds the domain's job
/// while its hooks run.
/// </summary>
internal sealed class RestartWorker(HookPaths paths, ToolPaths tools)
{
    public static readonly TimeSpan ShutOffTimeout = TimeSpan.FromSeconds(60);

    public int Run(WorkerLaunch launch)
    {
        var log = new HookLog(paths.LogFile);
        var watch = Stopwatch.StartNew();
        try
        {
            Directory.CreateDirectory(paths.StateDirectory);
            using var pending = FileLock.TryAcquire(paths.RestartLockFile(launch.Domain));
            var outcome = pending is null
                ? new RestartOutcome { Result = RestartResult.NotStarted, Why = "another restart of this VM is already pending" }
                : Decide(launch, watch);
            log.Write(LogCatalog.RestartEnded(launch.Domain, outcome));
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is LibvirtHookException or IOException or UnauthorizedAccessException)
        {
            log.Write(LogCatalog.RestartEnded(launch.Domain, new RestartOutcome { Result = RestartResult.Error, Why = e.Message, TotalMs = watch.ElapsedMilliseconds }));
            return ExitCodes.Failed;
        }
    }

    private RestartOutcome Decide(WorkerLaunch launch, Stopwatch watch)
    {
        var virsh = new Virsh(tools);
        DomainState state;
        while (true)
        {
            try
            {
                state = virsh.DomState(launch.Uuid);
            }
            catch (ToolException e)
            {
                // libvirtd is going away (or gone): starting anything now is not ours to do.
                return new RestartOutcome { Result = RestartResult.NotStarted, Why = $"libvirtd does not answer, so nothing is started: {e.Message}" };
            }

            if (state.IsShutOff)
                break;
            if (watch.Elapsed > ShutOffTimeout)
                return new RestartOutcome { Result = RestartResult.NotStarted, Why = $"the VM was still {state.State} after {ShutOffTimeout.TotalSeconds} s" };
            Thread.Sleep(25);
        }

        var waited = watch.ElapsedMilliseconds;
        var reason = launch.ReasonAtRelease == ShutoffReason.NotKnownYet ? state.ShutoffReason : launch.ReasonAtRelease;
        RestartOutcome NotStarted(string why) => new() { Result = RestartResult.NotStarted, Reason = reason, WaitedMs = waited, Why = why };

        // The admin may have changed the config since the VM stopped; it decides, not the old one.
        var policy = ConfigFile.Load(paths.ConfigFile(launch.Domain))?.Restart;
        if (policy is { DelaySeconds: > 0 })
        {
            Thread.Sleep(TimeSpan.FromSeconds(policy.DelaySeconds));
            policy = ConfigFile.Load(paths.ConfigFile(launch.Domain))?.Restart;
        }

        var byReason = RestartPlanner.ForReason(policy, reason);
        if (!byReason.Restart || policy is null)
            return NotStarted(byReason.Why);
        if (new Holds(paths).IsHeld(launch.Domain))
            return NotStarted(Holds.Why(launch.Domain));
        // A refresh that began after this worker was scheduled starts the VM itself.
        if (Refresh.RefreshMarker.HeldBy(paths.RefreshFile(launch.Domain)) is { } refresh)
            return NotStarted(refresh);
        if (HostState.IsShuttingDown(tools))
            return NotStarted("the host is shutting down");
        // After a delay someone may have started it; without one, libvirt said "shut off" a few
        // milliseconds ago, and asking again would cost a virsh run (15-20 ms) of every restart.
        if (policy.DelaySeconds > 0)
        {
            DomainState now;
            try
            {
                now = virsh.DomState(launch.Uuid);
            }
            catch (ToolException e)
            {
                return NotStarted($"libvirtd does not answer, so nothing is started: {e.Message}");
            }

            if (!now.IsShutOff)
                return NotStarted($"someone else started it meanwhile (it is {now.State})");
        }

        var history = new RestartHistory(paths.RestartHistoryFile(launch.Domain));
        var at = DateTimeOffset.UtcNow;
        var byHistory = RestartPlanner.ForHistory(policy, history.Load(), at);
        if (!byHistory.Restart)
            return NotStarted(byHistory.Why);

        // Counted before the attempt: a start that fails is part of a crash loop too.
        history.Add(at, TimeSpan.FromSeconds(policy.WindowSeconds));
        var startWatch = Stopwatch.StartNew();
        virsh.Start(launch.Uuid);
        return new RestartOutcome
        {
            Result = RestartResult.Started,
            Reason = reason,
            WaitedMs = waited,
            Why = $"{byReason.Why}; {byHistory.Why}",
            DelaySeconds = policy.DelaySeconds,
            StartMs = startWatch.ElapsedMilliseconds,
            TotalMs = watch.ElapsedMilliseconds,
        };
    }
}
