using LibvirtHook.Tools;

namespace LibvirtHook.Config;

internal sealed record DiskConfig
{
    /// <summary>The disk's <c>&lt;target dev=.../&gt;</c> in the domain XML.</summary>
    public required string Target { get; init; }

    /// <summary>Keep this session's changes once: commit at release, then the flag goes back to false.</summary>
    public bool OneShotCommit { get; init; }

    /// <summary>
    /// The image's own format (<c>base-format</c>): the domain XML's driver type, qcow2, unless
    /// the admin says the base is raw. The hook never guesses it from the bytes the guest wrote.
    /// </summary>
    public ImageFormat BaseFormat { get; init; } = ImageFormat.Qcow2;
}
