namespace LibvirtHook.EndToEnd.Support;

/// <summary>What an image of the Linux guest's ext2 disk holds: the boot counter and the file names at its root.</summary>
public sealed record LinuxDisk(int Boots, IReadOnlyList<string> Files);
