using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using NodaTime;
using Portier.Core.Model;
using Portier.Server.Features.Auth;
using Portier.Server.Features.Sites;
using Portier.Server.Infrastructure.Csv;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Infrastructure.Uploads;

namespace Portier.Server.Features.People;

/// <summary>
/// CSV import of people into one site. Rows are matched to existing people by externalId (update)
/// or created. Valid rows are written together in one transaction; invalid rows are reported by
/// record number and field and written nowhere. A dry run answers the same report and writes nothing.
/// </summary>
public static class PersonImport
{
    public const long MaxBytes = 10 * 1024 * 1024;
    private const long MultipartAllowance = 64 * 1024;
    private static readonly char[] TagSeparators = [';', '|'];

    /// <summary>The Portier fields a mapping may name.</summary>
    public static readonly IReadOnlyList<string> Fields =
        ["name", "email", "phone", "externalId", "personType", "membershipStatus", "customTags", "syncedTags"];

    public static async Task<Results<Ok<ImportResult>, ProblemHttpResult, ValidationProblem>> Import(
        HttpRequest request, Guid siteId, bool? dryRun, string? mapping,
        PortierDbContext db, CurrentUser user, TimeProvider clock, CancellationToken ct)
    {
        if (await db.CheckSiteAsync(user, siteId, ct) is { } unknownSite) return unknownSite;
        var upload = await ReadUploadAsync(request, mapping, ct);
        if (upload.Problem is not null) return upload.Problem;
        if (upload.Invalid is not null) return upload.Invalid;

        List<string[]> records;
        try { records = CsvTable.Parse(upload.Text!); }
        catch (CsvFormatException e) { return Problems.BadRequest("invalid_csv", $"Record {e.Row}: {e.Message}", "file"); }
        if (records.Count == 0) return Problems.BadRequest("invalid_csv", "The file has no header row.", "file");

        var columns = ResolveMapping(upload.Mapping, records[0], out var mappingProblem);
        if (mappingProblem is not null) return mappingProblem;

        var rows = records.Skip(1).Select((cells, i) => new CsvRow(i + 2, cells, columns, records[0].Length)).ToList();
        var batch = await PersonBatch.LoadAsync(db, siteId, rows.Select(r => r.Get("externalId")), Instant.FromDateTimeOffset(clock.GetUtcNow()), ct);
        foreach (var row in rows) Apply(row, batch);

        var write = dryRun == false;
        if (write && !await db.TrySaveUniqueAsync(ct))
            return Problems.Conflict("external_id_taken", "Another change took one of the file's external ids meanwhile; nothing was imported.", "externalId");
        return TypedResults.Ok(new ImportResult(!write, batch.Created, batch.Updated, batch.Unchanged, batch.Failed, batch.Errors));
    }

    private static void Apply(CsvRow row, PersonBatch batch)
    {
        var existing = batch.Find(row.Get("externalId"));
        var current = existing is null ? new PersonDetails(null, null, null, null, null, null) : PersonDetails.Of(existing);
        var details = new PersonDetails(
            row.Get("name") ?? current.Name,
            row.Get("email") ?? current.Email,
            row.Get("phone") ?? current.Phone,
            row.Get("externalId") ?? current.ExternalId,
            row.Get("personType") ?? current.PersonType,
            row.Get("membershipStatus") ?? current.MembershipStatus);
        var customTags = SplitTags(row.Get("customTags"));
        var syncedTags = SplitTags(row.Get("syncedTags"));

        var errors = new ValidationErrors();
        details.Validate(errors);
        PersonDetails.ValidateTags(customTags, "customTags", errors);
        PersonDetails.ValidateTags(syncedTags, "syncedTags", errors);
        if (row.Width != row.HeaderWidth) errors.Add("row", $"Has {row.Width} fields; the header has {row.HeaderWidth}.");
        if (!batch.Accept(row.Number, details.ExternalId, errors)) return;

        var person = existing ?? batch.Create(PersonSource.Manual);
        details.ApplyTo(person);
        if (customTags is not null) person.CustomTags = PersonDetails.NormalizeTags(customTags);
        if (syncedTags is not null) person.SyncedTags = PersonDetails.NormalizeTags(syncedTags);
        batch.Touch(person);
    }

