namespace LibvirtHook.Admin;

/// <summary>An admin command found problems before it changed anything: one sentence each.</summary>
internal sealed class RefusedException : LibvirtHookException
{
    public RefusedException(IReadOnlyList<string> problems)
        : base(string.Join(" ", problems))
    {
        Problems = problems;
    }

    public IReadOnlyList<string> Problems { get; }
}
