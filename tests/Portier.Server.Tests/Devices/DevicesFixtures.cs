using Portier.Core.Decisions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Portier.Core.Devices;
using Portier.Core.Model;
using Portier.Server.Features.Devices;
using Portier.Server.Features.Doors;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Devices;

/// <summary>Grants the one known card and denies everything else, standing in for the access decision.</summary>
public sealed class KnownCardScanHandler(DeviceCommands commands) : IScanHandler
{
    public const string KnownCard = "1234";
    public const int HoldSeconds = 7;

    public Task AnswerScanAsync(PairedController controller, ScanMessage scan, NodaTime.Instant answerBy, CancellationToken ct) =>
        commands.SendAndWaitAsync(controller.Id, scan.Credential is { Kind: CredentialKind.Card, Value: KnownCard }
            ? CommandRequest.Unlock(HoldSeconds, scan.ScanId)
            : CommandRequest.Deny(ReasonCode.InvalidCredential, scan.ScanId), ct);
}

public abstract class DevicesFixture(DatabaseKind kind) : ServerFixture(kind)
{
    protected override void Configure(IWebHostBuilder builder)
    {
        builder.UseSetting("Devices:PairingAttemptsPerMinute", "10000");
        builder.ConfigureTestServices(services => services.AddScoped<IScanHandler, KnownCardScanHandler>());
    }
}

public sealed class SqliteDevicesFixture() : DevicesFixture(DatabaseKind.Sqlite);

public sealed class PostgresDevicesFixture() : DevicesFixture(DatabaseKind.Postgres);

/// <summary>The server as a client of the test Mosquitto broker (started by scripts/test.sh).</summary>
public sealed class MosquittoDevicesFixture() : DevicesFixture(DatabaseKind.Sqlite)
{
    public const string Variable = "PORTIER_TEST_MOSQUITTO";

    public static (string Host, int Port) Broker =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value && value.Split(':') is [var host, var port]
            ? (host, int.Parse(port, System.Globalization.CultureInfo.InvariantCulture))
            : throw new InvalidOperationException($"{Variable} is not set. Run the tests with scripts/test.sh, which starts Mosquitto.");

    /// <summary>
    /// A server as a client of the test broker. Each installation (<paramref name="group"/>, default one
    /// of its own) shares device messages only among its own nodes, so test classes running at once on
    /// the one broker never take each other's messages.
    /// </summary>
    public static Dictionary<string, string?> ExternalSettings(string? group = null) => new()
    {
        ["Mqtt:Mode"] = "External",
        ["Mqtt:Host"] = Broker.Host,
        ["Mqtt:Port"] = Broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Mqtt:ClientId"] = "portier-test-" + Guid.NewGuid().ToString("N")[..8],
        ["Mqtt:SharedGroup"] = group ?? "portier-test-" + Guid.NewGuid().ToString("N")[..8],
    };

    protected override void Configure(IWebHostBuilder builder)
    {
        base.Configure(builder);
        PortierServer.WithSettings(ExternalSettings())(builder);
    }
}
