using System.IO.Compression;
using System.Text.Json;
using NodaTime;
using Portier.Core.Policy;
using Portier.Core.Schedules;

namespace Portier.Benchmarks;

/// <summary>
/// The shared decision workload mapped onto Portier's definitions as its README prescribes:
/// site rules = Member (Active, Current) or tags staff/cleaner within the facility hours; door
/// groups = scopes; a door's "staffOnly" rule = door override (tag staff, facility hours); a grant
/// to a group = scope grant with business hours, or facility hours when its schedule is null.
/// </summary>
internal sealed class Workload
{
    public required PolicyDefinitions Definitions { get; init; }
    public required Guid[] PersonIds { get; init; }
    public required Guid[] DoorIds { get; init; }
    public required int[] QueryPerson { get; init; }
    public required int[] QueryDoor { get; init; }
    public required Instant[] QueryAt { get; init; }
    public required string Expected { get; init; }
    public required int ExpectedAllowCount { get; init; }
    /// <summary>Per query, the card presented instead of the person id; null (or a null entry) = by person id.</summary>
    public string?[]? QueryCard { get; init; }

    public int Count => QueryAt.Length;

    /// <summary>Each query's person and door ids laid out in query order, so a pass reads them as a request carries them.</summary>
    public Guid[] QueryPersonIds => _queryPersonIds ??= [.. QueryPerson.Select(p => PersonIds[p])];
    public Guid[] QueryDoorIds => _queryDoorIds ??= [.. QueryDoor.Select(d => DoorIds[d])];

    private Guid[]? _queryPersonIds;
    private Guid[]? _queryDoorIds;

