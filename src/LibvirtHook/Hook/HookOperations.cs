namespace LibvirtHook.Hook;

/// <summary>Hook operations by libvirt's own words, for the call's argv and for readers of the log's <c>op=</c>.</summary>
internal static class HookOperations
{
    /// <summary>The operation libvirt names with <paramref name="word"/>; <see cref="HookOperation.Other"/> for any other word.</summary>
    public static HookOperation Parse(string? word) => word switch
    {
        "prepare" => HookOperation.Prepare,
        "start" => HookOperation.Start,
        "started" => HookOperation.Started,
        "stopped" => HookOperation.Stopped,
        "release" => HookOperation.Release,
        "migrate" => HookOperation.Migrate,
        "restore" => HookOperation.Restore,
        "reconnect" => HookOperation.Reconnect,
        "attach" => HookOperation.Attach,
        _ => HookOperation.Other,
    };
}