    private static List<string>? SplitTags(string? cell) =>
        cell?.Split(TagSeparators, StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();

    /// <summary>
    /// Maps each Portier field to a column index. Without a mapping, headers named like Portier
    /// fields (any case) are used.
    /// </summary>
    private static Dictionary<string, int> ResolveMapping(string? mapping, string[] header, out ProblemHttpResult? problem)
    {
        problem = null;
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        int IndexOf(string column) => Array.FindIndex(header, h => string.Equals(h.Trim(), column.Trim(), StringComparison.OrdinalIgnoreCase));

        if (string.IsNullOrWhiteSpace(mapping))
        {
            foreach (var field in Fields)
                if (IndexOf(field) is >= 0 and var index) columns[field] = index;
            if (columns.Count == 0)
                problem = Problems.BadRequest("invalid_mapping", "No mapping was given and no header names a Portier field.", "mapping");
            return columns;
        }

        Dictionary<string, string>? pairs;
        try { pairs = JsonSerializer.Deserialize<Dictionary<string, string>>(mapping); }
        catch (JsonException) { pairs = null; }
        if (pairs is null || pairs.Count == 0)
        {
            problem = Problems.BadRequest("invalid_mapping", "The mapping must be a JSON object from Portier field to CSV column header.", "mapping");
            return columns;
        }
        foreach (var (key, column) in pairs)
        {
            var field = Fields.FirstOrDefault(f => string.Equals(f, key, StringComparison.OrdinalIgnoreCase));
            if (field is null)
            {
                problem = Problems.BadRequest("unknown_mapping_field",
                    $"'{key}' is not a Portier field; use {string.Join(", ", Fields)}.", "mapping");
                return columns;
            }
            var index = column is null ? -1 : IndexOf(column);
            if (index < 0)
            {
                problem = Problems.BadRequest("mapping_column_missing", $"The file has no column '{column}' (mapped to {field}).", "mapping");
                return columns;
            }
            columns[field] = index;
        }
        return columns;
    }

    /// <summary>An upload read as text (with the mapping a multipart form carried), or why it could not be.</summary>
    internal sealed record Upload(string? Text, string? Mapping, ProblemHttpResult? Problem, ValidationProblem? Invalid = null);

    /// <summary>Reads the CSV from a multipart "file" part or from a text/csv body, at most 10 MB (every CSV import reads its file here).</summary>
    internal static async Task<Upload> ReadUploadAsync(HttpRequest request, string? mapping, CancellationToken ct)
    {
        // A multipart body carries part headers and the mapping besides the file itself.
        if (request.ContentLength > MaxBytes + (request.HasFormContentType ? MultipartAllowance : 0)) return new(null, null, TooLarge());
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(ct);
            var file = form.Files.GetFile("file") ?? (form.Files.Count > 0 ? form.Files[0] : null);
            if (file is null) return new(null, null, Problems.BadRequest("file_required", "Send the CSV as a multipart part named 'file'.", "file"));
            if (file.Length > MaxBytes) return new(null, null, TooLarge());
            await using var stream = file.OpenReadStream();
            var formBytes = await ReadLimitedAsync(stream, ct);
            return Decoded(formBytes, mapping ?? form["mapping"].FirstOrDefault());
        }
        var mediaType = request.ContentType?.Split(';')[0].Trim();
        if (!string.Equals(mediaType, "text/csv", StringComparison.OrdinalIgnoreCase))
            return new(null, null, Problems.Make(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type",
                "Send the CSV as multipart/form-data (part 'file') or as a text/csv body."));
        return Decoded(await ReadLimitedAsync(request.Body, ct), mapping);
    }

    /// <summary>The file as text, or where it is not text Portier can store.</summary>
    private static Upload Decoded(byte[]? bytes, string? mapping)
    {
        if (bytes is null) return new(null, null, TooLarge());
        if (UploadedText.Decode(bytes, out var unreadable) is { } text) return new(text, mapping, null);
        return new(null, null, null, TypedResults.ValidationProblem(
            new Dictionary<string, string[]> { ["file"] = [$"Row {unreadable!.Row} (byte offset {unreadable.ByteOffset}) {unreadable.Reason}; save the file as UTF-8 text."] },
            detail: $"The file {unreadable.Reason}.",
            extensions: new Dictionary<string, object?> { ["code"] = "validation_failed", ["row"] = unreadable.Row, ["byteOffset"] = unreadable.ByteOffset }));
    }

    private static async Task<byte[]?> ReadLimitedAsync(Stream stream, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBytes) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static ProblemHttpResult TooLarge() =>
        Problems.Make(StatusCodes.Status413PayloadTooLarge, "payload_too_large", $"A CSV import is at most {MaxBytes / (1024 * 1024)} MB.");

    /// <summary>One data record; <see cref="Get"/> is null for an unmapped field and the cell text otherwise.</summary>
    private sealed class CsvRow(int number, string[] cells, Dictionary<string, int> columns, int headerWidth)
    {
        public int Number => number;
        public int Width => cells.Length;
        public int HeaderWidth => headerWidth;

        public string? Get(string field) =>
            columns.TryGetValue(field, out var index) ? (index < cells.Length ? cells[index] : "") : null;
    }
}
