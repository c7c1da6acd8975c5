using System.Diagnostics;

namespace LibvirtHook;

/// <summary>
/// Named points between the steps that change images, where the fault-injection tests kill the
/// hook with SIGKILL. Only a build with <c>-c FaultInjection</c> has them: in every other
/// build the compiler removes the calls, so production never reads the variable.
/// </summary>
internal static class FaultInjection
{
    public const string EnvironmentVariable = "LIBVIRT_HOOK_KILL_AT";

    [Conditional("FAULT_INJECTION")]
    public static void Point(string name)
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) == name)
            _ = Platform.Native.Kill(Environment.ProcessId, 9);
    }
}
