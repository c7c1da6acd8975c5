using System.Runtime.InteropServices;

namespace LibvirtHook.Platform;

/// <summary>
/// Starts a process that owes libvirtd nothing: its own session (setsid), stdin/stdout/stderr on
/// /dev/null, every other descriptor closed, default signal handling, working directory /.
/// libvirtd reads the hook's stdout and stderr to EOF before it goes on, so a child that kept
/// either pipe would hold the VM's stop hostage; .NET's Process.Start would hand them down.
/// </summary>
internal static class DetachedProcess
{
    private const short POSIX_SPAWN_SETSIGDEF = 0x04;
    private const short POSIX_SPAWN_SETSIGMASK = 0x08;
    private const short POSIX_SPAWN_SETSID = 0x80;
    private const int O_RDWR = 2;

    /// <returns>The child's pid.</returns>
    public static int Start(string program, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var allocations = new List<IntPtr>();
        var actions = Marshal.AllocHGlobal(1024);
        var attributes = Marshal.AllocHGlobal(1024);
        var signals = Marshal.AllocHGlobal(256);
        try
        {
            Check(Native.posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
            Check(Native.posix_spawnattr_init(attributes), "posix_spawnattr_init");
            for (var fd = 0; fd <= 2; fd++)
                Check(Native.posix_spawn_file_actions_addopen(actions, fd, "/dev/null", O_RDWR, 0), "posix_spawn_file_actions_addopen");
            Check(Native.posix_spawn_file_actions_addclosefrom_np(actions, 3), "posix_spawn_file_actions_addclosefrom_np");
            Check(Native.posix_spawn_file_actions_addchdir_np(actions, "/"), "posix_spawn_file_actions_addchdir_np");

            Check(Native.sigemptyset(signals), "sigemptyset");
            Check(Native.posix_spawnattr_setsigmask(attributes, signals), "posix_spawnattr_setsigmask");
            Check(Native.sigfillset(signals), "sigfillset");
            Check(Native.posix_spawnattr_setsigdefault(attributes, signals), "posix_spawnattr_setsigdefault");
            Check(Native.posix_spawnattr_setflags(attributes, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF), "posix_spawnattr_setflags");

            var argv = ToArray([program, .. arguments], allocations);
            var envp = ToArray(environment.Select(e => e.Key + "=" + e.Value).ToList(), allocations);
            var error = Native.posix_spawn(out var pid, program, actions, attributes, argv, envp);
            if (error != 0)
                throw new IOException($"Cannot start \"{program}\": {Marshal.GetPInvokeErrorMessage(error)}.");
            return pid;
        }
        finally
        {
            Native.posix_spawn_file_actions_destroy(actions);
            Native.posix_spawnattr_destroy(attributes);
            Marshal.FreeHGlobal(actions);
            Marshal.FreeHGlobal(attributes);
            Marshal.FreeHGlobal(signals);
            foreach (var pointer in allocations)
                Marshal.FreeCoTaskMem(pointer);
        }
    }

    private static IntPtr[] ToArray(IReadOnlyList<string> strings, List<IntPtr> allocations)
    {
        var array = new IntPtr[strings.Count + 1];
        for (var i = 0; i < strings.Count; i++)
        {
            array[i] = Marshal.StringToCoTaskMemUTF8(strings[i]);
            allocations.Add(array[i]);
        }

        return array;
    }

    private static void Check(int result, string call)
    {
        if (result != 0)
            throw new IOException($"{call} failed: {Marshal.GetPInvokeErrorMessage(result == -1 ? Marshal.GetLastPInvokeError() : result)}.");
    }
}
