using Ical.Net.CalendarComponents;
using NodaTime;
using NodaTime.Text;
using Portier.Core.Calendars;

namespace Portier.Server.Features.Calendars;

/// <summary>
/// Reads an iCalendar (.ics) file into calendar entries with Ical.Net: each all-day VEVENT becomes an
/// entry from DTSTART to the day before DTEND (iCalendar's end is exclusive; no DTEND = one day),
/// an RRULE with FREQ=YEARLY makes it yearly. Timed events, other recurrences and ranges longer
/// than a year are left out with a reason, so the preview shows what the file holds that Portier does not take.
/// </summary>
public static class IcsImport
{
    public const int MaxBytes = 1024 * 1024;

    private static readonly LocalDatePattern Date = LocalDatePattern.Iso;

    public sealed record Parsed(IReadOnlyList<CalendarEntryData> Entries, IReadOnlyList<IcsSkippedEvent> Skipped);

    /// <summary>The entries of a file, or null with <paramref name="error"/> when it is not an iCalendar file Ical.Net can read.</summary>
    public static Parsed? Read(string text, CalendarDayEffect effect, out string error)
    {
        error = "";
        Ical.Net.Calendar? calendar;
        try
        {
            calendar = text.Contains("BEGIN:VCALENDAR", StringComparison.OrdinalIgnoreCase) ? Ical.Net.Calendar.Load(text) : null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Ical.Net reports a malformed file with several exception types; any of them means "not readable".
            error = $"The file is not a readable iCalendar file: {e.Message}";
            return null;
        }
        if (calendar is null)
        {
            error = "The file is not an iCalendar file (no BEGIN:VCALENDAR).";
            return null;
        }
        var entries = new List<CalendarEntryData>();
        var skipped = new List<IcsSkippedEvent>();
        foreach (var evt in calendar.Events)
        {
            var name = string.IsNullOrWhiteSpace(evt.Summary) ? "Holiday" : evt.Summary.Trim();
            if (name.Length > 200) name = name[..200];
            // Ical.Net reads an unreadable DTSTART as none: the event is broken, not merely of a kind Portier leaves out.
            if (evt.DtStart is null)
            {
                error = $"Event '{name}' has no readable DTSTART.";
                return null;
            }
            if (Skip(evt) is { } reason)
            {
                skipped.Add(new IcsSkippedEvent(evt.Uid, name, reason));
                continue;
            }
            var start = LocalDate.FromDateOnly(evt.DtStart!.Date);
            var end = evt.DtEnd is { } dtEnd ? LocalDate.FromDateOnly(dtEnd.Date).PlusDays(-1) : start;
            if (end < start) end = start;
            if (Period.DaysBetween(start, end) >= CalendarEntryDefinition.MaxDays)
            {
                skipped.Add(new IcsSkippedEvent(evt.Uid, name, $"lasts more than {CalendarEntryDefinition.MaxDays} days"));
                continue;
            }
            entries.Add(new CalendarEntryData(Guid.Empty, name, Date.Format(start), Date.Format(end),
                evt.RecurrenceRule is not null, effect, []));
        }
        if (entries.Count == 0 && skipped.Count == 0)
        {
            error = "The file holds no events (VEVENT).";
            return null;
        }
        return new Parsed(entries, skipped);
    }

    private static string? Skip(CalendarEvent evt)
    {
        if (evt.DtStart!.HasTime) return "is not an all-day event (DTSTART has a time)";
        if (evt.RecurrenceRule is { } rule && (rule.Frequency != Ical.Net.FrequencyType.Yearly || rule.Interval > 1 || rule.Count is not null || rule.Until is not null))
            return "repeats other than every year without end (only RRULE:FREQ=YEARLY is taken)";
        return null;
    }
}
