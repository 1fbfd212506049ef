using NodaTime;
using Portier.Core.Policy;

namespace Portier.Core.Tests.Policy;

public sealed class SiteTimeZonesTests
{
    [Fact]
    public void Resolve_KnownId_AnswersThatZone() =>
        Assert.Equal("Europe/Berlin", SiteTimeZones.Resolve("Europe/Berlin").Id);

    [Theory]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("europe/berlin ")]
    [InlineData("")]
    [InlineData(null)]
    public void Resolve_UnknownId_RefusesInsteadOfAnsweringUtc(string? id)
    {
        var refused = Assert.Throws<UnknownTimeZoneException>(() => SiteTimeZones.Resolve(id));
        Assert.Equal(id, refused.ZoneId);
        Assert.False(SiteTimeZones.TryResolve(id, out var zone));
        Assert.Null(zone);
        Assert.False(SiteTimeZones.IsKnown(id));
    }

    [Fact]
    public void TryResolve_Utc_IsKnownByItsOwnId()
    {
        Assert.True(SiteTimeZones.TryResolve("UTC", out var zone));
        Assert.Equal(DateTimeZone.Utc.GetUtcOffset(Instant.FromUtc(2026, 7, 1, 0, 0)), zone.GetUtcOffset(Instant.FromUtc(2026, 7, 1, 0, 0)));
    }

    [Fact]
    public void Compile_SiteWithUnknownZone_RefusesTheDefinitions()
    {
        var refused = Assert.Throws<PolicyDefinitionException>(() => PolicySnapshot.Compile(Fixture.Site(zone: "Mars/Olympus_Mons")));
        Assert.IsType<UnknownTimeZoneException>(refused.InnerException);
    }
}
