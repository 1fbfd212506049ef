using NodaTime;

namespace Portier.Core.Schedules;

/// <summary>
/// One window on one weekday in the site's local time: start inclusive, end exclusive.
/// An end of <see cref="LocalTime.Midnight"/> means the end of that day (24:00).
/// </summary>
public readonly record struct TimeBlock
{
    public TimeBlock(IsoDayOfWeek day, LocalTime start, LocalTime end)
    {
        if (day == IsoDayOfWeek.None)
            throw new ArgumentOutOfRangeException(nameof(day), "A time block needs a weekday.");
        if (end != LocalTime.Midnight && end <= start)
            throw new ArgumentException("A time block must end after it starts.", nameof(end));
        Day = day;
        Start = start;
        End = end;
    }

    public IsoDayOfWeek Day { get; }
    public LocalTime Start { get; }
    public LocalTime End { get; }

    public bool EndsAtMidnight => End == LocalTime.Midnight;

    /// <summary>True when both blocks share at least one instant of the same weekday; blocks that only touch (08:00–12:00, 12:00–18:00) do not overlap.</summary>
    public bool Overlaps(TimeBlock other) =>
        Day == other.Day && Start < other.EndOfDay && other.Start < EndOfDay;

    private LocalTime EndOfDay => EndsAtMidnight ? LocalTime.MaxValue : End;

    public bool Contains(IsoDayOfWeek day, LocalTime time) =>
        day == Day && time >= Start && (EndsAtMidnight || time < End);
}
