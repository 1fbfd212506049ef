using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Portier.Core.Model;
using Portier.Core.Policy;
using Portier.Server.Features.Calendars;
using Portier.Server.Features.Credentials;
using Portier.Server.Features.Decisions;
using Portier.Server.Features.Doors;
using Portier.Server.Features.Events;
using Portier.Server.Features.Grants;
using Portier.Server.Features.Lockdowns;
using Portier.Server.Features.People;
using Portier.Server.Features.Qualifications;
using Portier.Server.Features.Rules;
using Portier.Server.Features.Scopes;
using Portier.Server.Features.Sites;
using Portier.Server.Features.Zones;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Tests.Infrastructure;

namespace Portier.Server.Tests.Persistence;

/// <summary>
/// The snapshot's loader reads people, credentials and grants with plain data readers; on a database holding every
/// kind of definition it reads, it must produce exactly what materializing the entities produces, on both providers.
/// </summary>
public sealed class PolicyDefinitionsLoaderTests
{
    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task LoadAsync_RichDatabase_EqualsTheEntityLoader(DatabaseKind kind)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = new PortierServer(await TestDatabase.CreateAsync(kind));
        var admin = server.Admin();
        // An issued invite: its PIN, one-time code and QR credentials open only the entry type's point of entry.
        var invites = await admin.SetUpInvitesAsync();
        await admin.InviteAsync(invites);
        await SeedRichPolicyAsync(server, Instant.FromDateTimeOffset(server.Clock.GetUtcNow()));

        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortierDbContext>();
        var expected = await EntityPolicyDefinitionsLoader.LoadAsync(db, ct);
        var actual = await PolicyDefinitionsLoader.LoadAsync(db, ct);

