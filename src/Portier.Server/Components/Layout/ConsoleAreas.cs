using MudBlazor;
using Portier.Server.Features.Auth;

namespace Portier.Server.Components.Layout;

/// <summary>A console area in the navigation: its page, and the permission that page requires.</summary>
public sealed record ConsoleArea(string Title, string Href, string Icon, string Permission);

/// <summary>The console's areas in menu order. A new area (webhooks, events, invites…) is one line here plus its page.</summary>
public static class ConsoleAreas
{
    public static readonly IReadOnlyList<ConsoleArea> All =
    [
        new("Dashboard", "/console", Icons.Material.Filled.Dashboard, Permissions.SitesRead),
        new("Sites & rules", "/console/sites", Icons.Material.Filled.Business, Permissions.SitesRead),
        new("Doors", "/console/doors", Icons.Material.Filled.DoorFront, Permissions.DoorsRead),
        new("Zones", "/console/zones", Icons.Material.Filled.Layers, Permissions.ZonesRead),
        new("Access scopes", "/console/scopes", Icons.Material.Filled.Workspaces, Permissions.ScopesRead),
        new("Holiday calendars", "/console/calendars", Icons.Material.Filled.EventBusy, Permissions.SitesRead),
        new("People", "/console/people", Icons.Material.Filled.People, Permissions.PeopleRead),
        new("Qualifications", "/console/qualifications", Icons.Material.Filled.School, Permissions.GrantsRead),
        new("Devices", "/console/devices", Icons.Material.Filled.Router, Permissions.DevicesRead),
        new("Access log", "/console/access-log", Icons.Material.Filled.ListAlt, Permissions.AccessLogRead),
        new("Explain a decision", "/console/explain", Icons.Material.Filled.Rule, Permissions.DecisionsExplain),
        new("Lockdowns", "/console/lockdowns", Icons.Material.Filled.GppMaybe, Permissions.LockdownsRead),
        new("Alarms", "/console/alarms", Icons.Material.Filled.NotificationImportant, Permissions.AlarmsRead),
        new("Reports", "/console/reports", Icons.Material.Filled.BarChart, Permissions.ReportsRead),
        new("Event series", "/console/events", Icons.Material.Filled.Event, Permissions.EventsRead),
        new("Integrations", "/console/integrations", Icons.Material.Filled.Hub, Permissions.ProvidersRead),
        new("Webhooks", "/console/webhooks", Icons.Material.Filled.Webhook, Permissions.WebhooksRead),
        new("Access invites", "/console/invites", Icons.Material.Filled.ConfirmationNumber, Permissions.InvitesRead),
        new("Gate validation", "/console/gate", Icons.Material.Filled.QrCodeScanner, Permissions.AccessValidate),
        new("Entry types", "/console/access/entry-types", Icons.Material.Filled.Badge, Permissions.EntryTypesRead),
        new("Points of entry", "/console/access/points-of-entry", Icons.Material.Filled.Sensors, Permissions.PointsOfEntryRead),
        new("Channels", "/console/access/channels", Icons.Material.Filled.Hub, Permissions.ChannelsRead),
        new("Access settings", "/console/access/settings", Icons.Material.Filled.Settings, Permissions.AccessSettingsRead),
        new("Member app", "/console/member-app", Icons.Material.Filled.PhoneIphone, Permissions.AppMessagesRead),
        new("Admins & roles", "/console/admins", Icons.Material.Filled.AdminPanelSettings, Permissions.AdminsRead),
    ];
}
