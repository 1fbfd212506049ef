using NodaTime;
using NodaTime.TimeZones;
using Portier.Core.Schedules;

namespace Portier.Core.Doors;

/// <summary>
/// When a door's auto-unlock windows latch it open, judged by the site's wall clock exactly as
/// access hours are: a window starting in a skipped hour opens when the clock jumps past it, and
/// during a repeated hour the door follows the clock, so a window covering part of it is open in
/// both passes. <see cref="NextChange"/> finds every instant where that state flips.
/// </summary>
public sealed class AutoUnlockSchedule
{
    private static readonly ZoneLocalMappingResolver Resolver =
        Resolvers.CreateMappingResolver(Resolvers.ReturnEarlier, Resolvers.ReturnStartOfIntervalAfter);

    private readonly WeeklyHours _hours;
    private readonly DateTimeZone _zone;

    public AutoUnlockSchedule(WeeklyHours hours, DateTimeZone zone)
    {
        _hours = hours;
        _zone = zone;
    }

    /// <summary>No windows means the door is never latched by the schedule.</summary>
    public bool IsEmpty => _hours.IsAlways;

    public bool IsLatchedAt(Instant at) => !IsEmpty && _hours.Contains(at.InZone(_zone).LocalDateTime);

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
