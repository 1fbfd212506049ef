using Portier.Core.Decisions;
using NodaTime;
using Portier.Server.Features.Auth;

namespace Portier.Server.Features.AccessLog;

/// <summary>The filters the access log list and its CSV export share; the time range is [from, to).</summary>
public sealed record AccessLogFilter(
    Guid? SiteId, Guid? DoorId, Guid? ZoneId, Guid? PersonId, Guid? CredentialId,
    string? Outcome, string? Reason, DateTimeOffset? From, DateTimeOffset? To, bool? Offline = null, bool? PassbackViolation = null)
{
    public static readonly IReadOnlyList<string> Outcomes = ["granted", "denied"];

    public string? Problem =>
        Outcome is not null && !Outcomes.Contains(Outcome) ? "outcome must be granted or denied." :
        From is not null && To is not null && From >= To ? "from must be before to." : null;

    /// <summary>Attempts (not outcome rows) the caller may see that match every given filter.</summary>
    public IQueryable<AccessEvent> Apply(IQueryable<AccessEvent> events, CurrentUser user)
    {
        var q = events.Where(e => e.OutcomeOf == null);
        if (user.VisibleSites is { } visible) q = q.Where(e => visible.Contains(e.SiteId));
        if (SiteId is not null) q = q.Where(e => e.SiteId == SiteId);
        if (DoorId is not null) q = q.Where(e => e.DoorId == DoorId);
        if (ZoneId is not null) q = q.Where(e => e.ZoneId == ZoneId);
        if (PersonId is not null) q = q.Where(e => e.PersonId == PersonId);
        if (CredentialId is not null) q = q.Where(e => e.CredentialId == CredentialId);
        if (Outcome is not null) q = q.Where(e => e.Allowed == (Outcome == "granted"));
        if (Offline is not null) q = q.Where(e => e.OccurredOffline == Offline);
        if (PassbackViolation is { } violated)
            q = violated ? q.Where(e => e.Passback != Core.Decisions.PassbackViolation.None) : q.Where(e => e.Passback == Core.Decisions.PassbackViolation.None);
        if (Reason is not null)
        {
            // A code that is no reason matches nothing.
            if (!EventReason.TryParse(Reason, out var reason)) return q.Where(e => false);
            q = q.Where(e => e.Reason == reason);
        }
        if (From is not null) q = q.Where(e => e.At >= Instant.FromDateTimeOffset(From.Value));
        if (To is not null) q = q.Where(e => e.At < Instant.FromDateTimeOffset(To.Value));
        return q;
    }
}
