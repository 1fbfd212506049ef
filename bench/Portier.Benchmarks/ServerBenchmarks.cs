using Portier.Core.Decisions;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;
using Portier.Server.Features.AccessLog;
using Portier.Server.Features.LiveEvents;

namespace Portier.Benchmarks;

/// <summary>The real server on loopback Kestrel (SQLite in a temp folder), driven through its own write path.</summary>
internal sealed class BenchServer(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<EventsHub>
{
    public const string Token = "ptr_bench-admin-token-0123456789abcdef";
    private readonly string _folder = Directory.CreateTempSubdirectory("portier-bench-").FullName;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("Database:DataFolder", _folder);
        builder.UseSetting("PORTIER_ADMIN_TOKEN", Token);
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
        builder.ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        // Two shared cores with a thousand clients: keep-alives may come late; a late ping is not what is measured.
        builder.ConfigureServices(s => s.Configure<Microsoft.AspNetCore.SignalR.HubOptions>(o => o.ClientTimeoutInterval = TimeSpan.FromMinutes(5)));
    }

    public static async Task<(BenchServer Server, Uri Address, HttpClient Admin)> StartAsync(IReadOnlyDictionary<string, string?> settings)
    {
        // The server runs from the bench's output folder, not from a source checkout.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_PORTIER_SERVER", AppContext.BaseDirectory);
        var server = new BenchServer(settings);
        server.UseKestrel(0);
        server.StartServer();
        var address = new Uri(server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()
            .Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal));
        var admin = new HttpClient { BaseAddress = address };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return (server, address, admin);
    }

    /// <summary>A loopback port free now, for a broker that must not take another running server's 1883.</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task<(Guid Site, Guid Door)> CreateSiteAndDoorAsync(HttpClient admin)
    {
        var site = await IdAsync(await admin.PostAsJsonAsync("/api/v1/sites", new { name = "Bench", timeZone = "Europe/Berlin" }));
        var door = await IdAsync(await admin.PostAsJsonAsync("/api/v1/doors", new { siteId = site, name = "Front" }));
        return (site, door);
    }

    public static async Task<Guid> IdAsync(HttpResponseMessage response)
    {
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();
    }

    public Task AppendOneAsync(Guid site, Guid door, int index, Action before)
    {
        before();
        return Services.GetRequiredService<AccessEventWriter>().AppendAsync(new AccessEvent
        {
            SiteId = site, DoorId = door, Method = AccessMethod.Scan, At = Instant.FromDateTimeOffset(Services.GetRequiredService<TimeProvider>().GetUtcNow()),
            Allowed = true, Reason = EventReason.Of(ReasonCode.Granted), Path = DecisionPath.Rule, PresentedValue = index.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, CancellationToken.None);
    }

    /// <summary>Appends events as the gateway does, with a bounded number in flight (as concurrent scans would be).</summary>
    public async Task AppendAsync(Guid site, Guid door, int count, int concurrency, Action<int>? beforeEach = null)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var index = i;
                await AppendOneAsync(site, door, index, () => beforeEach?.Invoke(index));
            }
        }));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}

