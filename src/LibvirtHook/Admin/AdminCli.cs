using System.CommandLine;
using System.Text.Json;
using LibvirtHook.Admin.Inventory;
using LibvirtHook.Admin.Monitoring;
using LibvirtHook.Admin.Onboarding;
using LibvirtHook.Admin.Status;
using LibvirtHook.Restart;

namespace LibvirtHook.Admin;

/// <summary>
/// The admin's command line, from the same binary: status, validate, commit-once, hold, unhold,
/// log, enable, disable, check, metrics, refresh. Each command parses its options, asks its
/// feature (an inventory renderer, <see cref="Onboarder"/>, ...) and prints; none decides here.
/// Exit codes: 0 done (or no problem found), 1 problems found or the command failed, 2 usage error.
/// </summary>
internal sealed class AdminCli(HookPaths paths, Tools.ToolPaths tools, TextWriter output, TextWriter error)
{

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
        root.Subcommands.Add(EnableCommand());
        root.Subcommands.Add(DisableCommand());
        root.Subcommands.Add(CheckCommand());
        root.Subcommands.Add(MetricsCommand());
        root.Subcommands.Add(RefreshCommand());

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var parseError in parsed.Errors)
                error.WriteLine($"libvirt-hook: {UntrustedText.ForTerminal(parseError.Message)}");
            error.WriteLine("Try: libvirt-hook --help");
            // A monitoring system reads any other exit code as a state of what it watches.
            return parsed.CommandResult.Command.Name == "check" ? (int)CheckState.Unknown : ExitCodes.Usage;
        }

        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (RefusedException e)
        {
            foreach (var problem in e.Problems)
                error.WriteLine($"libvirt-hook: {UntrustedText.ForTerminal(problem)}");
            return ExitCodes.Failed;
        }
        catch (Exception e) when (e is LibvirtHookException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"libvirt-hook: {UntrustedText.ForTerminal(e.Message)}");
            return ExitCodes.Failed;
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
            var only = result.GetValue(vm);
            var inventory = new InventoryReader(paths, tools).Take(StatusView.Request(only is null ? [] : [only], DateTimeOffset.UtcNow));
            if (only is not null && inventory.Unmanaged.Contains(only))
            {
                error.WriteLine($"libvirt-hook: {UntrustedText.ForTerminal($"\"{only}\" is not managed: there is no \"{paths.ConfigFile(only)}\".")}");
                return ExitCodes.Failed;
            }

            var vms = StatusView.From(inventory);
            output.Write(result.GetValue(json)
                ? JsonSerializer.Serialize(new StatusDocument { Vms = vms }, Json.StatusDocument) + "\n"
                : StatusTable.Render(vms));
            return ExitCodes.Ok;
        });
        return command;
    }

    private Command ValidateCommand()
    {
        var vm = new Argument<string?>("VM") { Description = "Only this VM (default: every config).", Arity = ArgumentArity.ZeroOrOne };
        var candidate = new Option<string?>("--config") { Description = "Check this file as VM's config before it is put in place (as Ansible's validate: does); needs VM.", HelpName = "FILE" };
        var command = new Command("validate", """
            Check configs against the persistent domain XML (virsh dumpxml --inactive: what the next
            start uses), file ownership and modes, and image formats: everything prepare would refuse.
            One line per problem; exit 1 if any.
            Warnings (a stateless VM whose guest reboot keeps its session) do not change the exit code.
            Examples:
              libvirt-hook validate
              libvirt-hook validate kiosk
              libvirt-hook validate --config /tmp/kiosk.json kiosk
            """) { vm, candidate };
        command.Validators.Add(result =>
        {
            if (result.GetValue(candidate) is not null && result.GetValue(vm) is null)
                result.AddError("--config FILE checks one VM's config: name the VM too, as in: libvirt-hook validate --config FILE VM");
        });
        command.SetAction(result =>
        {
            var validator = new ConfigValidator(paths, tools);
            var only = result.GetValue(vm);
            var inventory = new InventoryReader(paths, tools).Take(ConfigValidator.Request(only is null ? [] : [only], DateTimeOffset.UtcNow));
            var names = ConfigValidator.Names(inventory, only);
            var findings = names.Select(n => validator.Validate(inventory, n, result.GetValue(candidate))).ToList();
            var problems = findings.SelectMany(f => f.Problems).ToList();
            foreach (var problem in problems)
                output.WriteLine(UntrustedText.ForTerminal(problem));
            foreach (var warning in findings.SelectMany(f => f.Warnings))
                output.WriteLine($"Warning: {UntrustedText.ForTerminal(warning)}");
            if (problems.Count == 0)
                output.WriteLine($"OK: {names.Count} VM config(s) checked, no problem found.");
            return problems.Count == 0 ? ExitCodes.Ok : ExitCodes.Failed;
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
            var targets = CommitOnce.Request(paths, name, result.GetValue(disks) ?? []);
            output.WriteLine(UntrustedText.ForTerminal($"one-shot-commit set for {string.Join(", ", targets)} of \"{name}\": the session running now (or the next one) is committed when the VM stops."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private Command EnableCommand()
    {
        var vm = new Argument<string>("VM") { Description = "The domain to make stateless (a name like a command works after --)." };
        var disks = new Option<string[]>("--disk") { Description = "A disk target to make stateless (repeat for more; default: every file-backed qcow2 disk).", HelpName = "TARGET" };
        var restart = new Option<bool>("--restart") { Description = "Add a restart section with the defaults: started again after a guest power-off or a crash." };
        var coldReboot = new Option<bool>("--cold-reboot") { Description = "Set <on_reboot>destroy</on_reboot> in the persistent definition (virsh), so a guest's own reboot boots from the base; implies --restart." };
        var rawBase = new Option<bool>("--raw-base") { Description = "Also make disks with <driver type='raw'/> stateless: their raw image becomes the base (\"base-format\": \"raw\" in the config) and their driver becomes qcow2 in the persistent definition." };
        var force = new Option<bool>("--force") { Description = "Replace an existing config (the old one is kept as <vm>.json.bak)." };
        var command = new Command("enable", """
            Make a VM stateless: writes /etc/libvirt/hooks/config/<vm>.json (atomically, root, 0644) after
            checking everything prepare would check at the next start; nothing is written if anything is
            wrong. A running VM becomes stateless at its next start.
            Examples:
              libvirt-hook enable kiosk
              libvirt-hook enable kiosk --disk vda --cold-reboot
              libvirt-hook enable --restart -- --help      (a domain named "--help")
            """) { vm, disks, restart, coldReboot, rawBase, force };
        command.SetAction(result =>
        {
            var lines = new Onboarder(paths, tools).Enable(new EnableRequest
            {
                Name = result.GetValue(vm)!,
                Disks = result.GetValue(disks) ?? [],
                Restart = result.GetValue(restart),
                ColdReboot = result.GetValue(coldReboot),
                RawBase = result.GetValue(rawBase),
                Force = result.GetValue(force),
            });
            foreach (var line in lines)
                output.WriteLine(UntrustedText.ForTerminal(line));
            return ExitCodes.Ok;
        });
        return command;
    }

    private Command DisableCommand()
    {
        var vm = new Argument<string>("VM") { Description = "The domain the hook should leave alone from now on." };
        var command = new Command("disable", """
            Stop managing a VM: its config goes to <vm>.json.bak. Overlays it runs on now are still
            discarded at its next stop (the hook's journal keeps track of them); after that it runs on its images.
            Example:
              libvirt-hook disable kiosk
            """) { vm };
        command.SetAction(result =>
        {
            foreach (var line in new Onboarder(paths, tools).Disable(result.GetValue(vm)!))
                output.WriteLine(UntrustedText.ForTerminal(line));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Option<TimeSpan> SinceOption() =>
        DurationOption("--since", TimeSpan.FromHours(1), "How far back hooks.log counts failed hook calls: 90s, 30m, 1h, 2d (default 1h).", "1h");

    private static Option<int> PercentOption(string name, int value, string description) => new(name)
    {
        Description = description,
        HelpName = "PERCENT",
        DefaultValueFactory = _ => value,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var percent) && percent <= 100)
                return percent;
            result.AddError($"{name} \"{text}\" is not a percentage; use a whole number from 0 to 100.");
            return default;
        },
    };

    private Command CheckCommand()
    {
        var vms = new Argument<string[]>("VM") { Description = "Only these VMs (default: every managed VM).", Arity = ArgumentArity.ZeroOrMore };
        var since = SinceOption();
        var overlayWarn = PercentOption("--overlay-warn", new CheckThresholds().OverlayWarnPercent, "WARNING when an overlay is larger than this share of its disk's virtual size (default 50).");
        var freeWarn = PercentOption("--free-warn", new CheckThresholds().FreeWarnPercent, "WARNING when a filesystem holding stateless images has less free space than this (default 10).");
        var command = new Command("check", """
            A monitoring plugin (Nagios, Icinga, Sensu, ... conventions): one status line with performance
            data after "|", then one line per finding. Exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
            CRITICAL: a VM the crash-loop guard gave up on (within its window), a failed hook call in
            hooks.log within --since, .stateless-base/.stateless-new files without a journal, a config
            that does not parse. WARNING: a held VM, a large overlay, a filesystem low on space.
            UNKNOWN: libvirtd does not answer. Reads files and virsh only; changes nothing.
            Examples:
              libvirt-hook check
              libvirt-hook check --since 15m --overlay-warn 80 kiosk
            """) { vms, since, overlayWarn, freeWarn };
        command.SetAction(result =>
        {
            try
            {
                var health = new InventoryReader(paths, tools).Take(MonitoringRequest.For(result.GetValue(vms) ?? [], result.GetValue(since), DateTimeOffset.Now));
                var verdict = CheckVerdict.Evaluate(health, new CheckThresholds { OverlayWarnPercent = result.GetValue(overlayWarn), FreeWarnPercent = result.GetValue(freeWarn) });
                output.Write(verdict.Render());
                return (int)verdict.State;
            }
            catch (Exception e) when (e is LibvirtHookException or IOException or UnauthorizedAccessException)
            {
                output.WriteLine(CheckResult.StatusLine(CheckState.Unknown, e.Message));
                return (int)CheckState.Unknown;
            }
        });
        return command;
    }

    private Command MetricsCommand()
    {
        var vms = new Argument<string[]>("VM") { Description = "Only these VMs (default: every managed VM).", Arity = ArgumentArity.ZeroOrMore };
        var since = SinceOption();
        var file = new Option<string?>("--output", "-o") { Description = "Write to this file atomically (for node_exporter's textfile collector) instead of stdout.", HelpName = "FILE" };
        var command = new Command("metrics", """
            The facts check judges, in the Prometheus text format, for node_exporter's textfile collector.
            Reads files and virsh only; changes nothing but --output.
            Examples:
              libvirt-hook metrics
              libvirt-hook metrics --output /var/lib/prometheus/node-exporter/libvirt-hook.prom
            (contrib/systemd/libvirt-hook-metrics.timer runs the second one every minute, once enabled)
            """) { vms, since, file };
        command.SetAction(result =>
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var health = new InventoryReader(paths, tools).Take(MonitoringRequest.For(result.GetValue(vms) ?? [], result.GetValue(since), DateTimeOffset.Now));
            var text = PrometheusText.Render(health, watch.Elapsed);
            if (result.GetValue(file) is { } path)
            {
                // The collector may read at any moment: it must see the old file or the new one.
                // Through the directory's descriptor, exclusively, under a name nobody can guess (FileReplacement).
                Platform.FileReplacement.Replace(path, System.Text.Encoding.UTF8.GetBytes(text), 0b110_100_100, keepExisting: true);
            }
            else
            {
                output.Write(text);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>A duration option (90s, 30m, 1h, 2d); every such option refuses a bad value with the same sentence.</summary>
    private static Option<TimeSpan> DurationOption(string name, TimeSpan value, string description, string example) => new(name)
    {
        Description = description,
        HelpName = "DURATION",
        DefaultValueFactory = _ => value,
        CustomParser = result => ParseDuration(result, name, example),
    };

    private static TimeSpan ParseDuration(System.CommandLine.Parsing.ArgumentResult result, string name, string example)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (Duration.TryParse(text, out var duration))
            return duration;
        result.AddError($"{name} \"{text}\" is not a duration; use a number with s, m, h or d, such as {example}.");
        return default;
    }

    private Command RefreshCommand()
    {
        var vms = new Argument<string[]>("VM") { Description = "The VMs to refresh.", Arity = ArgumentArity.ZeroOrMore };
        var all = new Option<bool>("--all") { Description = "Every managed VM (those that are off stay off)." };
        var timeout = DurationOption("--timeout", Refresh.RefreshRequest.DefaultTimeout, "How long the guest has to power off after the ACPI request before it is destroyed (default 120s).", "90s or 2m");
        var stagger = DurationOption("--stagger", Refresh.RefreshRequest.DefaultStagger, "The least time between two VMs' starts (default 30s).", "90s or 2m");
        var force = new Option<bool>("--force") { Description = "Refresh held VMs too." };
        var command = new Command("refresh", """
            Bring running VMs back to their base images now: ACPI shutdown (virsh shutdown), destroy if
            the guest has not powered off within --timeout, then start it again, so every stateless disk
            starts over from its base. The start happens whatever the VM's restart policy says and is not
            counted by the crash-loop guard; the hook's own restart worker stands aside meanwhile. A held
            VM is left alone unless --force; a VM that is shut off stays off. One line per VM, here and
            in hooks.log (op=refresh). Exit 1 if any VM failed.
            Examples:
              libvirt-hook refresh kiosk
              libvirt-hook refresh --all --timeout 5m --stagger 1m
            (contrib/systemd/libvirt-hook-refresh@.timer runs the first one nightly, once enabled for a VM)
            """) { vms, all, timeout, stagger, force };
        command.SetAction(result =>
        {
            var names = result.GetValue(vms) ?? [];
            if (names.Length > 0 == result.GetValue(all))
            {
                error.WriteLine("libvirt-hook: refresh needs VM names or --all (not both).");
                error.WriteLine("Try: libvirt-hook refresh --help");
                return ExitCodes.Usage;
            }

            var refresher = new Refresh.Refresher(paths, tools);
            var uuids = new Tools.Virsh(tools).UuidsByName();
            var request = new Refresh.RefreshRequest { Timeout = result.GetValue(timeout), Stagger = result.GetValue(stagger), Force = result.GetValue(force) };
            var outcomes = refresher.Run(result.GetValue(all) ? [.. new InventoryReader(paths, tools).ConfiguredVms().Where(uuids.ContainsKey)] : names.Distinct().ToList(), uuids, request, (name, outcome) =>
                (outcome.Failed ? error : output).WriteLine(outcome.Failed ? $"libvirt-hook: {UntrustedText.ForTerminal(Refresh.Refresher.Describe(name, outcome, request.Timeout))}" : UntrustedText.ForTerminal(Refresh.Refresher.Describe(name, outcome, request.Timeout))));
            if (outcomes.Count == 0)
                output.WriteLine("No managed VM to refresh.");
            return outcomes.Any(o => o.Failed) ? ExitCodes.Failed : ExitCodes.Ok;
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
                output.WriteLine(UntrustedText.ForTerminal($"\"{domain}\" is held: it is not restarted automatically until: libvirt-hook unhold {domain}"));
            }
            else
            {
                output.WriteLine(UntrustedText.ForTerminal(holds.Unhold(domain) ? $"\"{domain}\" is no longer held." : $"\"{domain}\" was not held."));
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private Command LogCommand()
    {
        var vm = new Argument<string?>("VM") { Description = "Only this VM's lines (default: every VM's).", Arity = ArgumentArity.ZeroOrOne };
        var since = new Option<TimeSpan?>("--since")
        {
            Description = "Only lines this recent, however far back in the log: 90s, 30m, 1h, 2d (default: the last 4 MiB of the log).",
            HelpName = "DURATION",
            CustomParser = result => ParseDuration(result, "--since", "1h"),
        };
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
            var from = result.GetValue(since) is { } window ? DateTimeOffset.Now - window : (DateTimeOffset?)null;
            var only = result.GetValue(vm);
            var reader = new Logging.HookLogReader(paths.LogFile);
            // The text form is the log's own format, which escapes control characters in every value
            // (LogCatalog.Quote), however the line got into the file; JSON escapes them too.
            foreach (var line in (from is { } after ? reader.Since(after) : reader.Tail()).Where(l => only is null || l.Vm == only))
                output.WriteLine(result.GetValue(json) ? LogJson.Write(line) : line.ToString());
            return ExitCodes.Ok;
        });
        return command;
    }
}