    public static Guid Id(short kind, int index) => new(index, kind, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    public static string DefaultDirectory()
    {
        // The repository sits beside "shared/": <repo>/../shared/bench/decision-workload.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Portier.slnx")))
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "bench", "decision-workload"));
        }
        return Path.GetFullPath(Path.Combine("..", "shared", "bench", "decision-workload"));
    }

    public static Workload Load(string directory)
    {
        using var data = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, "data.json")));
        var root = data.RootElement;
        var siteId = Id(1, 0);

        var schedules = new Dictionary<string, WeeklyHours>(StringComparer.Ordinal);
        foreach (var schedule in root.GetProperty("schedules").EnumerateObject())
            schedules.Add(schedule.Name, ToHours(schedule.Value));
        var facility = schedules["facility"];

        var siteRules = ToRuleSet(root.GetProperty("rules").GetProperty("facility"), facility);
        var overrideRules = new Dictionary<string, RuleSet>(StringComparer.Ordinal);
        foreach (var rule in root.GetProperty("rules").EnumerateObject())
            overrideRules.Add(rule.Name, rule.Name == "facility" ? siteRules : ToRuleSet(rule.Value, facility));

        var scopeIndex = new Dictionary<string, Guid>(StringComparer.Ordinal);
        var scopes = new List<ScopeDefinition>();
        foreach (var group in root.GetProperty("doorGroups").EnumerateArray())
        {
            var id = Id(2, scopes.Count);
            scopeIndex.Add(group.GetProperty("id").GetString()!, id);
            scopes.Add(new ScopeDefinition(id, siteId));
        }

        var doors = new List<DoorDefinition>();
        foreach (var door in root.GetProperty("doors").EnumerateArray())
        {
            var rule = door.GetProperty("rule");
            doors.Add(new DoorDefinition(Id(3, doors.Count), siteId)
            {
                ScopeIds = [.. door.GetProperty("groups").EnumerateArray().Select(g => scopeIndex[g.GetString()!])],
                RuleOverride = rule.ValueKind == JsonValueKind.Null ? null : overrideRules[rule.GetString()!],
            });
        }

        var people = new List<PersonDefinition>();
        var grants = new List<GrantDefinition>();
        foreach (var person in root.GetProperty("people").EnumerateArray())
        {
            var personId = Id(4, people.Count);
            people.Add(new PersonDefinition(personId, person.GetProperty("type").GetString()!, person.GetProperty("status").GetString()!)
            {
                SyncedTags = [.. person.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!)],
            });
            foreach (var grant in person.GetProperty("grants").EnumerateArray())
            {
                var schedule = grant.GetProperty("schedule");
                grants.Add(new GrantDefinition(Id(5, grants.Count), personId, siteId)
                {
                    ScopeIds = [scopeIndex[grant.GetProperty("group").GetString()!]],
                    Hours = schedule.ValueKind == JsonValueKind.Null ? facility : schedules[schedule.GetString()!],
                });
            }
        }

        var definitions = new PolicyDefinitions
        {
            Sites = [new SiteDefinition(siteId, root.GetProperty("timezone").GetString()!, siteRules)],
            Scopes = scopes,
            Doors = doors,
            People = people,
            Grants = grants,
        };

        using var gzip = new GZipStream(File.OpenRead(Path.Combine(directory, "queries.json.gz")), CompressionMode.Decompress);
        using var queries = JsonDocument.Parse(gzip);
        var q = queries.RootElement;
        var queryPerson = IntArray(q.GetProperty("person"));
        var queryDoor = IntArray(q.GetProperty("door"));
        var utc = q.GetProperty("utc");
        var at = new Instant[utc.GetArrayLength()];
        var i = 0;
        foreach (var seconds in utc.EnumerateArray()) at[i++] = Instant.FromUnixTimeSeconds(seconds.GetInt64());

        return new Workload
        {
            Definitions = definitions,
            PersonIds = [.. people.Select(p => p.Id)],
            DoorIds = [.. doors.Select(d => d.Id)],
            QueryPerson = queryPerson,
            QueryDoor = queryDoor,
            QueryAt = at,
            Expected = q.GetProperty("expected").GetString()!,
            ExpectedAllowCount = root.GetProperty("queries").GetProperty("expectedAllowCount").GetInt32(),
        };
    }

    private static int[] IntArray(JsonElement array)
    {
        var result = new int[array.GetArrayLength()];
        var i = 0;
        foreach (var item in array.EnumerateArray()) result[i++] = item.GetInt32();
        return result;
    }

    private static WeeklyHours ToHours(JsonElement windows)
    {
        var blocks = new List<TimeBlock>();
        foreach (var window in windows.EnumerateArray())
        {
            var start = LocalTime.FromMinutesSinceMidnight(window.GetProperty("startMinute").GetInt32());
            var endMinute = window.GetProperty("endMinute").GetInt32();
            var end = endMinute >= 1440 ? LocalTime.Midnight : LocalTime.FromMinutesSinceMidnight(endMinute);
            foreach (var day in window.GetProperty("days").EnumerateArray())
            {
                // The workload numbers days 0 = Sunday .. 6 = Saturday.
                var isoDay = day.GetInt32() == 0 ? IsoDayOfWeek.Sunday : (IsoDayOfWeek)day.GetInt32();
                blocks.Add(new TimeBlock(isoDay, start, end));
            }
        }
        return new WeeklyHours(blocks);
    }

    private static RuleSet ToRuleSet(JsonElement rule, WeeklyHours hours)
    {
        var typeRules = new List<PersonTypeRule>();
        var tags = new List<string>();
        foreach (var alternative in rule.GetProperty("anyOf").EnumerateArray())
        {
            if (alternative.TryGetProperty("personType", out var type))
            {
                var statuses = alternative.TryGetProperty("statusIn", out var s)
                    ? s.EnumerateArray().Select(x => x.GetString()!).ToList()
                    : [];
                typeRules.Add(new PersonTypeRule(type.GetString()!, statuses));
            }
            if (alternative.TryGetProperty("tagsAnyOf", out var anyTags))
                tags.AddRange(anyTags.EnumerateArray().Select(t => t.GetString()!));
        }
        return new RuleSet(typeRules, tags, hours);
    }
}
