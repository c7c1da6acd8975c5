using LibvirtHook;
using LibvirtHook.Hook;
using LibvirtHook.Restart;
using LibvirtHook.Tools;

if (Environment.GetEnvironmentVariable(RestartWorker.EnvironmentVariable) == "restart" && args.Length == 3)
    return new RestartWorker(HookPaths.Default, ToolPaths.Default).Run(args[0], args[1], args[2]);

if (args.Length < 2)
{
    Console.Error.WriteLine("""
        libvirt-hook: a libvirt QEMU hook for stateless disks and cold restarts.
        Install it as /etc/libvirt/hooks/qemu; libvirtd runs it as: qemu <domain> <op> <subop> <extra>
        with the domain XML on stdin. Configs live in /etc/libvirt/hooks/config/<domain>.json.
        """);
    return 2;
}

using var stdin = new StreamReader(Console.OpenStandardInput());
return new HookRunner(HookPaths.Default, ToolPaths.Default).Run(HookCall.FromArguments(args), stdin, Console.Error);
