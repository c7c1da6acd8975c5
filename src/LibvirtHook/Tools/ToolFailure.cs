namespace LibvirtHook.Tools;

/// <summary>Why an external program failed, as <see cref="ProcessRunner"/> (or a wrapper reading its output) found it.</summary>
internal enum ToolFailure
{
    /// <summary>It ran and exited with a code other than 0: its own answer, in its exit code and stderr.</summary>
    ExitedNonZero,

    /// <summary>It ran past its limit and was killed; it never exited on its own.</summary>
    TimedOut,

    /// <summary>It never ran (not found, not executable).</summary>
    CouldNotStart,

    /// <summary>It exited 0, but its output was not what its wrapper expects (e.g. qemu-img printing no JSON).</summary>
    UnexpectedOutput,
}
