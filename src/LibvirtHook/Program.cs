using LibvirtHook;
using LibvirtHook.Hook;
using LibvirtHook.Tools;

if (args.Length < 2)
{
    Console.Error.WriteLine("""
        libvirt-hook: a libvirt QEMU hook for stateless disks.
        Install it as /etc/libvirt/hooks/qemu; libvirtd runs it as: qemu <domain> <op> <subop> <extra>
        with the domain XML on stdin. Configs live in /etc/libvirt/hooks/config/<domain>.json.
        """);
    return 2;
}

using var stdin = new StreamReader(Console.OpenStandardInput());
return new HookRunner(HookPaths.Default, ToolPaths.Default).Run(HookCall.FromArguments(args), stdin, Console.Error);
