using Xunit.Abstractions;
using Xunit.Sdk;

namespace LibvirtHook.EndToEnd.Support;

/// <summary>
/// The Linux guest for one test class: built once per machine, copied beside the private
/// libvirtd, and named in the run's output (kernel, KVM or TCG and why) as a diagnostic message,
/// which `dotnet test` shows at its default verbosity.
/// </summary>
public sealed class LinuxGuestFixture
{
    private readonly IMessageSink _diagnostics;

    public LinuxGuestFixture(PrivateLibvirt libvirt, IMessageSink diagnostics)
    {
        _diagnostics = diagnostics;
        Guest = LinuxGuest.In(Path.Combine(libvirt.Root, "linux-guest"));
        Report($"Linux guest: {Guest.KernelVersion}, direct kernel boot under {Guest.Accelerator}");
    }

    public LinuxGuest Guest { get; }

    /// <summary>A figure for the run's output (figures are printed, never asserted).</summary>
    public void Report(string message) => _diagnostics.OnMessage(new DiagnosticMessage(message));
}
