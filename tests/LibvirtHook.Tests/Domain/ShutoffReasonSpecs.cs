using LibvirtHook.Domain;

namespace LibvirtHook.Tests.Domain;

public sealed class ShutoffReasonSpecs
{
    [Theory]
    [InlineData("shut off (shutdown)\n", "shut off", "shutdown", ShutoffReason.Shutdown)]
    [InlineData("shut off (destroyed)", "shut off", "destroyed", ShutoffReason.Destroyed)]
    [InlineData("shut off (unknown)", "shut off", "unknown", ShutoffReason.Unknown)]
    [InlineData("shut off (from snapshot)", "shut off", "from snapshot", ShutoffReason.FromSnapshot)]
    [InlineData("running (booted)", "running", "booted", ShutoffReason.NotKnownYet)]
    [InlineData("in shutdown (user)", "in shutdown", "user", ShutoffReason.NotKnownYet)]
    public void DomainState_reads_virsh_domstate_reason_output(string output, string state, string reason, ShutoffReason shutoff)
    {
        var parsed = DomainState.Parse(output);

        parsed.State.Should().Be(state);
        parsed.Reason.Should().Be(reason);
        parsed.ShutoffReason.Should().Be(shutoff);
    }

    [Fact]
    public void A_shut_off_domain_without_a_reason_is_not_known_yet_and_not_libvirts_unknown()
    {
        var parsed = DomainState.Parse("shut off");

        parsed.IsShutOff.Should().BeTrue();
        parsed.Reason.Should().BeNull();
        parsed.ShutoffReason.Should().Be(ShutoffReason.NotKnownYet);
    }

    [Theory]
    [InlineData("shutdown", ShutoffReason.Shutdown)]
    [InlineData("destroyed", ShutoffReason.Destroyed)]
    [InlineData("crashed", ShutoffReason.Crashed)]
    [InlineData("migrated", ShutoffReason.Migrated)]
    [InlineData("saved", ShutoffReason.Saved)]
    [InlineData("failed", ShutoffReason.Failed)]
    [InlineData("unknown", ShutoffReason.Unknown)]
    [InlineData("daemon", ShutoffReason.Daemon)]
    [InlineData("from snapshot", ShutoffReason.FromSnapshot)]
    [InlineData("from-snapshot", ShutoffReason.FromSnapshot)]
    public void Every_reason_libvirt_passes_to_release_is_read(string text, ShutoffReason reason)
    {
        ShutoffReasons.TryParse(text, out var parsed).Should().BeTrue();
        parsed.Should().Be(reason);
    }

    [Theory]
    [InlineData("-")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("Shutdown")]
    [InlineData("reboot")]
    public void Anything_else_is_not_a_reason(string? text)
    {
        ShutoffReasons.TryParse(text, out var parsed).Should().BeFalse();
        parsed.Should().Be(ShutoffReason.NotKnownYet);
    }

    [Fact]
    public void Every_reason_has_a_name_that_reads_back_as_itself()
    {
        foreach (var reason in Enum.GetValues<ShutoffReason>())
        {
            ShutoffReasons.TryParse(reason.Name(), out var parsed).Should().BeTrue();
            parsed.Should().Be(reason);
        }
    }
}
