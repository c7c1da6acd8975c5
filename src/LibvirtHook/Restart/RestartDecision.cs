namespace LibvirtHook.Restart;

/// <summary>Whether to start a stopped VM again, and the reason in words for the log.</summary>
internal sealed record RestartDecision(bool Restart, string Why)
{
    public static RestartDecision Yes(string why) => new(true, why);

    public static RestartDecision No(string why) => new(false, why);
}
