using System.Globalization;
using NodaTime;
using NodaTime.Text;
using Portier.Core.Policy;
using Portier.Core.Schedules;

namespace Portier.Core.Bundles;

/// <summary>Weekly hours and rule sets between the model and the bundle's wire form.</summary>
public static class BundleHours
{
    private static readonly LocalTimePattern Clock = LocalTimePattern.CreateWithInvariantCulture("HH':'mm");

    public static IReadOnlyList<BundleBlock> ToWire(WeeklyHours hours) =>
        [.. hours.Blocks.Select(b => new BundleBlock((int)b.Day, Clock.Format(b.Start), b.EndsAtMidnight ? "24:00" : Clock.Format(b.End)))];

    /// <summary>Throws <see cref="FormatException"/> for a day outside 1–7 or a time that is not HH:mm.</summary>
    public static WeeklyHours FromWire(IReadOnlyList<BundleBlock> blocks) =>
        blocks.Count == 0 ? WeeklyHours.Always : new WeeklyHours([.. blocks.Select(ToBlock)]);

    public static BundleRules ToWire(RuleSet rules) => new(
        [.. rules.PersonTypeRules.Select(r => new BundlePersonTypeRule(r.PersonType, r.Statuses))],
        rules.AllowedTags,
        ToWire(rules.Hours)) { HolidaysApply = rules.HolidaysApply ? null : false };

    public static RuleSet FromWire(BundleRules rules) => new(
        [.. rules.PersonTypes.Select(r => new PersonTypeRule(r.Type, r.Statuses))],
        rules.Tags,
        FromWire(rules.Hours)) { HolidaysApply = rules.HolidaysApply ?? true };

    private static TimeBlock ToBlock(BundleBlock block)
    {
        if (block.Day is < 1 or > 7) throw new FormatException($"Day {block.Day} is not 1 (Monday) to 7 (Sunday).");
        try
        {
            return new TimeBlock((IsoDayOfWeek)block.Day, Parse(block.Start), block.End == "24:00" ? LocalTime.Midnight : Parse(block.End));
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"Block {block.Start}–{block.End} on day {block.Day.ToString(CultureInfo.InvariantCulture)}: {e.Message}", e);
        }
    }

    private static LocalTime Parse(string text) =>
        Clock.Parse(text) is { Success: true } result ? result.Value : throw new FormatException($"'{text}' is not a time of day as HH:mm.");
}
