using System.Diagnostics;
using LibvirtHook.Config;
using LibvirtHook.Domain;
using LibvirtHook.Logging;
using LibvirtHook.Platform;
using LibvirtHook.Restart;
using LibvirtHook.Stateless;
using LibvirtHook.Tools;

namespace LibvirtHook.Hook;

/// <summary>
/// Handles one hook call. Nothing here writes to stdout: libvirt reads it as XML for some ops.
/// Errors go to stderr as one line, which libvirt shows as the reason a start failed.
/// </summary>
/// <param name="workers">What runs detached as the restart and discard workers (this binary, in production); null starts no process: overlays are removed within the call, a restart is decided but handed to nobody.</param>
internal sealed class HookRunner(HookPaths paths, ToolPaths tools, WorkerProgram? workers)
{
    public int Run(HookCall call, TextReader stdin, TextWriter stderr)
    {
        // Unmanaged VMs are none of our business: two stats, drain stdin, done. A journal
        // without a config still counts: its overlays must be reverted even if the config went.
        if (!File.Exists(paths.ConfigFile(call.Domain)) && !File.Exists(paths.JournalFile(call.Domain)))
        {
            Drain(stdin);
            return ExitCodes.Ok;
        }

        var xml = stdin.ReadToEnd();
        var log = new HookLog(paths.LogFile);
        var watch = Stopwatch.StartNew();
        var discards = new OverlayDiscards(call.Domain, workers);
        try
        {
            Directory.CreateDirectory(paths.StateDirectory);
            using var vmLock = FileLock.Acquire(paths.LockFile(call.Domain));
            CallOutcome outcome;
            try
            {
                outcome = Dispatch(call, xml, new CallLog(log, call.Domain, call.Operation), discards);
            }
            finally
            {
                discards.Flush(log);
            }

            log.Write(LogCatalog.CallSucceeded(call.Domain, call.Operation, outcome, watch.ElapsedMilliseconds));
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is LibvirtHookException or IOException or UnauthorizedAccessException)
        {
            log.Write(LogCatalog.CallFailed(call.Domain, call.Operation, e.Message, watch.ElapsedMilliseconds));
            // libvirt shows this line in the error virsh start prints, on the admin's terminal.
            stderr.WriteLine($"libvirt-hook: {UntrustedText.ForTerminal(e.Message)}");
            return ExitCodes.Failed;
        }
    }

    private CallOutcome Dispatch(HookCall call, string xml, CallLog log, OverlayDiscards discards)
    {
        var configPath = paths.ConfigFile(call.Domain);
        var disks = new StatelessDisks(new QemuImg(tools), new JournalStore(paths.JournalFile(call.Domain)), log, discards);
        switch (call.Kind)
        {
            case HookOperation.Prepare:
            {
                var config = ConfigFile.Load(configPath);
                var domain = DomainXml.Parse(xml);
                var started = disks.Start(domain, config, new OneShotCommitFlags(configPath, config, log));
                if (started.Result == StartResult.ResumedSaved)
                    return new CallOutcome { Action = HookAction.ResumedSaved };
                if (started.Result == StartResult.ConfigRemoved || config is null) // the one implies the other
                    return CallOutcome.Nothing with { Why = "config removed" };
                if (RebootAdvice.Warning(call.Domain, domain, config) is { } advice)
                    log.Warning(null, advice);
                return new CallOutcome { Action = HookAction.Prepared, Disks = started.Disks };
            }

            case HookOperation.Release:
            {
                var reason = ReleaseReason.Find(call, paths.DomainLogFile(call.Domain), paths.ManagedSaveFile(call.Domain));
                if (reason.Source == ReasonSource.DomainLogNotBelieved)
                {
                    log.Warning(null,
                        $"The domain log says the VM was saved, but libvirt has no managed-save image \"{paths.ManagedSaveFile(call.Domain)}\"; QEMU writes that log too, so its overlays are discarded as at any other stop.");
                }

                if (reason.Reason == ShutoffReason.Saved)
                {
                    disks.KeepForRestore();
                    return new CallOutcome { Action = HookAction.KeptForRestore, Reason = reason };
                }

                var config = TryLoad(configPath, log);
                var domain = DomainXml.TryParse(xml);
                LibvirtHookException? failure = null;
                try
                {
                    disks.Release(domain, new OneShotCommitFlags(configPath, config, log));
                }
                catch (LibvirtHookException e)
                {
                    // A disk left as it was is no reason to leave the VM down: the next prepare
                    // refuses or recovers it, and says so.
                    failure = e;
                }

                var uuid = domain?.Uuid is { Length: > 0 } id ? id : call.Domain;
                var restart = RestartScheduler.Schedule(paths, workers, call.Domain, uuid, config?.Restart, reason.Reason, reason.TrustedForRestart);
                if (failure is not null)
                    throw failure;
                return new CallOutcome { Action = HookAction.Released, Reason = reason, Restart = restart };
            }

            case HookOperation.Restore:
                return disks.MarkRestoring() ? new CallOutcome { Action = HookAction.RestorePending } : CallOutcome.Nothing;

            case HookOperation.Migrate:
            {
                var config = ConfigFile.Load(configPath);
                if (config is { Disks.Count: > 0 })
                {
                    throw new StatelessDiskException(
                        $"Domain \"{call.Domain}\" has stateless disks ({string.Join(", ", config.Disks.Select(d => d.Target))}); an incoming migration would give the running guest an empty overlay. Shut it down instead, or remove its config on this host first.");
                }

                return CallOutcome.Nothing;
            }

            default:
                return CallOutcome.Nothing;
        }
    }

    private static VmConfig? TryLoad(string configPath, CallLog log)
    {
        try
        {
            return ConfigFile.Load(configPath);
        }
        catch (ConfigException e)
        {
            log.Warning(null, e.Message + " Using the one-shot-commit flags the VM started with.");
            return null;
        }
    }

    private static void Drain(TextReader stdin)
    {
        var buffer = new char[16 * 1024];
        while (stdin.Read(buffer, 0, buffer.Length) > 0)
        {
        }
    }
}
