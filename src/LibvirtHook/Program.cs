using LibvirtHook;
using LibvirtHook.Admin;
using LibvirtHook.Hook;
using LibvirtHook.Logging;
using LibvirtHook.Platform;
using LibvirtHook.Restart;
using LibvirtHook.Stateless;
using LibvirtHook.Tools;

var workerRole = Environment.GetEnvironmentVariable(WorkerProgram.EnvironmentVariable);
if (WorkerLaunch.FromProcess(workerRole, args) is { } launch)
    return new RestartWorker(HookPaths.Default, ToolPaths.Default).Run(launch);
if (DiscardLaunch.FromProcess(workerRole, args) is { } discard)
    return OverlayDiscards.Remove(discard.Domain, discard.Files, new HookLog(HookPaths.Default.LogFile)) ? ExitCodes.Ok : ExitCodes.Failed;

// libvirtd runs /etc/libvirt/hooks/qemu and /etc/libvirt/hooks/qemu.d/*: there, every argv is a
// hook call, even for a VM named "status" or "--help". Any other name is the admin command.
if (InvocationName.IsHook(Environment.GetCommandLineArgs()[0]))
{
    if (args.Length < 2)
    {
        Console.Error.WriteLine("libvirt-hook: libvirtd runs this as: qemu <domain> <op> <subop> <extra>, with the domain XML on stdin; for the admin command run libvirt-hook --help.");
        return ExitCodes.Usage;
    }

    using var stdin = new StreamReader(Console.OpenStandardInput());
    return new HookRunner(HookPaths.Default, ToolPaths.Default, WorkerProgram.OfThisProcess()).Run(HookCall.FromArguments(args), stdin, Console.Error);
}

return new AdminCli(HookPaths.Default, ToolPaths.Default, Console.Out, Console.Error).Run(args);