        Assert.True(expected.People.Count >= 4 && expected.Grants.Count >= 4);
        Assert.Contains(expected.Credentials, c => c.Invite is not null);
        Assert.Contains(expected.Credentials, c => c.Revoked);
        Assert.Contains(expected.People, p => p.Qualifications.Count > 0 && p.CustomTags.Contains("event-guest"));
        Assert.Equal(Describe(expected), Describe(actual));
    }

    private static async Task SeedRichPolicyAsync(PortierServer server, Instant now)
    {
        var site = new Site
        {
            Name = "Rich", TimeZone = "Europe/Berlin",
            Rules = new AccessRulesData([new PersonTypeRuleData("Member", ["Active"]), new PersonTypeRuleData("Staff", null)], ["keyholder"], []),
        };
        var other = new Site { Name = "Other", TimeZone = "America/New_York" };
        var zone = new Zone { SiteId = site.Id, Name = "Hall", Slug = "hall", Capacity = 10, AdmittedTags = ["ticket"] };
        var front = new Door { SiteId = site.Id, Name = "Front", ZoneId = zone.Id };
        var lab = new Door { SiteId = site.Id, Name = "Lab", HolidaysApply = false };
        lab.SetBlockAllAccess(true);
        var annex = new Door { SiteId = other.Id, Name = "Annex" };
        var labs = new AccessScope { SiteId = site.Id, Name = "Labs", DoorIds = [lab.Id, front.Id], HolidaysApply = false };
        var laser = new Qualification { SiteId = site.Id, Name = "Laser cutter" };
        var calendar = new HolidayCalendar { SiteId = site.Id, Name = "Public holidays" };
        var lockdown = new LockdownPlan { SiteId = site.Id, Name = "Lab lockdown", Target = LockdownTarget.Doors, DoorIds = [lab.Id] };
        lockdown.Start("test", now);

        var ada = new Person { SiteId = site.Id, Name = "Ada", PersonType = "Member", MembershipStatus = "Active", SyncedTags = ["keyholder", "laser"], CustomTags = ["night"] };
        var bob = new Person { SiteId = site.Id, Name = "Bob", PersonType = "Staff", AccessEnabled = false, Blocklisted = true };
        var cy = new Person { SiteId = other.Id, Name = "Cy", PersonType = "Member", MembershipStatus = "Lapsed", CustomTags = ["night", "weekend"] };
        var dee = new Person { SiteId = site.Id, Name = "Dee", PersonType = "Contractor", MembershipStatus = "", SyncedTags = ["keyholder", "laser"], CustomTags = ["night"] };
        var held = new PersonQualification { SiteId = site.Id, PersonId = ada.Id, QualificationId = laser.Id };
        held.Grant(now - Duration.FromDays(1), "trainer", now + Duration.FromDays(365), null);
        var hold = new EventAccessHold
        {
            SiteId = site.Id, WindowId = Guid.NewGuid(), PersonId = ada.Id, GrantId = Guid.NewGuid(), Tag = "event-guest",
            ValidFrom = now, ValidUntil = now + Duration.FromHours(2),
        };

        var card = new Credential
        {
            SiteId = site.Id, PersonId = ada.Id, Kind = CredentialKind.Card, Value = "A1", ActiveKey = "A1",
            ValidFrom = now, ValidUntil = now + Duration.FromDays(30), MaxUses = 5,
        };
        // Two revoked cards with one number: the later revoked one counts.
        var lostFirst = Revoked(new Credential { SiteId = site.Id, PersonId = bob.Id, Kind = CredentialKind.Card, Value = "R1", ActiveKey = "R1" }, now - Duration.FromHours(2));
        var lostLater = Revoked(new Credential { SiteId = site.Id, PersonId = dee.Id, Kind = CredentialKind.Card, Value = "R1", ActiveKey = "R1x" }, now - Duration.FromHours(1));
        // A revoked number issued again: only the new card is known.
        var replaced = Revoked(new Credential { SiteId = site.Id, PersonId = bob.Id, Kind = CredentialKind.Card, Value = "B2", ActiveKey = "B2old" }, now);
        var reissued = new Credential { SiteId = site.Id, PersonId = dee.Id, Kind = CredentialKind.Card, Value = "B2", ActiveKey = "B2" };
        var pin = new Credential { SiteId = site.Id, PersonId = bob.Id, Kind = CredentialKind.Pin, ActiveKey = "pin-hash" };
        var revokedPin = Revoked(new Credential { SiteId = site.Id, PersonId = dee.Id, Kind = CredentialKind.Pin, ActiveKey = "old-pin-hash" }, now);
        var sameNumberElsewhere = new Credential { SiteId = other.Id, PersonId = cy.Id, Kind = CredentialKind.Barcode, Value = "A1", ActiveKey = "A1" };

        var grants = new[]
        {
            new Grant { SiteId = site.Id, PersonId = ada.Id, SiteWide = true, ValidFrom = now, ValidUntil = now + Duration.FromDays(1), HolidaysApply = false },
            new Grant
            {
                SiteId = site.Id, PersonId = bob.Id, DoorIds = [front.Id, lab.Id],
                Hours = [new TimeBlockData(IsoDayOfWeek.Monday, "08:00", "18:00"), new TimeBlockData(IsoDayOfWeek.Saturday, "10:00", "24:00")],
            },
            new Grant { SiteId = site.Id, PersonId = dee.Id, ScopeIds = [labs.Id], ValidUntil = now + Duration.FromHours(3) },
            new Grant { SiteId = other.Id, PersonId = cy.Id, DoorIds = [annex.Id] },
        };
        await server.SeedAsync([site, other, zone, front, lab, annex, labs, laser, calendar, lockdown, ada, bob, cy, dee, held, hold,
            card, lostFirst, lostLater, replaced, reissued, pin, revokedPin, sameNumberElsewhere, .. grants]);
    }

    private static Credential Revoked(Credential credential, Instant at)
    {
        credential.Revoke(at);
        return credential;
    }

    /// <summary>
    /// The definitions as text: every value, nested lists in their order. Top-level lists are ordered by id, since
    /// neither loader orders its rows and the compiler does not depend on their order.
    /// </summary>
    private static string Describe(PolicyDefinitions definitions) => JsonSerializer.Serialize(definitions with
    {
        People = [.. definitions.People.OrderBy(p => p.Id)],
        Grants = [.. definitions.Grants.OrderBy(g => g.Id)],
        Credentials = [.. definitions.Credentials.OrderBy(c => c.Id)],
        Doors = [.. definitions.Doors.OrderBy(d => d.Id)],
        Sites = [.. definitions.Sites.OrderBy(s => s.Id)],
    }, Json);

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new AsText<Instant>(), new AsText<LocalDate>(), new AsText<LocalTime>() } };

    /// <summary>NodaTime values by their ISO text (their properties alone would not say which instant they are).</summary>
    private sealed class AsText<T> : JsonConverter<T>
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => throw new NotSupportedException();

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            writer.WriteStringValue(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
    }
}
