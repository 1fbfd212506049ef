using Portier.Core.Invites;
using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Features.Invites;

/// <summary>
/// The New access invite dialog. The window defaults to now until now + the entry type's validity.
/// <c>issueCredential</c> issues at once; <c>sendNotification</c> then emails the visitor.
/// </summary>
public sealed record CreateInviteRequest(
    Guid SiteId,
    Guid EntryTypeId,
    string VisitorName,
    string? VisitorEmail = null,
    string? VisitorPhone = null,
    Guid? HostPersonId = null,
    Guid? ChannelId = null,
    string? Purpose = null,
    DateTimeOffset? ValidFrom = null,
    DateTimeOffset? ValidUntil = null,
    bool IssueCredential = false,
    bool SendNotification = false) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Require(EntryTypeId != Guid.Empty, "entryTypeId", "Is required.");
        errors.NotBlank(VisitorName, "visitorName");
        if (VisitorEmail is not null)
            errors.Require(VisitorEmail.Length <= 320 && System.Net.Mail.MailAddress.TryCreate(VisitorEmail.Trim(), out _), "visitorEmail", "Must be an email address.");
        if (VisitorPhone is not null) errors.Require(VisitorPhone.Length <= 40, "visitorPhone", "Must be at most 40 characters.");
        if (Purpose is not null) errors.Require(Purpose.Length <= 1000, "purpose", "Must be at most 1000 characters.");
        ValidityWindow.Validate(ValidFrom, ValidUntil, errors);
        errors.Require(!SendNotification || IssueCredential, "sendNotification", "Only an issued credential can be sent.");
        errors.Require(!SendNotification || !string.IsNullOrWhiteSpace(VisitorEmail), "visitorEmail", "Is required to send a notification.");
    }
}

public sealed record IssueRequest(bool SendNotification = false);

public sealed record InviteCredentialResponse(
    Guid Id, CredentialMethod Method, Guid? CredentialId, bool Revealed, DateTimeOffset? RevealedAt, bool Revoked,
    int UseCount, int? MaxUses, DateTimeOffset ExpiresAt, DateTimeOffset CreatedAt);

public sealed record VisitorResponse(string Name, string? Email, string? Phone);

public sealed record InviteResponse(
    Guid Id,
    string Reference,
    Guid SiteId,
    string SiteName,
    InviteStatus Status,
    VisitorResponse Visitor,
    Guid VisitorPersonId,
    Guid? HostPersonId,
    bool RaisedByMember,
    Guid EntryTypeId,
    string EntryTypeName,
    Guid? ChannelId,
    string Channel,
    string? Purpose,
    DateTimeOffset ValidFrom,
    DateTimeOffset ValidUntil,
    bool AwaitingApproval,
    string? ChannelOutput,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ClosedAt,
    IReadOnlyList<InviteCredentialResponse>? Credentials = null,
    IReadOnlyList<InviteAction>? Actions = null);

/// <summary>
/// Secrets shown exactly once, in the answer that issued them, when they were not emailed to the
/// visitor instead. The visitor link is shown here every time it is made (it is only a page address).
/// </summary>
public sealed record IssuedCredentials(string? Pin, string? Otp, string? Qr, bool Emailed, string? VisitorLink);

public sealed record InviteResult(InviteResponse Invite, IssuedCredentials? Issued);

/// <summary>A signed QR pass (the text a gate scans) for an invite's live QR credential.</summary>
public sealed record InvitePass(string Qr);
