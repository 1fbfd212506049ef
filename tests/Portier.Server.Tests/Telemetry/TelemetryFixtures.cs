using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Portier.Server.Features.Telemetry;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Telemetry;

/// <summary>
/// The meters and activity sources are process-wide: the telemetry tests run alone, so what they
/// count and trace is theirs.
/// </summary>
[CollectionDefinition(DisableParallelization = true)]
public sealed class TelemetryRunsAlone;

/// <summary>A server with the Prometheus endpoint on behind a scrape token.</summary>
public sealed class PrometheusFixture() : ServerFixture(DatabaseKind.Sqlite)
{
    public const string ScrapeToken = "scrape-token-0123456789";

    protected override void Configure(IWebHostBuilder builder)
    {
        builder.UseSetting("Devices:PairingAttemptsPerMinute", "100000");
        builder.UseSetting("Telemetry:Prometheus:Enabled", "true");
        builder.UseSetting("Telemetry:Prometheus:ScrapeToken", ScrapeToken);
    }

    public async Task<PrometheusScrape> ScrapeAsync()
    {
        var client = Server.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ScrapeToken);
        var response = await client.GetAsync("/metrics", TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"Scrape answered {(int)response.StatusCode}: {text}");
        return new PrometheusScrape(text);
    }
}

/// <summary>The Prometheus text format, as far as the tests read it: one sample per line, <c>name{labels} value</c>.</summary>
public sealed class PrometheusScrape(string text)
{
    public string Text { get; } = text;

    public IEnumerable<(string Name, IReadOnlyDictionary<string, string> Labels, double Value)> Samples() =>
        Text.Split('\n').Where(line => line.Length > 0 && line[0] != '#').Select(Parse);

    /// <summary>The sum of the samples of <paramref name="name"/> whose labels include all of <paramref name="labels"/>.</summary>
    public double Sum(string name, params (string Key, string Value)[] labels) =>
        Samples().Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).Sum(s => s.Value);

    public bool Has(string name) => Samples().Any(s => s.Name == name);

    private static (string, IReadOnlyDictionary<string, string>, double) Parse(string line)
    {
        var labels = new Dictionary<string, string>();
        var brace = line.IndexOf('{', StringComparison.Ordinal);
        var space = line.LastIndexOf(' ');
        string name;
        if (brace >= 0 && brace < space)
        {
            name = line[..brace];
            var close = line.LastIndexOf('}');
            foreach (var pair in line[(brace + 1)..close].Split("\",", StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                labels[pair[..eq]] = pair[(eq + 1)..].Trim('"');
            }
            space = line.IndexOf(' ', close);
        }
        else
        {
            name = line[..line.IndexOf(' ', StringComparison.Ordinal)];
            space = name.Length;
        }
        var value = line[(space + 1)..].Split(' ')[0];
        return (name, labels, double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture));
    }
}

/// <summary>Collects the spans of the given sources that end while it is alive.</summary>
public sealed class SpanCollector : IDisposable
{
    private readonly ActivityListener _listener;

    public SpanCollector(params string[] sources)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => sources.Contains(source.Name),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Spans.Add,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public ConcurrentBag<Activity> Spans { get; } = [];

    public static SpanCollector PortierAccess() => new(PortierTelemetry.SourceName);

    public void Dispose() => _listener.Dispose();
}
