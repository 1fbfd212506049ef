using Portier.Core.Geo;

namespace Portier.Core.Tests.Decisions;

public class ZoneAndGeofenceTests
{
    private const double CentreLat = 40.7580;
    private const double CentreLon = -73.9855;
    private static readonly GeofenceDefinition Fence = new(CentreLat, CentreLon, RadiusMeters: 100, RequiredAccuracyMeters: 50);

    private static PolicyDefinitions ZoneSite(DoorDirection direction, ZoneDefinition? zone = null) =>
        (Site() with { Zones = [zone ?? new ZoneDefinition(ZoneId, SiteId) { Capacity = 10 }] })
            .WithDoor(d => d with { ZoneId = ZoneId, Direction = direction });

    [Theory]
    [InlineData(DoorDirection.In)]
    [InlineData(DoorDirection.Both)]
    public void Decide_FullZoneOnEntry_DeniesCapacityExceeded(DoorDirection direction) =>
        AssertDenied(ZoneSite(direction).Decide(MondayNoon, facts: new LiveFacts(10, MondayNoon)), ReasonCode.CapacityExceeded);

    [Fact]
    public void Decide_FullZoneOnExit_Allowed() =>
        AssertAllowed(ZoneSite(DoorDirection.Out).Decide(MondayNoon, facts: new LiveFacts(10, MondayNoon)), DecisionPath.Rule);

    [Fact]
    public void Decide_ExitReaderAtEntryDoor_FullZone_Allowed() =>
        AssertAllowed(Decide(PolicySnapshot.Compile(ZoneSite(DoorDirection.In)),
            DecisionRequest.ForPerson(PersonId, DoorId, MondayNoon) with { Direction = DoorDirection.Out }, new LiveFacts(10, MondayNoon)), DecisionPath.Rule);

    [Fact]
    public void Decide_EntryReaderAtExitDoor_FullZone_DeniesCapacityExceeded() =>
        AssertDenied(Decide(PolicySnapshot.Compile(ZoneSite(DoorDirection.Out)),
            DecisionRequest.ForPerson(PersonId, DoorId, MondayNoon) with { Direction = DoorDirection.In }, new LiveFacts(10, MondayNoon)), ReasonCode.CapacityExceeded);

    [Fact]
    public void Explain_ExitReader_SaysNotAnEntry()
    {
        var explained = DecisionEngine.Explain(PolicySnapshot.Compile(ZoneSite(DoorDirection.Both)),
            DecisionRequest.ForPerson(PersonId, DoorId, MondayNoon) with { Direction = DoorDirection.Out }, new LiveFacts(10, MondayNoon));
        Assert.True(explained.Decision.Allowed);
        Assert.Contains(explained.Checks, c => c.Check == DecisionCheck.ZoneCapacity && c.Outcome == CheckOutcome.NotApplicable);
    }

    [Fact]
    public void Decide_ZoneBelowCapacity_Allowed() =>
        AssertAllowed(ZoneSite(DoorDirection.In).Decide(MondayNoon, facts: new LiveFacts(9, MondayNoon)), DecisionPath.Rule);

    [Fact]
    public void Decide_ZoneWithoutCapacity_NeverFull() =>
        AssertAllowed(ZoneSite(DoorDirection.In, new ZoneDefinition(ZoneId, SiteId)).Decide(MondayNoon, facts: new LiveFacts(100_000, MondayNoon)),
            DecisionPath.Rule);

    [Fact]
    public void Decide_TicketTypeZoneWithoutAdmittedType_DeniesTicketTypeRequired()
    {
        var vip = new ZoneDefinition(ZoneId, SiteId) { RequiredPersonTypes = ["Speaker"], RequiredTags = ["vip"] };
        AssertDenied(ZoneSite(DoorDirection.In, vip).Decide(MondayNoon), ReasonCode.TicketTypeRequired);
    }

    [Fact]
    public void Decide_TicketTypeZoneWithAdmittedTag_Allowed()
    {
        var vip = new ZoneDefinition(ZoneId, SiteId) { RequiredPersonTypes = ["Speaker"], RequiredTags = ["vip"] };
        AssertAllowed(ZoneSite(DoorDirection.In, vip).WithPerson(Member() with { CustomTags = ["vip"] }).Decide(MondayNoon), DecisionPath.Rule);
    }

    [Fact]
    public void Decide_TicketTypeZoneWithAdmittedPersonType_Allowed()
    {
        var members = new ZoneDefinition(ZoneId, SiteId) { RequiredPersonTypes = ["Member"] };
        AssertAllowed(ZoneSite(DoorDirection.In, members).Decide(MondayNoon), DecisionPath.Rule);
    }

