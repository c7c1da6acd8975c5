namespace LibvirtHook;

/// <summary>Every exit code the binary uses, in its three roles (hook, worker, admin command).</summary>
internal static class ExitCodes
{
    /// <summary>Done; for the admin command also "no problem found".</summary>
    public const int Ok = 0;

    /// <summary>The hook refused or failed (libvirt aborts the start and shows stderr); the admin command found problems or failed.</summary>
    public const int Failed = 1;

    /// <summary>Called wrongly: not as libvirtd calls a hook, or an admin command's usage error.</summary>
    public const int Usage = 2;
}
