using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Core.Policy;
using Portier.Server.Features.AccessLog;
using Portier.Server.Features.Auth;
using Portier.Server.Features.Doors;
using Portier.Server.Features.Occupancy;
using Portier.Server.Features.People;
using Portier.Server.Features.Sites;
using Portier.Server.Features.Zones;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Reports;

public enum BucketSize { Minute, Hour, Day }

public sealed record OccupancyBucket(DateTimeOffset Start, DateTimeOffset End, int Peak, int Closing, int Entries, int Exits);

public sealed record OccupancyReport(Guid ZoneId, string TimeZone, BucketSize Bucket, int? Capacity, IReadOnlyList<OccupancyBucket> Buckets);

public sealed record ReasonCount(string Reason, bool Allowed, int Count);

public sealed record DoorCount(Guid DoorId, string? DoorName, int Granted, int Denied);

/// <param name="Hour">The hour of day 0–23 in the site's time zone.</param>
public sealed record HourCount(int Hour, int Granted, int Denied);

public sealed record AccessSummaryReport(
    Guid SiteId, string TimeZone, DateTimeOffset From, DateTimeOffset To, int Granted, int Denied,
    IReadOnlyList<ReasonCount> ByReason, IReadOnlyList<DoorCount> ByDoor, IReadOnlyList<HourCount> ByHour);

public sealed record DeniedPerson(Guid PersonId, string? Name, int Denied);

public sealed record DeniedDoor(Guid DoorId, string? Name, int Denied);

public sealed record TopDeniedReport(Guid SiteId, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<DeniedPerson> People, IReadOnlyList<DeniedDoor> Doors);

/// <summary>Reports over the access log and occupancy history; ranges are [from, to), defaulting to the last 24 hours.</summary>
public static class ReportsApi
{
    private const int MaxBuckets = 10_000;

