using Microsoft.Extensions.DependencyInjection;
using System.Diagnostics;
using System.Globalization;
using Portier.Core.Devices;
using Portier.Core.Model;
using Portier.Server.Features.Telemetry;
using Portier.Server.Tests.Devices;
using Portier.Server.Tests.Infrastructure;
using Portier.Server.Tests.Unlocks;

namespace Portier.Server.Tests.Telemetry;

/// <summary>A card scanned at a real controller over MQTT, as the operator's metrics and traces show it.</summary>
[Collection(nameof(TelemetryRunsAlone))]
public sealed class AccessTelemetryTests(PrometheusFixture fixture) : IClassFixture<PrometheusFixture>
{
    private const string Decisions = "portier_access_decisions_total";
    private const string Latency = "portier_access_scan_to_command_duration_seconds";

    private async Task<AccessScenario> ScenarioAsync()
    {
        var scenario = await AccessScenario.CreateAsync(fixture.Server);
        scenario.SetLocalTime(12);
        await scenario.HeartbeatAsync();
        return scenario;
    }

    private static async Task ScanAndAckAsync(AccessScenario scenario)
    {
        var acked = scenario.AckNextCommandAsync();
        await scenario.Device.PublishAsync(DeviceTopic.Scan,
            new ScanMessage(Guid.NewGuid(), new PresentedCredential(CredentialKind.Card, AccessScenario.Card), DateTimeOffset.UnixEpoch));
        Assert.Equal(CommandType.Unlock, (await acked).Type);
        Assert.Equal("confirmed_unlocked", (await scenario.SettledEventAsync()).GetProperty("outcome").GetString());
    }

    private static readonly (string, string)[] GrantedScan = [("method", "scan"), ("allowed", "true"), ("reason", "granted"), ("path", "rule")];

    [Fact]
    public async Task Scan_TelemetryOn_ShowsInMetricsAsADecisionAndALatencySample()
    {
        await using var scenario = await ScenarioAsync();
        var before = await fixture.ScrapeAsync();

        await ScanAndAckAsync(scenario);

        PrometheusScrape after = before;
        await DeviceKit.EventuallyAsync(async () =>
        {
            after = await fixture.ScrapeAsync();
            return after.Sum(Decisions, GrantedScan) > before.Sum(Decisions, GrantedScan);
        }, "the scrape shows the decision");
        // The decision counter and the latency histogram are process-wide: a scan another test server in
        // this process is still finishing may land in the same window, so at least this scan's own.
        Assert.True(after.Sum(Decisions, GrantedScan) - before.Sum(Decisions, GrantedScan) >= 1);
        var samples = after.Sum(Latency + "_count", ("command", "unlock")) - before.Sum(Latency + "_count", ("command", "unlock"));
        Assert.True(samples >= 1);
        var seconds = after.Sum(Latency + "_sum", ("command", "unlock")) - before.Sum(Latency + "_sum", ("command", "unlock"));
        Assert.InRange(seconds / samples, 0, 5);
        // Every sample falls in some bucket up to +Inf, and the buckets are the millisecond ones.
        Assert.Equal(after.Sum(Latency + "_count", ("command", "unlock")), after.Sum(Latency + "_bucket", ("command", "unlock"), ("le", "+Inf")));
        Assert.True(after.Samples().Any(s => s.Name == Latency + "_bucket" && s.Labels.GetValueOrDefault("le") == "0.005"), after.Text);
    }

    [Fact]
    public async Task Scan_TelemetryOn_GaugesShowTheControllerOnlineAndNothingPending()
    {
        await using var scenario = await ScenarioAsync();
        await ScanAndAckAsync(scenario);

        // The exporter names every gauge. Their values are read from this host's own meter: another host
        // in this test process has gauges of the same names, and a scrape may show either.
        PrometheusScrape scrape = await fixture.ScrapeAsync();
        foreach (var name in new[] { "portier_controllers_online", "portier_controllers_paired", "portier_commands_pending",
                     "portier_webhooks_outbox_depth", "portier_webhooks_outbox_oldest_due_age_seconds" })
            Assert.True(scrape.Has(name), name);

        Dictionary<string, double> values = [];
        await DeviceKit.EventuallyAsync(() =>
        {
            values = HostGauges();
            return Task.FromResult(values.GetValueOrDefault("portier.commands.pending", -1) == 0);
        }, "the host's gauges are read");
        Assert.True(values["portier.controllers.online"] >= 1);
        Assert.True(values["portier.controllers.paired"] >= values["portier.controllers.online"]);
        Assert.Equal(0, values["portier.webhooks.outbox.depth"]);
        Assert.Equal(0, values["portier.webhooks.outbox.oldest_due.age"]);
    }

