using System.Globalization;
using NodaTime;
using Portier.Core.Calendars;
using Portier.Server.Features.Calendars;

namespace Portier.Server.Components.Shared;

/// <summary>Calendar entries in words for the console: dates, repetition, effect and windows.</summary>
public static class CalendarText
{
    public static string Effect(CalendarDayEffect effect) => effect switch
    {
        CalendarDayEffect.Closed => "Closed",
        CalendarDayEffect.SpecialHours => "Special hours",
        CalendarDayEffect.SpecialAutoUnlock => "Special auto-unlock",
        _ => effect.ToString(),
    };

    public static string Dates(CalendarEntryData entry)
    {
        var pattern = entry.Yearly ? "d MMM" : "d MMM yyyy";
        var start = Format(entry.Start, pattern);
        var range = entry.End == entry.Start ? start : $"{start} – {Format(entry.End, pattern)}";
        return entry.Yearly ? $"{range}, every year" : range;
    }

    public static string Windows(CalendarEntryData entry) => entry.Effect switch
    {
        CalendarDayEffect.Closed => "all day",
        CalendarDayEffect.SpecialAutoUnlock when entry.Windows.Count == 0 => "no auto-unlock",
        _ => string.Join(", ", entry.Windows.Select(w => $"{w.Start}–{w.End}")),
    };

    /// <summary>The first day on or after <paramref name="today"/> an entry falls on, in words; "none" when all are past.</summary>
    public static string Next(IEnumerable<CalendarEntryData> entries, LocalDate today)
    {
        var next = entries.Select(e => (Entry: e, Date: NextDate(e, today))).Where(n => n.Date is not null).OrderBy(n => n.Date).FirstOrDefault();
        return next.Entry is null ? "none" : $"{SiteClock.Format(next.Date!.Value)}: {next.Entry.Name}";
    }

    private static LocalDate? NextDate(CalendarEntryData entry, LocalDate today)
    {
        if (CalendarEntryRequest.ParseDate(entry.Start) is not { } start || CalendarEntryRequest.ParseDate(entry.End) is not { } end) return null;
        if (!entry.Yearly) return end < today ? null : start < today ? today : start;
        for (var years = today.Year - start.Year - 1; years <= today.Year - start.Year + 1; years++)
        {
            var (from, to) = (start.PlusYears(years), end.PlusYears(years));
            if (to >= today) return from < today ? today : from;
        }
        return null;
    }

    private static string Format(string date, string pattern) =>
        CalendarEntryRequest.ParseDate(date)?.ToString(pattern, CultureInfo.InvariantCulture) ?? date;
}
