using System.Diagnostics;
using LibvirtHook.Config;
using LibvirtHook.Logging;
using LibvirtHook.Platform;
using LibvirtHook.Tools;

namespace LibvirtHook.Restart;

/// <summary>
/// Runs detached from libvirtd (see <see cref="RestartScheduler"/>): waits until the domain is
/// really off, waits delay-seconds, checks again that a restart is still wanted, then starts it.
/// Calling virsh start from inside the hook would deadlock: libvirt holds the domain's job
/// while its hooks run.
/// </summary>
public sealed class RestartWorker(HookPaths paths, ToolPaths tools)
{
    /// <summary>Set in the worker's environment; libvirtd never passes it to a hook.</summary>
    public const string EnvironmentVariable = "LIBVIRT_HOOK_WORKER";

    public static readonly TimeSpan ShutOffTimeout = TimeSpan.FromSeconds(60);

    public int Run(string domain, string uuid, string reasonAtRelease)
    {
        var log = new HookLog(paths.LogFile);
        var watch = Stopwatch.StartNew();
        try
        {
            Directory.CreateDirectory(paths.StateDirectory);
            using var pending = FileLock.TryAcquire(paths.RestartLockFile(domain));
            if (pending is null)
            {
                log.Write(domain, "restart", "outcome=not-started why=\"another restart of this VM is already pending\"");
                return 0;
            }

            var (message, started) = Decide(domain, uuid, reasonAtRelease, watch);
            log.Write(domain, "restart", $"outcome={(started ? "started" : "not-started")} {message}");
            return 0;
        }
        catch (Exception e) when (e is LibvirtHookException or IOException or UnauthorizedAccessException)
        {
            log.Write(domain, "restart", $"outcome=error ms={watch.ElapsedMilliseconds} message={HookLog.Quote(e.Message)}");
            return 1;
        }
    }

    private (string Message, bool Started) Decide(string domain, string uuid, string reasonAtRelease, Stopwatch watch)
    {
        var virsh = new Virsh(tools);
        string state, liveReason;
        while (true)
        {
            try
            {
                (state, liveReason) = RestartPlanner.ParseDomState(virsh.DomState(uuid));
            }
            catch (ToolException e)
            {
                // libvirtd is going away (or gone): starting anything now is not ours to do.
                return ($"why={HookLog.Quote($"libvirtd does not answer, so nothing is started: {e.Message}")}", false);
            }

            if (state == "shut off")
                break;
            if (watch.Elapsed > ShutOffTimeout)
                return ($"why=\"the VM was still {state} after {ShutOffTimeout.TotalSeconds} s\"", false);
            Thread.Sleep(25);
        }

        var waited = watch.ElapsedMilliseconds;
        var reason = reasonAtRelease is "unknown" or "-" or "" ? liveReason : reasonAtRelease;
        string Result(string why) => $"reason={reason} waited-ms={waited} why={HookLog.Quote(why)}";

        // The admin may have changed the config since the VM stopped; it decides, not the old one.
        var policy = ConfigFile.Load(paths.ConfigFile(domain))?.Restart;
        if (policy is { DelaySeconds: > 0 })
        {
            Thread.Sleep(TimeSpan.FromSeconds(policy.DelaySeconds));
            policy = ConfigFile.Load(paths.ConfigFile(domain))?.Restart;
        }

        var byReason = RestartPlanner.ForReason(policy, reason);
        if (!byReason.Restart || policy is null)
            return (Result(byReason.Why), false);
        if (new Holds(paths).IsHeld(domain))
            return (Result(Holds.Why(domain)), false);
        if (HostState.IsShuttingDown(tools))
            return (Result("the host is shutting down"), false);
        var (stateNow, _) = RestartPlanner.ParseDomState(virsh.DomState(uuid));
        if (stateNow != "shut off")
            return (Result($"someone else started it meanwhile (it is {stateNow})"), false);

        var history = new RestartHistory(paths.RestartHistoryFile(domain));
        var now = DateTimeOffset.UtcNow;
        var byHistory = RestartPlanner.ForHistory(policy, history.Load(), now);
        if (!byHistory.Restart)
            return (Result(byHistory.Why), false);

        // Counted before the attempt: a start that fails is part of a crash loop too.
        history.Add(now, TimeSpan.FromSeconds(policy.WindowSeconds));
        var startWatch = Stopwatch.StartNew();
        virsh.Start(uuid);
        return ($"{Result($"{byReason.Why}; {byHistory.Why}")} delay-s={policy.DelaySeconds} start-ms={startWatch.ElapsedMilliseconds} total-ms={watch.ElapsedMilliseconds}", true);
    }
}