    private Dictionary<string, double> HostGauges() => fixture.Server.Gauges();

    [Fact]
    public async Task GrafanaDashboard_UsesOnlyMetricNamesTheExporterEmits()
    {
        await using var scenario = await ScenarioAsync();
        await ScanAndAckAsync(scenario);
        // No event access task runs here: its lateness is recorded directly, to see the exported name.
        PortierMetrics.RecordTaskLateness(Portier.Core.EventPolicies.AccessTaskAction.Grant, retry: false,
            NodaTime.Instant.FromUnixTimeSeconds(0), NodaTime.Instant.FromUnixTimeSeconds(2));
        var dashboard = File.ReadAllText(RepositoryFile("docs/grafana/portier-dashboard.json"));
        var used = System.Text.RegularExpressions.Regex.Matches(dashboard, "portier_[a-z_]+").Select(m => m.Value)
            .Select(name => System.Text.RegularExpressions.Regex.Replace(name, "_(bucket|count|sum)$", "")).ToHashSet();

        PrometheusScrape scrape = null!;
        await DeviceKit.EventuallyAsync(async () =>
        {
            scrape = await fixture.ScrapeAsync();
            return scrape.Has("portier_access_tasks_lateness_seconds_count");
        }, "the lateness sample is scraped");
        var emitted = scrape.Text.Split('\n').Where(l => l.StartsWith("# TYPE portier_", StringComparison.Ordinal))
            .Select(l => l.Split(' ')[2]).ToHashSet();

        Assert.Equal(10, used.Count);
        Assert.Empty(used.Except(emitted));
        // Every documented metric is on the dashboard.
        Assert.Empty(emitted.Except(used));
        var operations = File.ReadAllText(RepositoryFile("docs/operations.md"));
        Assert.All(emitted, name => Assert.Contains($"`{name}`", operations, StringComparison.Ordinal));
    }

    private static string RepositoryFile(string path)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Portier.slnx"))) return Path.Combine(dir.FullName, path);
        }
        throw new InvalidOperationException("Portier.slnx not found above the test's folder.");
    }

    [Fact]
    public async Task Scan_TelemetryOn_IsOneTraceOfDecideRecordAndCommand()
    {
        await using var scenario = await ScenarioAsync();
        using var collector = SpanCollector.PortierAccess();

        await ScanAndAckAsync(scenario);

        Activity? scan = null;
        await DeviceKit.EventuallyAsync(() =>
        {
            scan = collector.Spans.FirstOrDefault(s => s.OperationName == "access.scan" && Equals(s.GetTagItem("portier.device.id"), scenario.Device.Id));
            return Task.FromResult(scan is not null);
        }, "the scan's span ends once the scan is answered");
        var trace = collector.Spans.Where(s => s.TraceId == scan!.TraceId).ToList();
        Assert.Null(scan!.Parent);
        var decide = Assert.Single(trace, s => s.OperationName == PortierTelemetry.DecideSpan);
        Assert.Equal(scan.SpanId, decide.ParentSpanId);
        Assert.Equal("scan", decide.GetTagItem("portier.access.method"));
        Assert.Equal(true, decide.GetTagItem("portier.access.allowed"));
        Assert.Equal("granted", decide.GetTagItem("portier.access.reason"));
        Assert.Equal("rule", decide.GetTagItem("portier.access.path"));
        // The attempt before the command, the outcome after it: both durable group commits.
        var records = trace.Where(s => s.OperationName == "access.record").OrderBy(s => s.StartTimeUtc).ToList();
        Assert.Equal(2, records.Count);
        Assert.All(records, r => Assert.Equal(scan.SpanId, r.ParentSpanId));
        Assert.All(records, r => Assert.True(Convert.ToInt32(r.GetTagItem("portier.access_log.batch_size"), CultureInfo.InvariantCulture) >= 1));
        var command = Assert.Single(trace, s => s.OperationName == "access.command");
        Assert.Equal(scan.SpanId, command.ParentSpanId);
        Assert.Equal("unlock", command.GetTagItem("portier.command.type"));
        Assert.Equal("confirmed", command.GetTagItem("portier.command.status"));
        Assert.True(records[0].StartTimeUtc <= command.StartTimeUtc && command.StartTimeUtc <= records[1].StartTimeUtc);
        Assert.True(decide.StartTimeUtc <= records[0].StartTimeUtc);
    }
}