    [Fact]
    public void Decide_TicketTypeAndFullZone_ReportsTicketTypeFirst()
    {
        var vip = new ZoneDefinition(ZoneId, SiteId) { Capacity = 1, RequiredTags = ["vip"] };
        AssertDenied(ZoneSite(DoorDirection.In, vip).Decide(MondayNoon, facts: new LiveFacts(1, MondayNoon)), ReasonCode.TicketTypeRequired);
    }

    private static Decision Unlock(GeoLocation? location, PolicyDefinitions? defs = null)
    {
        defs ??= Site() with { Sites = [Site().Sites[0] with { Geofence = Fence }] };
        return Decide(PolicySnapshot.Compile(defs), DecisionRequest.AppUnlock(PersonId, DoorId, MondayNoon, location));
    }

    private static GeoLocation NorthOfCentre(double meters, double accuracy) =>
        new(CentreLat + meters / GeoDistance.EarthRadiusMeters * 180 / Math.PI, CentreLon, accuracy);

    [Fact]
    public void GeofenceDefinition_DefaultBuffer_Is25Meters() => Assert.Equal(25, Fence.BufferMeters);

    [Fact]
    public void HaversineMeters_OneDegreeOfLatitude_IsAbout111Kilometres() =>
        Assert.InRange(GeoDistance.HaversineMeters(0, 0, 1, 0), 111_100, 111_300);

    [Fact]
    public void Decide_InsideThanksToAccuracyAndBuffer_Allowed() =>
        // 150 m from the centre: beyond the 100 m radius, within 100 + 30 accuracy + 25 buffer = 155 m.
        AssertAllowed(Unlock(NorthOfCentre(150, 30)), DecisionPath.Rule);

    [Fact]
    public void Decide_BeyondRadiusAccuracyAndBuffer_DeniesOutsideGeofence() =>
        AssertDenied(Unlock(NorthOfCentre(160, 30)), ReasonCode.OutsideGeofence);

    [Fact]
    public void Decide_AccuracyWorseThanRequired_DeniesGpsTooImprecise() =>
        AssertDenied(Unlock(NorthOfCentre(0, 51)), ReasonCode.GpsTooImprecise);

    [Fact]
    public void Decide_NoLocation_DeniesLocationUnavailable() => AssertDenied(Unlock(null), ReasonCode.LocationUnavailable);

    [Fact]
    public void Decide_CardScanFarAway_GeofenceNotApplied()
    {
        var defs = Site() with { Sites = [Site().Sites[0] with { Geofence = Fence }] };
        AssertAllowed(defs.Decide(MondayNoon), DecisionPath.Rule);
    }

    [Fact]
    public void Decide_DoorGeofenceOverrideDisabled_NoLocationNeeded()
    {
        var defs = (Site() with { Sites = [Site().Sites[0] with { Geofence = Fence }] })
            .WithDoor(d => d with { GeofenceOverride = Fence with { Enabled = false } });
        AssertAllowed(Unlock(null, defs), DecisionPath.Rule);
    }

    [Fact]
    public void Decide_ScopeGeofenceOverride_ReplacesSiteGeofence()
    {
        var wide = Fence with { RadiusMeters = 1_000 };
        var defs = (Site() with { Sites = [Site().Sites[0] with { Geofence = Fence }] })
            with { Scopes = [new ScopeDefinition(ServiceEntries, SiteId) { GeofenceOverride = wide }] };
        AssertAllowed(Unlock(NorthOfCentre(500, 10), defs), DecisionPath.Rule);
    }

    [Fact]
    public void Decide_GeofenceAppliesToGrants_DeniesOutsideGeofence()
    {
        var defs = (Site(RuleSet.Nobody) with { Sites = [new SiteDefinition(SiteId, "America/New_York", RuleSet.Nobody) { Geofence = Fence }] })
            .WithGrant(Grant() with { SiteWide = true });
        AssertDenied(Unlock(NorthOfCentre(5_000, 10), defs), ReasonCode.OutsideGeofence);
    }

    [Fact]
    public void Decide_LocationCheckedBeforeDevice_ReportsGeofenceFirst()
    {
        var defs = Site() with { Sites = [Site().Sites[0] with { Geofence = Fence }] };
        var request = DecisionRequest.AppUnlock(PersonId, DoorId, MondayNoon, null);
        AssertDenied(Decide(PolicySnapshot.Compile(defs), request, new LiveFacts(0, MondayNoon - Duration.FromHours(1))),
            ReasonCode.LocationUnavailable);
    }
}
