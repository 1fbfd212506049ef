using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Text;
using Portier.Core.Policy;
using Portier.Server.Features.Auth;
using Portier.Server.Features.People;
using Portier.Server.Features.Sites;
using Portier.Server.Infrastructure.Csv;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Qualifications;

/// <summary>
/// CSV import of held qualifications into one site: a header row, then one row per grant. Columns (any order, names
/// in any case): <c>externalId</c> or <c>email</c> (who: the external id wins when both are given; an email must name
/// exactly one person of the site), <c>qualification</c> (its name), and optionally <c>grantedAt</c>,
/// <c>expiresAt</c> and <c>note</c>. Times are ISO 8601 instants, or dates read in the site's time zone: a
/// <c>grantedAt</c> date means the start of that day, an <c>expiresAt</c> date the end of it (valid through that day).
/// A row for a qualification the person holds renews it. All or nothing: a file with any error row writes nothing;
/// <c>dryRun</c> (the default) answers the same per-row report and never writes.
/// </summary>
public static class QualificationImport
{
    public const int MaxRows = 10_000;

    private static readonly LocalDatePattern Date = LocalDatePattern.Iso;

    public static async Task<Results<Ok<QualificationImportResult>, ProblemHttpResult, ValidationProblem>> Import(
        HttpRequest request, Guid siteId, bool? dryRun, PortierDbContext db, CurrentUser user, QualificationChanges changes, CancellationToken ct)
    {
        if (await db.CheckSiteAsync(user, siteId, ct) is { } unknownSite) return unknownSite;
        var upload = await PersonImport.ReadUploadAsync(request, null, ct);
        if (upload.Problem is not null) return upload.Problem;
        if (upload.Invalid is not null) return upload.Invalid;

        List<string[]> records;
        try { records = CsvTable.Parse(upload.Text!); }
        catch (CsvFormatException e) { return Problems.BadRequest("invalid_csv", $"Record {e.Row}: {e.Message}", "file"); }
        if (records.Count == 0) return Problems.BadRequest("invalid_csv", "The file has no header row.", "file");
        if (records.Count - 1 > MaxRows) return Problems.BadRequest("too_many_rows", $"An import holds at most {MaxRows} rows.", "file");
        var header = records[0].Select(h => h.Trim()).ToArray();
        int Column(string name) => Array.FindIndex(header, h => string.Equals(h, name, StringComparison.OrdinalIgnoreCase));
        var columns = new Columns(Column("externalId"), Column("email"), Column("qualification"), Column("grantedAt"), Column("expiresAt"), Column("note"));
        if (columns.ExternalId < 0 && columns.Email < 0)
            return Problems.BadRequest("missing_column", "The header names no 'externalId' or 'email' column: one of them says whose qualification a row is.", "file");
        if (columns.Qualification < 0)
            return Problems.BadRequest("missing_column", "The header names no 'qualification' column.", "file");

        var site = await db.Set<Site>().AsNoTracking().FirstAsync(s => s.Id == siteId, ct);
        var zone = SiteTimeZones.Resolve(site.TimeZone);
        var people = await db.Set<Person>().AsNoTracking().Where(p => p.SiteId == siteId)
            .Select(p => new { p.Id, p.Name, p.ExternalId, p.Email }).ToListAsync(ct);
        var byExternalId = people.Where(p => p.ExternalId != null).ToDictionary(p => p.ExternalId!, StringComparer.Ordinal);
        var byEmail = people.Where(p => p.Email != null).ToLookup(p => p.Email!.Trim(), StringComparer.OrdinalIgnoreCase);
        var qualifications = (await db.UsableAt(siteId).ToListAsync(ct)).ToDictionary(q => q.Name, StringComparer.OrdinalIgnoreCase);
        var held = (await db.Set<PersonQualification>().Where(h => h.SiteId == siteId).ToListAsync(ct))
            .ToDictionary(h => (h.PersonId, h.QualificationId));

        var now = changes.Now;
        var rows = new List<QualificationImportRow>();
        var staged = new List<(PersonQualification Held, string Name, bool Renewed)>();
        var seen = new Dictionary<(Guid, Guid), int>();
        for (var r = 1; r < records.Count; r++)
        {
            var cells = records[r];
            string? Cell(int index) => index >= 0 && index < cells.Length && cells[index].Trim() is { Length: > 0 } text ? text : null;
            var errors = new List<string>();
            if (cells.Length != header.Length) errors.Add($"Has {cells.Length} fields; the header has {header.Length}.");

            var externalId = Cell(columns.ExternalId);
            var email = Cell(columns.Email);
            Guid? personId = null;
            string? personName = null;
            if (externalId is not null)
            {
                if (byExternalId.TryGetValue(externalId, out var p)) (personId, personName) = (p.Id, p.Name);
                else errors.Add($"externalId: no person of this site has external id '{externalId}'.");
            }
            else if (email is not null)
            {
                var matches = byEmail[email].ToList();
                if (matches.Count == 1) (personId, personName) = (matches[0].Id, matches[0].Name);
                else errors.Add(matches.Count == 0 ? $"email: no person of this site has email '{email}'." : $"email: {matches.Count} people of this site have email '{email}'; give their externalId.");
            }
            else errors.Add("Give the person's externalId or email.");

            var name = Cell(columns.Qualification);
            Qualification? qualification = null;
            if (name is null) errors.Add("qualification: is required.");
            else if (!qualifications.TryGetValue(name, out qualification)) errors.Add($"qualification: no qualification shared or of this site is named '{name}'.");

            var grantedAt = Cell(columns.GrantedAt) is { } grantedText ? ParseTime(grantedText, zone, endOfDay: false, "grantedAt", errors) : now;
            if (grantedAt > now) errors.Add("grantedAt: may not lie in the future.");
            var expiresAt = Cell(columns.ExpiresAt) is { } expiresText ? ParseTime(expiresText, zone, endOfDay: true, "expiresAt", errors) : qualification?.DefaultExpiry(grantedAt ?? now);
            if (grantedAt is { } g && expiresAt is { } e && e <= g) errors.Add("expiresAt: must be after grantedAt.");
            var note = Cell(columns.Note);
            if (note?.Length > GrantQualificationRequest.MaxNote) errors.Add($"note: must be at most {GrantQualificationRequest.MaxNote} characters.");
            if (personId is { } pid && qualification is not null)
            {
                if (seen.TryGetValue((pid, qualification.Id), out var earlier)) errors.Add($"Row {earlier} already grants this qualification to this person.");
                else seen[(pid, qualification.Id)] = r + 1;
            }

            if (errors.Count > 0)
            {
                rows.Add(new QualificationImportRow(r + 1, personId, personName, qualification?.Id, name, grantedAt?.ToDateTimeOffset(), expiresAt?.ToDateTimeOffset(), ImportRowOutcome.Error, errors));
                continue;
            }
            var renewed = held.ContainsKey((personId!.Value, qualification!.Id));
            rows.Add(new QualificationImportRow(r + 1, personId, personName, qualification.Id, qualification.Name, grantedAt!.Value.ToDateTimeOffset(),
                expiresAt?.ToDateTimeOffset(), renewed ? ImportRowOutcome.Renewed : ImportRowOutcome.Granted, []));
            staged.Add((QualificationChanges.Stage(db, held.GetValueOrDefault((personId.Value, qualification.Id)), siteId, personId.Value, qualification,
                grantedAt.Value, user.Actor, expiresAt, note).Held, qualification.Name, renewed));
        }

        var failed = rows.Count(r => r.Outcome == ImportRowOutcome.Error);
        var result = new QualificationImportResult(dryRun != false, false, rows.Count(r => r.Outcome == ImportRowOutcome.Granted),
            rows.Count(r => r.Outcome == ImportRowOutcome.Renewed), failed, rows);
        if (dryRun != false) return TypedResults.Ok(result);
        if (failed > 0)
            return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Unprocessable Entity",
                detail: $"{failed} of {rows.Count} rows have errors; nothing was imported. Correct them (a dry run shows each row) and import again.",
                extensions: new Dictionary<string, object?> { ["code"] = "import_rows_invalid", ["rows"] = rows.Where(r => r.Outcome == ImportRowOutcome.Error).ToList() });
        if (staged.Count > 0) await changes.SaveAsync(db, staged, [], user.Actor, ct);
        return TypedResults.Ok(result with { Written = true });
    }

    private sealed record Columns(int ExternalId, int Email, int Qualification, int GrantedAt, int ExpiresAt, int Note);

    /// <summary>An instant with an offset, or a date in the site's zone: its start, or for an end the start of the next day.</summary>
    private static Instant? ParseTime(string text, DateTimeZone zone, bool endOfDay, string field, List<string> errors)
    {
        if (Date.Parse(text) is { Success: true } date)
            return zone.AtStartOfDay(endOfDay ? date.Value.PlusDays(1) : date.Value).ToInstant();
        if (DateTimeText.HasOffset(text) && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var at))
            return Instant.FromDateTimeOffset(at);
        errors.Add($"{field}: must be a date (yyyy-MM-dd) or an ISO 8601 time with an offset.");
        return null;
    }
}
