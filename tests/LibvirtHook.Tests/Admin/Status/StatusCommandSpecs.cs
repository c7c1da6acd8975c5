using LibvirtHook.Admin;
using LibvirtHook.Logging;
using LibvirtHook.Tests.Support;

namespace LibvirtHook.Tests.Admin.Status;

/// <summary>
/// <c>status --json</c> is a stable interface scripts parse: its whole text is pinned here, byte
/// for byte, over the inventory (files made by the real hook, libvirt's answers from the fake
/// virsh). The end-to-end <c>AdminSpecs</c> check it against a real libvirtd.
/// </summary>
public sealed class StatusCommandSpecs : IDisposable
{
    private const string KioskUuid = "8d3c6a2e-0000-4000-8000-000000000001";
    private const string LabUuid = "8d3c6a2e-0000-4000-8000-000000000002";

    private readonly HookSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public void Status_json_keeps_its_exact_shape_for_a_vm_on_an_overlay_and_a_vm_that_is_off()
    {
        // Arrange: kiosk runs on its overlay (a real prepare wrote the journal); lab is off, its
        // image known only from its persistent definition, which reboots warm.
        var kiosk = _sandbox.CreateImage("kiosk.qcow2");
        var lab = _sandbox.CreateImage("lab.qcow2");
        _sandbox.WriteConfig("kiosk", """{"disks": [{"target": "vda", "one-shot-commit": true}], "restart": {"on": ["crashed"], "max-restarts": 2}}""");
        _sandbox.WriteConfig("lab", """{"disks": [{"target": "vda"}]}""");
        _sandbox.Run("kiosk", "prepare", HookSandbox.DomainXml("kiosk", ("vda", kiosk))).ExitCode.Should().Be(0);
        var labXml = HookSandbox.DomainXml("lab", ("vda", lab)).Replace(KioskUuid, LabUuid).Replace("<on_reboot>destroy</on_reboot>", "<on_reboot>restart</on_reboot>");
        var virsh = new FakeVirsh(_sandbox.Root)
            .On(["-q", "list", "--all", "--uuid", "--name"], VirshAnswer.Prints($"{KioskUuid} kiosk", $"{LabUuid} lab", ""))
            .On(["-q", "list", "--uuid"], VirshAnswer.Prints(KioskUuid, ""))
            .On(["-q", "domstate", "--reason", "--domain", KioskUuid], VirshAnswer.Prints("running (booted)", ""))
            .On(["-q", "domstate", "--reason", "--domain", LabUuid], VirshAnswer.Prints("shut off (shutdown)", ""))
            .On(["-q", "dumpxml", "--inactive", "--domain", KioskUuid], VirshAnswer.Prints(HookSandbox.DomainXml("kiosk", ("vda", kiosk))))
            .On(["-q", "dumpxml", "--inactive", "--domain", LabUuid], VirshAnswer.Prints(labXml));
        var (output, error) = (new StringWriter(), new StringWriter());

        // Act
        var code = new AdminCli(_sandbox.Paths, virsh.Tools, output, error).Run(["status", "--json"]);

        // Assert
        code.Should().Be(0, error.ToString());
        LogLine.TryParse(File.ReadLines(_sandbox.Paths.LogFile).Last(), out var last).Should().BeTrue();
        output.ToString().Should().Be($$"""
            {
              "vms": [
                {
                  "name": "kiosk",
                  "state": "running",
                  "state-reason": "booted",
                  "config-error": null,
                  "disks": [
                    {
                      "target": "vda",
                      "mode": "stateless",
                      "one-shot-commit": true,
                      "image": "{{kiosk}}",
                      "on-overlay": true,
                      "overlay-bytes": {{new FileInfo(kiosk).Length}}
                    }
                  ],
                  "restart": {
                    "on": [
                      "crashed"
                    ],
                    "delay-seconds": 0,
                    "max-restarts": 2,
                    "window-seconds": 600
                  },
                  "restarts-in-window": 0,
                  "held": false,
                  "last-action": "{{last.Summary().Replace("\"", "\\\"")}}",
                  "warnings": []
                },
                {
                  "name": "lab",
                  "state": "shut off",
                  "state-reason": "shutdown",
                  "config-error": null,
                  "disks": [
                    {
                      "target": "vda",
                      "mode": "stateless",
                      "one-shot-commit": false,
                      "image": "{{lab}}",
                      "on-overlay": false,
                      "overlay-bytes": null
                    }
                  ],
                  "restart": null,
                  "restarts-in-window": 0,
                  "held": false,
                  "last-action": null,
                  "warnings": [
                    "\"lab\" has stateless disks but <on_reboot>restart</on_reboot>: when the guest reboots itself it keeps its session (the overlay is only discarded when the VM stops); to make every reboot a cold boot from the base, set <on_reboot>destroy</on_reboot> (virsh edit, or libvirt-hook enable --cold-reboot) with \"shutdown\" in restart.on."
                  ]
                }
              ]
            }

            """);
    }

    [Fact]
    public void Status_of_a_vm_that_is_not_managed_says_so_and_prints_no_status()
    {
        // Arrange: libvirt knows "ghost", but it has neither a config nor a journal.
        _sandbox.WriteConfig("kiosk", """{"disks": [{"target": "vda"}]}""");
        var virsh = new FakeVirsh(_sandbox.Root)
            .On(["-q", "list", "--all", "--uuid", "--name"], VirshAnswer.Prints($"{LabUuid} ghost", ""))
            .On(["-q", "list", "--uuid"], VirshAnswer.Prints(""));
        var (output, error) = (new StringWriter(), new StringWriter());

        // Act
        var code = new AdminCli(_sandbox.Paths, virsh.Tools, output, error).Run(["status", "ghost", "--json"]);

        // Assert
        code.Should().Be(1);
        output.ToString().Should().BeEmpty();
        error.ToString().Should().Be($"libvirt-hook: \"ghost\" is not managed: there is no \"{_sandbox.Paths.ConfigFile("ghost")}\".\n");
    }
}
