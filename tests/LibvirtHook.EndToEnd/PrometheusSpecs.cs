using System.Text.Json;
using LibvirtHook.EndToEnd.Support;
using LibvirtHook.Tools;
using Xunit.Abstractions;
using static LibvirtHook.Logging.LogCatalog;

namespace LibvirtHook.EndToEnd;

/// <summary>
/// Issue 18: contrib/prometheus's alert rules, checked by promtool and fired on a real Prometheus.
/// Debian 12's own prometheus (2.42) and prometheus-node-exporter (1.5) run on the host on both
/// legs (the libvirt namespace shares the host's network): only libvirtd and the hook come from
/// the leg. The metrics file is written inside the namespace into a directory under
/// <see cref="PrivateLibvirt.Root"/>, which is the same path on the host, where node_exporter reads it.
/// Both servers listen on 127.0.0.1 only and die with the spec.
/// </summary>
[Collection(PrivateLibvirtCollection.Name)]
public sealed class PrometheusSpecs(PrivateLibvirt libvirt, ITestOutputHelper output) : IDisposable
{
    private const string Rules = "contrib/prometheus/libvirt-hook.rules.yml";
    private const string RuleTests = "contrib/prometheus/libvirt-hook.rules.test.yml";

    private readonly TestVms _vms = new(libvirt);

    public void Dispose() => _vms.Dispose();

    [Fact]
    public void The_alert_rules_pass_promtool_check_and_every_alert_has_unit_tests_that_pass()
    {
        // Arrange
        var rules = Path.Combine(Prerequisites.RepositoryRoot, Rules);
        var tests = Path.Combine(Prerequisites.RepositoryRoot, RuleTests);
        var alerts = File.ReadAllLines(rules).Where(l => l.TrimStart().StartsWith("- alert: ", StringComparison.Ordinal)).Select(l => l.Split(':')[1].Trim()).ToList();
        var tested = File.ReadAllLines(tests).Where(l => l.TrimStart().StartsWith("alertname: ", StringComparison.Ordinal)).Select(l => l.Split(':')[1].Trim()).ToList();

        // Act
        var check = ProcessRunner.RunUnchecked(Prerequisites.Promtool, ["check", "rules", rules]);
        var unit = ProcessRunner.RunUnchecked(Prerequisites.Promtool, ["test", "rules", tests]);

        // Assert
        check.ExitCode.Should().Be(0, check.StandardOutput + check.StandardError);
        check.StandardOutput.Should().Contain($"SUCCESS: {alerts.Count} rules found");
        unit.ExitCode.Should().Be(0, unit.StandardOutput + unit.StandardError);
        unit.StandardOutput.Should().Contain("SUCCESS");
        alerts.Should().HaveCountGreaterThan(5).And.OnlyHaveUniqueItems();
        // Each alert is evaluated where it must fire (a non-empty exp_alerts) and where it must not.
        foreach (var alert in alerts)
            tested.Count(t => t == alert).Should().BeGreaterThanOrEqualTo(2, $"{alert} needs a case that fires and one that does not");
    }

