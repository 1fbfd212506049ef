using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Core.Model;
using Portier.Server.Features.Credentials;
using Portier.Server.Features.Doors;
using Portier.Server.Features.Geofences;
using Portier.Server.Features.Grants;
using Portier.Server.Features.People;
using Portier.Server.Features.Rules;
using Portier.Server.Features.Scopes;
using Portier.Server.Features.Sites;
using Portier.Server.Features.Zones;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Demo;

/// <summary>
/// Demo mode (<c>Portier:Demo=true</c> or <c>--demo</c>): on an empty database, seeds a sample
/// climbing gym with rules, zones, doors, a scope, people, grants and cards, so the console has
/// something to show at first start. Every object goes through its request record's own
/// validation, exactly as if an admin had entered it.
/// </summary>
public static partial class DemoSeeder
{
    public const string Setting = "Portier:Demo";

    /// <summary>Turns <c>--demo</c> on the command line into the setting.</summary>
    public static WebApplicationBuilder UseDemoSwitch(this WebApplicationBuilder builder, string[] args)
    {
        if (args.Contains("--demo", StringComparer.Ordinal)) builder.Configuration[Setting] = "true";
        return builder;
    }

    public static async Task SeedDemoAsync(this WebApplication app)
    {
        if (!app.Configuration.GetValue<bool>(Setting)) return;
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        if (await db.Set<Site>().AnyAsync())
        {
            LogNotSeeded(app.Logger);
            return;
        }
        var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetCurrentInstant();
        var site = Seed(db, now);
        await db.SaveChangesAsync();
        LogSeeded(app.Logger, site.Name);
    }

    private static Site Seed(PortierDbContext db, Instant now)
    {
        List<TimeBlockData> weekdays = [.. Enumerable.Range(1, 5).Select(d => new TimeBlockData((IsoDayOfWeek)d, "06:00", "23:00"))];
        List<TimeBlockData> weekend = [new(IsoDayOfWeek.Saturday, "08:00", "22:00"), new(IsoDayOfWeek.Sunday, "08:00", "20:00")];
        var site = new Site { Name = "", TimeZone = "", CreatedAt = now, UpdatedAt = now };
        Valid(new SiteRequest("Harbor Climbing Gym", "Europe/Berlin",
            new GeofenceData(true, 53.5448, 9.9661, 150, 100),
            new AccessRulesData([new("Member", ["active"]), new("Staff", [])], ["staff-key"], [.. weekdays, .. weekend]))).ApplyTo(site);
        db.Add(site);

        var hall = AddZone(db, site, "Climbing hall", 120, [], []);
        var sauna = AddZone(db, site, "Sauna", 12, [], ["sauna"]);
        var staffArea = AddZone(db, site, "Staff area", null, ["Staff"], []);

        var entrance = AddDoor(db, site, new DoorRequest(site.Id, "Main entrance", LocationLabel: "Ground floor", ZoneId: hall.Id, HoldTimeSeconds: 6, IsPointOfEntry: true));
        var saunaDoor = AddDoor(db, site, new DoorRequest(site.Id, "Sauna door", LocationLabel: "Basement", ZoneId: sauna.Id));
        var staffRoom = AddDoor(db, site, new DoorRequest(site.Id, "Staff room", ZoneId: staffArea.Id,
            RuleOverride: new AccessRulesData([new("Staff", [])], [], [])));
        var delivery = AddDoor(db, site, new DoorRequest(site.Id, "Delivery gate", DoorKind.Gate, "Yard", DoorDirection.Both, HoldTimeSeconds: 20));

        var publicAreas = new AccessScope { SiteId = site.Id, Name = "" };
        Valid(new ScopeRequest(site.Id, "Public areas", [entrance.Id, saunaDoor.Id])).ApplyTo(publicAreas);
        db.Add(publicAreas);

        var ada = AddPerson(db, site, now, new PersonRequest(site.Id, "Ada Lovelace", "ada@example.com", PersonType: "Member", MembershipStatus: "active", CustomTags: ["sauna"]), "04A1B2C3");
        AddPerson(db, site, now, new PersonRequest(site.Id, "Grace Hopper", "grace@example.com", PersonType: "Member", MembershipStatus: "active"), "04A1B2C4");
        AddPerson(db, site, now, new PersonRequest(site.Id, "Alan Turing", "alan@example.com", PersonType: "Member", MembershipStatus: "expired"), "04A1B2C5");
        AddPerson(db, site, now, new PersonRequest(site.Id, "Linus Blocked", "linus@example.com", PersonType: "Member", MembershipStatus: "active", AccessEnabled: false), "04A1B2C6");
        var sam = AddPerson(db, site, now, new PersonRequest(site.Id, "Sam Setter", "sam@example.com", PersonType: "Staff", CustomTags: ["staff-key"]), "04A1B2C7");
        var otto = AddPerson(db, site, now, new PersonRequest(site.Id, "Otto Contractor", "otto@example.com", PersonType: "Contractor"), "04A1B2C8");

        AddGrant(db, site, now, new GrantRequest(sam.Id, SiteWide: true, Note: "Head setter"));
        AddGrant(db, site, now, new GrantRequest(otto.Id, DoorIds: [delivery.Id, staffRoom.Id],
            Hours: [.. weekdays.Select(b => b with { Start = "07:00", End = "16:00" })],
            ValidFrom: now.ToDateTimeOffset(), ValidUntil: (now + Duration.FromDays(14)).ToDateTimeOffset(), Note: "Wall refit, two weeks"));
        AddGrant(db, site, now, new GrantRequest(ada.Id, ScopeIds: [publicAreas.Id], Note: "Early-bird pass"));
        return site;
    }

