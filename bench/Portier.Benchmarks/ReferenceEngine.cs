namespace Portier.Benchmarks;

/// <summary>
/// An independent, plain decision engine for the generated workload, written straight from the shared
/// workload's six-line semantics: string ids in dictionaries, tags and groups as string arrays, and the
/// facility's UTC offset from a table of one entry per hour filled from the operating system's
/// <see cref="TimeZoneInfo"/> (not NodaTime). It shares no code with Portier.Core, so agreement
/// between the two is evidence that both are right.
/// </summary>
internal sealed class ReferenceEngine
{
    private readonly Dictionary<string, Person> _people = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Person> _cards = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Door> _doors = new(StringComparer.Ordinal);
    private readonly long _tableStart;
    private readonly int[] _offsetSecondsByHour;

    public ReferenceEngine(string timeZone, long firstSecond, int spanSeconds)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        // A day either side covers every query; offsets in this zone change on the hour.
        _tableStart = firstSecond - 86_400;
        _offsetSecondsByHour = new int[(spanSeconds + 2 * 86_400) / 3_600 + 1];
        for (var h = 0; h < _offsetSecondsByHour.Length; h++)
        {
            var utc = DateTimeOffset.FromUnixTimeSeconds(_tableStart + h * 3_600L);
            _offsetSecondsByHour[h] = (int)zone.GetUtcOffset(utc).TotalSeconds;
        }
    }

    public int PersonCount => _people.Count;

    public void AddDoor(string id, string[] groups, bool staffOnly) => _doors.Add(id, new Door(groups, staffOnly));

    public void AddPerson(string id, string type, string status, string[] tags, string card, List<(string Group, bool Business)> grants)
    {
        var person = new Person(type, status, tags, [.. grants]);
        _people.Add(id, person);
        _cards.Add(card, person);
    }

    /// <summary>The decision for a person (by id, or by card when <paramref name="card"/> is set) at a door at a UTC second.</summary>
    public bool Decide(string personId, string? card, string doorId, long utcSeconds)
    {
        var found = card is null ? _people.TryGetValue(personId, out var person) : _cards.TryGetValue(card, out person);
        if (!found || !_doors.TryGetValue(doorId, out var door)) return false;

        var local = utcSeconds + _offsetSecondsByHour[(utcSeconds - _tableStart) / 3_600];
        var dayNumber = Math.DivRem(local, 86_400, out var secondOfDay);
        var dayOfWeek = (int)((dayNumber + 4) % 7); // 1970-01-01 was a Thursday; 0 = Sunday
        var minute = (int)(secondOfDay / 60);

        if (!InFacilityHours(dayOfWeek, minute)) return false;
        foreach (var (group, business) in person!.Grants)
        {
            if (Array.IndexOf(door.Groups, group) >= 0 && (!business || InBusinessHours(dayOfWeek, minute))) return true;
        }
        return door.StaffOnly
            ? Array.IndexOf(person.Tags, "staff") >= 0
            : (person.Type == "Member" && (person.Status == "Active" || person.Status == "Current"))
              || Array.IndexOf(person.Tags, "staff") >= 0 || Array.IndexOf(person.Tags, "cleaner") >= 0;
    }

    private static bool InFacilityHours(int dayOfWeek, int minute) =>
        dayOfWeek is >= 1 and <= 5 ? minute is >= 360 and < 1320 : minute is >= 480 and < 1200;

    private static bool InBusinessHours(int dayOfWeek, int minute) => dayOfWeek is >= 1 and <= 5 && minute is >= 540 and < 1020;

    private sealed record Person(string Type, string Status, string[] Tags, (string Group, bool Business)[] Grants);

    private sealed record Door(string[] Groups, bool StaffOnly);
}

/// <summary>The generated queries in the reference engine's string-id form.</summary>
internal sealed record ReferenceQueries(string[] Person, string[] Door, long[] UtcSeconds, string?[] Card)
{
    public int Count => UtcSeconds.Length;

    public bool Decide(ReferenceEngine engine, int q) => engine.Decide(Person[q], Card[q], Door[q], UtcSeconds[q]);
}