    [Fact]
    public void A_crash_loop_give_up_fires_its_alert_on_a_real_prometheus_with_the_vms_label_and_a_clean_start_resolves_it()
    {
        // Arrange
        const string name = "e2e-prometheus-loop";
        var vm = _vms.Create(name, GuestEnding.Reset, """{"disks": [{"target": "hda"}], "restart": {"max-restarts": 2}}""");
        var textfiles = Directory.CreateDirectory(Path.Combine(libvirt.Root, "textfile")).FullName;
        var metricsFile = Path.Combine(textfiles, "libvirt-hook.prom");
        var data = Directory.CreateDirectory(Path.Combine(libvirt.Root, "prometheus-data")).FullName;
        WriteMetrics(metricsFile);
        using var nodeExporter = LoopbackServer.Start(Prerequisites.NodeExporter,
            ["--web.listen-address={address}", "--collector.disable-defaults", "--collector.textfile", $"--collector.textfile.directory={textfiles}"]);
        var config = Path.Combine(libvirt.Root, "prometheus.yml");
        File.WriteAllText(config, $"""
            global: {"{"}scrape_interval: 1s, evaluation_interval: 1s{"}"}
            rule_files: ["{Path.Combine(Prerequisites.RepositoryRoot, Rules)}"]
            scrape_configs:
              - job_name: node
                static_configs: [{"{"}targets: ["{nodeExporter.Address}"]{"}"}]
            """);
        using var prometheus = LoopbackServer.Start(Prerequisites.Prometheus,
            [$"--config.file={config}", $"--storage.tsdb.path={data}", "--web.listen-address={address}", "--log.level=warn"]);
        using var http = new HttpClient { BaseAddress = new Uri($"http://{prometheus.Address}/"), Timeout = TimeSpan.FromSeconds(5) };
        WaitFor(() => Query(http, $"libvirt_hook_vm_crash_loop_gave_up{{vm=\"{name}\"}} == 0") == 1, "Prometheus to scrape the VM's metrics through node_exporter", prometheus, nodeExporter);
        var before = Alerts(http);

        // Act: the guest resets at every boot; after 2 restarts the guard gives up.
        libvirt.Virsh("start", name);
        PrivateLibvirt.WaitFor(() => libvirt.CountLogLines(name, IsCrashLoopGiveUp) == 1, "the crash-loop guard to give up", 60);
        libvirt.WaitForState(name, "shut off");
        WriteMetrics(metricsFile);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        WaitFor(() => Alerts(http).Any(a => a.Vm == name && a.State == "firing"), "the alert to fire", prometheus, nodeExporter);
        output.WriteLine($"The alert fired {watch.Elapsed.TotalSeconds:0.0} s after metrics --output.");
        var firing = Alerts(http).Single(a => a.Vm == name);
        output.WriteLine("GET /api/v1/alerts while it fires: " + Raw(http, "api/v1/alerts"));

        // The admin's fix: a guest that no longer resets, started by hand.
        libvirt.Guest.CreateBootDisk(vm.Image, GuestEnding.Halt);
        libvirt.Virsh("start", name);
        PrivateLibvirt.WaitFor(() => TinyGuest.CountFinishedBoots(vm.Serial) == 4, "the fixed guest's boot");
        WriteMetrics(metricsFile);
        watch.Restart();
        WaitFor(() => Alerts(http).All(a => a.Vm != name), "the alert to resolve", prometheus, nodeExporter);
        output.WriteLine($"The alert resolved {watch.Elapsed.TotalSeconds:0.0} s after metrics --output.");

        // Assert
        before.Should().NotContain(a => a.Vm == name);
        firing.Name.Should().Be("LibvirtHookCrashLoopGaveUp");
        firing.Severity.Should().Be("critical");
        firing.Instance.Should().Be(nodeExporter.Address);
        firing.Summary.Should().Be($"libvirt-hook gave up restarting VM \"{name}\" on {nodeExporter.Address}: it stays off");
        firing.Description.Should().Contain($"libvirt-hook status \"{name}\"").And.Contain($"virsh start \"{name}\"");
        Query(http, $"libvirt_hook_vm_running{{vm=\"{name}\"}} == 1").Should().Be(1);
        nodeExporter.ListeningAddresses().Should().Equal(nodeExporter.Address);
        prometheus.ListeningAddresses().Should().Equal(prometheus.Address);
    }

    private sealed record Alert(string Name, string? Vm, string State, string? Severity, string? Instance, string? Summary, string? Description);

    private void WriteMetrics(string file)
    {
        var written = libvirt.Admin("metrics", "--output", file);
        written.ExitCode.Should().Be(0, written.StandardError);
    }

    /// <summary>How many series an instant query returns.</summary>
    private static int Query(HttpClient http, string promql)
    {
        using var document = Get(http, "api/v1/query?query=" + Uri.EscapeDataString(promql));
        return document.RootElement.GetProperty("data").GetProperty("result").GetArrayLength();
    }

    private static List<Alert> Alerts(HttpClient http)
    {
        using var document = Get(http, "api/v1/alerts");
        return document.RootElement.GetProperty("data").GetProperty("alerts").EnumerateArray().Select(a => new Alert(
            a.GetProperty("labels").GetProperty("alertname").GetString()!,
            Label(a, "labels", "vm"),
            a.GetProperty("state").GetString()!,
            Label(a, "labels", "severity"),
            Label(a, "labels", "instance"),
            Label(a, "annotations", "summary"),
            Label(a, "annotations", "description"))).ToList();
    }

    private static string? Label(JsonElement alert, string group, string key) =>
        alert.GetProperty(group).TryGetProperty(key, out var value) ? value.GetString() : null;

    private static string Raw(HttpClient http, string path) => http.GetStringAsync(path).GetAwaiter().GetResult();

    private static JsonDocument Get(HttpClient http, string path)
    {
        var body = Raw(http, path);
        var document = JsonDocument.Parse(body);
        document.RootElement.GetProperty("status").GetString().Should().Be("success", body);
        return document;
    }

    /// <summary>Polls until true; a server not up yet (connection refused) counts as not yet.</summary>
    private static void WaitFor(Func<bool> condition, string what, params LoopbackServer[] servers)
    {
        try
        {
            PrivateLibvirt.WaitFor(() =>
            {
                try
                {
                    return condition();
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, what, 60);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + " Server output: " + string.Join(" | ", servers.Select(s => s.Output.Trim())), e);
        }
    }
}
