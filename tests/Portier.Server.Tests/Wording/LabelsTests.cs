using Portier.Core.Decisions;
using Portier.Server.Components.Shared;
using Portier.Server.Features.AccessLog;
using Portier.Server.Features.Wording;

namespace Portier.Server.Tests.Wording;

/// <summary>The words a person reads for the codes the server keeps, and the one clock format they are shown in.</summary>
public sealed class LabelsTests
{
    public static TheoryData<Type> ShownSets() => [.. Labels.Shown];

    [Theory]
    [MemberData(nameof(ShownSets))]
    public void Of_EveryValueOfAShownSet_HasItsOwnWordsNotItsCode(Type set)
    {
        var values = Enum.GetValues(set).Cast<Enum>().ToList();
        var labels = values.Select(Labels.Of).ToList();

        Assert.All(labels, label => Assert.False(string.IsNullOrWhiteSpace(label)));
        Assert.All(labels, label => Assert.DoesNotContain("_", label, StringComparison.Ordinal));
        Assert.All(labels, label => Assert.True(char.IsUpper(label[0]), $"'{label}' starts with a capital."));
        Assert.Equal(labels.Count, labels.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Reason_EveryReasonCodeAndOutcomeByItsCode_ReadsAsItsLabel()
    {
        foreach (var reason in Enum.GetValues<ReasonCode>())
            Assert.Equal(Labels.Of(reason), Labels.Reason(reason.ToCode()));
        foreach (var outcome in Enum.GetValues<ActuationOutcome>())
            Assert.Equal(Labels.Of(outcome), Labels.Reason(outcome.ToCode()));
        Assert.Equal("No rule or grant allows this person here", Labels.Reason("no_matching_rule_or_grant"));
    }

    [Fact]
    public void Reason_CodeNoValueHas_IsTitleCasedNotHidden() =>
        Assert.Equal("Some Future Reason", Labels.Reason("some_future_reason"));

    [Fact]
    public void Of_ValueOfASetNotShown_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Labels.Of(DayOfWeek.Monday));

    [Fact]
    public void Code_EnumValue_IsTheSnakeCaseTheApiWrites()
    {
        Assert.Equal("app_unlock", Labels.Code(AccessMethod.AppUnlock));
        Assert.Equal("confirmed_unlocked", Labels.Code(ActuationOutcome.ConfirmedUnlocked));
        Assert.Equal("no_matching_rule_or_grant", Labels.Code(ReasonCode.NoMatchingRuleOrGrant));
    }

    [Fact]
    public void Method_ReaderScan_NamesTheCredentialKind_OtherwiseTheMethod()
    {
        Assert.Equal("PIN", Labels.Method(AccessMethod.Scan, "pin"));
        Assert.Equal("QR code", Labels.Method(AccessMethod.Scan, "qr"));
        Assert.Equal("Reader", Labels.Method(AccessMethod.Scan, null));
        Assert.Equal("Member app", Labels.Method(AccessMethod.AppUnlock, null));
    }

    [Theory]
    [InlineData("active", "Active")]
    [InlineData("CURRENT", "Current")]
    [InlineData("expired", "Expired")]
    [InlineData("on_hold", "On hold")]
    [InlineData("On Hold", "On hold")]
    [InlineData("canceled", "Cancelled")]
    [InlineData("pending", "Pending")]
    [InlineData("trial_member", "Trial Member")]
    [InlineData("", "")]
    public void MembershipStatus_CommonOnesInTheirWords_OthersTitleCased(string status, string label) =>
        Assert.Equal(label, Labels.MembershipStatus(status));

    [Fact]
    public void SiteClock_Format_IsDayMonthNameYearAnd24HourClock_OnTheSiteClock()
    {
        var at = new DateTimeOffset(2026, 12, 7, 13, 5, 9, TimeSpan.Zero);

        Assert.Equal("7 Dec 2026, 14:05", SiteClock.Format(at, "Europe/Berlin"));
        Assert.Equal("7 Dec 2026, 14:05:09", SiteClock.Format(at, "Europe/Berlin", SiteClock.DateTimeWithSeconds));
        Assert.Equal("8 Dec 2026, 02:05", SiteClock.Format(at, "Pacific/Auckland")); // NZDT, UTC+13
        Assert.Equal("—", SiteClock.Format((DateTimeOffset?)null, "Europe/Berlin"));
        Assert.Equal("Times in Europe/Berlin", SiteClock.ZoneNote("Europe/Berlin"));
    }

    [Fact]
    public void SiteClock_Parse_ReadsTheInputPatternAndTheShownFormat_AtTheSite()
    {
        var expected = new DateTimeOffset(2026, 12, 7, 13, 5, 0, TimeSpan.Zero);

        Assert.Equal(expected, SiteClock.Parse("2026-12-07 14:05", "Europe/Berlin", "yyyy-MM-dd HH:mm"));
        Assert.Equal(expected, SiteClock.Parse("7 Dec 2026, 14:05", "Europe/Berlin", "yyyy-MM-dd HH:mm"));
        Assert.Null(SiteClock.Parse("next monday", "Europe/Berlin", "yyyy-MM-dd HH:mm"));
    }

    [Fact]
    public void PickedDate_IsTheSiteMidnight_AndReadsBackAsTheSameDay()
    {
        var picked = new DateTime(2031, 1, 31);

        var at = PickedDate.AtSiteMidnight(picked, "Europe/Berlin");

        Assert.Equal(new DateTimeOffset(2031, 1, 30, 23, 0, 0, TimeSpan.Zero), at);
        Assert.Equal(picked, PickedDate.OnSiteCalendar(at, "Europe/Berlin"));
        Assert.Null(PickedDate.AtSiteMidnight(null, "Europe/Berlin"));
    }
}
