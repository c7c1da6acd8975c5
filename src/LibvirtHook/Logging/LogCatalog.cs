using System.Globalization;
using System.Text;
using LibvirtHook.Domain;
using LibvirtHook.Hook;
using LibvirtHook.Refresh;
using LibvirtHook.Restart;
using LibvirtHook.Stateless;

namespace LibvirtHook.Logging;

/// <summary>
/// Every kind of hooks.log line, in one place: its keys, their order and how each value is
/// quoted. The hook and the worker write through the factories; <c>status</c>, the specs and
/// the benches (through <c>libvirt-hook log --json</c>) read through <see cref="Keys"/> and
/// <see cref="Outcomes"/>. Change a line here, and every reader follows.
/// </summary>
internal static class LogCatalog
{
    /// <summary>The keys a line may carry.</summary>
    public static class Keys
    {
        public const string Vm = "vm";
        public const string Op = "op";
        public const string Outcome = "outcome";
        public const string Action = "action";
        public const string Disk = "disk";
        public const string Disks = "disks";
        public const string Image = "image";
        public const string BaseFormat = "base-format";
        public const string OneShotCommit = "one-shot-commit";
        public const string ShutoffReason = "shutoff-reason";
        public const string ReasonFrom = "reason-from";
        public const string Restart = "restart";
        public const string WorkerPid = "worker-pid";
        public const string Reason = "reason";
        public const string WaitedMs = "waited-ms";
        public const string DelaySeconds = "delay-s";
        public const string StartMs = "start-ms";
        public const string TotalMs = "total-ms";
        public const string TimeoutSeconds = "timeout-s";
        public const string StopMs = "stop-ms";
        public const string DownMs = "down-ms";
        public const string Why = "why";
        public const string Warning = "warning";
        public const string Message = "message";
        public const string Ms = "ms";
    }

    /// <summary>The values of <see cref="Keys.Outcome"/>: a hook call ends ok or error; a restart worker started, not-started or error.</summary>
    public static class Outcomes
    {
        public const string Ok = "ok";
        public const string Error = "error";
        public const string Started = "started";
        public const string NotStarted = "not-started";
    }

    /// <summary>Values of <see cref="Keys.Restart"/> on a release line.</summary>
    public static class RestartValues
    {
        public const string Scheduled = "scheduled";
        public const string No = "no";
    }

    /// <summary>The op of the restart worker's one line per decision.</summary>
    public const string RestartOp = "restart";

    /// <summary>The op of <c>libvirt-hook refresh</c>'s one line per VM.</summary>
    public const string RefreshOp = "refresh";

    /// <summary>The op of the discard worker's lines, written only for a file it could not remove.</summary>
    public const string DiscardOp = "discard";

    // Free text and paths are always quoted, so a reader never has to guess where they end.
    private static readonly HashSet<string> AlwaysQuoted = [Keys.Vm, Keys.Image, Keys.Why, Keys.Warning, Keys.Message];

    /// <summary>The last line of a successful hook call: what it did, then its duration.</summary>
    public static LogLine CallSucceeded(string vm, string op, CallOutcome outcome, long ms)
    {
        var fields = new List<LogField> { new(Keys.Outcome, Outcomes.Ok), new(Keys.Action, Name(outcome.Action)) };
        if (outcome.Disks is { } disks)
            fields.Add(new(Keys.Disks, Number(disks)));
        if (outcome.Reason is { } reason)
        {
            fields.Add(new(Keys.ShutoffReason, reason.Reason.Name()));
            fields.Add(new(Keys.ReasonFrom, Name(reason.Source)));
        }

        if (outcome.Restart is { } restart)
        {
            // A call with no worker program (an in-process spec) has a decision and no pid.
            fields.Add(new(Keys.Restart, restart.Decision.Restart ? RestartValues.Scheduled : RestartValues.No));
            if (restart.WorkerPid is { } pid)
                fields.Add(new(Keys.WorkerPid, Number(pid)));
            else if (!restart.Decision.Restart)
                fields.Add(new(Keys.Why, restart.Decision.Why));
        }

        if (outcome.Why is { } why)
            fields.Add(new(Keys.Why, why));
        fields.Add(new(Keys.Ms, Number(ms)));
        return Line(vm, op, fields);
    }

