using LibvirtHook.Tools;

namespace LibvirtHook.Restart;

internal static class HostState
{
    /// <summary>True while systemd takes the host down; hosts without systemd never say so.</summary>
    public static bool IsShuttingDown(ToolPaths tools)
    {
        if (!Directory.Exists("/run/systemd/system"))
            return false;
        var state = ProcessRunner.RunUnchecked(tools.Systemctl, ["is-system-running"], TimeSpan.FromSeconds(10)).StandardOutput.Trim();
        return state is "stopping";
    }
}
