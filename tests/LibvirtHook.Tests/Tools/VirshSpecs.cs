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

    /// <summary>Three domains as virsh shows them; the third vanished after it was listed, so virsh reports it on stderr.</summary>
    private (Virsh Virsh, FakeVirsh Fake) ThreeDomains()
    {
        var fake = new FakeVirsh(_temp.Path)
            .On(["-q", "list", "--all", "--uuid", "--name"], VirshAnswer.Prints($"{Running} kiosk", $"{Off} lab one", $"{Vanished} gone", ""))
            .On(["-q", "list", "--uuid"], VirshAnswer.Prints(Running, ""))
            .On(["-q", "domstate", "--reason", "--domain", Running], VirshAnswer.Prints("running (booted)", ""))
            .On(["-q", "domstate", "--reason", "--domain", Off], VirshAnswer.Prints("shut off (shutdown)", ""))
            .On(["-q", "domstate", "--reason", "--domain", Vanished], VirshAnswer.Fails($"error: failed to get domain '{Vanished}'"))
            .On(["-q", "dumpxml", "--inactive", "--domain", Off], VirshAnswer.Prints("<domain type='kvm'>", "  <name>lab one</name>", "</domain>", ""))
            .On(["-q", "dumpxml", "--inactive", "--domain", Vanished], VirshAnswer.Fails($"error: failed to get domain '{Vanished}'"));
        return (new Virsh(fake.Tools), fake);
    }

    [Fact]
    public void Domains_lists_names_and_active_domains_from_one_virsh_process()
    {
        // Arrange
        var (virsh, fake) = ThreeDomains();

        // Act
        var domains = virsh.Domains();

        // Assert
        domains.UuidOf.Should().BeEquivalentTo(new Dictionary<string, string> { ["kiosk"] = Running, ["lab one"] = Off, ["gone"] = Vanished });
        domains.Active.Should().BeEquivalentTo([Running]);
        fake.Calls.Should().ContainSingle().Which.Argv.Should().HaveCount(4)
            .And.Subject.Last().Should().MatchRegex("^list --all --uuid --name ; echo @@libvirt-hook-[0-9a-f]{32}@@ ; list --uuid$");
    }

    [Fact]
    public void Survey_asks_one_virsh_for_states_and_definitions_and_leaves_out_a_domain_that_vanished()
    {
        // Arrange
        var (virsh, fake) = ThreeDomains();

        // Act
        var survey = virsh.Survey([Running, Off, Vanished], [Off, Vanished]);

        // Assert
        survey.States.Keys.Should().BeEquivalentTo([Running, Off]);
        survey.States[Running].State.Should().Be("running");
        survey.States[Running].Reason.Should().Be("booted");
        survey.States[Off].IsShutOff.Should().BeTrue();
        survey.Definitions.Keys.Should().BeEquivalentTo([Off]);
        survey.Definitions[Off].Should().Be("<domain type='kvm'>\n  <name>lab one</name>\n</domain>");
        var call = fake.Calls.Should().ContainSingle().Subject;
        call.Argv.Should().HaveCount(4);
        call.Argv[3].Should().MatchRegex(
            $"^echo (@@libvirt-hook-[0-9a-f]{{32}}@@) state {Running} ; domstate --reason --domain {Running} ; echo \\1 state {Off} ; domstate --reason --domain {Off} ; echo \\1 state {Vanished} ; domstate --reason --domain {Vanished} ; "
            + $"echo \\1 xml {Off} ; dumpxml --inactive --domain {Off} ; echo \\1 xml {Vanished} ; dumpxml --inactive --domain {Vanished}$");
    }

    [Fact]
    public void A_survey_of_nothing_runs_no_virsh()
    {
        var (virsh, fake) = ThreeDomains();

        var survey = virsh.Survey([], []);

        survey.States.Should().BeEmpty();
        survey.Definitions.Should().BeEmpty();
        fake.Calls.Should().BeEmpty();
    }

    [Fact]
    public void A_command_string_takes_only_uuids()
    {
        var (virsh, fake) = ThreeDomains();

        var act = () => virsh.Survey(["kiosk ; destroy other"], []);

        act.Should().Throw<ArgumentException>().WithMessage("Only UUIDs can be passed in a virsh command string.*");
        fake.Calls.Should().BeEmpty();
    }
}