    /// <summary>The last line of a failed hook call; the message is what libvirt showed the admin.</summary>
    public static LogLine CallFailed(string vm, string op, string message, long ms) =>
        Line(vm, op, [new(Keys.Outcome, Outcomes.Error), new(Keys.Ms, Number(ms)), new(Keys.Message, message)]);

    /// <summary>One step on one disk, before the call's last line.</summary>
    public static LogLine DiskStepDone(string vm, string op, DiskStep step)
    {
        var fields = new List<LogField> { new(Keys.Disk, step.Target), new(Keys.Action, Name(step.Action)), new(Keys.Image, step.Image) };
        if (step.BaseFormat is { } format)
            fields.Add(new(Keys.BaseFormat, format));
        if (step.Ms is { } ms)
            fields.Add(new(Keys.Ms, Number(ms)));
        if (step.FlagReset is { } reset)
            fields.Add(new(Keys.OneShotCommit, reset ? "reset-to-false" : "unchanged"));
        return Line(vm, op, fields);
    }

    /// <summary>Something the admin should know that did not stop the call.</summary>
    public static LogLine Warned(string vm, string op, string? disk, string warning) =>
        Line(vm, op, disk is null ? [new(Keys.Warning, warning)] : [new(Keys.Disk, disk), new(Keys.Warning, warning)]);

    /// <summary>The restart worker's one line: what it decided, why, and how long each part took.</summary>
    public static LogLine RestartEnded(string vm, RestartOutcome outcome)
    {
        var fields = new List<LogField> { new(Keys.Outcome, outcome.Result switch
        {
            RestartResult.Started => Outcomes.Started,
            RestartResult.NotStarted => Outcomes.NotStarted,
            _ => Outcomes.Error,
        }) };
        if (outcome.Result == RestartResult.Error)
        {
            fields.Add(new(Keys.Ms, Number(outcome.TotalMs ?? 0)));
            fields.Add(new(Keys.Message, outcome.Why));
            return Line(vm, RestartOp, fields);
        }

        if (outcome.Reason is { } reason)
            fields.Add(new(Keys.Reason, reason.Name()));
        if (outcome.WaitedMs is { } waited)
            fields.Add(new(Keys.WaitedMs, Number(waited)));
        fields.Add(new(Keys.Why, outcome.Why));
        if (outcome.Result == RestartResult.Started)
        {
            fields.Add(new(Keys.DelaySeconds, Number(outcome.DelaySeconds ?? 0)));
            fields.Add(new(Keys.StartMs, Number(outcome.StartMs ?? 0)));
            fields.Add(new(Keys.TotalMs, Number(outcome.TotalMs ?? 0)));
        }

        return Line(vm, RestartOp, fields);
    }

    /// <summary>
    /// Refresh's one line per VM: <c>outcome=started action=shutdown|destroyed-after-timeout timeout-s= stop-ms= down-ms= total-ms=</c>,
    /// <c>outcome=not-started action=held|not-running why= total-ms=</c>, or <c>outcome=error [action= stop-ms=] ms= message=</c>.
    /// </summary>
    public static LogLine RefreshEnded(string vm, RefreshOutcome outcome, TimeSpan timeout)
    {
        var fields = new List<LogField> { new(Keys.Outcome, outcome.Failed ? Outcomes.Error : outcome.Started ? Outcomes.Started : Outcomes.NotStarted) };
        if (outcome.Action is { } action)
            fields.Add(new(Keys.Action, Name(action)));
        if (outcome.Failed)
        {
            if (outcome.StopMs is { } stopped)
                fields.Add(new(Keys.StopMs, Number(stopped)));
            fields.Add(new(Keys.Ms, Number(outcome.TotalMs)));
            fields.Add(new(Keys.Message, outcome.Why ?? ""));
            return Line(vm, RefreshOp, fields);
        }

        if (outcome.Started)
        {
            fields.Add(new(Keys.TimeoutSeconds, Number((long)timeout.TotalSeconds)));
            fields.Add(new(Keys.StopMs, Number(outcome.StopMs ?? 0)));
            fields.Add(new(Keys.DownMs, Number(outcome.DownMs ?? 0)));
        }
        else
        {
            fields.Add(new(Keys.Why, outcome.Why ?? ""));
        }

        fields.Add(new(Keys.TotalMs, Number(outcome.TotalMs)));
        return Line(vm, RefreshOp, fields);
    }