    public static IEndpointRouteBuilder MapReportsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup(ReportsRoutes.Group, "Reports");
        group.MapGet(ReportsRoutes.Occupancy, Occupancy).RequirePermission(Permissions.ReportsRead);
        group.MapGet(ReportsRoutes.AccessSummary, AccessSummary).RequirePermission(Permissions.ReportsRead);
        group.MapGet(ReportsRoutes.TopDenied, TopDenied).RequirePermission(Permissions.ReportsRead);
        return app;
    }

    private static (Instant From, Instant To)? Range(DateTimeOffset? from, DateTimeOffset? to, TimeProvider clock)
    {
        var end = to is { } t ? Instant.FromDateTimeOffset(t) : clock.GetCurrentInstant();
        var start = from is { } f ? Instant.FromDateTimeOffset(f) : end - Duration.FromDays(1);
        return start < end && end - start <= Duration.FromDays(366) ? (start, end) : null;
    }

    private static ValidationProblem BadRange() => Problems.Invalid("invalid_range", "from", "from must be before to, at most 366 days apart.");

    /// <summary>
    /// The zone's count over time: per bucket (aligned to the site's local minutes, hours or days)
    /// the peak, the count at its end, and the entries and exits in it.
    /// </summary>
    private static async Task<Results<Ok<OccupancyReport>, ValidationProblem, ProblemHttpResult>> Occupancy(
        Guid zoneId, SnakeCase<BucketSize>? bucket, DateTimeOffset? from, DateTimeOffset? to,
        PortierDbContext db, CurrentUser user, TimeProvider clock, CancellationToken ct)
    {
        var zone = await db.Set<Zone>().AsNoTracking().FirstOrDefaultAsync(z => z.Id == zoneId, ct);
        if (zone is null) return Problems.NotFound("Zone");
        if (Range(from, to, clock) is not var (start, end)) return BadRange();
        var size = bucket?.Value ?? BucketSize.Hour;
        if (await SiteZoneAsync(db, zone.SiteId, ct) is not { } tz) return UnknownZone();
        var bounds = Bounds(tz, start, end, size);
        if (bounds.Count > MaxBuckets) return Problems.Invalid("too_many_buckets", "bucket", $"At most {MaxBuckets} buckets; use a larger bucket or a shorter range.");

        var changes = db.Set<OccupancyChange>().AsNoTracking().Where(c => c.ZoneId == zoneId);
        var count = await changes.Where(c => c.At < start).OrderByDescending(c => c.Id).Select(c => (int?)c.CountAfter).FirstOrDefaultAsync(ct) ?? 0;
        var buckets = new List<OccupancyBucket>(bounds.Count - 1);
        var i = 0;
        int peak = count, entries = 0, exits = 0;
        void Close()
        {
            buckets.Add(new OccupancyBucket(Local(bounds[i]), Local(bounds[i + 1]), peak, count, entries, exits));
            (peak, entries, exits) = (count, 0, 0);
            i++;
        }
        DateTimeOffset Local(Instant instant) => instant.InZone(tz).ToDateTimeOffset();
        var inRange = changes.Where(c => c.At >= start && c.At < end).OrderBy(c => c.At).ThenBy(c => c.Id);
        await foreach (var change in inRange.AsAsyncEnumerable().WithCancellation(ct))
        {
            while (change.At >= bounds[i + 1]) Close();
            count = change.CountAfter;
            peak = Math.Max(peak, count);
            if (change.Kind == OccupancyChangeKind.Entry) entries++;
            else if (change.Kind == OccupancyChangeKind.Exit) exits++;
        }
        while (i < bounds.Count - 1) Close();
        return TypedResults.Ok(new OccupancyReport(zoneId, tz.Id, size, zone.Capacity, buckets));
    }

    /// <summary>Bucket boundaries from the local bucket containing <paramref name="start"/> to the first at or after <paramref name="end"/>.</summary>
    private static List<Instant> Bounds(DateTimeZone tz, Instant start, Instant end, BucketSize size)
    {
        var local = start.InZone(tz).LocalDateTime;
        var first = size switch
        {
            BucketSize.Minute => local.Date + new LocalTime(local.Hour, local.Minute),
            BucketSize.Hour => local.Date + new LocalTime(local.Hour, 0),
            _ => local.Date.AtMidnight(),
        };
        var period = size switch
        {
            BucketSize.Minute => Period.FromMinutes(1),
            BucketSize.Hour => Period.FromHours(1),
            _ => Period.FromDays(1),
        };
        var bounds = new List<Instant> { tz.AtLeniently(first).ToInstant() };
        for (var next = first + period; bounds[^1] < end && bounds.Count <= MaxBuckets; next += period)
        {
            // A local time skipped or repeated by a DST change merges into its neighbour instead of making an empty or negative bucket.
            var instant = tz.AtLeniently(next).ToInstant();
            if (instant > bounds[^1]) bounds.Add(instant);
        }
        return bounds;
    }

    /// <summary>The site's zone, or null when its stored id is not a known zone (damaged data: the report refuses rather than bucket on UTC).</summary>
    private static async Task<DateTimeZone?> SiteZoneAsync(PortierDbContext db, Guid siteId, CancellationToken ct)
    {
        var id = await db.Set<Site>().Where(s => s.Id == siteId).Select(s => s.TimeZone).FirstAsync(ct);
        return SiteTimeZones.TryResolve(id, out var zone) ? zone : null;
    }

    private static ProblemHttpResult UnknownZone() =>
        Problems.Conflict("unknown_time_zone", "The site's time zone is not a known IANA zone; correct the site before reporting on its local time.");

    private static IQueryable<AccessEvent> Attempts(PortierDbContext db, Guid siteId, Instant start, Instant end) =>
        db.Set<AccessEvent>().AsNoTracking().Where(e => e.SiteId == siteId && e.OutcomeOf == null && e.At >= start && e.At < end);

    /// <summary>Granted and denied counts in total, by reason, by door and by local hour of day.</summary>
    private static async Task<Results<Ok<AccessSummaryReport>, ValidationProblem, ProblemHttpResult>> AccessSummary(
        Guid siteId, DateTimeOffset? from, DateTimeOffset? to, PortierDbContext db, CurrentUser user, TimeProvider clock, CancellationToken ct)
    {
        if (!await db.CanUseSiteAsync(siteId, user, ct)) return Problems.NotFound("Site");
        if (Range(from, to, clock) is not var (start, end)) return BadRange();
        if (await SiteZoneAsync(db, siteId, ct) is not { } tz) return UnknownZone();
        var attempts = Attempts(db, siteId, start, end);

        var byReason = (await attempts.GroupBy(e => new { e.Reason, e.Allowed })
            .Select(g => new { g.Key.Reason, g.Key.Allowed, Count = g.Count() }).ToListAsync(ct))
            .Select(r => new ReasonCount(r.Reason.ToCode(), r.Allowed, r.Count)).ToList();
        var byDoorCounts = await attempts.GroupBy(e => e.DoorId)
            .Select(g => new { DoorId = g.Key, Granted = g.Count(e => e.Allowed), Denied = g.Count(e => !e.Allowed) }).ToListAsync(ct);
        var names = await DoorNamesAsync(db, byDoorCounts.Select(d => d.DoorId), ct);
        var hours = new (int Granted, int Denied)[24];
        await foreach (var row in attempts.Select(e => new { e.At, e.Allowed }).AsAsyncEnumerable().WithCancellation(ct))
        {
            var hour = row.At.InZone(tz).Hour;
            hours[hour] = row.Allowed ? (hours[hour].Granted + 1, hours[hour].Denied) : (hours[hour].Granted, hours[hour].Denied + 1);
        }
        return TypedResults.Ok(new AccessSummaryReport(siteId, tz.Id, start.ToDateTimeOffset(), end.ToDateTimeOffset(),
            byReason.Where(r => r.Allowed).Sum(r => r.Count), byReason.Where(r => !r.Allowed).Sum(r => r.Count),
            [.. byReason.OrderByDescending(r => r.Count).ThenBy(r => r.Reason, StringComparer.Ordinal)],
            [.. byDoorCounts.Select(d => new DoorCount(d.DoorId, names.GetValueOrDefault(d.DoorId), d.Granted, d.Denied)).OrderByDescending(d => d.Granted + d.Denied)],
            [.. hours.Select((h, hour) => new HourCount(hour, h.Granted, h.Denied))]));
    }

    /// <summary>The people and doors with the most denied attempts.</summary>
    private static async Task<Results<Ok<TopDeniedReport>, ValidationProblem, ProblemHttpResult>> TopDenied(
        Guid siteId, DateTimeOffset? from, DateTimeOffset? to, int? limit, PortierDbContext db, CurrentUser user, TimeProvider clock, CancellationToken ct)
    {
        if (!await db.CanUseSiteAsync(siteId, user, ct)) return Problems.NotFound("Site");
        if (Range(from, to, clock) is not var (start, end)) return BadRange();
        var take = Math.Clamp(limit ?? 10, 1, 100);
        var denied = Attempts(db, siteId, start, end).Where(e => !e.Allowed);

        var people = await denied.Where(e => e.PersonId != null).GroupBy(e => e.PersonId!.Value)
            .Select(g => new { Id = g.Key, Count = g.Count() }).OrderByDescending(g => g.Count).ThenBy(g => g.Id).Take(take).ToListAsync(ct);
        var doors = await denied.GroupBy(e => e.DoorId)
            .Select(g => new { Id = g.Key, Count = g.Count() }).OrderByDescending(g => g.Count).ThenBy(g => g.Id).Take(take).ToListAsync(ct);
        var personIds = people.Select(p => p.Id).ToList();
        var personNames = await db.Set<Person>().AsNoTracking().Where(p => personIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Name, ct);
        var doorNames = await DoorNamesAsync(db, doors.Select(d => d.Id), ct);
        return TypedResults.Ok(new TopDeniedReport(siteId, start.ToDateTimeOffset(), end.ToDateTimeOffset(),
            [.. people.Select(p => new DeniedPerson(p.Id, personNames.GetValueOrDefault(p.Id), p.Count))],
            [.. doors.Select(d => new DeniedDoor(d.Id, doorNames.GetValueOrDefault(d.Id), d.Count))]));
    }

    private static async Task<Dictionary<Guid, string>> DoorNamesAsync(PortierDbContext db, IEnumerable<Guid> ids, CancellationToken ct)
    {
        var wanted = ids.ToList();
        return await db.Set<Door>().AsNoTracking().Where(d => wanted.Contains(d.Id)).ToDictionaryAsync(d => d.Id, d => d.Name, ct);
    }
}