internal static class ServerBenchmarks
{
    /// <summary>
    /// N SignalR clients (WebSockets, loopback) subscribe to one site; M access events are appended
    /// through the group-commit writer; every client must receive every event. Delay is measured from
    /// the AppendAsync call (so it includes the durable commit) to the client's handler.
    /// </summary>
    public static async Task<int> LiveFanOutAsync(int clients, int events, int rate)
    {
        var (server, address, admin) = await BenchServer.StartAsync(new Dictionary<string, string?> { ["LiveEvents:ClientBuffer"] = "5000" });
        await using var _ = server;
        var (site, door) = await BenchServer.CreateSiteAndDoorAsync(admin);
        var sentAt = new long[events];
        var delays = new ConcurrentBag<long[]>();
        var received = 0L;
        var closed = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var connections = new List<HubConnection>();
        var connectStart = Stopwatch.GetTimestamp();
        for (var batch = 0; batch < clients; batch += 50)
        {
            await Task.WhenAll(Enumerable.Range(batch, Math.Min(50, clients - batch)).Select(async _ =>
            {
                var connection = new HubConnectionBuilder()
                    .WithUrl(new Uri(address, "/hubs/events"), o =>
                    {
                        o.Transports = HttpTransportType.WebSockets;
                        o.SkipNegotiation = true;
                        o.AccessTokenProvider = () => Task.FromResult<string?>(BenchServer.Token);
                    })
                    .Build();
                connection.ServerTimeout = TimeSpan.FromMinutes(5);
                connection.Closed += _ => { Interlocked.Increment(ref closed); return Task.CompletedTask; };
                var mine = new long[events];
                var count = 0;
                connection.On<JsonElement>(LiveEventTypes.AccessGranted, e =>
                {
                    var index = int.Parse(e.GetProperty("data").GetProperty("presentedValue").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
                    mine[count++] = Stopwatch.GetTimestamp() - sentAt[index];
                    if (count == events) delays.Add(mine);
                    if (Interlocked.Increment(ref received) == (long)clients * events) done.TrySetResult();
                });
                await connection.StartAsync();
                await connection.InvokeAsync<JsonElement>("Subscribe", new { siteId = site });
                lock (connections) connections.Add(connection);
            }));
        }
        Console.WriteLine($"live fan-out: {clients:N0} clients connected and subscribed in {Stopwatch.GetElapsedTime(connectStart).TotalSeconds:F1} s");

        var start = Stopwatch.GetTimestamp();
        // Each event's number travels in its presented value. Without a rate: as fast as 16 scans in
        // flight allow (the fan-out's ceiling); with one: paced, to see the delay below saturation.
        if (rate <= 0) await server.AppendAsync(site, door, events, 16, i => sentAt[i] = Stopwatch.GetTimestamp());
        else
        {
            var pending = new List<Task>();
            for (var i = 0; i < events; i++)
            {
                var due = start + (long)(i * (double)Stopwatch.Frequency / rate);
                while (Stopwatch.GetTimestamp() < due) await Task.Delay(1);
                var index = i;
                pending.Add(server.AppendOneAsync(site, door, index, () => sentAt[index] = Stopwatch.GetTimestamp()));
            }
            await Task.WhenAll(pending);
        }
        var appended = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var finished = await Task.WhenAny(done.Task, Task.Delay(TimeSpan.FromMinutes(5))) == done.Task;
        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var all = delays.SelectMany(d => d).Select(t => t * 1000.0 / Stopwatch.Frequency).Order().ToArray();
        var lost = (long)clients * events - Interlocked.Read(ref received);
        Console.WriteLine($"live fan-out: {events:N0} events appended in {appended:F1} s; {Interlocked.Read(ref received):N0} deliveries in {elapsed:F1} s = {received / elapsed:N0} deliveries/s; not delivered: {lost:N0}{(finished ? "" : " (timed out)")}; clients disconnected: {closed}");
        if (all.Length > 0)
            Console.WriteLine($"live fan-out: delay p50 {Percentile(all, 0.50):F1} ms, p99 {Percentile(all, 0.99):F1} ms, max {all[^1]:F1} ms");
        foreach (var connection in connections) await connection.DisposeAsync();
        return lost == 0 ? 0 : 1;
    }

    /// <summary>
    /// M access events to E webhook endpoints on a loopback receiver; counts distinct webhook-ids
    /// received, so anything lost or sent twice shows.
    /// </summary>
    public static async Task<int> WebhooksAsync(int endpoints, int events)
    {
        var ids = new ConcurrentDictionary<string, int>();
        var receiverBuilder = WebApplication.CreateSlimBuilder();
        receiverBuilder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        receiverBuilder.Logging.ClearProviders();
        var receiver = receiverBuilder.Build();
        receiver.MapPost("/hooks/{n:int}", (int n, HttpRequest request) =>
        {
            ids.AddOrUpdate($"{n}/{request.Headers["webhook-id"]}", 1, (_, c) => c + 1);
            return Results.NoContent();
        });
        await receiver.StartAsync();
        var receiverUrl = receiver.Urls.First();

        var (server, _, admin) = await BenchServer.StartAsync(new Dictionary<string, string?> { ["Outbound:AllowedNetworks:0"] = "127.0.0.0/8" });
        await using var __ = server;
        var (site, door) = await BenchServer.CreateSiteAndDoorAsync(admin);
        for (var n = 0; n < endpoints; n++)
            (await admin.PostAsJsonAsync("/api/v1/webhooks", new { url = $"{receiverUrl}/hooks/{n}", eventTypes = new[] { "access.*" }, siteId = site })).EnsureSuccessStatusCode();

        var expected = endpoints * events;
        var start = Stopwatch.GetTimestamp();
        await server.AppendAsync(site, door, events, 64);
        var appended = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 300;
        while (ids.Count < expected && Stopwatch.GetTimestamp() < deadline) await Task.Delay(10);
        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        await Task.Delay(1000); // anything sent twice would arrive now
        var duplicates = ids.Values.Sum(c => c - 1);
        Console.WriteLine($"webhooks: {events:N0} events x {endpoints} endpoints; appended in {appended:F1} s; {ids.Count:N0} deliveries in {elapsed:F1} s = {ids.Count / elapsed:N0} deliveries/s; lost {expected - ids.Count:N0}, sent twice {duplicates:N0}");
        await receiver.StopAsync();
        await receiver.DisposeAsync();
        return ids.Count == expected && duplicates == 0 ? 0 : 1;
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}
