using NodaTime;

namespace Portier.Core.Schedules;

/// <summary>
/// Weekly windows in a site's local time. No blocks at all means always allowed.
/// </summary>
public sealed record WeeklyHours
{
    public static readonly WeeklyHours Always = new([]);

    public WeeklyHours(IReadOnlyList<TimeBlock> blocks) => Blocks = blocks;

    public IReadOnlyList<TimeBlock> Blocks { get; }

    public bool IsAlways => Blocks.Count == 0;

    public bool Contains(LocalDateTime local)
    {
        if (IsAlways) return true;
        var day = local.DayOfWeek;
        var time = local.TimeOfDay;
        foreach (var block in Blocks)
            if (block.Contains(day, time)) return true;
        return false;
    }
}
