using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Portier.Server.Tests.Devices;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Unlocks;

/// <summary>
/// A New York site whose rules admit Members with status Current (and the tag staff) 06:00–22:00
/// every day, with a geofence of 100 m around the centre, one door into a zone, the door's
/// controller paired and connected, and one member holding card 0A1B2C3D.
/// </summary>
public sealed class AccessScenario : IAsyncDisposable
{
    public const double Latitude = 40.7128;
    public const double Longitude = -74.0060;
    public const string Card = "0A1B2C3D";

    private AccessScenario(PortierServer server) => Server = server;

    public PortierServer Server { get; }
    public HttpClient Admin => Server.Admin();
    public Guid SiteId { get; private set; }
    public Guid ZoneId { get; private set; }
    public Guid DoorId { get; private set; }
    public Guid PersonId { get; private set; }
    public Guid CardId { get; private set; }
    public TestDevice Device { get; private set; } = null!;
    /// <summary>The controller's pairing, to connect it again (to another server on the same database).</summary>
    public PairedDevice Paired { get; private set; } = null!;

    public static async Task<AccessScenario> CreateAsync(PortierServer server, int? cardMaxUses = null)
    {
        var scenario = new AccessScenario(server);
        await scenario.BuildAsync(cardMaxUses);
        return scenario;
    }

    private async Task BuildAsync(int? cardMaxUses)
    {
        var days = new[] { "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday" };
        SiteId = (await (await Admin.PostJsonAsync("/api/v1/sites", new
        {
            name = "Scenario " + Guid.NewGuid().ToString("N")[..6],
            timeZone = "America/New_York",
            geofence = new { enabled = true, latitude = Latitude, longitude = Longitude, radiusMeters = 100, requiredAccuracyMeters = 50 },
            rules = new
            {
                personTypeRules = new[] { new { personType = "Member", statuses = new[] { "Current" } } },
                allowedTags = new[] { "staff" },
                hours = days.Select(day => new { day, start = "06:00", end = "22:00" }),
            },
        })).ExpectAsync(HttpStatusCode.Created)).Id();
        ZoneId = (await (await Admin.PostJsonAsync("/api/v1/zones", new { siteId = SiteId, name = "Main hall" })).ExpectAsync(HttpStatusCode.Created)).Id();
        DoorId = (await (await Admin.PostJsonAsync("/api/v1/doors", new { siteId = SiteId, name = "Front door", zoneId = ZoneId })).ExpectAsync(HttpStatusCode.Created)).Id();
        var deviceId = (await (await Admin.PostJsonAsync("/api/v1/devices", new { doorId = DoorId, name = "Front controller" })).ExpectAsync(HttpStatusCode.Created)).Id();
        var paired = await (await Server.PairAsync(deviceId, await Server.IssuePairingCodeAsync(deviceId))).ExpectAsync(HttpStatusCode.OK);
        Paired = new PairedDevice(deviceId, DoorId, paired.GetProperty("password").GetString()!);
        Device = await Server.ConnectAsync(Paired);
        await HeartbeatAsync();
        PersonId = await CreatePersonAsync("Member", "Current");
        CardId = (await (await Admin.PostJsonAsync("/api/v1/credentials", new { personId = PersonId, kind = "card", value = Card, maxUses = cardMaxUses }))
            .ExpectAsync(HttpStatusCode.Created)).Id();
    }

    public async Task<Guid> CreatePersonAsync(string personType, string status, string? email = null) =>
        (await (await Admin.PostJsonAsync("/api/v1/people", new { siteId = SiteId, name = "Person " + personType, personType, membershipStatus = status, email }))
            .ExpectAsync(HttpStatusCode.Created)).Id();

    public async Task HeartbeatAsync()
    {
        await Device.HeartbeatAsync();
        await DeviceKit.EventuallyAsync(async () => (await Server.GetDeviceAsync(Device.Id)).GetProperty("online").GetBoolean(), "the controller is online");
    }

    /// <summary>Sets the fake clock to a wall-clock time at the site (New York), never moving it backwards past a day.</summary>
    public void SetLocalTime(int hour, int minute = 0)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var now = TimeZoneInfo.ConvertTime(Server.Clock.GetUtcNow(), zone);
        var target = new DateTimeOffset(now.Year, now.Month, now.Day, hour, minute, 0, now.Offset);
        if (target <= now) target = target.AddDays(1);
        Server.Clock.SetUtcNow(target.ToUniversalTime());
    }

    /// <summary>Acknowledges the next command the controller receives, and returns it.</summary>
    public Task<Portier.Core.Devices.CommandMessage> AckNextCommandAsync() => Task.Run(async () =>
    {
        var command = await Device.NextCommandAsync();
        await Device.AckAsync(command.CommandId);
        return command;
    });

    /// <summary>The newest access event at this scenario's door once its outcome is no longer pending.</summary>
    public async Task<JsonElement> SettledEventAsync(Func<JsonElement, bool>? match = null)
    {
        JsonElement found = default;
        await DeviceKit.EventuallyAsync(async () =>
        {
            var items = (await Admin.GetJsonAsync($"/api/v1/access-events?doorId={DoorId}&pageSize=5")).GetProperty("items").EnumerateArray()
                .Where(e => match?.Invoke(e) ?? true).ToList();
            if (items.Count == 0 || items[0].GetProperty("outcome").GetString() == "pending") return false;
            found = items[0];
            return true;
        }, "the access event is recorded with its outcome");
        return found;
    }

    public async ValueTask DisposeAsync() => await Device.DisposeAsync();
}

public abstract class UnlocksFixture(DatabaseKind kind) : ServerFixture(kind)
{
    protected override void Configure(IWebHostBuilder builder) => builder.UseSetting("Devices:PairingAttemptsPerMinute", "100000");
}

public sealed class SqliteUnlocksFixture() : UnlocksFixture(DatabaseKind.Sqlite);

public sealed class PostgresUnlocksFixture() : UnlocksFixture(DatabaseKind.Postgres);
