using NodaTime;
using Portier.Core.Invites;
using Portier.Server.Features.Webhooks;

namespace Portier.Server.Features.Invites;

/// <summary>The <c>data</c> of <c>invite.*</c> webhooks: the invite as it is after the change (no visitor contact details).</summary>
public sealed record InviteWebhookPayload(
    Guid Id, string Reference, Guid SiteId, InviteStatus Status, Guid VisitorPersonId, string VisitorName, Guid? HostPersonId,
    Guid EntryTypeId, DateTimeOffset ValidFrom, DateTimeOffset ValidUntil, DateTimeOffset? ClosedAt);

/// <summary>The invite lifecycle's webhooks; callers add them to the outbox before the save that writes the change.</summary>
public static class InviteWebhooks
{
    public static WebhookEvent Created(Invite invite, Instant at) => Event(WebhookEventTypes.InviteCreated, invite, at);

    /// <summary>The event for the status the invite just moved to, or null when that status has none (pending).</summary>
    public static WebhookEvent? Moved(Invite invite, Instant at) => invite.Status switch
    {
        InviteStatus.Accepted => Event(WebhookEventTypes.InviteAccepted, invite, at),
        InviteStatus.Cancelled => Event(WebhookEventTypes.InviteCancelled, invite, at),
        InviteStatus.Expired => Event(WebhookEventTypes.InviteExpired, invite, at),
        InviteStatus.Draft or InviteStatus.Pending => null,
    };

    private static WebhookEvent Event(string type, Invite invite, Instant at) => new(type, invite.SiteId, at, new InviteWebhookPayload(
        invite.Id, invite.Reference, invite.SiteId, invite.Status, invite.VisitorPersonId, invite.VisitorName, invite.HostPersonId,
        invite.EntryTypeId, invite.ValidFrom.ToDateTimeOffset(), invite.ValidUntil.ToDateTimeOffset(), invite.ClosedAt?.ToDateTimeOffset()));
}
