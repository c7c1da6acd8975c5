namespace LogContention;

/// <summary>The ways of appending lines to one file that the bench compares.</summary>
internal enum WriterKind
{
    /// <summary>The hook's own HookLog: O_APPEND-style end-of-file write of one whole line under flock(LOCK_EX).</summary>
    HookLog,

    /// <summary>Serilog.Sinks.File with shared: true, the set-up its documentation gives for several processes.</summary>
    SerilogShared,

    /// <summary>Serilog.Sinks.File, not shared, unbuffered: a flush per event but no cross-process lock.</summary>
    SerilogUnbuffered,

    /// <summary>Serilog's API with a sink that writes each event through HookLog, its properties as the line's fields.</summary>
    SerilogHookLogSink,
}
