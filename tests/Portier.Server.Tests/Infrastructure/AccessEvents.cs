using Portier.Core.Decisions;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Portier.Server.Features.AccessLog;

namespace Portier.Server.Tests.Infrastructure;

/// <summary>Appends access events through the server's real write path, as the device gateway does.</summary>
public static class AccessEvents
{
    public static async Task<AccessEvent> AppendAsync(this PortierServer server, Guid siteId, Guid doorId, bool allowed = true,
        string? reason = null, Guid? personId = null, Guid? zoneId = null, Instant? at = null, Guid? credentialId = null, string? presented = null)
    {
        var e = new AccessEvent
        {
            SiteId = siteId, DoorId = doorId, ZoneId = zoneId, PersonId = personId, CredentialId = credentialId, PresentedValue = presented,
            Method = AccessMethod.Scan, At = at ?? Instant.FromDateTimeOffset(server.Clock.GetUtcNow()), Allowed = allowed,
            Reason = EventReason.Parse(reason ?? (allowed ? "granted" : "no_matching_rule_or_grant")), Path = allowed ? DecisionPath.Rule : DecisionPath.None,
            Outcome = allowed ? ActuationOutcome.Pending : ActuationOutcome.NotSent,
        };
        await server.Services.GetRequiredService<AccessEventWriter>().AppendAsync(e, TestContext.Current.CancellationToken);
        return e;
    }
}
