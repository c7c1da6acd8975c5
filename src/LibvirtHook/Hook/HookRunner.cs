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
public sealed class HookRunner(HookPaths paths, ToolPaths tools)
{
    public int Run(HookCall call, TextReader stdin, TextWriter stderr)
    {
        // Unmanaged VMs are none of our business: two stats, drain stdin, done. A journal
        // without a config still counts: its overlays must be reverted even if the config went.
        if (!File.Exists(paths.ConfigFile(call.Domain)) && !File.Exists(paths.JournalFile(call.Domain)))
        {
            Drain(stdin);
            return 0;
        }

        var xml = stdin.ReadToEnd();
        var log = new HookLog(paths.LogFile);
        var watch = Stopwatch.StartNew();
        try
        {
            Directory.CreateDirectory(paths.StateDirectory);
            using var vmLock = FileLock.Acquire(paths.LockFile(call.Domain));
            var outcome = Dispatch(call, xml, message => log.Write(call.Domain, call.Operation, message));
            log.Write(call.Domain, call.Operation, $"outcome=ok {outcome} ms={watch.ElapsedMilliseconds}");
            return 0;
        }
        catch (Exception e) when (e is LibvirtHookException or IOException or UnauthorizedAccessException)
        {
            log.Write(call.Domain, call.Operation, $"outcome=error ms={watch.ElapsedMilliseconds} message={HookLog.Quote(e.Message)}");
            stderr.WriteLine($"libvirt-hook: {e.Message}");
            return 1;
        }
    }

    private string Dispatch(HookCall call, string xml, Action<string> report)
    {
        var configPath = paths.ConfigFile(call.Domain);
        var disks = new StatelessDisks(new QemuImg(tools), new JournalStore(paths.JournalFile(call.Domain)), report);
        switch (call.Operation)
        {
            case "prepare":
            {
                var config = ConfigFile.Load(configPath);
                var domain = DomainXml.Parse(xml);
                if (disks.ResumeSaved())
                    return "action=resume-saved";
                disks.RecoverLeftovers(domain, target => ClearCommitFlag(configPath, target, report));
                if (config is null)
                    return "action=none reason=\"config removed\"";
                disks.Prepare(domain, config, configPath);
                if (RebootAdvice.Warning(call.Domain, domain, config) is { } advice)
                    report($"warning={HookLog.Quote(advice)}");
                return $"action=prepared disks={config.Disks.Count}";
            }

            case "release":
            {
                var reason = ShutoffReason.Find(call, paths.DomainLogFile(call.Domain));
                if (reason == "saved")
                {
                    disks.KeepForRestore();
                    return $"action=kept-for-restore shutoff-reason={reason}";
                }

                var config = TryLoad(configPath, report);
                var domain = TryParse(xml);
                disks.Release(
                    domain,
                    target => config?.FindDisk(target)?.OneShotCommit,
                    target => ClearCommitFlag(configPath, target, report));
                var uuid = domain?.Uuid is { Length: > 0 } id ? id : call.Domain;
                return $"action=released shutoff-reason={reason}" + RestartScheduler.Schedule(paths, call.Domain, uuid, config?.Restart, reason);
            }

            case "restore":
                return disks.MarkRestoring() ? "action=restore-pending" : "action=none";

            case "migrate":
            {
                var config = ConfigFile.Load(configPath);
                if (config is { Disks.Count: > 0 })
                {
                    throw new StatelessDiskException(
                        $"Domain \"{call.Domain}\" has stateless disks ({string.Join(", ", config.Disks.Select(d => d.Target))}); an incoming migration would give the running guest an empty overlay. Shut it down instead, or remove its config on this host first.");
                }

                return "action=none";
            }

            default:
                return "action=none";
        }
    }

    private static DomainDescription? TryParse(string xml)
    {
        try
        {
            return DomainXml.Parse(xml);
        }
        catch (DomainXmlException)
        {
            return null;
        }
    }

    private static VmConfig? TryLoad(string configPath, Action<string> report)
    {
        try
        {
            return ConfigFile.Load(configPath);
        }
        catch (ConfigException e)
        {
            report($"warning={HookLog.Quote(e.Message + " Using the one-shot-commit flags the VM started with.")}");
            return null;
        }
    }

    private static bool ClearCommitFlag(string configPath, string target, Action<string> report)
    {
        try
        {
            if (!File.Exists(configPath))
                return false;
            ConfigFile.ClearOneShotCommit(configPath, [target]);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ConfigException or System.Text.Json.JsonException)
        {
            report($"disk={target} warning={HookLog.Quote($"committed, but could not reset one-shot-commit in \"{configPath}\": {e.Message}. Set it to false by hand, or the next session is committed too.")}");
            return false;
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
