using LibvirtHook.Domain;

namespace LibvirtHook.Config;

internal sealed record RestartPolicy
{
    /// <summary>What an empty <c>"restart": {}</c> means; also the window the admin side counts in for a VM without one.</summary>
    public static RestartPolicy Default { get; } = new();

    public static IReadOnlyList<ShutoffReason> DefaultReasons { get; } = [ShutoffReason.Shutdown, ShutoffReason.Crashed];

    /// <summary>libvirt shut-off reasons after which the VM is started again.</summary>
    public IReadOnlyList<ShutoffReason> On { get; init; } = DefaultReasons;

    public int DelaySeconds { get; init; }

    public int MaxRestarts { get; init; } = 5;

    public int WindowSeconds { get; init; } = 600;
}
