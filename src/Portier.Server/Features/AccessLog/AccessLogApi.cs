using Portier.Core.Decisions;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Server.Features.Auth;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Features.Wording;

namespace Portier.Server.Features.AccessLog;

public sealed record AccessEventResponse(
    Guid Id, Guid SiteId, long Sequence, Guid DoorId, Guid? ZoneId, Guid? PersonId, Guid? CredentialId, string? CredentialKind,
    string? PresentedValue, Guid? DeviceId, Guid? AdminId, AccessMethod Method, DateTimeOffset At, bool Allowed,
    string Reason, string Path, ActuationOutcome Outcome, DateTimeOffset? OutcomeAt, string Hash, Guid? OutcomeOf, string? ReaderId,
    bool OccurredOffline = false, string? PassbackViolation = null, Guid? CompanionPersonId = null)
{
    public static AccessEventResponse From(AccessEvent r, AccessEvent? outcome) =>
        new(r.Id, r.SiteId, r.Sequence, r.DoorId, r.ZoneId, r.PersonId, r.CredentialId, KindName(r),
            r.PresentedValue, r.DeviceId, r.AdminId, r.Method, r.At.ToDateTimeOffset(), r.Allowed, r.Reason.ToCode(), r.Path.ToCode(),
            outcome?.Outcome ?? r.Outcome, outcome?.At.ToDateTimeOffset(), r.Hash, r.OutcomeOf, r.ReaderId, r.OccurredOffline,
            r.Passback == Core.Decisions.PassbackViolation.None ? null : r.Passback.ToCode(), r.CompanionPersonId);

    public static string? KindName(AccessEvent r) =>
        r.CredentialKind is { } kind ? JsonNamingPolicy.SnakeCaseLower.ConvertName(kind.ToString()) : null;
}

public static class AccessLogExtensions
{
    public static IServiceCollection AddAccessLog(this IServiceCollection services)
    {
        services.AddSingleton<AccessEventWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<AccessEventWriter>());
        return services;
    }
}

