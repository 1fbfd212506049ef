using System.Globalization;
using NodaTime;
using NodaTime.Text;
using Portier.Core.Schedules;
using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Features.Rules;

/// <summary>A weekly window as the API and the database carry it: day name, "HH:mm" start, "HH:mm" end ("24:00" = end of day).</summary>
public sealed record TimeBlockData(IsoDayOfWeek Day, string Start, string End)
{
    private static readonly LocalTimePattern Pattern = LocalTimePattern.CreateWithInvariantCulture("HH:mm");

    public static void ValidateAll(IReadOnlyList<TimeBlockData>? blocks, string field, ValidationErrors errors)
    {
        if (blocks is null) return;
        errors.Require(blocks.Count <= 100, field, "At most 100 time blocks.");
        var valid = new List<(int Index, TimeBlock Block)>();
        for (var i = 0; i < blocks.Count; i++)
        {
            var at = $"{field}[{i}]";
            var block = blocks[i];
            if (block is null) { errors.Add(at, "Is required."); continue; }
            errors.Require(block.Day is >= IsoDayOfWeek.Monday and <= IsoDayOfWeek.Sunday, $"{at}.day", "Must be a weekday name.");
            var start = ParseTime(block.Start, allowEndOfDay: false);
            var end = ParseTime(block.End, allowEndOfDay: true);
            if (start is null) errors.Add($"{at}.start", "Must be a time HH:mm from 00:00 to 23:59.");
            if (end is null) errors.Add($"{at}.end", "Must be a time HH:mm from 00:01 to 24:00.");
            if (start is { } s && end is { } e && e != LocalTime.Midnight && e <= s)
                errors.Add($"{at}.end", "Must be after the start.");
            else if (start is not null && end is not null && block.Day is >= IsoDayOfWeek.Monday and <= IsoDayOfWeek.Sunday)
                valid.Add((i, block.ToCore()));
        }
        // A repeated or overlapping block is almost always a typo in one of them; refusing it names both.
        for (var later = 0; later < valid.Count; later++)
        {
            for (var earlier = 0; earlier < later; earlier++)
            {
                if (!valid[earlier].Block.Overlaps(valid[later].Block)) continue;
                errors.Add($"{field}[{valid[later].Index}]",
                    $"Overlaps {field}[{valid[earlier].Index}] ({blocks[valid[earlier].Index]}); the blocks of one day must not overlap.");
                break;
            }
        }
    }

    public TimeBlock ToCore() =>
        new(Day, ParseTime(Start, false) ?? LocalTime.Midnight, ParseTime(End, true) ?? LocalTime.Midnight);

    public static WeeklyHours ToWeeklyHours(IReadOnlyList<TimeBlockData>? blocks) =>
        blocks is null or { Count: 0 } ? WeeklyHours.Always : new WeeklyHours(blocks.Select(b => b.ToCore()).ToList());

    private static LocalTime? ParseTime(string? text, bool allowEndOfDay)
    {
        if (text is null) return null;
        if (text == "24:00") return allowEndOfDay ? LocalTime.Midnight : null;
        var result = Pattern.Parse(text);
        if (!result.Success) return null;
        if (allowEndOfDay && result.Value == LocalTime.Midnight) return null;
        return result.Value;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Day} {Start}-{End}");
}
