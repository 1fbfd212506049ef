using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Portier.Core.Decisions;
using Portier.Core.Policy;
using Portier.Server.Features.Decisions;
using Portier.Server.Features.Events;
using Portier.Server.Features.People;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Events;

/// <summary>One site with a zone, a door into it, the built-in provider, a series and attendees: what the event access tests share.</summary>
internal sealed class EventSetup(PortierServer server)
{
    public HttpClient Admin { get; } = server.Admin();
    public Guid SiteId { get; private set; }
    public Guid DoorId { get; private set; }
    public Guid BuiltInZoneId { get; private set; }
    public Guid SeriesId { get; private set; }

    public DateTimeOffset Now => server.Clock.GetUtcNow();

    public static async Task<EventSetup> CreateAsync(PortierServer server)
    {
        var setup = new EventSetup(server);
        var admin = setup.Admin;
        setup.SiteId = await admin.CreateSiteAsync("Makerspace", "UTC");
        var zone = await admin.CreateZoneAsync(setup.SiteId, "Metal shop");
        setup.DoorId = await admin.CreateDoorAsync(setup.SiteId, "Metal shop door", zone);
        var provider = await (await admin.PostJsonAsync("/api/v1/providers", new { siteId = setup.SiteId, name = "Portier", kind = "built_in" })).ExpectAsync(HttpStatusCode.Created);
        var zones = await admin.GetJsonAsync($"/api/v1/providers/{provider.Id()}/zones");
        setup.BuiltInZoneId = zones.EnumerateArray().Single(z => z.GetProperty("externalId").GetString() == $"zone:{zone}").Id();
        setup.SeriesId = (await (await admin.PostJsonAsync("/api/v1/event-series", new { siteId = setup.SiteId, name = "Welding 101" })).ExpectAsync(HttpStatusCode.Created)).Id();
        return setup;
    }

    public async Task<Guid> PersonAsync(string name = "Ada")
    {
        using var scope = server.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        var person = new Person { SiteId = SiteId, Name = name, PersonType = "Attendee", Email = $"{name.ToLowerInvariant()}@example.org" };
        db.Add(person);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return person.Id;
    }

    public async Task<Guid> SessionAsync(DateTimeOffset start, TimeSpan? length = null, Guid? seriesId = null) =>
        (await (await Admin.PostJsonAsync($"/api/v1/event-series/{seriesId ?? SeriesId}/sessions",
            new { startsAt = start, endsAt = start + (length ?? TimeSpan.FromHours(2)) })).ExpectAsync(HttpStatusCode.Created)).Id();

    public async Task<Guid> AttendAsync(Guid personId, Guid? sessionId = null, Guid? seriesId = null) =>
        (await (await Admin.PostJsonAsync($"/api/v1/event-series/{seriesId ?? SeriesId}/attendees", new { personId, sessionId })).ExpectAsync(HttpStatusCode.Created)).Id();

    public async Task<JsonElement> PolicyAsync(Guid zoneId, int before, int after, string? tag = null, Guid? seriesId = null) =>
        await (await Admin.PostJsonAsync($"/api/v1/event-series/{seriesId ?? SeriesId}/policies",
            new { zoneId, minutesBefore = before, minutesAfter = after, temporaryAuthorization = tag })).ExpectAsync(HttpStatusCode.Created);

    public async Task<List<JsonElement>> TasksAsync(Guid sessionId) =>
        (await Admin.GetJsonAsync($"/api/v1/event-sessions/{sessionId}/tasks")).EnumerateArray().ToList();

    public static JsonElement Of(List<JsonElement> tasks, string action, bool current = true) =>
        tasks.Single(t => t.GetProperty("action").GetString() == action && t.GetProperty("personId").ValueKind == JsonValueKind.Null
            && t.GetProperty("current").GetBoolean() == current);

    public static string Status(JsonElement task) => task.GetProperty("status").GetString()!;

    public Task<RunSummary> RunAsync() => server.Services.GetRequiredService<AccessTaskRunner>().RunDueAsync(TestContext.Current.CancellationToken);

    public void Advance(TimeSpan by) => server.Clock.Advance(by);

    public void AdvanceTo(DateTimeOffset at) => server.Clock.SetUtcNow(at);

    /// <summary>The engine's answer for this person at the door at <paramref name="at"/>, over a snapshot built from the database now.</summary>
    public async Task<Decision> DecideAsync(Guid personId, DateTimeOffset at)
    {
        using var scope = server.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        var snapshot = PolicySnapshot.Compile(await PolicyDefinitionsLoader.LoadAsync(db, TestContext.Current.CancellationToken));
        var instant = Instant.FromDateTimeOffset(at);
        return DecisionEngine.Decide(snapshot, DecisionRequest.ForPerson(personId, DoorId, instant), LiveFacts.OnlineAt(instant));
    }

    public async Task<IReadOnlyList<string>> TagsAsync(Guid personId)
    {
        using var scope = server.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        var definitions = await PolicyDefinitionsLoader.LoadAsync(db, TestContext.Current.CancellationToken);
        return definitions.People.Single(p => p.Id == personId).CustomTags;
    }
}
