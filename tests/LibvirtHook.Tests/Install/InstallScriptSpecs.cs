using LibvirtHook.Tests.Support;
using LibvirtHook.Tools;

namespace LibvirtHook.Tests.Install;

/// <summary>install.sh with DESTDIR, so the host's /etc is never touched.</summary>
public sealed class InstallScriptSpecs : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string Script => Path.Combine(RepositoryRoot(), "install.sh");

    private string Binary()
    {
        var path = _temp.File("fake-hook");
        File.WriteAllText(path, "#!/bin/sh\nexit 0\n");
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        return path;
    }

    private ProcessResult Install(string stage) =>
        ProcessRunner.Run("env", [$"DESTDIR={stage}", "bash", Script, "--binary", Binary()]);

    [Fact]
    public void Install_stages_the_hook_config_and_log_directories_under_destdir()
    {
        var stage = _temp.File("stage");

        var result = Install(stage);

        File.ReadAllText(Path.Combine(stage, "etc/libvirt/hooks/qemu")).Should().Be("#!/bin/sh\nexit 0\n");
        File.GetUnixFileMode(Path.Combine(stage, "etc/libvirt/hooks/qemu")).Should().Be((UnixFileMode)0b111_101_101);
        File.GetUnixFileMode(Path.Combine(stage, "etc/libvirt/hooks/config")).Should().Be((UnixFileMode)0b111_101_101);
        Directory.Exists(Path.Combine(stage, "var/log/libvirt/qemu")).Should().BeTrue();
        Directory.Exists(Path.Combine(stage, "etc/libvirt/hooks/qemu.d")).Should().BeFalse();
        result.StandardOutput.Should().Contain($"Installed {stage}/etc/libvirt/hooks/qemu");
    }

    [Fact]
    public void Install_never_overwrites_a_foreign_hook_and_uses_qemu_d_instead()
    {
        var stage = _temp.File("stage");
        Directory.CreateDirectory(Path.Combine(stage, "etc/libvirt/hooks"));
        File.WriteAllText(Path.Combine(stage, "etc/libvirt/hooks/qemu"), "#!/bin/sh\n# someone else's hook\n");

        var result = Install(stage);

        File.ReadAllText(Path.Combine(stage, "etc/libvirt/hooks/qemu")).Should().Be("#!/bin/sh\n# someone else's hook\n");
        File.Exists(Path.Combine(stage, "etc/libvirt/hooks/qemu.d/libvirt-hook")).Should().BeTrue();
        result.StandardOutput.Should().Contain("A different hook is already installed").And.Contain("qemu.d/libvirt-hook");
    }

    [Fact]
    public void Installing_twice_replaces_its_own_hook_in_place()
    {
        var stage = _temp.File("stage");

        Install(stage);
        var second = Install(stage);

        second.StandardOutput.Should().NotContain("A different hook");
        File.Exists(Path.Combine(stage, "etc/libvirt/hooks/qemu")).Should().BeTrue();
        Directory.Exists(Path.Combine(stage, "etc/libvirt/hooks/qemu.d")).Should().BeFalse();
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(directory!.FullName, "LibvirtHook.sln")))
            directory = directory.Parent;
        return directory.FullName;
    }
}
