using NodaTime;

namespace Portier.Core.Calendars;

/// <summary>
/// What the calendars of a site say about one local date, with every entry falling on it merged:
/// closed when any entry closes it; special hours and special auto-unlock windows are the union of
/// those entries' windows.
/// </summary>
public sealed class CalendarDay
{
    private readonly long[] _hourStarts;
    private readonly long[] _hourEnds;

    internal CalendarDay(IReadOnlyList<CalendarEntryDefinition> entries)
    {
        Closed = entries.Any(e => e.Effect == CalendarDayEffect.Closed);
        var hours = entries.Where(e => e.Effect == CalendarDayEffect.SpecialHours).ToList();
        SpecialHours = hours.Count == 0 ? null : [.. hours.SelectMany(e => e.Windows).OrderBy(w => w.Start)];
        var unlock = entries.Where(e => e.Effect == CalendarDayEffect.SpecialAutoUnlock).ToList();
        AutoUnlock = unlock.Count > 0 ? [.. unlock.SelectMany(e => e.Windows).OrderBy(w => w.Start)] : Closed ? [] : null;
        Names = string.Join(", ", entries.Select(e => e.Name).Distinct(StringComparer.Ordinal));
        _hourStarts = [.. (SpecialHours ?? []).Select(w => w.Start.TickOfDay)];
        _hourEnds = [.. (SpecialHours ?? []).Select(w => w.EndTickOfDay)];
    }

    /// <summary>The site is closed this day for the paths to which holidays apply.</summary>
    public bool Closed { get; }

    /// <summary>The hours replacing the weekly hours this day; null = the weekly hours hold. Never consulted on a closed day.</summary>
    public IReadOnlyList<DayWindow>? SpecialHours { get; }

    /// <summary>
    /// The auto-unlock windows replacing the door's weekly ones this day: a special auto-unlock entry's
    /// windows, else none on a closed day; null = the weekly windows hold.
    /// </summary>
    public IReadOnlyList<DayWindow>? AutoUnlock { get; }

    /// <summary>The names of the entries falling on this day, for the explainer.</summary>
    public string Names { get; }

    /// <summary>Whether the special hours contain the local time (ticks since local midnight).</summary>
    internal bool SpecialHoursContain(long tickOfDay)
    {
        var starts = _hourStarts;
        var ends = _hourEnds;
        for (var i = 0; i < starts.Length && i < ends.Length; i++)
        {
            if (tickOfDay >= starts[i] && tickOfDay < ends[i]) return true;
        }
        return false;
    }

    /// <summary>Whether an auto-unlock override latches the door at this local time; null = the weekly windows decide.</summary>
    public bool? AutoUnlockContains(LocalTime time)
    {
        if (AutoUnlock is not { } windows) return null;
        foreach (var window in windows)
        {
            if (time >= window.Start && (window.EndsAtMidnight || time < window.End)) return true;
        }
        return false;
    }
}
