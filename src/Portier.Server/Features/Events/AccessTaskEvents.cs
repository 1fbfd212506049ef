using NodaTime;
using Portier.Core.EventPolicies;
using Portier.Server.Features.LiveEvents;
using Portier.Server.Features.Webhooks;

namespace Portier.Server.Features.Events;

/// <summary>What subscribers hear of an access task's status: always <c>TaskStatusChanged</c> live; <c>task.succeeded</c> / <c>task.failed</c> webhooks when it ends.</summary>
public static class AccessTaskEvents
{
    public static Announcement Announce(Guid siteId, TaskResponse task, Instant at) => new(
        LiveEventTypes.TaskStatusChanged,
        task.Status switch
        {
            AccessTaskStatus.Executed => WebhookEventTypes.TaskSucceeded,
            AccessTaskStatus.Failed => WebhookEventTypes.TaskFailed,
            AccessTaskStatus.NotYetScheduled or AccessTaskStatus.Pending or AccessTaskStatus.Scheduled or AccessTaskStatus.Cancelled => null,
        },
        siteId, at, task);
}
