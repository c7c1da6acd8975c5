using LibvirtHook.Tests.Support;
using LibvirtHook.Tools;

namespace LibvirtHook.Tests.Install;

/// <summary>install.sh with DESTDIR, so the host's /etc is never touched.</summary>
public sealed class InstallScriptSpecs : IDisposable
{
    private readonly TempDirectory _temp = new();

    public InstallScriptSpecs() => Stage = _temp.File("stage");

    public void Dispose() => _temp.Dispose();

    private string Stage { get; }

    private static string Script => Path.Combine(RepositoryRoot(), "install.sh");

    private string Staged(string path) => Stage + path;

    private string Binary()
    {
        var path = _temp.File("fake-hook");
        File.WriteAllText(path, "#!/bin/sh\nexit 0\n");
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        return path;
    }

    private ProcessResult Install(params string[] options) =>
        ProcessRunner.Run("env", [$"DESTDIR={Stage}", "bash", Script, .. options.Length == 0 ? new[] { "--binary", Binary() } : options]);

    private string[] AllFiles() =>
        Directory.GetFiles(Stage, "*", SearchOption.AllDirectories).Select(f => f[Stage.Length..]).Order().ToArray();

    [Fact]
    public void Install_stages_hook_admin_command_logrotate_rule_and_directories_under_destdir()
    {
        var result = Install();

        File.ReadAllText(Staged("/etc/libvirt/hooks/qemu")).Should().Be("#!/bin/sh\nexit 0\n");
        File.GetUnixFileMode(Staged("/etc/libvirt/hooks/qemu")).Should().Be((UnixFileMode)0b111_101_101);
        // One binary: the admin command is a link to the hook, where AppArmor lets libvirtd run it.
        new FileInfo(Staged("/usr/local/sbin/libvirt-hook")).LinkTarget.Should().Be("/etc/libvirt/hooks/qemu");
        File.ReadAllText(Staged("/etc/logrotate.d/libvirt-hook")).Should().Contain("/var/log/libvirt/qemu/hooks.log {").And.Contain("create 0640 root root");
        File.GetUnixFileMode(Staged("/etc/libvirt/hooks/config")).Should().Be((UnixFileMode)0b111_101_101);
        File.ReadAllText(Staged("/etc/systemd/system/libvirt-hook-metrics.service")).Should().Contain("ExecStart=/usr/local/sbin/libvirt-hook metrics --output ");
        File.ReadAllText(Staged("/etc/systemd/system/libvirt-hook-metrics.timer")).Should().Contain("OnUnitActiveSec=1min");
        File.GetUnixFileMode(Staged("/etc/systemd/system/libvirt-hook-metrics.timer")).Should().Be((UnixFileMode)0b110_100_100);
        File.ReadAllText(Staged("/etc/systemd/system/libvirt-hook-refresh@.service")).Should().Contain("ExecStart=/usr/local/sbin/libvirt-hook refresh --timeout 120s -- \"%I\"").And.Contain("TimeoutStartSec=15min");
        File.ReadAllText(Staged("/etc/systemd/system/libvirt-hook-refresh@.timer")).Should().Contain("OnCalendar=*-*-* 03:00").And.Contain("RandomizedDelaySec=1h");
        File.GetUnixFileMode(Staged("/etc/systemd/system/libvirt-hook-refresh@.timer")).Should().Be((UnixFileMode)0b110_100_100);
        Directory.Exists(Staged("/etc/systemd/system/timers.target.wants")).Should().BeFalse("the timers ship disabled");
        Directory.Exists(Staged("/var/log/libvirt/qemu")).Should().BeTrue();
        Directory.Exists(Staged("/etc/libvirt/hooks/qemu.d")).Should().BeFalse();
        result.StandardOutput.Should().Contain($"Installed {Stage}/etc/libvirt/hooks/qemu").And.Contain("The hook is new: libvirtd looks for hooks only when it starts");
    }

    [Fact]
    public void Install_never_overwrites_a_foreign_hook_and_uses_qemu_d_instead()
    {
        Directory.CreateDirectory(Staged("/etc/libvirt/hooks"));
        File.WriteAllText(Staged("/etc/libvirt/hooks/qemu"), "#!/bin/sh\n# someone else's hook\n");

        var first = Install();
        var second = Install();

        File.ReadAllText(Staged("/etc/libvirt/hooks/qemu")).Should().Be("#!/bin/sh\n# someone else's hook\n");
        File.Exists(Staged("/etc/libvirt/hooks/qemu.d/libvirt-hook")).Should().BeTrue();
        new FileInfo(Staged("/usr/local/sbin/libvirt-hook")).LinkTarget.Should().Be("/etc/libvirt/hooks/qemu.d/libvirt-hook");
        first.StandardOutput.Should().Contain("A different hook is already installed").And.Contain("qemu.d/libvirt-hook");
        second.StandardOutput.Should().Contain("updated in place");
    }

    [Fact]
    public void Installing_twice_replaces_its_own_files_in_place_and_says_no_restart_is_needed()
    {
        Install();
        var filesAfterFirst = AllFiles();

        var second = Install();

        second.StandardOutput.Should().NotContain("A different hook").And.Contain("no restart needed");
        AllFiles().Should().Equal(filesAfterFirst);
    }

    [Fact]
    public void Uninstall_removes_what_it_installed_and_nothing_else()
    {
        // Arrange: a foreign hook, a config and a log the admin owns.
        Directory.CreateDirectory(Staged("/etc/libvirt/hooks"));
        File.WriteAllText(Staged("/etc/libvirt/hooks/qemu"), "foreign");
        Install();
        File.WriteAllText(Staged("/etc/libvirt/hooks/config/kiosk.json"), "{}");
        File.WriteAllText(Staged("/var/log/libvirt/qemu/hooks.log"), "a line\n");
        // What systemctl enable libvirt-hook-refresh@kiosk.timer leaves.
        Directory.CreateDirectory(Staged("/etc/systemd/system/timers.target.wants"));
        File.CreateSymbolicLink(Staged("/etc/systemd/system/timers.target.wants/libvirt-hook-refresh@kiosk.timer"), "/etc/systemd/system/libvirt-hook-refresh@.timer");

        // Act
        var result = Install("--uninstall");

        // Assert
        AllFiles().Should().Equal("/etc/libvirt/hooks/config/kiosk.json", "/etc/libvirt/hooks/qemu", "/var/log/libvirt/qemu/hooks.log");
        File.ReadAllText(Staged("/etc/libvirt/hooks/qemu")).Should().Be("foreign");
        result.StandardOutput.Should().Contain("Kept your configs");
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(directory!.FullName, "LibvirtHook.sln")))
            directory = directory.Parent;
        return directory.FullName;
    }
}