public static class AccessLogApi
{
    public static IEndpointRouteBuilder MapAccessLogApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup(AccessLogRoutes.Group, "Access log");
        group.MapGet(ApiRoutes.Root, List).RequirePermission(Permissions.AccessLogRead);
        group.MapGet(AccessLogRoutes.Export, Export).RequirePermission(Permissions.AccessLogExport);
        group.MapGet(AccessLogRoutes.Verify, Verify).RequirePermission(Permissions.AccessLogVerify);
        return app;
    }

    /// <summary>
    /// Attempts, newest first, each with the door's confirmation when one was recorded. Pages by
    /// cursor: pass <c>after</c> (a <c>next</c> value) for older items or <c>before</c> (a
    /// <c>previous</c> value) for newer ones; rows appended meanwhile never shift a page.
    /// </summary>
    private static async Task<Results<Ok<CursorPage<AccessEventResponse>>, ValidationProblem>> List(
        PortierDbContext db, CurrentUser user, [AsParameters] AccessLogFilter filter, string? after, string? before, int? limit, CancellationToken ct)
    {
        if (filter.Problem is { } problem) return Problems.Invalid("invalid_filter", "filter", problem);
        if (after is not null && before is not null) return Problems.Invalid("invalid_cursor", "before", "Give after or before, not both.");
        Cursor cursor = default;
        if ((after ?? before) is { } text && !Cursor.TryParse(text, out cursor))
            return Problems.Invalid("invalid_cursor", after is null ? "before" : "after", "Not a cursor this list gave out.");
        var size = Math.Clamp(limit ?? 50, 1, PageRequest.MaxPageSize);

        var attempts = filter.Apply(db.Set<AccessEvent>().AsNoTracking(), user);
        List<AccessEvent> rows;
        bool more;
        if (before is null)
        {
            if (after is not null) attempts = attempts.Where(e => e.At < cursor.At || (e.At == cursor.At && e.Id.CompareTo(cursor.Id) < 0));
            rows = await attempts.OrderByDescending(e => e.At).ThenByDescending(e => e.Id).Take(size + 1).ToListAsync(ct);
            more = rows.Count > size;
            if (more) rows.RemoveAt(size);
        }
        else
        {
            attempts = attempts.Where(e => e.At > cursor.At || (e.At == cursor.At && e.Id.CompareTo(cursor.Id) > 0));
            rows = await attempts.OrderBy(e => e.At).ThenBy(e => e.Id).Take(size + 1).ToListAsync(ct);
            more = rows.Count > size;
            if (more) rows.RemoveAt(size);
            rows.Reverse();
        }

        var ids = rows.Select(r => (Guid?)r.Id).ToList();
        var outcomes = await db.Set<AccessEvent>().AsNoTracking().Where(e => ids.Contains(e.OutcomeOf)).ToListAsync(ct);
        var outcomeOf = outcomes.ToDictionary(o => o.OutcomeOf!.Value);
        var items = rows.Select(r => AccessEventResponse.From(r, outcomeOf.GetValueOrDefault(r.Id))).ToList();
        string? CursorOf(AccessEvent? e) => e is null ? null : new Cursor(e.At, e.Id).ToString();
        var (olderExist, newerExist) = before is null ? (more, after is not null) : (true, more);
        return TypedResults.Ok(new CursorPage<AccessEventResponse>(items,
            olderExist ? CursorOf(rows.LastOrDefault()) : null,
            newerExist ? CursorOf(rows.FirstOrDefault()) : null));
    }

    /// <summary>
    /// The matching attempts as CSV, oldest first, written row by row as the database returns them,
    /// so a month of a busy site never sits in memory.
    /// </summary>
    private static Results<PushStreamHttpResult, ValidationProblem> Export(
        PortierDbContext db, CurrentUser user, [AsParameters] AccessLogFilter filter, CancellationToken ct)
    {
        if (filter.Problem is { } problem) return Problems.Invalid("invalid_filter", "filter", problem);
        var attempts = filter.Apply(db.Set<AccessEvent>().AsNoTracking(), user);
        var outcomes = db.Set<AccessEvent>().AsNoTracking().Where(e => e.OutcomeOf != null);
        var rows = from a in attempts
                   join o in outcomes on (Guid?)a.Id equals o.OutcomeOf into found
                   from o in found.DefaultIfEmpty()
                   orderby a.At, a.Id
                   select new { Attempt = a, Outcome = o };
        return TypedResults.Stream(async body =>
        {
            await using var writer = new StreamWriter(body, new UTF8Encoding(false), 64 * 1024);
            await writer.WriteLineAsync(CsvHeader);
            var count = 0;
            await foreach (var row in rows.AsAsyncEnumerable().WithCancellation(ct))
            {
                await writer.WriteLineAsync(CsvLine(AccessEventResponse.From(row.Attempt, row.Outcome)));
                if (++count % 1000 == 0) await writer.FlushAsync(ct);
            }
        }, "text/csv; charset=utf-8", "access-events.csv");
    }

    private const string CsvHeader =
        "id,site_id,sequence,at,door_id,zone_id,person_id,credential_id,credential_kind,presented_value,device_id,admin_id,method,allowed,reason,path,outcome,outcome_at,hash,reader_id,occurred_offline,passback_violation,companion_person_id,method_label,reason_label,outcome_label";

    private static string CsvLine(AccessEventResponse r)
    {
        static string Csv(object? value)
        {
            var text = value switch
            {
                null => "",
                DateTimeOffset at => at.ToString("O", CultureInfo.InvariantCulture),
                bool b => b ? "true" : "false",
                Enum e => JsonNamingPolicy.SnakeCaseLower.ConvertName(e.ToString()),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString() ?? "",
            };
            // Quote what CSV needs quoted, and defuse cells a spreadsheet would run as a formula.
            if (text.Length > 0 && text[0] is '=' or '+' or '-' or '@' && value is string) text = "'" + text;
            return text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
        }
        object?[] cells = [r.Id, r.SiteId, r.Sequence, r.At, r.DoorId, r.ZoneId, r.PersonId, r.CredentialId, r.CredentialKind,
            r.PresentedValue, r.DeviceId, r.AdminId, r.Method, r.Allowed, r.Reason, r.Path, r.Outcome, r.OutcomeAt, r.Hash, r.ReaderId,
            r.OccurredOffline, r.PassbackViolation, r.CompanionPersonId,
            // The words last, so a reader that takes the columns by position keeps finding them where they were.
            Labels.Method(r.Method, r.CredentialKind), Labels.Reason(r.Reason), Labels.Of(r.Outcome)];
        return string.Join(',', cells.Select(Csv));
    }

    private static async Task<Results<Ok<ChainVerification>, ProblemHttpResult>> Verify(
        Guid siteId, PortierDbContext db, CurrentUser user, CancellationToken ct) =>
        await db.CanUseSiteAsync(siteId, user, ct)
            ? TypedResults.Ok(await AccessLogVerifier.VerifyAsync(db, siteId, ct))
            : Problems.NotFound("Site");
}
