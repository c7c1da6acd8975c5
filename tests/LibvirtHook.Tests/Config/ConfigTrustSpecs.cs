using LibvirtHook.Admin.Onboarding;
using LibvirtHook.Config;
using LibvirtHook.Tests.Support;
using LibvirtHook.Tools;

namespace LibvirtHook.Tests.Config;

/// <summary>
/// Issue 15: a config reached through a symbolic link is only as safe as every directory on the
/// way to the file it leads to: whoever can rename there decides what the root hook does. Like
/// sshd's StrictModes, the hook refuses, names the path and says how to fix it.
/// </summary>
public sealed class ConfigTrustSpecs : IDisposable
{
    private const string Json = """{"disks": [{"target": "vda"}]}""";

    private readonly HookSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    private string Config => _sandbox.Paths.ConfigFile("kiosk");

    /// <summary>A root-owned 0644 config in <paramref name="directory"/>, and the VM's config name linked to it.</summary>
    private string LinkConfigInto(string directory)
    {
        var target = Path.Combine(directory, "kiosk.json");
        File.WriteAllText(target, Json);
        File.SetUnixFileMode(target, (UnixFileMode)0b110_100_100);
        File.CreateSymbolicLink(Config, target);
        return target;
    }

    private string Directory(string name, int mode, int owner = 0)
    {
        var path = System.IO.Directory.CreateDirectory(Path.Combine(_sandbox.Root, name)).FullName;
        File.SetUnixFileMode(path, (UnixFileMode)mode);
        ProcessRunner.Run("chown", [$"{owner}", path]);
        return path;
    }

    private Action Loading() => () => ConfigFile.Load(Config);

    [Fact]
    public void A_link_into_a_root_owned_directory_nobody_else_can_write_is_followed()
    {
        LinkConfigInto(Directory("etc-kiosk", 0b111_101_101));

        ConfigFile.Load(Config)!.Disks.Single().Target.Should().Be("vda");
    }

    [Fact]
    public void A_link_into_a_directory_a_user_owns_is_refused_naming_the_directory()
    {
        var home = Directory("home-alice", 0b111_101_101, owner: 4242);
        LinkConfigInto(home);

        Loading().Should().Throw<ConfigException>().WithMessage(
            $"Config directory \"{home}\" (on the way to config \"{Config}\") is owned by uid 4242, not root; run: chown root \"{home}\", or keep the config itself in the config directory instead of linking to it.");
    }

    [Fact]
    public void A_link_into_a_group_writable_directory_is_refused()
    {
        var shared = Directory("lab-share", 0b111_111_101);
        LinkConfigInto(shared);

        Loading().Should().Throw<ConfigException>().WithMessage(
            $"Config directory \"{shared}\" (on the way to config \"{Config}\") is writable by group or others (mode 775); run: chmod go-w \"{shared}\", or keep the config itself in the config directory instead of linking to it.");
    }

    [Fact]
    public void A_link_into_a_directory_below_a_sticky_world_writable_one_like_tmp_is_refused()
    {
        var tmp = Directory("tmp", 0b1_111_111_111);
        var below = System.IO.Directory.CreateDirectory(Path.Combine(tmp, "configs")).FullName;
        File.SetUnixFileMode(below, (UnixFileMode)0b111_101_101);
        LinkConfigInto(below);

        Loading().Should().Throw<ConfigException>().WithMessage(
            $"Config directory \"{tmp}\" (on the way to config \"{Config}\") is writable by group or others (mode 1777, a shared directory like /tmp where anyone may create names)*");
    }

    [Fact]
    public async Task A_link_to_a_fifo_is_refused_at_once()
    {
        var fifo = Path.Combine(Directory("etc-kiosk", 0b111_101_101), "kiosk.json");
        ProcessRunner.Run("mkfifo", [fifo]);
        File.CreateSymbolicLink(Config, fifo);

        var load = Task.Run(Loading());
        (await Task.WhenAny(load, Task.Delay(TimeSpan.FromSeconds(60)))).Should().BeSameAs(load, "a FIFO must not hang the hook's start of a VM");
        load.Exception!.InnerException.Should().BeOfType<ConfigException>().Which.Message.Should().Be(
            $"Config \"{Config}\" is a FIFO, not a regular file; make it one or remove it.");
    }

    [Fact]
    public void A_loop_of_links_is_refused_with_what_to_fix()
    {
        var other = _sandbox.Paths.ConfigFile("other");
        File.CreateSymbolicLink(Config, other);
        File.CreateSymbolicLink(other, Config);

        Loading().Should().Throw<ConfigException>().WithMessage(
            $"Config \"{Config}\" cannot be opened: \"{Config}\" is a loop of symbolic links. Make it a regular file owned by root.");
    }

    [Fact]
    public void The_hook_refuses_to_start_a_vm_whose_config_links_into_a_users_directory_and_touches_nothing()
    {
        var image = _sandbox.CreateImage("kiosk.qcow2");
        LinkConfigInto(Directory("home-alice", 0b111_101_101, owner: 4242));
        var before = HookSandbox.Hash(image);

        var (code, stderr) = _sandbox.Run("kiosk", "prepare", HookSandbox.DomainXml("kiosk", ("vda", image)));

        code.Should().Be(1);
        stderr.Should().Contain("is owned by uid 4242, not root; run: chown root");
        HookSandbox.Hash(image).Should().Be(before);
        File.Exists(image + ".stateless-base").Should().BeFalse();
    }

    [Fact]
    public void Enable_refuses_a_config_directory_below_a_group_writable_directory_and_writes_nothing()
    {
        var parent = Directory("hooks", 0b111_111_101);
        var configs = System.IO.Directory.CreateDirectory(Path.Combine(parent, "config")).FullName;
        File.SetUnixFileMode(configs, (UnixFileMode)0b111_101_101);

        var check = () => ConfigWriter.CheckDirectory(configs);

        check.Should().Throw<ConfigException>().WithMessage(
            $"Config directory \"{parent}\" is writable by group or others (mode 775); run: chmod go-w \"{parent}\". Until then the hook would refuse every config in it.");
        System.IO.Directory.GetFiles(configs).Should().BeEmpty();
    }
}
