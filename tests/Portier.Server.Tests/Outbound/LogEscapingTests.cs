using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Formatter;
using Portier.Server.Infrastructure.Logging;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Outbound;

/// <summary>Values from outside cannot forge log lines: control characters arrive escaped.</summary>
public sealed class LogEscapingTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<string> _lines = new();
    private PortierServer _server = null!;

    public async ValueTask InitializeAsync()
    {
        _server = new PortierServer(await TestDatabase.CreateAsync(DatabaseKind.Sqlite),
            builder => builder.ConfigureLogging(logging => logging.AddProvider(new CapturingLoggerProvider(_lines))));
        _ = _server.Server;
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task MqttConnect_ClientIdWithNewline_IsLoggedOnOneLine()
    {
        const string forged = "2026-03-02 09:00:00 info: Portier admin signed in";
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", _server.MqttPort)
            .WithClientId($"intruder\r\n{forged}")
            .WithCredentials("not-a-device", "guess")
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithTimeout(TimeSpan.FromSeconds(10))
            .Build();
        using var client = new MqttClientFactory().CreateMqttClient();
        try
        {
            await client.ConnectAsync(options, TestContext.Current.CancellationToken);
        }
        catch (MqttConnectingFailedException)
        {
            // Refused, as expected: what matters is the log line.
        }
        Assert.False(client.IsConnected);

        var line = Assert.Single(_lines, l => l.Contains("MQTT connection refused", StringComparison.Ordinal));
        Assert.DoesNotContain('\n', line);
        Assert.DoesNotContain('\r', line);
        Assert.Contains($"intruder\\r\\n{forged}", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a\r\nb", "a\\r\\nb")]
    [InlineData("tab\there", "tab\\there")]
    [InlineData("esc\u001b[31m", "esc\\u001b[31m")]
    [InlineData("line\u2028sep", "line\\u2028sep")]
    public void Escape_ControlCharacters_BecomeVisible(string value, string expected) => Assert.Equal(expected, LogSafe.Escape(value));

    [Fact]
    public void Escape_LongValue_IsCut() => Assert.Equal(LogSafe.MaxLength + 1, LogSafe.Escape(new string('x', 10_000)).Length);
}
