using LibvirtHook;
using LibvirtHook.Admin;
using LibvirtHook.Hook;
using LibvirtHook.Restart;
using LibvirtHook.Tools;

if (WorkerLaunch.FromProcess(Environment.GetEnvironmentVariable(WorkerLaunch.EnvironmentVariable), args) is { } launch)
    return new RestartWorker(HookPaths.Default, ToolPaths.Default).Run(launch);

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
    return new HookRunner(HookPaths.Default, ToolPaths.Default).Run(HookCall.FromArguments(args), stdin, Console.Error);
}

return new AdminCli(HookPaths.Default, ToolPaths.Default, Console.Out, Console.Error).Run(args);
