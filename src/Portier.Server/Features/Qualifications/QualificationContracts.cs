using NodaTime;
using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Features.Qualifications;

/// <summary>
/// Create or change a qualification. <see cref="ValidityDays"/> null = grants do not expire; otherwise a grant
/// expires that many days (× 24 h) after it is granted unless it names its own expiry. <see cref="SiteId"/> null =
/// shared by every site; it never changes afterwards. Changing the validity does not touch grants already made.
/// </summary>
public sealed record QualificationRequest(string Name, string? Description = null, int? ValidityDays = null, Guid? SiteId = null) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.NotBlank(Name, "name");
        if (Description is not null) errors.Require(Description.Length <= 1000, "description", "Must be at most 1000 characters.");
        if (ValidityDays is { } days) errors.Range(days, 1, Qualification.MaxValidityDays, "validityDays");
        if (SiteId == Guid.Empty) errors.Add("siteId", "Give a site id, or leave it out for a qualification shared by every site.");
    }
}

public sealed record QualificationResponse(
    Guid Id,
    Guid? SiteId,
    string Name,
    string? Description,
    int? ValidityDays,
    bool Shared,
    int Holders,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static QualificationResponse From(Qualification q, int holders) =>
        new(q.Id, q.SiteId, q.Name, q.Description, q.ValidityDays, q.SiteId is null, holders, q.CreatedAt.ToDateTimeOffset(), q.UpdatedAt.ToDateTimeOffset());
}

/// <summary>
/// Grant a qualification to a person, or renew the one they hold. <see cref="GrantedAt"/> omitted = now (it may not lie
/// in the future); <see cref="ExpiresAt"/> omitted = the qualification's validity from <see cref="GrantedAt"/>.
/// </summary>
public sealed record GrantQualificationRequest(Guid QualificationId, DateTimeOffset? GrantedAt = null, DateTimeOffset? ExpiresAt = null, string? Note = null) : IValidatable
{
    public const int MaxNote = 500;

    public void Validate(ValidationErrors errors)
    {
        errors.Require(QualificationId != Guid.Empty, "qualificationId", "Is required.");
        if (GrantedAt is { } granted && ExpiresAt is { } expires) errors.Require(expires > granted, "expiresAt", "Must be after grantedAt.");
        if (Note is not null) errors.Require(Note.Length <= MaxNote, "note", $"Must be at most {MaxNote} characters.");
    }
}

/// <summary>Where a held qualification stands now: valid, expiring within <see cref="QualificationStates.SoonDays"/> days, or expired.</summary>
public enum QualificationState { Valid, ExpiringSoon, Expired }

public static class QualificationStates
{
    /// <summary>How far ahead the console and the member app warn of an expiry.</summary>
    public const int SoonDays = 30;

    public static QualificationState Of(Instant? expiresAt, Instant now) =>
        expiresAt is not { } end ? QualificationState.Valid
        : end <= now ? QualificationState.Expired
        : end - now <= Duration.FromDays(SoonDays) ? QualificationState.ExpiringSoon
        : QualificationState.Valid;
}

/// <summary>A qualification one person holds, with who granted it and when it expires (null = never).</summary>
public sealed record PersonQualificationResponse(
    Guid Id,
    Guid PersonId,
    Guid QualificationId,
    string Name,
    DateTimeOffset GrantedAt,
    string GrantedBy,
    DateTimeOffset? ExpiresAt,
    string? Note,
    QualificationState State)
{
    public static PersonQualificationResponse From(PersonQualification held, string name, Instant now) =>
        new(held.Id, held.PersonId, held.QualificationId, name, held.GrantedAt.ToDateTimeOffset(), held.GrantedBy,
            held.ExpiresAt?.ToDateTimeOffset(), held.Note, QualificationStates.Of(held.ExpiresAt, now));
}

/// <summary>A held qualification with its holder's name, for the list of those expiring soon.</summary>
public sealed record QualificationHolderResponse(Guid PersonId, string PersonName, Guid QualificationId, string Name, DateTimeOffset GrantedAt, string GrantedBy, DateTimeOffset? ExpiresAt, QualificationState State);

/// <summary>Announced as <c>qualification.granted</c> / <c>QualificationGranted</c>: a grant or a renewal.</summary>
public sealed record QualificationGrantedPayload(Guid PersonId, Guid QualificationId, string Name, DateTimeOffset GrantedAt, string GrantedBy, DateTimeOffset? ExpiresAt, bool Renewed);

/// <summary>Announced as <c>qualification.revoked</c> / <c>QualificationRevoked</c>.</summary>
public sealed record QualificationRevokedPayload(Guid PersonId, Guid QualificationId, string Name, string RevokedBy);

/// <summary>What a CSV row does (or, in a dry run, would do): grant a new qualification, renew a held one, or nothing for an error.</summary>
public enum ImportRowOutcome { Granted, Renewed, Error }

/// <summary>One data row of an import: its record number (the header is 1), who and what it names, and its outcome or errors.</summary>
public sealed record QualificationImportRow(int Row, Guid? PersonId, string? PersonName, Guid? QualificationId, string? Qualification,
    DateTimeOffset? GrantedAt, DateTimeOffset? ExpiresAt, ImportRowOutcome Outcome, IReadOnlyList<string> Errors);

/// <summary>
/// The import's report. A file with any error row writes nothing (all or nothing), so the preview of a dry run is
/// exactly what an import of the same file does.
/// </summary>
public sealed record QualificationImportResult(bool DryRun, bool Written, int Granted, int Renewed, int Failed, IReadOnlyList<QualificationImportRow> Rows);
