namespace LibvirtHook.Platform;

/// <summary>Owner, group and permission bits of a file, as recorded to be put back later.</summary>
internal sealed record FileOwnership(uint Owner, uint Group, int Mode)
{
    public static FileOwnership Of(FileStatus status) => new(status.Owner, status.Group, status.Permissions);

    public bool Matches(FileStatus status) => status.Owner == Owner && status.Group == Group && status.Permissions == Mode;

    public override string ToString() => $"{Owner}:{Group} mode {Convert.ToString(Mode, 8)}";
}