    /// <summary>The restart worker gave up because the crash-loop guard said no.</summary>
    public static bool IsCrashLoopGiveUp(LogLine line) =>
        line.Op == RestartOp && line.Has(Keys.Outcome, Outcomes.NotStarted) && (line[Keys.Why]?.StartsWith(RestartPlanner.CrashLoopGuard, StringComparison.Ordinal) ?? false);

    /// <summary>libvirt's <c>started</c> hook call (<c>qemu VM started begin -</c>): the VM runs again (the worker or an admin started it).</summary>
    public static bool IsStartedAgain(LogLine line) => HookOperations.Parse(line.Op) == HookOperation.Started && line.Has(Keys.Outcome, Outcomes.Ok);

    /// <summary>The last line of a hook call (not a per-disk step, not a warning).</summary>
    public static bool IsCallEnd(LogLine line) => line.Op is not (RestartOp or RefreshOp) && line[Keys.Outcome] is not null;

    public static string Name(HookAction action) => action switch
    {
        HookAction.None => "none",
        HookAction.Prepared => "prepared",
        HookAction.ResumedSaved => "resume-saved",
        HookAction.KeptForRestore => "kept-for-restore",
        HookAction.Released => "released",
        HookAction.RestorePending => "restore-pending",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    public static string Name(DiskAction action) => action switch
    {
        DiskAction.Overlay => "overlay",
        DiskAction.DiscardedOverlay => "discarded overlay",
        DiskAction.RevertedToCommittedBase => "reverted to the committed base",
        DiskAction.RolledBack => "rolled back after a failed prepare",
        DiskAction.DiscardedStaleOverlay => "discarded stale overlay from an unclean stop",
        DiskAction.DiscardedUnrestoredSave => "discarded the overlay of a saved session whose RAM was not restored",
        DiskAction.Committed => "committed",
        DiskAction.KeptForRestore => "kept-for-restore",
        DiskAction.ResumedSavedOverlay => "resumed-saved-overlay",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    public static string Name(RefreshAction action) => action switch
    {
        RefreshAction.ShutDown => "shutdown",
        RefreshAction.DestroyedAfterTimeout => "destroyed-after-timeout",
        RefreshAction.LeftHeld => "held",
        RefreshAction.NotRunning => "not-running",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    public static string Name(ReasonSource source) => source switch
    {
        ReasonSource.Argument => "argument",
        ReasonSource.DomainLog => "domain-log",
        ReasonSource.DomainLogNotBelieved => "domain-log-not-believed",
        ReasonSource.ManagedSaveImage => "managed-save-image",
        ReasonSource.None => "none",
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, null),
    };

    /// <summary>Quotes a value the way the log does, so a domain name with spaces or quotes stays one field.</summary>
    public static string Quote(string value)
    {
        var builder = new StringBuilder("\"");
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                builder.Append(c).Append(value[++i]);
                continue;
            }

            builder.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                // ESC, newlines and their kin never reach the file raw: `tail hooks.log` is read on terminals.
                _ => UntrustedText.EscapeControl(c) ?? c.ToString(),
            });
        }

        return builder.Append('"').ToString();
    }

    /// <summary>A value as written after <c>key=</c>: bare when it is one plain word, quoted otherwise.</summary>
    public static string Value(string key, string value) =>
        AlwaysQuoted.Contains(key) || value.Length == 0 || value.Any(c => c is ' ' or '"' or '\\' or '=' || UntrustedText.EscapeControl(c) is not null)
            ? Quote(value)
            : value;

    private static LogLine Line(string vm, string op, IReadOnlyList<LogField> fields) =>
        new() { Time = DateTimeOffset.Now, Pid = Environment.ProcessId, Vm = vm, Op = op, Fields = fields };

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
