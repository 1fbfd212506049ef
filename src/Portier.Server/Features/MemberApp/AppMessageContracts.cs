using NodaTime;
using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Features.MemberApp;

/// <summary>A site-wide message (no person) or a message for one person of the site.</summary>
public sealed record AppMessageRequest(
    Guid SiteId, string Title, string? Body = null, Guid? PersonId = null, DateTimeOffset? VisibleFrom = null, DateTimeOffset? VisibleUntil = null)
    : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Require(SiteId != Guid.Empty, "siteId", "Is required.");
        errors.NotBlank(Title, "title", AppMessageLimits.Title);
        errors.Require(Body is null || Body.Length <= AppMessageLimits.Body, "body", $"Must be at most {AppMessageLimits.Body} characters.");
        errors.Require(VisibleFrom is null || VisibleUntil is null || VisibleUntil > VisibleFrom, "visibleUntil", "Must be after visibleFrom.");
    }

    public void ApplyTo(AppMessage message)
    {
        message.PersonId = PersonId;
        message.Title = Title.Trim();
        message.Body = string.IsNullOrWhiteSpace(Body) ? null : Body.Trim();
        message.VisibleFrom = VisibleFrom is { } from ? Instant.FromDateTimeOffset(from) : null;
        message.VisibleUntil = VisibleUntil is { } until ? Instant.FromDateTimeOffset(until) : null;
    }
}

public sealed record AppMessageResponse(
    Guid Id, Guid SiteId, Guid? PersonId, string Title, string? Body, DateTimeOffset? VisibleFrom, DateTimeOffset? VisibleUntil,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static AppMessageResponse From(AppMessage m) => new(
        m.Id, m.SiteId, m.PersonId, m.Title, m.Body, m.VisibleFrom?.ToDateTimeOffset(), m.VisibleUntil?.ToDateTimeOffset(),
        m.CreatedAt.ToDateTimeOffset(), m.UpdatedAt.ToDateTimeOffset());
}

/// <summary>An automatic message: shown to every person of the site matching all the non-empty lists.</summary>
public sealed record AppMessageRuleRequest(
    Guid SiteId, string Name, string Title, string? Body = null, IReadOnlyList<string>? PersonTypes = null,
    IReadOnlyList<string>? MembershipStatuses = null, IReadOnlyList<string>? Tags = null, bool Active = true) : IValidatable
{
    public bool HasCriteria => (PersonTypes?.Count ?? 0) + (MembershipStatuses?.Count ?? 0) + (Tags?.Count ?? 0) > 0;

    public void Validate(ValidationErrors errors)
    {
        errors.Require(SiteId != Guid.Empty, "siteId", "Is required.");
        errors.NotBlank(Name, "name");
        errors.NotBlank(Title, "title", AppMessageLimits.Title);
        errors.Require(Body is null || Body.Length <= AppMessageLimits.Body, "body", $"Must be at most {AppMessageLimits.Body} characters.");
        errors.Distinct(PersonTypes, "personTypes", 50);
        errors.Distinct(MembershipStatuses, "membershipStatuses", 50);
        errors.Distinct(Tags, "tags", 50);
    }

    public void ApplyTo(AppMessageRule rule)
    {
        rule.Name = Name.Trim();
        rule.Title = Title.Trim();
        rule.Body = string.IsNullOrWhiteSpace(Body) ? null : Body.Trim();
        rule.PersonTypes = [.. (PersonTypes ?? []).Select(v => v.Trim())];
        rule.MembershipStatuses = [.. (MembershipStatuses ?? []).Select(v => v.Trim())];
        rule.Tags = [.. (Tags ?? []).Select(v => v.Trim())];
        rule.Active = Active;
    }
}

public sealed record AppMessageRuleResponse(
    Guid Id, Guid SiteId, string Name, string Title, string? Body, IReadOnlyList<string> PersonTypes, IReadOnlyList<string> MembershipStatuses,
    IReadOnlyList<string> Tags, bool Active, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static AppMessageRuleResponse From(AppMessageRule r) => new(
        r.Id, r.SiteId, r.Name, r.Title, r.Body, r.PersonTypes, r.MembershipStatuses, r.Tags, r.Active,
        r.CreatedAt.ToDateTimeOffset(), r.UpdatedAt.ToDateTimeOffset());
}

/// <summary>Where a card comes from; <see cref="Emergency"/> is an active lockdown or evacuation at the member's site, shown first.</summary>
public enum AppMessageKind { Site, Personal, Automatic, Emergency }

/// <summary>One card on the member app's home.</summary>
public sealed record MemberMessage(Guid Id, AppMessageKind Kind, string Title, string? Body);

public sealed record MemberAppSettingsRequest(int? AppLockMinutes) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        if (AppLockMinutes is { } minutes) errors.Range(minutes, MemberAppSettings.MinAppLockMinutes, MemberAppSettings.MaxAppLockMinutes, "appLockMinutes");
    }
}

public sealed record MemberAppSettingsResponse(Guid SiteId, int? AppLockMinutes);

public sealed record AppInvitationResponse(Guid PersonId, AppInvitationStatus Status, int SendCount, DateTimeOffset? LastSentAt, string? LastError)
{
    public static AppInvitationResponse From(AppInvitation i) =>
        new(i.PersonId, i.Status, i.SendCount, i.LastSentAt?.ToDateTimeOffset(), i.LastError);

    public static AppInvitationResponse NotInvited(Guid personId) => new(personId, AppInvitationStatus.NotInvited, 0, null, null);
}

/// <summary>The member's QR credential: a barcode number shown as a QR symbol for the reader to scan.</summary>
public sealed record MemberQrCredential(Guid CredentialId, string Value, string? Label, DateTimeOffset? ValidUntil);

/// <summary>An entry type a member may invite a visitor with.</summary>
public sealed record MemberInviteType(Guid Id, string Name, int ValidityMinutes);
