using Portier.Core.EventPolicies;

namespace Portier.Server.Features.Events;

public static class EventsRoutes
{
    public const string Series = "event-series";
    public const string Sessions = "event-sessions";
    public const string Attendees = "event-attendees";
    public const string Policies = "event-policies";
    public const string Tasks = "event-tasks";
    public const string Integrations = "integrations";

    /// <summary>A series' sessions, attendees and policies, under the series group.</summary>
    public const string SeriesSessions = "/{id:guid}/sessions";
    public const string SeriesAttendees = "/{id:guid}/attendees";
    public const string SeriesPolicies = "/{id:guid}/policies";
    /// <summary>Where each person's event access stands (granted, revocation pending, revoked, revocation failed).</summary>
    public const string SeriesAccess = "/{id:guid}/access";

    /// <summary>The temporary authorizations the site's policies grant, under the policies group.</summary>
    public const string TemporaryAuthorizations = "/temporary-authorizations";

    public const string CancelSession = "/{id:guid}/cancel";
    /// <summary>A session's access tasks, under the sessions group.</summary>
    public const string SessionTasks = "/{id:guid}/tasks";

    public const string Failures = "/failures";
    public const string EventAccessSettings = "/event-access-settings";

    /// <summary>A command on an access task, under the tasks group: <c>/{id}/cancel</c>, <c>/{id}/retry</c>, <c>/{id}/acknowledge</c>.</summary>
    public static string TaskCommand(AccessTaskCommand command) => command switch
    {
        AccessTaskCommand.Cancel => "/{id:guid}/cancel",
        AccessTaskCommand.Retry => "/{id:guid}/retry",
        AccessTaskCommand.Acknowledge => "/{id:guid}/acknowledge",
        _ => throw new ArgumentOutOfRangeException(nameof(command), command, null),
    };
}
