using NodaTime;
using NodaTime.TimeZones;
using Portier.Core.Calendars;
using Portier.Core.Schedules;

namespace Portier.Core.Doors;

/// <summary>
/// When a door's auto-unlock windows latch it open, judged by the site's wall clock exactly as
/// access hours are: a window starting in a skipped hour opens when the clock jumps past it, and
/// during a repeated hour the door follows the clock, so a window covering part of it is open in
/// both passes. <see cref="NextChange"/> finds every instant where that state flips.
/// A calendar day with its own auto-unlock windows (<see cref="CalendarDay.AutoUnlock"/>: special
/// windows, or none on a closed day) replaces the weekly windows for that local date.
/// </summary>
public sealed class AutoUnlockSchedule
{
    private static readonly ZoneLocalMappingResolver Resolver =
        Resolvers.CreateMappingResolver(Resolvers.ReturnEarlier, Resolvers.ReturnStartOfIntervalAfter);

    private readonly WeeklyHours _hours;
    private readonly DateTimeZone _zone;
    private readonly SiteCalendar? _calendar;

    /// <param name="calendar">The site's calendar days for a door to which holidays apply; null = weekly windows only.</param>
    public AutoUnlockSchedule(WeeklyHours hours, DateTimeZone zone, SiteCalendar? calendar = null)
    {
        _hours = hours;
        _zone = zone;
        _calendar = calendar;
    }

    /// <summary>No weekly windows and no calendar means the door is never latched by the schedule.</summary>
    public bool IsEmpty => _hours.IsAlways && _calendar is null;

    public bool IsLatchedAt(Instant at)
    {
        if (IsEmpty) return false;
        var local = at.InZone(_zone).LocalDateTime;
        if (_calendar?.On(local.Date)?.AutoUnlockContains(local.TimeOfDay) is { } special) return special;
        return !_hours.IsAlways && _hours.Contains(local);
    }

    /// <summary>The first instant after <paramref name="after"/> at which the latched state changes, or null for an empty schedule.</summary>
    public Instant? NextChange(Instant after)
    {
        if (IsEmpty) return null;
        var current = IsLatchedAt(after);
        var startDate = after.InZone(_zone).Date;
        Instant? best = null;
        for (var day = -1; day <= 8; day++)
        {
            var date = startDate.PlusDays(day);
            if (_calendar?.On(date)?.AutoUnlock is { } windows)
            {
                Consider(date.AtMidnight());
                Consider(date.PlusDays(1).AtMidnight());
                foreach (var window in windows)
                {
                    Consider(date + window.Start);
                    Consider(window.EndsAtMidnight ? date.PlusDays(1).AtMidnight() : date + window.End);
                }
                continue;
            }
            foreach (var block in _hours.Blocks)
            {
                if (block.Day != date.DayOfWeek) continue;
                Consider(date + block.Start);
                Consider(block.EndsAtMidnight ? date.PlusDays(1).AtMidnight() : date + block.End);
            }
        }
        foreach (var interval in _zone.GetZoneIntervals(after, after + Duration.FromDays(9)))
            if (interval.HasStart) ConsiderInstant(interval.Start);
        return best;

        void Consider(LocalDateTime local)
        {
            var mapping = _zone.MapLocal(local);
            if (mapping.Count == 0)
            {
                ConsiderInstant(_zone.ResolveLocal(local, Resolver).ToInstant());
                return;
            }
            ConsiderInstant(mapping.First().ToInstant());
            ConsiderInstant(mapping.Last().ToInstant());
        }

        void ConsiderInstant(Instant instant)
        {
            if (instant <= after || (best is { } b && instant >= b)) return;
            if (IsLatchedAt(instant) != current) best = instant;
        }
    }
}
