using NodaTime;
using Portier.Core.Schedules;

namespace Portier.Core.Policy;

/// <summary>
/// Weekly hours flattened to [start, end) ranges of "ticks since Monday 00:00 local".
/// A block ending at midnight ends at the end of its own day; nothing wraps into the next day.
/// </summary>
internal sealed class CompiledHours
{
    public static readonly CompiledHours Always = new([], []);

    private readonly long[] _starts;
    private readonly long[] _ends;

    private CompiledHours(long[] starts, long[] ends)
    {
        _starts = starts;
        _ends = ends;
    }

    public bool IsAlways => _starts.Length == 0;

    public static CompiledHours From(WeeklyHours hours)
    {
        if (hours.IsAlways) return Always;
        var starts = new long[hours.Blocks.Count];
        var ends = new long[hours.Blocks.Count];
        for (var i = 0; i < starts.Length; i++)
        {
            var block = hours.Blocks[i];
            var dayStart = ((int)block.Day - 1) * NodaConstants.TicksPerDay;
            starts[i] = dayStart + block.Start.TickOfDay;
            ends[i] = dayStart + (block.EndsAtMidnight ? NodaConstants.TicksPerDay : block.End.TickOfDay);
        }
        return new CompiledHours(starts, ends);
    }

    public bool Contains(long tickOfWeek)
    {
        var starts = _starts;
        if (starts.Length == 0) return true;
        var ends = _ends;
        for (var i = 0; i < starts.Length && i < ends.Length; i++)
        {
            if (tickOfWeek >= starts[i] && tickOfWeek < ends[i]) return true;
        }
        return false;
    }
}
