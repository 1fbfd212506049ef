namespace Portier.Server.Features.Auth;

/// <summary>The one catalog of permissions, named <c>area:action</c>.</summary>
public static class Permissions
{
    public const string FullAccess = "admin:full:access";

    public const string SitesRead = "sites:read";
    public const string SitesWrite = "sites:write";
    public const string DoorsRead = "doors:read";
    public const string DoorsWrite = "doors:write";
    /// <summary>Open a door by admin override, even when it is force-closed or blocks all access.</summary>
    public const string DoorsOpen = "doors:open";
    public const string ZonesRead = "zones:read";
    public const string ZonesWrite = "zones:write";
    public const string ScopesRead = "scopes:read";
    public const string ScopesWrite = "scopes:write";
    public const string PeopleRead = "people:read";
    public const string PeopleWrite = "people:write";
    public const string PeopleImport = "people:import";
    public const string GrantsRead = "grants:read";
    public const string GrantsWrite = "grants:write";
    public const string CredentialsRead = "credentials:read";
    public const string CredentialsWrite = "credentials:write";
    public const string DevicesRead = "devices:read";
    public const string DevicesWrite = "devices:write";
    public const string AlarmsRead = "alarms:read";
    public const string AlarmsWrite = "alarms:write";
    public const string AdminsRead = "admins:read";
    public const string AdminsWrite = "admins:write";
    public const string AuditRead = "audit:read";
    public const string AccessLogRead = "access_log:read";
    public const string AccessLogExport = "access_log:export";
    public const string AccessLogVerify = "access_log:verify";
    public const string EventsSubscribe = "events:subscribe";
    public const string WebhooksRead = "webhooks:read";
    public const string WebhooksWrite = "webhooks:write";
    public const string ReportsRead = "reports:read";
    public const string OccupancyWrite = "occupancy:write";
    public const string DecisionsExplain = "decisions:explain";
    public const string AccessValidate = "access:validate";
    public const string EventsRead = "events:read";
    public const string EventsWrite = "events:write";
    /// <summary>The manual's "Manage Access Control": event access policies, their tasks and failures.</summary>
    public const string AccessControlManage = "access_control:manage";
    public const string ProvidersRead = "providers:read";
    public const string ProvidersWrite = "providers:write";
    /// <summary>Member app messages and the rules that set them automatically.</summary>
    public const string AppMessagesRead = "app_messages:read";
    public const string AppMessagesWrite = "app_messages:write";

    public const string InvitesRead = "invites:read";
    public const string InvitesCreate = "invites:create";
    public const string InvitesSend = "invites:send";
    public const string InvitesExecute = "invites:execute";
    public const string InvitesCreateOwn = "invites:create_own";
    public const string ChannelsRead = "invites:channels:read";
    public const string ChannelsCreate = "invites:channels:create";
    public const string ChannelsUpdate = "invites:channels:update";
    public const string ChannelsDelete = "invites:channels:delete";
    public const string EntryTypesRead = "invites:entry_types:read";
    public const string EntryTypesCreate = "invites:entry_types:create";
    public const string EntryTypesUpdate = "invites:entry_types:update";
    public const string EntryTypesDelete = "invites:entry_types:delete";
    public const string PointsOfEntryRead = "invites:points_of_entry:read";
    public const string PointsOfEntryCreate = "invites:points_of_entry:create";
    public const string PointsOfEntryUpdate = "invites:points_of_entry:update";
    public const string PointsOfEntryDelete = "invites:points_of_entry:delete";
    public const string AccessSettingsRead = "invites:settings:read";
    public const string AccessSettingsWrite = "invites:settings:write";
    public const string LocationsLink = "invites:locations:link";

    public const string LockdownsRead = "lockdowns:read";
    public const string LockdownsWrite = "lockdowns:write";
    /// <summary>Start and end lockdown and evacuation plans, and tick people off an evacuation's muster list.</summary>
    public const string LockdownsStart = "lockdowns:start";

    /// <summary>The permissions a member (a person in the member app) can be given; admins hold the rest.</summary>
    public static readonly IReadOnlySet<string> MemberGrantable = new HashSet<string>(StringComparer.Ordinal) { InvitesCreateOwn };

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        FullAccess, SitesRead, SitesWrite, DoorsRead, DoorsWrite, DoorsOpen, ZonesRead, ZonesWrite, ScopesRead, ScopesWrite,
        PeopleRead, PeopleWrite, PeopleImport, GrantsRead, GrantsWrite, CredentialsRead, CredentialsWrite,
        DevicesRead, DevicesWrite, AlarmsRead, AlarmsWrite,
        AdminsRead, AdminsWrite, AuditRead, AccessLogRead, AccessLogExport, AccessLogVerify, EventsSubscribe,
        WebhooksRead, WebhooksWrite, ReportsRead, OccupancyWrite, DecisionsExplain, AccessValidate,
        EventsRead, EventsWrite, AccessControlManage, ProvidersRead, ProvidersWrite, AppMessagesRead, AppMessagesWrite,
        InvitesRead, InvitesCreate, InvitesSend, InvitesExecute, InvitesCreateOwn,
        ChannelsRead, ChannelsCreate, ChannelsUpdate, ChannelsDelete,
        EntryTypesRead, EntryTypesCreate, EntryTypesUpdate, EntryTypesDelete,
        PointsOfEntryRead, PointsOfEntryCreate, PointsOfEntryUpdate, PointsOfEntryDelete,
        AccessSettingsRead, AccessSettingsWrite, LocationsLink,
        LockdownsRead, LockdownsWrite, LockdownsStart,
    };

    public static bool IsKnown(string permission) => All.Contains(permission);
}
