using NodaTime;

namespace Portier.Core.Calendars;

/// <summary>
/// The calendar days of one site (its own calendars and every shared one), compiled for a lookup by
/// local date: one-off dates by day number, yearly ones by month and day. Built once per snapshot;
/// <see cref="On(LocalDate)"/> and the engine's lookup by local ticks do not allocate.
/// </summary>
public sealed class SiteCalendar
{
    // Most days have no entry: a bit per day from 2000 through 2099 (under 5 KB, so it stays in cache) answers
    // those with one load; the dictionaries are read only for a day with an entry, or outside those years.
    private static readonly LocalDate Epoch = new(1970, 1, 1);
    private static readonly int FirstMarkedDay = DayNumber(new LocalDate(2000, 1, 1));
    private static readonly int MarkedDays = Period.DaysBetween(new LocalDate(2000, 1, 1), new LocalDate(2100, 1, 1));

    private readonly Dictionary<int, CalendarDay> _byDayNumber;
    private readonly Dictionary<int, CalendarDay> _byMonthDay;
    private readonly ulong[] _marked;

    private SiteCalendar(Dictionary<int, CalendarDay> byDayNumber, Dictionary<int, CalendarDay> byMonthDay)
    {
        _byDayNumber = byDayNumber;
        _byMonthDay = byMonthDay;
        _marked = new ulong[(MarkedDays + 63) / 64];
        for (var offset = 0; offset < MarkedDays; offset++)
        {
            if (Lookup(FirstMarkedDay + offset) is not null) _marked[offset >> 6] |= 1UL << offset;
        }
    }

    /// <summary>
    /// Compiles entries; null when there are none (the engine then skips the lookup entirely).
    /// Throws <see cref="ArgumentException"/> for a range ending before it starts or longer than
    /// <see cref="CalendarEntryDefinition.MaxDays"/> days.
    /// </summary>
    public static SiteCalendar? From(IEnumerable<CalendarEntryDefinition> entries)
    {
        var oneOff = new Dictionary<int, List<CalendarEntryDefinition>>();
        var yearly = new Dictionary<int, List<CalendarEntryDefinition>>();
        foreach (var entry in entries)
        {
            var days = Period.DaysBetween(entry.Start, entry.End);
            if (days < 0 || days >= CalendarEntryDefinition.MaxDays)
                throw new ArgumentException($"Calendar entry {entry.Id} runs from {entry.Start} to {entry.End}; it must end on or after its start and last at most {CalendarEntryDefinition.MaxDays} days.", nameof(entries));
            for (var date = entry.Start; date <= entry.End; date = date.PlusDays(1))
            {
                var key = entry.Yearly ? MonthDay(date.Month, date.Day) : DayNumber(date);
                var table = entry.Yearly ? yearly : oneOff;
                if (!table.TryGetValue(key, out var list)) table[key] = list = [];
                list.Add(entry);
            }
        }
        if (oneOff.Count == 0 && yearly.Count == 0) return null;
        // A one-off date also carries the yearly entries on its month and day, so one lookup answers.
        var byDayNumber = oneOff.ToDictionary(p => p.Key, p =>
        {
            var (_, month, day) = CivilFromDayNumber(p.Key);
            return new CalendarDay(yearly.TryGetValue(MonthDay(month, day), out var annual) ? [.. p.Value, .. annual] : p.Value);
        });
        var byMonthDay = yearly.ToDictionary(p => p.Key, p => new CalendarDay(p.Value));
        return new SiteCalendar(byDayNumber, byMonthDay);
    }

    /// <summary>The calendar day of a local date; null when no entry falls on it.</summary>
    public CalendarDay? On(LocalDate date) => Find(DayNumber(date));

    /// <summary>The calendar day of local wall-clock ticks since 1970-01-01T00:00 local, and the ticks since that day's midnight.</summary>
    internal CalendarDay? AtLocalTicks(long localTicks, out long tickOfDay)
    {
        var days = Math.DivRem(localTicks, NodaConstants.TicksPerDay, out tickOfDay);
        if (tickOfDay < 0)
        {
            tickOfDay += NodaConstants.TicksPerDay;
            days--;
        }
        return Find((int)days);
    }

    private CalendarDay? Find(int dayNumber)
    {
        var offset = dayNumber - FirstMarkedDay;
        if ((uint)offset < (uint)MarkedDays && (_marked[offset >> 6] & (1UL << offset)) == 0) return null;
        return Lookup(dayNumber);
    }

    private CalendarDay? Lookup(int dayNumber)
    {
        if (_byDayNumber.TryGetValue(dayNumber, out var day)) return day;
        if (_byMonthDay.Count == 0) return null;
        var (_, month, dayOfMonth) = CivilFromDayNumber(dayNumber);
        return _byMonthDay.GetValueOrDefault(MonthDay(month, dayOfMonth));
    }

    private static int MonthDay(int month, int day) => month * 100 + day;

    private static int DayNumber(LocalDate date) => Period.DaysBetween(Epoch, date);

    /// <summary>Year, month and day of a day number since 1970-01-01 (proleptic Gregorian), by arithmetic alone.</summary>
    internal static (int Year, int Month, int Day) CivilFromDayNumber(int dayNumber)
    {
        // H. Hinnant's civil_from_days: eras of 400 years starting on 1 March.
        var z = dayNumber + 719468L;
        var era = (z >= 0 ? z : z - 146096) / 146097;
        var doe = z - era * 146097;
        var yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        var doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        var mp = (5 * doy + 2) / 153;
        var day = (int)(doy - (153 * mp + 2) / 5 + 1);
        var month = (int)(mp < 10 ? mp + 3 : mp - 9);
        var year = (int)(yoe + era * 400 + (month <= 2 ? 1 : 0));
        return (year, month, day);
    }
}
