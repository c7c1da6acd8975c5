namespace LibvirtHook.Hook;

/// <summary>One invocation by libvirtd: <c>qemu &lt;domain&gt; &lt;op&gt; &lt;subop&gt; &lt;extra&gt;</c>.</summary>
internal sealed record HookCall
{
    public required string Domain { get; init; }

    /// <summary>libvirt's word for the operation, as it was passed: the log shows it so (<c>op=</c>), known to this build or not.</summary>
    public required string Operation { get; init; }

    /// <summary>What the hook decides on.</summary>
    public HookOperation Kind => HookOperations.Parse(Operation);

    /// <summary>For <c>release</c> on libvirt 10.5 and later: the shut-off reason; "-" before.</summary>
    public string Extra { get; init; } = "-";

    /// <remarks>The sub-operation (argv[3]: begin, end, ...) decides nothing here: each op comes with one.</remarks>
    public static HookCall FromArguments(IReadOnlyList<string> args) => new()
    {
        Domain = args[0],
        Operation = args[1],
        Extra = args.Count > 3 ? args[3] : "-",
    };
}
