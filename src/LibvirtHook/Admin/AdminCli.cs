using System.CommandLine;
using System.Text.Json;
using LibvirtHook.Config;
using LibvirtHook.Restart;

namespace LibvirtHook.Admin;

/// <summary>
/// The admin's command line, from the same binary: status, validate, commit-once, hold, unhold.
/// Exit codes: 0 done (or no problem found), 1 problems found or the command failed, 2 usage error.
/// </summary>
internal sealed class AdminCli(HookPaths paths, Tools.ToolPaths tools, TextWriter output, TextWriter error)
{
    public const int Ok = ExitCodes.Ok;
    public const int Problems = ExitCodes.Failed;
    public const int Usage = ExitCodes.Usage;

    // Log lines quote with " and times carry +: keep them readable instead of \u0022 and \u002B.
    private static readonly AdminJsonContext Json = new(new JsonSerializerOptions(AdminJsonContext.Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public int Run(IReadOnlyList<string> args)
    {
        var root = new RootCommand("""
            libvirt-hook: stateless disks and cold restarts for libvirt QEMU VMs.
            The same binary is libvirt's hook (/etc/libvirt/hooks/qemu); this is its admin side.
            Configs: /etc/libvirt/hooks/config/<vm>.json. Log: /var/log/libvirt/qemu/hooks.log.
            Exit codes: 0 done, 1 problems found or the command failed, 2 usage error.
            """);
        root.Subcommands.Add(StatusCommand());
        root.Subcommands.Add(ValidateCommand());
        root.Subcommands.Add(CommitOnceCommand());
        root.Subcommands.Add(HoldCommand("hold", hold: true));
        root.Subcommands.Add(HoldCommand("unhold", hold: false));
        root.Subcommands.Add(LogCommand());

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var parseError in parsed.Errors)
                error.WriteLine($"libvirt-hook: {parseError.Message}");
            error.WriteLine("Try: libvirt-hook --help");
            return Usage;
        }

        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is LibvirtHookException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"libvirt-hook: {e.Message}");
            return Problems;
        }
    }

    private Command StatusCommand()
    {
        var vm = new Argument<string?>("VM") { Description = "Only this VM (default: every managed VM).", Arity = ArgumentArity.ZeroOrOne };
        var json = new Option<bool>("--json") { Description = "Print stable JSON instead of text." };
        var command = new Command("status", """
            Show every managed VM: its disks and whether each runs on an overlay now (and how much it
            wrote), pending one-shot commits, restart policy, restarts in the current window, holds,
            and the last line hooks.log has for it.
            Examples:
              libvirt-hook status
              libvirt-hook status kiosk --json
            """) { vm, json };
        command.SetAction(result =>
        {
            var report = new StatusReport(paths, tools);
            var only = result.GetValue(vm);
            var names = only is null ? report.ManagedVms() : [only];
            if (only is not null && !report.ManagedVms().Contains(only))
            {
                error.WriteLine($"libvirt-hook: \"{only}\" is not managed: there is no \"{paths.ConfigFile(only)}\".");
                return Problems;
            }

            var tail = report.ReadLogTail();
            var vms = names.Select(n => report.Collect(n, tail)).ToList();
            output.Write(result.GetValue(json)
                ? JsonSerializer.Serialize(new StatusDocument { Vms = vms }, Json.StatusDocument) + "\n"
                : StatusTable.Render(vms));
            return Ok;
        });
        return command;
    }

    private Command ValidateCommand()
    {
        var vm = new Argument<string?>("VM") { Description = "Only this VM (default: every config).", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("validate", """
            Check configs against the live domain XML (virsh dumpxml), file ownership and modes, and
            image formats: everything prepare would refuse. One line per problem; exit 1 if any.
            Examples:
              libvirt-hook validate
              libvirt-hook validate kiosk
            """) { vm };
        command.SetAction(result =>
        {
            var validator = new ConfigValidator(paths, tools);
            var names = result.GetValue(vm) is { } only ? [only] : new StatusReport(paths, tools).ManagedVms().Where(n => File.Exists(paths.ConfigFile(n))).ToList();
            var problems = names.SelectMany(validator.Validate).ToList();
            foreach (var problem in problems)
                output.WriteLine(problem);
            if (problems.Count == 0)
                output.WriteLine($"OK: {names.Count} VM config(s) checked, no problem found.");
            return problems.Count == 0 ? Ok : Problems;
        });
        return command;
    }

    private Command CommitOnceCommand()
    {
        var vm = new Argument<string>("VM") { Description = "The VM whose next session is kept." };
        var disks = new Argument<string[]>("DISK") { Description = "Disk targets (default: every stateless disk of the VM).", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("commit-once", """
            Keep the current (or next) session's changes once: sets one-shot-commit in the VM's config
            (atomic rewrite). At the next stop the overlay is committed into the base and the flag goes
            back to false.
            Examples:
              libvirt-hook commit-once kiosk
              libvirt-hook commit-once kiosk vda
            """) { vm, disks };
        command.SetAction(result =>
        {
            var name = result.GetValue(vm)!;
            var path = paths.ConfigFile(name);
            var config = ConfigFile.Load(path) ?? throw new ConfigException($"\"{name}\" has no config \"{path}\"; create one first (see hooks-config-samples/).");
            var targets = result.GetValue(disks) is { Length: > 0 } given ? given : config.Disks.Select(d => d.Target).ToArray();
            var unknown = targets.Where(t => config.FindDisk(t) is null).ToList();
            if (unknown.Count > 0 || targets.Length == 0)
            {
                throw new ConfigException(
                    $"Config \"{path}\" has no stateless disk {string.Join(", ", unknown.Select(t => $"\"{t}\""))}; it has: {(config.Disks.Count == 0 ? "none" : string.Join(", ", config.Disks.Select(d => d.Target)))}.");
            }

            ConfigFile.SetOneShotCommit(path, targets, true);
            output.WriteLine($"one-shot-commit set for {string.Join(", ", targets)} of \"{name}\": the session running now (or the next one) is committed when the VM stops.");
            return Ok;
        });
        return command;
    }

    private Command HoldCommand(string name, bool hold)
    {
        var vm = new Argument<string>("VM") { Description = "The VM." };
        var command = new Command(name, hold
            ? """
              Suppress automatic restarts of a VM without editing its config (status shows the hold).
              Example:
                libvirt-hook hold kiosk && virsh shutdown kiosk
              """
            : """
              Allow automatic restarts of a held VM again.
              Example:
                libvirt-hook unhold kiosk
              """) { vm };
        command.SetAction(result =>
        {
            var domain = result.GetValue(vm)!;
            var holds = new Holds(paths);
            if (hold)
            {
                holds.Hold(domain);
                output.WriteLine($"\"{domain}\" is held: it is not restarted automatically until: libvirt-hook unhold {domain}");
            }
            else
            {
                output.WriteLine(holds.Unhold(domain) ? $"\"{domain}\" is no longer held." : $"\"{domain}\" was not held.");
            }

            return Ok;
        });
        return command;
    }

    private Command LogCommand()
    {
        var vm = new Argument<string?>("VM") { Description = "Only this VM's lines (default: every VM's).", Arity = ArgumentArity.ZeroOrOne };
        var since = new Option<string?>("--since") { Description = "Only lines this recent: 90s, 30m, 1h, 2d (default: the last 4 MiB of the log)." };
        var json = new Option<bool>("--json") { Description = "One JSON object a line, with the line's keys as fields." };
        var command = new Command("log", """
            Show hooks.log lines (the last 4 MiB of the log), optionally for one VM and within a time.
            With --json each line is a JSON object: for scripts, monitoring and the benches.
            Examples:
              libvirt-hook log kiosk --since 1h
              libvirt-hook log --json | jq 'select(.outcome == "error")'
            """) { vm, since, json };
        command.SetAction(result =>
        {
            var from = DateTimeOffset.MinValue;
            if (result.GetValue(since) is { } text)
            {
                if (!Duration.TryParse(text, out var window))
                {
                    error.WriteLine($"libvirt-hook: --since \"{text}\" is not a duration; use for example 90s, 30m, 1h or 2d.");
                    return Usage;
                }

                from = DateTimeOffset.Now - window;
            }

            var only = result.GetValue(vm);
            foreach (var line in new Logging.HookLogReader(paths.LogFile).Tail().Where(l => l.Time >= from && (only is null || l.Vm == only)))
                output.WriteLine(result.GetValue(json) ? LogJson.Write(line) : line.ToString());
            return Ok;
        });
        return command;
    }
}
