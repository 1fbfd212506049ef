using MudBlazor;
using Portier.Server.Features.Auth;

namespace Portier.Server.Components.Layout;

/// <summary>A console area in the navigation: its page, the permission that page requires, and the menu group it sits in.</summary>
public sealed record ConsoleArea(string Title, string Href, string Icon, string Permission, string Group);

/// <summary>
/// The console's areas in menu order, under the menu's group headings (<see cref="Groups"/>, in order).
/// A new area (webhooks, events, invites…) is one line here plus its page.
/// </summary>
public static class ConsoleAreas
{
    public const string Monitor = "Monitor";
    public const string DoorsAndPeople = "Doors & people";
    public const string Visitors = "Visitors";
    public const string Events = "Events";
    public const string Settings = "Settings";

    public static readonly IReadOnlyList<string> Groups = [Monitor, DoorsAndPeople, Visitors, Events, Settings];

    /// <summary>The area whose menu entry carries the count of standing alarms.</summary>
    public const string AlarmsHref = "/console/alarms";

    public static readonly IReadOnlyList<ConsoleArea> All =
    [
        new("Dashboard", "/console", Icons.Material.Filled.Dashboard, Permissions.SitesRead, Monitor),
        new("Alarms", AlarmsHref, Icons.Material.Filled.NotificationImportant, Permissions.AlarmsRead, Monitor),
        new("Access log", "/console/access-log", Icons.Material.Filled.ListAlt, Permissions.AccessLogRead, Monitor),
        new("Lockdowns", "/console/lockdowns", Icons.Material.Filled.GppMaybe, Permissions.LockdownsRead, Monitor),
        new("Reports", "/console/reports", Icons.Material.Filled.BarChart, Permissions.ReportsRead, Monitor),
        new("Explain a decision", "/console/explain", Icons.Material.Filled.Rule, Permissions.DecisionsExplain, Monitor),
        new("Sites & rules", "/console/sites", Icons.Material.Filled.Business, Permissions.SitesRead, DoorsAndPeople),
        new("Doors", "/console/doors", Icons.Material.Filled.DoorFront, Permissions.DoorsRead, DoorsAndPeople),
        new("Zones", "/console/zones", Icons.Material.Filled.Layers, Permissions.ZonesRead, DoorsAndPeople),
        new("Access scopes", "/console/scopes", Icons.Material.Filled.Workspaces, Permissions.ScopesRead, DoorsAndPeople),
        new("Holiday calendars", "/console/calendars", Icons.Material.Filled.EventBusy, Permissions.SitesRead, DoorsAndPeople),
        new("People", "/console/people", Icons.Material.Filled.People, Permissions.PeopleRead, DoorsAndPeople),
        new("Qualifications", "/console/qualifications", Icons.Material.Filled.School, Permissions.GrantsRead, DoorsAndPeople),
        new("Devices", "/console/devices", Icons.Material.Filled.Router, Permissions.DevicesRead, DoorsAndPeople),
        new("Access invites", "/console/invites", Icons.Material.Filled.ConfirmationNumber, Permissions.InvitesRead, Visitors),
        new("Gate validation", "/console/gate", Icons.Material.Filled.QrCodeScanner, Permissions.AccessValidate, Visitors),
        new("Entry types", "/console/access/entry-types", Icons.Material.Filled.Badge, Permissions.EntryTypesRead, Visitors),
        new("Points of entry", "/console/access/points-of-entry", Icons.Material.Filled.Sensors, Permissions.PointsOfEntryRead, Visitors),
        new("Channels", "/console/access/channels", Icons.Material.Filled.Hub, Permissions.ChannelsRead, Visitors),
        new("Access settings", "/console/access/settings", Icons.Material.Filled.Settings, Permissions.AccessSettingsRead, Visitors),
        new("Event series", "/console/events", Icons.Material.Filled.Event, Permissions.EventsRead, Events),
        new("Integrations", "/console/integrations", Icons.Material.Filled.Hub, Permissions.ProvidersRead, Events),
        new("Webhooks", "/console/webhooks", Icons.Material.Filled.Webhook, Permissions.WebhooksRead, Settings),
        new("Member app", "/console/member-app", Icons.Material.Filled.PhoneIphone, Permissions.AppMessagesRead, Settings),
        new("Admins & roles", "/console/admins", Icons.Material.Filled.AdminPanelSettings, Permissions.AdminsRead, Settings),
    ];
}
