using NodaTime;
using Portier.Core.Calendars;
using Portier.Core.Model;
using Portier.Core.Policy;

namespace Portier.Benchmarks;

/// <summary>
/// The shared workload with a building's rules switched on, to show what they cost the engine:
/// a holiday calendar on the site (yearly closures, a one-off closure, days that only change
/// auto-unlock) and a zone with anti-passback behind every door (hard, soft and timed in turn).
/// The expected answers follow by construction: every rule and grant lets holidays apply, so a
/// closed local date refuses what the workload allowed, and the other days change nothing; the
/// zones admit every person type and limit no capacity, and with no one inside yet anti-passback
/// refuses no entry.
/// </summary>
internal static class BuildingRules
{
    private static readonly (string Name, LocalDate Start, LocalDate End, bool Yearly, CalendarDayEffect Effect)[] Days =
    [
        ("New Year's Day", new(2025, 1, 1), new(2025, 1, 1), true, CalendarDayEffect.Closed),
        ("Independence Day", new(2025, 7, 4), new(2025, 7, 4), true, CalendarDayEffect.Closed),
        ("Christmas", new(2025, 12, 24), new(2025, 12, 26), true, CalendarDayEffect.Closed),
        ("Inventory", new(2025, 3, 10), new(2025, 3, 11), false, CalendarDayEffect.Closed),
        ("Late opening", new(2025, 2, 3), new(2025, 2, 9), false, CalendarDayEffect.SpecialAutoUnlock),
        ("Summer auto-unlock", new(2025, 8, 1), new(2025, 8, 31), false, CalendarDayEffect.SpecialAutoUnlock),
    ];

    public static Workload Apply(Workload workload)
    {
        var definitions = workload.Definitions;
        var site = definitions.Sites[0];
        var calendar = new CalendarDefinition(Workload.Id(6, 0), "Public holidays", site.Id)
        {
            Entries = [.. Days.Select((d, i) => new CalendarEntryDefinition(Workload.Id(7, i), d.Name, d.Start, d.End, d.Effect)
            {
                Yearly = d.Yearly,
                Windows = d.Effect == CalendarDayEffect.SpecialAutoUnlock ? [new DayWindow(new LocalTime(9, 0), new LocalTime(17, 0))] : [],
            })],
        };
        PassbackRule[] modes = [new(PassbackMode.Hard), new(PassbackMode.Soft), new(PassbackMode.Timed, 15)];
        var zones = definitions.Scopes.Select((scope, i) => new ZoneDefinition(Workload.Id(8, i), site.Id) { Passback = modes[i % modes.Length] }).ToList();
        var zoneOfScope = definitions.Scopes.Select((scope, i) => (scope.Id, zones[i].Id)).ToDictionary();
        var doors = definitions.Doors.Select(d => d.ScopeIds.Count == 0 ? d : d with { ZoneId = zoneOfScope[d.ScopeIds[0]] }).ToList();

        var zone = DateTimeZoneProviders.Tzdb[site.TimeZoneId];
        var closed = Days.Where(d => d.Effect == CalendarDayEffect.Closed).ToArray();
        bool IsClosed(Instant at)
        {
            var date = at.InZone(zone).Date;
            var dayOfYear = date.Month * 100 + date.Day;
            return closed.Any(d => d.Yearly
                ? dayOfYear >= d.Start.Month * 100 + d.Start.Day && dayOfYear <= d.End.Month * 100 + d.End.Day
                : date >= d.Start && date <= d.End);
        }
        var expected = string.Create(workload.Count, workload, (chars, w) =>
        {
            for (var i = 0; i < chars.Length; i++) chars[i] = w.Expected[i] == '1' && !IsClosed(w.QueryAt[i]) ? '1' : '0';
        });

        return new Workload
        {
            Definitions = definitions with { Calendars = [calendar], Zones = zones, Doors = doors },
            PersonIds = workload.PersonIds,
            DoorIds = workload.DoorIds,
            QueryPerson = workload.QueryPerson,
            QueryDoor = workload.QueryDoor,
            QueryAt = workload.QueryAt,
            Expected = expected,
            ExpectedAllowCount = expected.Count(c => c == '1'),
        };
    }
}
