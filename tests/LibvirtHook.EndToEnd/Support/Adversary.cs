using System.Diagnostics;
using System.Globalization;
using LibvirtHook.Tools;

namespace LibvirtHook.EndToEnd.Support;

/// <summary>
/// An unprivileged local user (an unused uid, no groups) who owns a VM's image directory: a plain
/// Python loop run through <c>setpriv</c>, as a real attacker would write it. Debian's python3,
/// since pyenv's is not readable by other uids.
/// </summary>
public static class Adversary
{
    public const uint Uid = 4242;

    /// <summary>What the adversary puts at a name the hook uses.</summary>
    public enum Plant
    {
        /// <summary>A symbolic link to the root-owned victim.</summary>
        SymlinkToVictim,

        /// <summary>A symbolic link to a name that does not exist yet, in a root-owned directory.</summary>
        SymlinkToNothing,

        Fifo,

        Directory,
    }

    private const string Script = """
        import os, sys, time
        def plant(kind, path, victim, missing):
            if kind == "SymlinkToVictim": os.symlink(victim, path)
            elif kind == "SymlinkToNothing": os.symlink(missing, path)
            elif kind == "Fifo": os.mkfifo(path, 0o666)
            elif kind == "Directory": os.mkdir(path, 0o777)
            else: raise SystemExit("unknown plant " + kind)
        def keep_planting(kind, path, victim, missing, seconds):
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                try:
                    plant(kind, path, victim, missing)
                    return 0
                except FileExistsError:
                    pass
            return 3
        mode = sys.argv[1]
        if mode == "plant":
            plant(*sys.argv[2:6])
        elif mode == "race":
            watch, kind, path, victim, missing = sys.argv[2:7]
            print("ready", flush=True)
            end = time.monotonic() + 20
            while not os.path.lexists(watch):
                if time.monotonic() > end: sys.exit(2)
            sys.exit(keep_planting(kind, path, victim, missing, 5))
        elif mode == "swap":
            base, aside, victim = sys.argv[2:5]
            os.rename(base, aside)
            os.symlink(victim, base)
        """;

    /// <summary>Plants now, before the hook runs.</summary>
    public static void PlantNow(Plant plant, string path, Victim victim) =>
        Run(["plant", plant.ToString(), path, victim.Path, victim.NeverExisting]);

    /// <summary>Moves the base aside and puts a symbolic link to the victim at its name.</summary>
    public static void SwapForSymlink(string path, string aside, string victim) => Run(["swap", path, aside, victim]);

    /// <summary>
    /// Starts a loop that waits for <paramref name="watch"/> to appear, then plants at
    /// <paramref name="path"/> as fast as it can (again and again while the name is taken, for 5 s).
    /// Returns once the loop is polling.
    /// </summary>
    public static Process StartRace(string watch, Plant plant, string path, Victim victim)
    {
        var start = new ProcessStartInfo("setpriv") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
        foreach (var argument in Argv(["race", watch, plant.ToString(), path, victim.Path, victim.NeverExisting]))
            start.ArgumentList.Add(argument);
        var racer = Process.Start(start)!;
        var ready = racer.StandardOutput.ReadLineAsync();
        if (!ready.Wait(TimeSpan.FromSeconds(10)) || ready.Result != "ready")
            throw new InvalidOperationException($"The adversary's race loop did not start: {racer.StandardError.ReadToEnd()}");
        return racer;
    }

    /// <summary>Ends a race loop (it ends by itself 20 s after it started if the name never appears).</summary>
    public static void Stop(Process racer)
    {
        if (!racer.WaitForExit(0))
            racer.Kill();
        racer.WaitForExit(10_000);
        racer.Dispose();
    }

    private static void Run(IReadOnlyList<string> arguments)
    {
        var argv = Argv(arguments);
        ProcessRunner.Run(argv[0], argv[1..], TimeSpan.FromSeconds(30));
    }

    private static string[] Argv(IReadOnlyList<string> arguments)
    {
        var id = Uid.ToString(CultureInfo.InvariantCulture);
        return ["setpriv", "--reuid", id, "--regid", id, "--clear-groups", "--", Prerequisites.Python, "-c", Script, .. arguments];
    }
}
