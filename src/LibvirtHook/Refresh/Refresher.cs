using System.Diagnostics;
using System.Globalization;
using LibvirtHook.Domain;
using LibvirtHook.Logging;
using LibvirtHook.Restart;
using LibvirtHook.Tools;

namespace LibvirtHook.Refresh;

/// <summary>
/// <c>libvirt-hook refresh</c>: brings running VMs back to their base images by a full stop and a
/// start (the release hook discards the overlays, prepare makes new ones). ACPI shutdown first,
/// destroy at the timeout. The start is refresh's own: the VM's restart policy neither allows nor
/// forbids it, and the crash-loop guard does not count it. While refresh works on a VM it holds
/// its <see cref="RefreshMarker"/>, so the release hook schedules no restart worker for the stop
/// refresh asked for, and a worker already pending does not start the VM a second time.
/// </summary>
internal sealed class Refresher(HookPaths paths, ToolPaths tools)
{
    // A domstate costs 15-30 ms; five a second keep the wait short without loading libvirtd.
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    private readonly Virsh _virsh = new(tools);
    private readonly HookLog _log = new(paths.LogFile);

    /// <summary>Refreshes the VMs one after another, starts at least <see cref="RefreshRequest.Stagger"/> apart.</summary>
    /// <param name="report">Called with each VM's outcome as soon as it is known.</param>
    public IReadOnlyList<RefreshOutcome> Run(IReadOnlyList<string> names, IReadOnlyDictionary<string, string> uuids, RefreshRequest request, Action<string, RefreshOutcome> report)
    {
        var outcomes = new List<RefreshOutcome>();
        DateTimeOffset? lastStart = null;
        foreach (var name in names)
        {
            var wait = RefreshPlanner.WaitBeforeNext(lastStart, DateTimeOffset.UtcNow, request.Stagger);
            if (wait > TimeSpan.Zero)
                Thread.Sleep(wait);
            var outcome = Refresh(name, uuids.GetValueOrDefault(name), request);
            if (outcome.Started)
                lastStart = DateTimeOffset.UtcNow;
            _log.Write(LogCatalog.RefreshEnded(name, outcome, request.Timeout));
            report(name, outcome);
            outcomes.Add(outcome);
        }

        return outcomes;
    }

    private RefreshOutcome Refresh(string name, string? uuid, RefreshRequest request)
    {
        var watch = Stopwatch.StartNew();
        RefreshOutcome Failed(string why, RefreshAction? action = null, long? stopMs = null) =>
            new() { Failed = true, Action = action, Why = why, StopMs = stopMs, TotalMs = watch.ElapsedMilliseconds };
        try
        {
            if (!File.Exists(paths.ConfigFile(name)))
                return Failed($"\"{name}\" is not managed: there is no \"{paths.ConfigFile(name)}\", so a restart would not bring its disks back to a base (libvirt-hook enable makes it stateless).");
            if (uuid is null)
                return Failed($"libvirt knows no domain \"{name}\" (virsh list --all).");
            var state = _virsh.DomState(uuid);
            switch (RefreshPlanner.Plan(state, new Holds(paths).IsHeld(name), request.Force))
            {
                case RefreshStep.LeaveOff:
                    return new() { Action = RefreshAction.NotRunning, Why = $"it is {state}: a VM that is off stays off", TotalMs = watch.ElapsedMilliseconds };
                case RefreshStep.LeaveHeld:
                    return new() { Action = RefreshAction.LeftHeld, Why = $"{Holds.Why(name)}; refresh --force refreshes it anyway", TotalMs = watch.ElapsedMilliseconds };
            }

            // A transient domain vanishes when it stops: there would be nothing left to start.
            if (!_virsh.IsPersistent(uuid))
                return Failed($"\"{name}\" is a transient domain (virsh create): it would vanish at the shutdown, so it is left running; define it (virsh define) to refresh it.");
            Directory.CreateDirectory(paths.StateDirectory);
            using var marker = RefreshMarker.TryTake(paths.RefreshFile(name));
            if (marker is null)
                return Failed($"another refresh of \"{name}\" is running ({RefreshMarker.HeldBy(paths.RefreshFile(name)) ?? "it just finished"}); nothing was done.");
            return StopAndStart(name, uuid, request, watch);
        }
        catch (Exception e) when (e is LibvirtHookException or IOException or UnauthorizedAccessException)
        {
            return Failed(e.Message);
        }
    }

    private RefreshOutcome StopAndStart(string name, string uuid, RefreshRequest request, Stopwatch watch)
    {
        var action = RefreshAction.ShutDown;
        var stopping = Stopwatch.StartNew();
        try
        {
            _virsh.Shutdown(uuid);
        }
        catch (ToolException) when (_virsh.DomState(uuid).IsShutOff)
        {
            // It stopped by itself between domstate and shutdown: it still comes back from the base.
        }

        while (!_virsh.DomState(uuid).IsShutOff)
        {
            if (stopping.Elapsed > request.Timeout)
            {
                action = RefreshAction.DestroyedAfterTimeout;
                try
                {
                    _virsh.Destroy(uuid);
                }
                catch (ToolException) when (_virsh.DomState(uuid).IsShutOff)
                {
                    // It powered off just as the timeout ran out.
                }

                break;
            }

            Thread.Sleep(PollInterval);
        }

        var stopMs = stopping.ElapsedMilliseconds;
        var down = Stopwatch.StartNew();
        if (HostState.IsShuttingDown(tools))
            return new() { Failed = true, Action = action, StopMs = stopMs, Why = $"the host is shutting down, so \"{name}\" is left off after its stop.", TotalMs = watch.ElapsedMilliseconds };
        try
        {
            _virsh.Start(uuid);
        }
        catch (ToolException e)
        {
            return new() { Failed = true, Action = action, StopMs = stopMs, Why = $"\"{name}\" stopped but did not start again, so it is off now: {e.Message}", TotalMs = watch.ElapsedMilliseconds };
        }

        return new() { Action = action, Started = true, StopMs = stopMs, DownMs = down.ElapsedMilliseconds, TotalMs = watch.ElapsedMilliseconds };
    }

    /// <summary>The outcome as one line for the admin.</summary>
    public static string Describe(string name, RefreshOutcome outcome, TimeSpan timeout) => outcome switch
    {
        { Failed: true } => $"\"{name}\": {outcome.Why}",
        { Action: RefreshAction.ShutDown } => $"\"{name}\": shut down on the ACPI request in {Seconds(outcome.StopMs)} s, started again from its base images; down {Seconds(outcome.DownMs)} s.",
        { Action: RefreshAction.DestroyedAfterTimeout } => $"\"{name}\": still running {Seconds((long)timeout.TotalMilliseconds)} s after the ACPI request, so destroyed; started again from its base images; down {Seconds(outcome.DownMs)} s.",
        { Action: RefreshAction.LeftHeld } => $"\"{name}\": left alone: {outcome.Why}.",
        _ => $"\"{name}\": not refreshed: {outcome.Why}.",
    };

    private static string Seconds(long? ms) => ((ms ?? 0) / 1000.0).ToString("0.0", CultureInfo.InvariantCulture);
}
