using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Portier.Core.Calendars;
using Portier.Core.Model;
using Portier.Server.Features.Auth;
using Portier.Server.Features.Sites;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Infrastructure.Uploads;

namespace Portier.Server.Features.Calendars;

/// <summary>
/// Holiday calendars. A calendar is part of the configuration of the sites it reaches, so it needs
/// <c>sites:read</c> / <c>sites:write</c>: a site's own calendar for that site, a shared one (every
/// site follows it) an administrator of every site to change.
/// </summary>
public static class CalendarsApi
{
    public static IEndpointRouteBuilder MapCalendarsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup(CalendarsRoutes.Group, "Calendars");
        group.MapGet(ApiRoutes.Root, List).RequirePermission(Permissions.SitesRead);
        group.MapGet(ApiRoutes.Item, Get).RequirePermission(Permissions.SitesRead);
        group.MapPost(ApiRoutes.Root, Create).RequirePermission(Permissions.SitesWrite);
        group.MapPut(ApiRoutes.Item, Update).RequirePermission(Permissions.SitesWrite);
        group.MapDelete(ApiRoutes.Item, Delete).RequirePermission(Permissions.SitesWrite);
        group.MapPost(CalendarsRoutes.Entries, AddEntry).RequirePermission(Permissions.SitesWrite);
        group.MapDelete(CalendarsRoutes.Entry, RemoveEntry).RequirePermission(Permissions.SitesWrite);
        group.MapPost(CalendarsRoutes.Import, Import).RequirePermission(Permissions.SitesWrite)
            .Accepts<IFormFile>("multipart/form-data", "text/calendar");
        return app;
    }

    /// <summary>The shared calendars and those of the caller's sites (of one site with <paramref name="siteId"/>: its own and the shared ones).</summary>
    private static async Task<List<CalendarResponse>> List(PortierDbContext db, CurrentUser user, Guid? siteId, CancellationToken ct)
    {
        var query = db.Set<HolidayCalendar>().AsNoTracking();
        if (siteId is { } only) query = query.Where(c => c.SiteId == null || c.SiteId == only);
        if (user.VisibleSites is { } visible) query = query.Where(c => c.SiteId == null || visible.Contains(c.SiteId.Value));
        var calendars = await query.ToListAsync(ct);
        return [.. calendars.OrderBy(c => c.SiteId is not null).ThenBy(c => c.Name, StringComparer.OrdinalIgnoreCase).ThenBy(c => c.Id).Select(CalendarResponse.From)];
    }

    private static async Task<Results<Ok<CalendarResponse>, ProblemHttpResult>> Get(Guid id, PortierDbContext db, CurrentUser user, CancellationToken ct) =>
        await FindAsync(db, id, user, tracked: false, ct) is { } calendar ? TypedResults.Ok(CalendarResponse.From(calendar)) : Problems.NotFound("Calendar");

    private static async Task<Results<Created<CalendarResponse>, ValidationProblem, ProblemHttpResult>> Create(
        CalendarRequest request, PortierDbContext db, CurrentUser user, CalendarChanges changes, CancellationToken ct)
    {
        if (request.SiteId is { } siteId && !await db.CanUseSiteAsync(siteId, user, ct)) return Problems.NotFound("Site");
        if (request.SiteId is null && user.VisibleSites is not null) return SharedForbidden();
        if (await NameTakenAsync(db, request.SiteId, request.Name.Trim(), null, ct)) return NameTaken(request.Name);
        var calendar = new HolidayCalendar
        {
            SiteId = request.SiteId,
            Name = request.Name.Trim(),
            CreatedAt = changes.Now,
            Entries = Entries(request.Entries, []),
        };
        if (Compiles(calendar) is { } invalid) return invalid;
        db.Add(calendar);
        await changes.SaveAsync(db, calendar, "created", ct);
        return TypedResults.Created($"{ApiRoutes.Prefix}{CalendarsRoutes.Group}/{calendar.Id}", CalendarResponse.From(calendar));
    }

    private static async Task<Results<Ok<CalendarResponse>, ValidationProblem, ProblemHttpResult>> Update(
        Guid id, CalendarRequest request, PortierDbContext db, CurrentUser user, CalendarChanges changes, CancellationToken ct)
    {
        var calendar = await FindAsync(db, id, user, tracked: true, ct);
        if (calendar is null) return Problems.NotFound("Calendar");
        if (request.SiteId != calendar.SiteId) return Problems.SiteImmutable("calendar");
        if (!CanChange(calendar, user)) return SharedForbidden();
        if (await NameTakenAsync(db, calendar.SiteId, request.Name.Trim(), calendar.Id, ct)) return NameTaken(request.Name);
        calendar.Name = request.Name.Trim();
        calendar.Entries = Entries(request.Entries, calendar.Entries);
        if (Compiles(calendar) is { } invalid) return invalid;
        await changes.SaveAsync(db, calendar, "updated", ct);
        return TypedResults.Ok(CalendarResponse.From(calendar));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, PortierDbContext db, CurrentUser user, CalendarChanges changes, CancellationToken ct)
    {
        var calendar = await FindAsync(db, id, user, tracked: true, ct);
        if (calendar is null) return Problems.NotFound("Calendar");
        if (!CanChange(calendar, user)) return SharedForbidden();
        db.Remove(calendar);
        await changes.SaveAsync(db, calendar, "deleted", ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Created<CalendarEntryData>, ValidationProblem, ProblemHttpResult>> AddEntry(
        Guid id, CalendarEntryRequest request, PortierDbContext db, CurrentUser user, CalendarChanges changes, CancellationToken ct)
    {
        var calendar = await FindAsync(db, id, user, tracked: true, ct);
        if (calendar is null) return Problems.NotFound("Calendar");
        if (!CanChange(calendar, user)) return SharedForbidden();
        if (calendar.Entries.Count >= HolidayCalendar.MaxEntries) return TooManyEntries();
        var entry = request.ToData(SequentialIds.Next());
        calendar.Entries = [.. calendar.Entries, entry];
        await changes.SaveAsync(db, calendar, "updated", ct);
        return TypedResults.Created($"{ApiRoutes.Prefix}{CalendarsRoutes.Group}/{calendar.Id}/entries/{entry.Id}", entry);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveEntry(
        Guid id, Guid entryId, PortierDbContext db, CurrentUser user, CalendarChanges changes, CancellationToken ct)
    {
        var calendar = await FindAsync(db, id, user, tracked: true, ct);
        if (calendar is null) return Problems.NotFound("Calendar");
        if (!CanChange(calendar, user)) return SharedForbidden();
        if (calendar.Entries.All(e => e.Id != entryId)) return Problems.NotFound("Calendar entry");
        calendar.Entries = [.. calendar.Entries.Where(e => e.Id != entryId)];
        await changes.SaveAsync(db, calendar, "updated", ct);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Reads an .ics file (multipart part <c>file</c>, or a text/calendar body) into entries with
    /// <paramref name="effect"/> (default closed). With <paramref name="dryRun"/> (the default) nothing is
    /// written: the answer is the preview. Events already in the calendar (same name, dates, yearly and
    /// effect) are skipped, so importing the same file twice adds nothing.
    /// </summary>
    private static async Task<Results<Ok<IcsImportResult>, ValidationProblem, ProblemHttpResult>> Import(
        Guid id, HttpRequest request, bool? dryRun, CalendarDayEffect? effect, PortierDbContext db, CurrentUser user, CalendarChanges changes, CancellationToken ct)
    {
        var calendar = await FindAsync(db, id, user, tracked: true, ct);
        if (calendar is null) return Problems.NotFound("Calendar");
        if (!CanChange(calendar, user)) return SharedForbidden();
        if (effect == CalendarDayEffect.SpecialHours)
            return Problems.Invalid("invalid_effect", "effect", "An import creates closed days or days without auto-unlock; give special hours entry by entry.");
        var upload = await ReadUploadAsync(request, ct);
        if (upload.Problem is not null) return upload.Problem;
        var parsed = IcsImport.Read(upload.Text!, effect ?? CalendarDayEffect.Closed, out var error);
        if (parsed is null) return Problems.BadRequest("invalid_ics", error, "file");

        var skipped = parsed.Skipped.ToList();
        var entries = new List<CalendarEntryData>();
        foreach (var entry in parsed.Entries)
        {
            if (calendar.Entries.Concat(entries).Any(e => SameDay(e, entry))) skipped.Add(new IcsSkippedEvent(null, entry.Name, "already in the calendar"));
            else entries.Add(entry with { Id = SequentialIds.Next() });
        }
        if (calendar.Entries.Count + entries.Count > HolidayCalendar.MaxEntries) return TooManyEntries();
        var write = dryRun == false;
        if (write && entries.Count > 0)
        {
            calendar.Entries = [.. calendar.Entries, .. entries];
            await changes.SaveAsync(db, calendar, "imported", ct);
        }
        return TypedResults.Ok(new IcsImportResult(!write, entries, skipped));
    }

    private static bool SameDay(CalendarEntryData a, CalendarEntryData b) =>
        a.Start == b.Start && a.End == b.End && a.Yearly == b.Yearly && a.Effect == b.Effect && string.Equals(a.Name, b.Name, StringComparison.Ordinal);

    private sealed record Upload(string? Text, ProblemHttpResult? Problem);

    private static async Task<Upload> ReadUploadAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > IcsImport.MaxBytes + 64 * 1024) return new(null, TooLarge());
        Stream body;
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(ct);
            var file = form.Files.GetFile("file") ?? (form.Files.Count > 0 ? form.Files[0] : null);
            if (file is null) return new(null, Problems.BadRequest("file_required", "Send the .ics file as a multipart part named 'file'.", "file"));
            if (file.Length > IcsImport.MaxBytes) return new(null, TooLarge());
            body = file.OpenReadStream();
        }
        else
        {
            var mediaType = request.ContentType?.Split(';')[0].Trim();
            if (!string.Equals(mediaType, "text/calendar", StringComparison.OrdinalIgnoreCase))
                return new(null, Problems.Make(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type",
                    "Send the .ics file as multipart/form-data (part 'file') or as a text/calendar body."));
            body = request.Body;
        }
        await using (body)
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + read > IcsImport.MaxBytes) return new(null, TooLarge());
                buffer.Write(chunk, 0, read);
            }
            return UploadedText.Decode(buffer.ToArray(), out var unreadable) is { } text
                ? new(text, null)
                : new(null, Problems.BadRequest("invalid_ics", $"Line {unreadable!.Row} {unreadable.Reason}; iCalendar files are UTF-8 text.", "file"));
        }
    }

    /// <summary>Entries from a request, keeping the ids of existing ones it names and giving new ones fresh ids.</summary>
    private static List<CalendarEntryData> Entries(IReadOnlyList<CalendarEntryRequest>? requests, List<CalendarEntryData> existing) =>
        [.. (requests ?? []).Select(r => r.ToData(r.Id is { } id && existing.Any(e => e.Id == id) ? id : SequentialIds.Next()))];

    /// <summary>The calendar compiles as the engine will read it (a last guard; the request's validation catches what a person types).</summary>
    private static ValidationProblem? Compiles(HolidayCalendar calendar)
    {
        try
        {
            SiteCalendar.From(calendar.Entries.Select(CalendarEntryRequest.ToCore));
            return null;
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            return Problems.Invalid("invalid_calendar_entry", "entries", e.Message);
        }
    }

    private static async Task<HolidayCalendar?> FindAsync(PortierDbContext db, Guid id, CurrentUser user, bool tracked, CancellationToken ct)
    {
        var query = tracked ? db.Set<HolidayCalendar>() : db.Set<HolidayCalendar>().AsNoTracking();
        var calendar = await query.FirstOrDefaultAsync(c => c.Id == id, ct);
        return calendar is not null && (calendar.SiteId is not { } siteId || user.CanSee(siteId)) ? calendar : null;
    }

    /// <summary>Every site follows a shared calendar, so only an administrator of every site may change it.</summary>
    private static bool CanChange(HolidayCalendar calendar, CurrentUser user) => calendar.SiteId is not null || user.VisibleSites is null;

    private static Task<bool> NameTakenAsync(PortierDbContext db, Guid? siteId, string name, Guid? except, CancellationToken ct) =>
        db.Set<HolidayCalendar>().AnyAsync(c => c.SiteId == siteId && c.Name == name && c.Id != except, ct);

    private static ProblemHttpResult NameTaken(string name) =>
        Problems.Conflict("calendar_name_taken", $"Another calendar of the same site (or shared) is already named '{name.Trim()}'.", "name");

    private static ProblemHttpResult SharedForbidden() =>
        Problems.Make(StatusCodes.Status403Forbidden, "shared_calendar_forbidden",
            "Every site follows a shared calendar: only an administrator of every site may create or change one.", "siteId");

    private static ProblemHttpResult TooManyEntries() =>
        Problems.Conflict("too_many_entries", $"A calendar holds at most {HolidayCalendar.MaxEntries} entries.", "entries");

    private static ProblemHttpResult TooLarge() =>
        Problems.Make(StatusCodes.Status413PayloadTooLarge, "payload_too_large", $"An .ics import is at most {IcsImport.MaxBytes / 1024} KB.");
}