    private static Zone AddZone(PortierDbContext db, Site site, string name, int? capacity, List<string> types, List<string> tags)
    {
        var zone = new Zone { SiteId = site.Id, Name = "", Slug = "" };
        Valid(new ZoneRequest(site.Id, name, null, capacity, types, tags)).ApplyTo(zone, creating: true);
        db.Add(zone);
        return zone;
    }

    private static Door AddDoor(PortierDbContext db, Site site, DoorRequest request)
    {
        var door = new Door { SiteId = site.Id, Name = "" };
        Valid(request).ApplyTo(door);
        db.Add(door);
        return door;
    }

    private static Person AddPerson(PortierDbContext db, Site site, Instant now, PersonRequest request, string card)
    {
        var person = new Person { SiteId = site.Id, Name = "", PersonType = PersonDetails.DefaultPersonType, CreatedAt = now, UpdatedAt = now };
        Valid(request).ApplyTo(person);
        db.Add(person);
        var credential = Valid(new CreateCredentialRequest(person.Id, CredentialKind.Card, card, Label: "Member card"));
        var key = credential.NormalizedValue!;
        var issued = new Credential { SiteId = site.Id, PersonId = person.Id, Kind = CredentialKind.Card, Value = key, ActiveKey = key, CreatedAt = now };
        credential.Terms.ApplyTo(issued);
        db.Add(issued);
        return person;
    }

    private static void AddGrant(PortierDbContext db, Site site, Instant now, GrantRequest request)
    {
        var grant = new Grant { SiteId = site.Id, PersonId = request.PersonId, CreatedAt = now };
        Valid(request).ApplyTo(grant);
        db.Add(grant);
    }

    /// <summary>Sample data passes the same validation as anything an admin enters; a mistake here fails the start loudly.</summary>
    private static T Valid<T>(T request) where T : IValidatable
    {
        var errors = new ValidationErrors();
        request.Validate(errors);
        if (errors.Any) throw new InvalidOperationException($"Demo data is invalid: {string.Join("; ", errors.ToDictionary().Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"))}");
        return request;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Demo mode: seeded nothing, because the database already has a site. The sample site is seeded only into an empty database (set Database__DataFolder to another folder for a fresh SQLite database).")]
    private static partial void LogNotSeeded(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Demo mode: seeded the sample site {Site} (doors, zones, people, grants and cards).")]
    private static partial void LogSeeded(ILogger logger, string site);
}
