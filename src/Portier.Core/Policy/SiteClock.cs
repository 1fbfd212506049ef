using NodaTime;

namespace Portier.Core.Policy;

/// <summary>
/// Converts instants to a site's local wall-clock time without allocating. The zone's offsets
/// between 1970 and 2100 are copied into a sorted table once per snapshot and found by binary
/// search; instants outside that range ask the <see cref="DateTimeZone"/> directly.
/// Mapping an instant to local time never meets a DST gap or overlap: every instant has exactly
/// one local time, so a skipped local hour simply never occurs and a repeated one occurs twice.
/// </summary>
internal sealed class SiteClock
{
    private static readonly Instant TableStart = Instant.FromUtc(1970, 1, 1, 0, 0);
    private static readonly Instant TableEnd = Instant.FromUtc(2100, 1, 1, 0, 0);

    private readonly long[] _starts;
    private readonly long[] _offsets;
    private readonly long _minTicks;
    private readonly long _maxTicks;

    public SiteClock(DateTimeZone zone)
    {
        Zone = zone;
        var starts = new List<long>();
        var offsets = new List<long>();
        foreach (var interval in zone.GetZoneIntervals(new Interval(TableStart, TableEnd)))
        {
            var start = interval.HasStart && interval.Start > TableStart ? interval.Start : TableStart;
            starts.Add(start.ToUnixTimeTicks());
            offsets.Add(interval.WallOffset.Ticks);
        }
        _starts = [.. starts];
        _offsets = [.. offsets];
        _minTicks = TableStart.ToUnixTimeTicks();
        _maxTicks = TableEnd.ToUnixTimeTicks();
    }

    public DateTimeZone Zone { get; }

    /// <summary>Local wall-clock ticks since 1970-01-01T00:00 local for a UTC instant in Unix ticks.</summary>
    public long ToLocalTicks(long unixTicks)
    {
        if (unixTicks < _minTicks || unixTicks >= _maxTicks)
            return unixTicks + Zone.GetUtcOffset(Instant.FromUnixTimeTicks(unixTicks)).Ticks;
        var index = Array.BinarySearch(_starts, unixTicks);
        if (index < 0) index = ~index - 1;
        return unixTicks + _offsets[index];
    }

    /// <summary>Ticks since Monday 00:00 local of the week containing the instant.</summary>
    public long TickOfWeek(long unixTicks) => TickOfWeekOfLocal(ToLocalTicks(unixTicks));

    /// <summary>Ticks since Monday 00:00 local of local wall-clock ticks since 1970-01-01T00:00 local.</summary>
    public static long TickOfWeekOfLocal(long local)
    {
        var days = Math.DivRem(local, NodaConstants.TicksPerDay, out var tickOfDay);
        if (tickOfDay < 0)
        {
            tickOfDay += NodaConstants.TicksPerDay;
            days--;
        }
        // 1970-01-01 was a Thursday: three days after a Monday.
        var dayOfWeek = (days + 3) % 7;
        if (dayOfWeek < 0) dayOfWeek += 7;
        return dayOfWeek * NodaConstants.TicksPerDay + tickOfDay;
    }
}
