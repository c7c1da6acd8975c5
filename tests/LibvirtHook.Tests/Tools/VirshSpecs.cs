using LibvirtHook.Tests.Support;
using LibvirtHook.Tools;

namespace LibvirtHook.Tests.Tools;

/// <summary>How one virsh process answers for many domains; the real virsh's side is in the end-to-end status and check specs.</summary>
public sealed class VirshSpecs : IDisposable
{
    private const string Running = "8d3c6a2e-0000-4000-8000-000000000001";
    private const string Off = "8d3c6a2e-0000-4000-8000-000000000002";
    private const string Vanished = "8d3c6a2e-0000-4000-8000-000000000003";

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>A virsh that prints what virsh printed for such a command string, a vanished domain's error going to stderr.</summary>
    private (Virsh Virsh, FakeVirsh Fake) ThreeDomains()
    {
        var fake = new FakeVirsh(_temp.Path).On(["-q", FakeVirsh.AnyArgument], new VirshAnswer
        {
            Stdout = $"@@libvirt-hook-next@@ {Running}\nrunning (booted)\n\n@@libvirt-hook-next@@ {Off}\nshut off (shutdown)\n\n@@libvirt-hook-next@@ {Vanished}\n",
            Stderr = $"error: failed to get domain '{Vanished}'\n",
        });
        return (new Virsh(fake.Tools), fake);
    }

    [Fact]
    public void DomStates_asks_one_virsh_for_every_domain_by_uuid_and_leaves_out_one_that_vanished()
    {
        // Arrange
        var (virsh, fake) = ThreeDomains();

        // Act
        var states = virsh.DomStates([Running, Off, Vanished]);

        // Assert
        states.Keys.Should().BeEquivalentTo([Running, Off]);
        states[Running].State.Should().Be("running");
        states[Running].Reason.Should().Be("booted");
        states[Off].IsShutOff.Should().BeTrue();
        fake.Calls.Should().ContainSingle().Which.Argv.Should().Equal("-c", "qemu:///system", "-q",
            $"echo @@libvirt-hook-next@@ {Running} ; domstate --reason --domain {Running} ; echo @@libvirt-hook-next@@ {Off} ; domstate --reason --domain {Off} ; echo @@libvirt-hook-next@@ {Vanished} ; domstate --reason --domain {Vanished}");
    }

    [Fact]
    public void A_command_string_takes_only_uuids()
    {
        var (virsh, fake) = ThreeDomains();

        var act = () => virsh.DomStates(["kiosk ; destroy other"]);

        act.Should().Throw<ArgumentException>().WithMessage("Only UUIDs can be passed in a virsh command string.*");
        fake.Calls.Should().BeEmpty();
    }
}
