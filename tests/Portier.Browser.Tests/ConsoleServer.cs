using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Portier.Browser.Tests;

/// <summary>
/// The real Portier server listening on a loopback port (Kestrel, not the in-memory test server), over
/// a fresh SQLite data folder, so a real browser can reach it. Its log lines are kept for the tests
/// (the first-run setup code is printed there).
/// </summary>
public sealed class ConsoleServer : WebApplicationFactory<Program>
{
    private readonly ConcurrentQueue<string> _log = new();

    public ConsoleServer()
    {
        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
    }

    public string DataFolder { get; } = Directory.CreateTempSubdirectory("portier-browser-").FullName;

    public Uri BaseAddress { get; private set; } = null!;

    public IEnumerable<string> LogLines => _log;

    /// <summary>The server's embedded MQTT broker, where door controllers connect.</summary>
    public int MqttPort { get; } = FreePort();

    public void Start()
    {
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        // Kestrel listens where the constructor says; the configured address (127.0.0.1:5080) would make the
        // start-up port check refuse whenever a Portier runs on this machine.
        builder.UseSetting("Urls", "http://127.0.0.1:0");
        builder.UseSetting("Database:Provider", "Sqlite");
        builder.UseSetting("Database:DataFolder", DataFolder);
        builder.UseSetting("Mqtt:Host", "127.0.0.1");
        builder.UseSetting("Mqtt:Port", MqttPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Auth:SignInAttemptsPerMinute", "1000");
        // The webhook tests post to a receiver on this machine, which the address guard refuses unless told.
        builder.UseSetting("Outbound:AllowedNetworks:0", "127.0.0.0/8");
        builder.ConfigureLogging(logging => logging.AddProvider(new CapturingLoggerProvider(_log)));
    }

    /// <summary>The one-time setup code the server printed at start.</summary>
    public string SetupCode()
    {
        var line = _log.FirstOrDefault(l => l.Contains("setup code", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("The server printed no setup code.");
        var match = System.Text.RegularExpressions.Regex.Match(line, "setup code ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})");
        return match.Groups[1].Value;
    }

    /// <summary>The newest sign-in code mailed to <paramref name="email"/>, from the mail pickup folder.</summary>
    public async Task<string> MailedCodeAsync(string email)
    {
        var folder = Path.Combine(DataFolder, "mail");
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (Directory.Exists(folder))
            {
                foreach (var file in new DirectoryInfo(folder).GetFiles("*.eml").OrderByDescending(f => f.LastWriteTimeUtc))
                {
                    string text;
                    try { text = await File.ReadAllTextAsync(file.FullName); }
                    catch (IOException) { continue; } // still being written; read it on the next pass
                    if (!text.Contains(email, StringComparison.OrdinalIgnoreCase)) continue;
                    var code = System.Text.RegularExpressions.Regex.Match(text, @"sign-in code is (\d{6})");
                    if (code.Success) return code.Groups[1].Value;
                }
            }
            await Task.Delay(100);
        }
        throw new InvalidOperationException($"No sign-in code was mailed to {email}.");
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        try { Directory.Delete(DataFolder, recursive: true); }
        catch (IOException) { /* a file still held open; the temp folder is cleaned by the OS */ }
    }

    private sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new CapturingLogger(lines);

        public void Dispose()
        {
        }
    }

    private sealed class CapturingLogger(ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue(formatter(state, exception));
    }
}
