using NodaTime;

namespace Portier.Core.Calendars;

/// <summary>
/// What a calendar day does: <see cref="Closed"/> closes the site for the rule and grant paths to
/// which holidays apply; <see cref="SpecialHours"/> replaces their weekly hours that day with the
/// entry's windows; <see cref="SpecialAutoUnlock"/> replaces the doors' auto-unlock windows that day
/// (no windows = no auto-unlock).
/// </summary>
public enum CalendarDayEffect { Closed, SpecialHours, SpecialAutoUnlock }

/// <summary>
/// One window of a calendar day in the site's local time: <see cref="Start"/> inclusive,
/// <see cref="End"/> exclusive, an end of <see cref="LocalTime.Midnight"/> meaning the end of the day (24:00).
/// </summary>
public readonly record struct DayWindow
{
    public DayWindow(LocalTime start, LocalTime end)
    {
        if (end != LocalTime.Midnight && end <= start)
            throw new ArgumentException("A window must end after it starts.", nameof(end));
        Start = start;
        End = end;
    }

    public LocalTime Start { get; }
    public LocalTime End { get; }

    public bool EndsAtMidnight => End == LocalTime.Midnight;

    /// <summary>Ticks since local midnight of the exclusive end (a full day for 24:00).</summary>
    public long EndTickOfDay => EndsAtMidnight ? NodaConstants.TicksPerDay : End.TickOfDay;

    public bool Overlaps(DayWindow other) => Start.TickOfDay < other.EndTickOfDay && other.Start.TickOfDay < EndTickOfDay;
}

/// <summary>
/// A date or an inclusive date range (<see cref="Start"/> to <see cref="End"/>, at most
/// <see cref="MaxDays"/> days) with its effect. <see cref="Yearly"/> repeats it every year on the
/// same months and days (a range may run over the year end, e.g. 24 December to 2 January; a yearly
/// 29 February falls in leap years only). <see cref="Windows"/> are the special hours or special
/// auto-unlock windows; they are ignored for <see cref="CalendarDayEffect.Closed"/>.
/// </summary>
public sealed record CalendarEntryDefinition(Guid Id, string Name, LocalDate Start, LocalDate End, CalendarDayEffect Effect)
{
    public const int MaxDays = 366;

    public bool Yearly { get; init; }
    public IReadOnlyList<DayWindow> Windows { get; init; } = [];
}

/// <summary>
/// A named holiday calendar: <see cref="SiteId"/> null = shared, applying to every site; set = that site only.
/// A site follows every shared calendar and its own.
/// </summary>
public sealed record CalendarDefinition(Guid Id, string Name, Guid? SiteId)
{
    public IReadOnlyList<CalendarEntryDefinition> Entries { get; init; } = [];
}
